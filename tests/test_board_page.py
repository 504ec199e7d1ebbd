"""The class board under AppTest: joining, the live board, the challenge, the progress view."""

import time

import pytest
from streamlit.testing.v1 import AppTest

from lesson.machinery import classes
from lesson.machinery import store as storage
from tests.pages import INSTRUCTOR_KEY, app

BOARD = "lesson/pages/p8_board.py"
RESULTS = {"test": {"accuracy": 0.91, "loss": 0.3}, "parameters": 53558, "seconds": 8.0}
pytestmark = pytest.mark.usefixtures("instructor_key")


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def teacher(name: str = "Year 12", **query) -> tuple[AppTest, str]:
    """An instructor on the board who opened a class; the class's join code."""
    if query:  # the instructor's own experiment, from a link to Train
        at = app("p4_train.py", {"instructor": INSTRUCTOR_KEY, **query})
        ok(at.switch_page(BOARD).run())
    else:
        at = app(BOARD, {"instructor": INSTRUCTOR_KEY})
    at.text_input(key="board_new_name").input(name)
    ok(at.button(key="FormSubmitter:board_open-Open a class").click().run())
    code = at.metric[0].value
    assert at.metric[0].label == f"Join code · {name}" and len(code) == classes.CODE_LENGTH
    return at, code


def learner(code: str, name: str) -> AppTest:
    at = app()
    at.sidebar.text_input(key="board_code").input(code)
    at.sidebar.text_input(key="board_name").input(name)
    ok(at.sidebar.button(key="FormSubmitter:board_join-Join the class").click().run())
    return at


def table(at: AppTest, column: str = "Who"):
    """The board's table (column "Who") or the progress table (column "Learner"), or None."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    return found[0] if found else None


def ws_id(at: AppTest) -> str:
    return at.session_state["workspace"].id


def post(at: AppTest, number: int, accuracy: float, **experiment) -> None:
    e = {"learning_rate": "0.001", "batch_size": "64", "optimizer": "adam", "epochs": "1",
         "train_images": "1000", "conv_blocks": "2", "filters": "6,16,32"}  # fmt: skip
    e.update(experiment)
    results = {**RESULTS, "test": {"accuracy": accuracy, "loss": 0.3}}
    said = classes.post_run(storage.shared(), ws_id(at), number, e, results, "done")
    assert said == "posted"


def test_learners_join_and_their_runs_show_on_the_instructors_board():
    inst, code = teacher()
    ada = learner(code.lower(), "<b>Ada</b> **x** [y](z)")
    assert any("In class" in c.value for c in ada.sidebar.caption)
    bob = learner(code, "")  # an animal's name
    bob_name = classes.membership(storage.shared(), ws_id(bob))[1]
    post(ada, 1, 0.93, learning_rate="0.01")
    post(bob, 1, 0.97, optimizer="sgd", batch_size="128")
    ok(inst.run())
    df = table(inst)
    assert list(df["Who"]) == [bob_name, "<b>Ada</b> **x** [y](z)"]  # as typed
    assert list(df["Test accuracy (%)"]) == pytest.approx([97.0, 93.0])
    assert df["Experiment"][0].endswith("/train?" + "learning_rate=0.001&batch_size=128"
                                        "&optimizer=sgd&epochs=1&train_images=1000"
                                        "&conv_blocks=2&filters=6%2C16%2C32")  # fmt: skip
    assert f"Best run: {bob_name}" in inst.success[0].value
    assert list(df["Best"]) == ["★ best", ""]  # the row says so too, in words (no colour only)
    titles = [c.value for c in inst.caption if c.value.startswith("Best test accuracy by")]
    assert sorted(titles) == sorted(
        [
            "Best test accuracy by learning rate. adam: 0.01 → 93.0%; sgd: 0.001 → 97.0%.",
            "Best test accuracy by batch size. adam: 64 → 93.0%; sgd: 128 → 97.0%.",
            "Best test accuracy by parameters. adam: 53558 → 93.0%; sgd: 53558 → 97.0%.",
            "Best test accuracy by training images. adam: 1000 → 93.0%; sgd: 1000 → 97.0%.",
        ]
    )  # two columns of charts
    progress = table(inst, "Learner")
    assert list(progress["Learner"]) == ["<b>Ada</b> **x** [y](z)", bob_name]
    assert list(progress["Runs"]) == [0, 0]  # posted by hand here; the store has no run
    # Hide names, remove one entry, clear the board.
    ok(inst.toggle(key=f"board_hide_{inst.session_state['board_class']}").set_value(True).run())
    assert list(table(inst)["Who"]) == ["Learner 2", "Learner 1"]
    assert list(table(inst, "Learner")["Learner"]) == [
        "Learner 1", "Learner 2",
    ]  # fmt: skip
    post_ids = [p.id for p in classes.board(storage.shared(), inst.session_state["board_class"])]
    ok(inst.selectbox(key="board_remove_pick").select(post_ids[0]).run())
    ok(inst.button(key="board_remove").click().run())
    assert list(table(inst)["Who"]) == ["Learner 2"]
    ok(inst.checkbox(key="board_clear_sure").check().run())  # asked first
    ok(inst.button(key="board_clear").click().run())
    assert table(inst) is None and "No run posted yet" in inst.info[0].value


def test_a_learner_sees_the_board_and_only_their_own_progress_and_no_controls():
    inst, code = teacher("Class B")
    ada, bob = learner(code, "Ada"), learner(code, "Bob")
    post(ada, 1, 0.9)
    ok(bob.switch_page(BOARD).run())
    assert bob.metric[0].value == code
    assert list(table(bob)["Who"]) == ["Ada"]
    assert list(table(bob, "Learner")["Learner"]) == ["Bob"]
    labels = [b.label for b in bob.button]
    for control in ("Clear the board", "Close the class", "Remove it", "Post the challenge"):
        assert control not in labels
    assert not [e for e in bob.expander if "instructor" in e.label]
    # The instructor closes the class: its code stops working, the learner's membership ends.
    ok(inst.checkbox(key="board_close_sure").check().run())  # asked first
    ok(inst.button(key="board_close").click().run())
    late = learner(code, "Late")
    assert "no open class with that code" in late.sidebar.error[0].value


def test_a_wrong_join_code_is_refused_and_the_join_link_fills_the_code():
    at = learner("NOPE42", "Ada")
    assert "no open class with that code" in at.sidebar.error[0].value
    _, code = teacher("Class C")
    linked = app(BOARD, {"join": code})
    assert "join" not in linked.query_params
    assert linked.sidebar.text_input(key="board_code").value == code


def test_a_challenge_fixes_the_classs_settings_and_its_end_frees_them():
    inst, code = teacher("Class D", epochs="5")
    ada = learner(code, "Ada")
    inst.text_input(key="board_challenge_text").input("Everyone: pick a learning rate")
    ok(inst.multiselect(key="board_challenge_lock").select("epochs").select("batch_size").run())
    ok(inst.button(key="board_challenge_post").click().run())
    ada.session_state["board_membership"] = None  # look at the class now, not in 5 s
    ok(ada.switch_page("lesson/pages/p4_train.py").run())
    assert ada.info[0].value == "**Class challenge:** Everyone\\: pick a learning rate"  # escaped
    assert ada.session_state["train_epochs"] == 5
    assert any("Your teacher fixed epochs 5; batch size 64" in c.value for c in ada.caption)
    ok(ada.button(key="train_recipe").click().run())  # 10 epochs, but the challenge said 5
    assert ada.session_state["train_epochs"] == 5
    ok(inst.button(key="board_challenge_end").click().run())
    ada.session_state["board_membership"] = None
    ok(ada.run())
    assert not [c for c in ada.caption if "Your teacher fixed" in c.value]
    ok(ada.button(key="train_recipe").click().run())
    assert ada.session_state["train_epochs"] == 10


def test_two_instructors_each_keep_their_own_class_on_the_board():
    first, first_code = teacher("Room 1")
    second, second_code = teacher("Room 2")
    ok(first.run())
    assert first.metric[0].value == first_code  # the newer class does not take its place
    assert second.metric[0].value == second_code
    ok(first.selectbox(key="board_class").select(second.session_state["board_class"]).run())
    assert first.metric[0].value == second_code


def test_a_board_of_200_runs_shows_them_all():
    inst, code = teacher("Big class")
    info = classes.find_class(storage.shared(), code)
    db = storage.shared()
    e = {"learning_rate": "0.001", "batch_size": "64", "optimizer": "adam", "epochs": "1"}
    for n in range(20):
        ws = db.create_workspace()
        classes.join(db, ws.id, code, f"Learner name {n}")
        for k in range(10):  # ten a learner, a minute apart: under the posting limit
            results = {"test": {"accuracy": 0.5 + n / 100 + k / 1000}, "parameters": 1000}
            said = classes.post_run(db, ws.id, k + 1, e, results, "done", now=1e9 + 60 * k)
            assert said == "posted"
    ok(inst.run())
    assert len(table(inst)) == 200 and "200 runs posted" in inst.caption[0].value
    assert "Best run: Learner name 19" in inst.success[0].value
    assert len(classes.board(db, info.id)) == 200


def test_a_learner_is_told_when_the_board_refuses_a_run_and_when_to_post_again():
    from tests.pages import tiny, train_to_the_end

    _, code = teacher("Class F")
    ada = learner(code, "Ada")
    # A flood of runs, dated 30 s ahead: the run below (given at most 90 s) is refused however
    # slow the machine, until the first of the flood is a minute old.
    soon = time.time() + 30
    for number in range(101, 101 + classes.POSTS_PER_MINUTE):
        said = classes.post_run(storage.shared(), ws_id(ada), number, {}, RESULTS, "done", soon)
        assert said == "posted"
    ok(ada.switch_page("lesson/pages/p4_train.py").run())
    tiny(ada)
    run = train_to_the_end(ada)
    assert run.status == "done" and run.saver.posted == "too many posts"
    notes = [i.value for i in ada.info if "class board" in i.value]
    assert len(notes) == 1, [i.value for i in ada.info]
    assert notes[0].startswith(f"Run 1 was not posted to the class board: the board takes at "
                               f"most {classes.POSTS_PER_MINUTE} runs a minute")  # fmt: skip
    wait = int(notes[0].split("You can post again in ")[1].split()[0])
    assert 1 <= wait <= 90  # when the first of the flood is a minute old
    info = classes.membership(storage.shared(), ws_id(ada))[0]
    assert [p.number for p in classes.board(storage.shared(), info.id)] == [101, 102, 103, 104]


def test_a_learner_in_no_class_reads_nothing_about_the_board():
    from tests.pages import tiny, train_to_the_end

    at = app(page="lesson/pages/p4_train.py")
    tiny(at)
    run = train_to_the_end(at)
    assert run.saver.posted == "not in a class"
    assert not [i.value for i in at.info if "class board" in i.value]
