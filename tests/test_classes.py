"""The class store against real databases: classes, join codes, members, posts, progress."""

import sqlite3

import pytest
import sqlalchemy as sa

from lesson.machinery import classes
from lesson.machinery import store as storage

RESULTS = {"test": {"accuracy": 0.97, "loss": 0.1}, "parameters": 53558, "seconds": 12.5,
           "epochs": [{"epoch": 1}], "batches": [1, 2, 3]}  # fmt: skip
EXPERIMENT = {"learning_rate": "0.001", "batch_size": "64", "optimizer": "adam"}


def learner(store, accuracy: float | None = None, runs: int = 0, pages=()) -> storage.Workspace:
    ws = store.create_workspace({"pages_solved": list(pages)})
    for n in range(1, runs + 1):
        results = {**RESULTS, "test": {"accuracy": accuracy, "loss": 0.1}}
        store.save_run(ws, n, status="done", message="", experiment=EXPERIMENT, results=results)
    return ws


def test_a_class_opens_with_a_readable_code_that_others_find(store):
    info = classes.open_class(store, "  Year 12   <b>maths</b> ")
    assert info.name == "Year 12 <b>maths</b>" and info.is_open  # text, shown escaped
    assert len(info.code) == 6 and set(info.code) <= set(classes.CODE_ALPHABET)
    assert classes.find_class(store, info.code.lower()).id == info.id
    spaced = f"{info.code[:3]} - {info.code[3:]}"
    assert classes.find_class(store, spaced).id == info.id
    for wrong in ("", None, "ABC", "O0O0O0", info.code + "X", "'; DROP TABLE classes;--"):
        assert classes.find_class(store, wrong) is None
    other = classes.open_class(store, "")
    assert other.name == "Our class" and other.code != info.code
    assert [c.id for c in classes.open_classes(store)] == [other.id, info.id]
    classes.close_class(store, info.id)
    assert classes.find_class(store, info.code) is None  # an expired code
    assert [c.id for c in classes.open_classes(store)] == [other.id]
    assert not classes.get_class(store, info.id).is_open


def test_display_names_are_cleaned_and_limited():
    assert classes.clean_name("  Ada \n\t Lovelace ") == "Ada Lovelace"
    assert classes.clean_name("x" * 10_000) == "x" * classes.NAME_LENGTH
    assert classes.clean_name("Eve\u202egnp.exe\u200b") == "Evegnp.exe"  # bidi, zero-width
    assert classes.clean_name("**bold** <script>") == "**bold** <script>"  # escaped when shown
    assert classes.clean_name(None) == "" and classes.clean_name("\u200b \x00") == ""
    first, second = classes.animal_name().split()
    assert first in classes.ADJECTIVES and second in classes.ANIMALS


def test_joining_posting_and_the_board(store):
    info = classes.open_class(store, "Class")
    ada, bob = learner(store), learner(store)
    with pytest.raises(classes.ClassError, match="no open class"):
        classes.join(store, ada.id, "WRONG1", "Ada")
    assert classes.post_run(store, ada.id, 1, EXPERIMENT, RESULTS, "done") == "not in a class"
    classes.join(store, ada.id, info.code, "Ada")
    classes.join(store, bob.id, info.code, "   ")  # no name: an animal's
    joined, name = classes.membership(store, bob.id)
    assert joined.id == info.id and name.split()[1] in classes.ANIMALS
    assert classes.post_run(store, ada.id, 1, EXPERIMENT, RESULTS, "done") == "posted"
    assert classes.post_run(store, ada.id, 1, EXPERIMENT, RESULTS, "done") == "already posted"
    assert classes.post_run(store, bob.id, 1, EXPERIMENT, RESULTS, "stopped") == "posted"
    posts = classes.board(store, info.id)
    assert [(p.name, p.number) for p in posts] == [("Ada", 1), (name, 1)]
    assert posts[0].results == {"accuracy": 0.97, "loss": 0.1, "parameters": 53558,
                                "seconds": 12.5, "status": "done"}  # fmt: skip
    assert posts[1].results["status"] == "stopped" and posts[0].experiment == EXPERIMENT
    classes.remove_post(store, "another class", posts[0].id)  # not this class's post
    assert len(classes.board(store, info.id)) == 2
    classes.remove_post(store, info.id, posts[0].id)
    assert [p.name for p in classes.board(store, info.id)] == [name]
    classes.clear(store, info.id)
    assert classes.board(store, info.id) == []
    classes.close_class(store, info.id)
    assert classes.post_run(store, ada.id, 2, EXPERIMENT, RESULTS, "done") == "not in a class"


def test_a_flood_of_runs_is_limited_per_learner(store):
    info = classes.open_class(store, "Class")
    ada, bob = learner(store), learner(store)
    for ws in (ada, bob):
        classes.join(store, ws.id, info.code, "x")
    said = [
        classes.post_run(store, ada.id, n, EXPERIMENT, RESULTS, "done", now=1000.0 + n)
        for n in range(1, 8)
    ]
    assert said == ["posted"] * classes.POSTS_PER_MINUTE + ["too many posts"] * 3
    assert classes.post_run(store, bob.id, 1, EXPERIMENT, RESULTS, "done", now=1005) == "posted"
    later = classes.post_run(store, ada.id, 9, EXPERIMENT, RESULTS, "done", now=1100.0)
    assert later == "posted"  # a minute on


def test_settings_of_a_class_names_hidden_and_challenge(store):
    info = classes.open_class(store, "Class")
    classes.hide_names(store, info.id, True)
    challenge = {"text": "Pick a learning rate", "experiment": {"epochs": "3"},
                 "lock": ["epochs", "batch_size"]}  # fmt: skip
    classes.set_challenge(store, info.id, challenge)
    again = classes.get_class(store, info.id)
    assert again.names_hidden and again.challenge == challenge
    classes.set_challenge(store, info.id, None)
    assert classes.get_class(store, info.id).challenge is None


def test_progress_of_each_member_and_of_one(store):
    info = classes.open_class(store, "Class")
    ada = learner(store, pages=["data", "build"])
    bob = learner(store)
    learner(store, accuracy=0.99, runs=1)  # not a member: not in the table
    classes.join(store, ada.id, info.code, "Ada")
    classes.join(store, bob.id, info.code, "Bob")
    for n in (1, 2):  # trained in the class (runs from before joining: tests/test_class_keeps)
        results = {**RESULTS, "test": {"accuracy": 0.95, "loss": 0.1}}
        store.save_run(ada, n, status="done", message="", experiment=EXPERIMENT, results=results)
    table = classes.progress(store, info.id)
    assert [(p.name, p.pages_solved, p.runs, p.best_accuracy) for p in table] == [
        ("Ada", ["data", "build"], 2, 0.95), ("Bob", [], 0, None),
    ]  # fmt: skip
    assert [p.name for p in classes.progress(store, info.id, bob.id)] == ["Bob"]


def test_forget_me_removes_membership_and_posts(store):
    info = classes.open_class(store, "Class")
    ada = learner(store)
    classes.join(store, ada.id, info.code, "Ada")
    classes.post_run(store, ada.id, 1, EXPERIMENT, RESULTS, "done")
    store.delete_workspace(ada.id)
    assert classes.board(store, info.id) == [] and classes.progress(store, info.id) == []


def test_a_version_1_database_is_brought_forward_and_keeps_its_workspaces(tmp_path):
    path = tmp_path / "old.db"
    old_tables = [storage.store_version, storage.workspaces, storage.runs]
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        storage.metadata.create_all(conn, tables=old_tables)
        conn.execute(storage.store_version.insert().values(version=1))
    engine.dispose()
    s = storage.Store(f"sqlite:///{path}")
    old = s.create_workspace({"page": "train"})
    s.close()
    with sqlite3.connect(path) as conn:  # a version 1 file with a workspace in it
        conn.execute("DROP TABLE IF EXISTS posts")
        conn.execute("DROP TABLE IF EXISTS members")
        conn.execute("DROP TABLE IF EXISTS classes")
        conn.execute("UPDATE store_version SET version = 1")
    s = storage.Store(f"sqlite:///{path}")
    assert s.open_workspace(old.token).state == {"page": "train"}
    info = classes.open_class(s, "Class")
    classes.join(s, old.id, info.code, "Ada")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM store_version").fetchall() == [(2,)]
    s.close()


def test_a_finished_or_stopped_run_is_posted_by_its_saver_and_a_failed_one_is_not(store):
    from types import SimpleNamespace

    from lesson.machinery.workspaces import Saver
    from lesson.tools import settings

    info = classes.open_class(store, "Class")
    ada = learner(store)
    classes.join(store, ada.id, info.code, "Ada")
    for number, status in enumerate(("done", "stopped", "failed"), start=1):
        run = SimpleNamespace(
            config=settings.DEFAULT.network, hp=settings.DEFAULT.hp, status=status,
            message="", parameters=53558, seconds=3.0, batches=[], epochs=[],
            test={"accuracy": 0.9, "loss": 0.3} if status != "failed" else None,
            steps_per_epoch=10, snapshots=[], model=None,
        )  # fmt: skip
        saver = Saver(store, ada, number)
        saver(run, "finished")
        assert saver.posted == ("posted" if status != "failed" else None)
    posts = classes.board(store, info.id)
    assert [(p.number, p.results["status"]) for p in posts] == [(1, "done"), (2, "stopped")]
    assert posts[0].experiment["learning_rate"] == "0.001"


def test_another_app_process_on_the_same_database_sees_the_class_and_its_posts(store):
    other = storage.Store(store.url)  # a second app process (as behind nginx)
    try:
        info = classes.open_class(store, "Class")
        ada = learner(other)
        classes.join(other, ada.id, info.code, "Ada")  # joined through the other process
        assert classes.post_run(other, ada.id, 1, EXPERIMENT, RESULTS, "done") == "posted"
        assert [p.name for p in classes.board(store, info.id)] == ["Ada"]
        classes.set_challenge(store, info.id, {"text": "go", "experiment": {}, "lock": []})
        assert classes.membership(other, ada.id)[0].challenge["text"] == "go"
    finally:
        other.close()


def test_a_refused_learner_is_told_when_they_can_post_again(store):
    info = classes.open_class(store, "Class")
    ada, bob = learner(store), learner(store)
    classes.join(store, ada.id, info.code, "Ada")
    assert classes.next_post(store, bob.id, now=1000.0) is None  # in no class
    assert classes.next_post(store, ada.id, now=1000.0) == 1000.0
    for n in range(1, 6):  # posted at 1010, 1020, 1030, 1040; the fifth refused
        classes.post_run(store, ada.id, n, EXPERIMENT, RESULTS, "done", now=1000.0 + 10 * n)
    assert classes.next_post(store, ada.id, now=1050.0) == 1070.0  # the first a minute old
    said = classes.post_run(store, ada.id, 6, EXPERIMENT, RESULTS, "done", now=1069.0)
    assert said == "too many posts"
    assert classes.post_run(store, ada.id, 6, EXPERIMENT, RESULTS, "done", now=1070.0) == "posted"
    assert classes.next_post(store, ada.id, now=1070.0) == 1080.0  # 1020 is now the oldest
    words = classes.not_posted_words("run 5", "too many posts", 1070.0, now=1050.0)
    assert words == (
        "Run 5 was not posted to the class board: the board takes at most 4 runs a minute from "
        "each learner, so that it stays readable. You can post again in 20 seconds: runs you "
        "finish from then on are posted as before."
    )
    later = classes.not_posted_words("run 5", "too many posts", 1070.0, now=1071.0)
    assert "You can post again now:" in later


def test_a_learner_at_the_most_a_class_takes_is_told_so(store):
    info = classes.open_class(store, "Class")
    ada = learner(store)
    classes.join(store, ada.id, info.code, "Ada")
    for n in range(classes.POSTS_PER_LEARNER):  # one a minute: never too many at once
        said = classes.post_run(store, ada.id, n + 1, EXPERIMENT, RESULTS, "done", now=60.0 * n)
        assert said == "posted"
    now = 60.0 * classes.POSTS_PER_LEARNER
    assert classes.post_run(store, ada.id, 99, EXPERIMENT, RESULTS, "done", now=now) == (
        "too many posts"
    )
    assert classes.next_post(store, ada.id, now=now) is None
    words = classes.not_posted_words("run 99", "too many posts", None)
    assert words.startswith("Run 99 was not posted to the class board: you have posted 60 runs")


def test_what_a_learner_reads_about_a_post_in_each_case():
    for quiet in (None, "posted", "already posted", "not in a class"):
        assert classes.not_posted_words("run 2", quiet) is None
    failed = classes.not_posted_words("run 2", "not posted: the database did not answer")
    assert failed == (
        "Run 2 was not posted to the class board (the database did not answer), so it will not "
        "appear there. It is still saved in your workspace."
    )


def test_a_saver_keeps_what_became_of_its_post_and_when_posting_works_again(store):
    from types import SimpleNamespace

    from lesson.machinery.workspaces import Saver
    from lesson.tools import settings

    info = classes.open_class(store, "Class")
    ada = learner(store)
    classes.join(store, ada.id, info.code, "Ada")
    for n in range(101, 101 + classes.POSTS_PER_MINUTE):  # a flood just now
        assert classes.post_run(store, ada.id, n, EXPERIMENT, RESULTS, "done") == "posted"
    run = SimpleNamespace(
        config=settings.DEFAULT.network, hp=settings.DEFAULT.hp, status="done", message="",
        parameters=53558, seconds=3.0, batches=[], epochs=[], test={"accuracy": 0.9},
        steps_per_epoch=10, snapshots=[], model=None,
    )  # fmt: skip
    saver = Saver(store, ada, 1)
    saver(run, "finished")
    assert saver.posted == "too many posts" and saver.saved_final
    assert 0 < saver.post_again - classes.time.time() <= 60
    classes.clear(store, info.id)
    saver(run, "finished")  # a page finishing it again: now there is room
    assert saver.posted == "posted" and saver.post_again is not None
    saver(run, "finished")
    assert saver.posted == "posted"  # "already posted" does not hide that it was
    assert [p.number for p in classes.board(store, info.id)] == [1]


def test_a_post_the_store_could_not_take_is_said_so(store, monkeypatch):
    from types import SimpleNamespace

    from lesson.machinery.workspaces import Saver
    from lesson.tools import settings

    def down(*args, **kwargs):
        raise storage.StoreError("the database did not answer")

    ada = learner(store)
    monkeypatch.setattr(classes, "post_run", down)  # saved, then the database went away
    run = SimpleNamespace(
        config=settings.DEFAULT.network, hp=settings.DEFAULT.hp, status="stopped", message="",
        parameters=53558, seconds=3.0, batches=[], epochs=[], test=None,
        steps_per_epoch=10, snapshots=[], model=None,
    )  # fmt: skip
    saver = Saver(store, ada, 1)
    saver(run, "finished")
    assert saver.saved_final and saver.posted == "not posted: the database did not answer"
    assert "will not appear there" in classes.not_posted_words("run 1", saver.posted)
