"""A class challenge holds: no link, preset or `lock=` undoes it, and it takes nothing else."""

import pytest
from streamlit.testing.v1 import AppTest

from lesson.machinery import classes
from lesson.machinery import store as storage
from tests.pages import INSTRUCTOR_KEY, app, markdown_text, tiny

BOARD = "lesson/pages/p8_board.py"
TRAIN, BUILD = "lesson/pages/p4_train.py", "lesson/pages/p3_build.py"
pytestmark = pytest.mark.usefixtures("instructor_key")


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def teacher(**experiment) -> tuple[AppTest, str]:
    """An instructor whose own experiment is `experiment`, with a class open; its join code."""
    inst = app(TRAIN, {"instructor": INSTRUCTOR_KEY, **experiment})
    ok(inst.switch_page(BOARD).run())
    inst.text_input(key="board_new_name").input("Challenge class")
    ok(inst.button(key="FormSubmitter:board_open-Open a class").click().run())
    return inst, inst.metric[0].value


def post(inst: AppTest, lock: list[str]) -> None:
    """The instructor posts a challenge that locks `lock` at their values."""
    inst.text_input(key="board_challenge_text").input("One epoch each")
    picker = inst.multiselect(key="board_challenge_lock")
    for name in lock:
        picker.select(name)
    ok(inst.run())
    ok(inst.button(key="board_challenge_post").click().run())


def join(at: AppTest, code: str, name: str) -> AppTest:
    at.sidebar.text_input(key="board_code").input(code)
    at.sidebar.text_input(key="board_name").input(name)
    return ok(at.sidebar.button(key="FormSubmitter:board_join-Join the class").click().run())


def look_now(at: AppTest) -> None:
    at.session_state["board_membership"] = None  # look at the class now, not in 5 s


def fixed_notes(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if "fixed" in c.value]


@pytest.mark.parametrize("lock", ["", "batch_size"])
def test_a_link_never_undoes_a_challenge_and_the_run_keeps_its_values(lock):
    inst, code = teacher(epochs="1")
    ada = join(app(), code, "Ada")
    post(inst, ["epochs"])
    look_now(ada)
    # The board's own Open links look like this: another experiment, no lock (or an empty one).
    ada.query_params.update({"epochs": "5", "learning_rate": "0.01", "lock": lock})
    ok(ada.switch_page(TRAIN).run())
    assert ada.info[0].value == "**Class challenge:** One epoch each"
    assert ada.session_state["train_epochs"] == 1  # the control shows the challenge's value
    assert ada.session_state["train_learning_rate"] == 0.01  # the link set what is not locked
    assert fixed_notes(ada) == [":material/lock: Your teacher fixed epochs 1."]
    assert "Your teacher fixed epochs 5" not in markdown_text(ada)
    # A preset that says 10 epochs keeps the challenge's 1 too.
    ok(ada.sidebar.selectbox(key="classroom_preset").select("The lesson's recipe").run())
    assert ada.session_state["train_epochs"] == 1
    assert fixed_notes(ada) == [":material/lock: Your teacher fixed epochs 1."]
    # Even a control set behind the page's back trains with the challenge's value.
    tiny(ada, epochs=1)
    ada.session_state["train_epochs"] = 4
    ok(ada.button(key="train_start").click().run())
    run = ada.session_state["runs"][-1]
    assert run.hp.epochs == 1
    run.join(120)
    assert run.finished, f"waited 120 s for the run to end; it is {run.status}"
    ok(ada.run())
    saver = run.saver
    for _ in range(60):  # the Saver posts it from the run's thread as it ends
        if saver.saved_final:
            break
        run.join(1)
    class_id = inst.session_state["board_class"]
    posted = [p for p in classes.board(storage.shared(), class_id) if p.name == "Ada"]
    assert [p.experiment["epochs"] for p in posted] == ["1"], posted


def test_a_challenge_sets_only_what_it_locks_and_its_end_gives_it_back():
    inst, code = teacher(epochs="1", learning_rate="0.003")
    ada = app(BUILD, {"conv_blocks": "1", "filters": "8", "dense_units": "32"})
    assert ada.metric[0].value == "43,706"  # the learner's own network
    ok(ada.switch_page(TRAIN).run())
    ada.select_slider(key="train_learning_rate").set_value(0.01)
    ada.slider(key="train_epochs").set_value(7)
    ok(ada.run())
    join(ada, code, "Ada")
    post(inst, ["epochs"])
    look_now(ada)
    ok(ada.switch_page(BUILD).run())
    assert ada.metric[0].value == "43,706"  # still theirs, not the teacher's 53,558
    ok(ada.switch_page(TRAIN).run())
    assert ada.session_state["train_epochs"] == 1
    assert ada.session_state["train_learning_rate"] == 0.01  # unlocked: the learner's
    assert fixed_notes(ada) == [":material/lock: Your teacher fixed epochs 1."]
    ok(inst.button(key="board_challenge_end").click().run())
    look_now(ada)
    ok(ada.run())
    assert not fixed_notes(ada)
    assert ada.session_state["train_epochs"] == 7  # the learner's own value is back
    assert ada.session_state["train_learning_rate"] == 0.01
    ok(ada.switch_page(BUILD).run())
    assert ada.metric[0].value == "43,706"
