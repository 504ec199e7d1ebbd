"""The class board under AppTest: a closed class keeps its board, Clear and Close ask first and
the last clear can be undone, progress counts this class's runs, names and the Open form."""

import pytest

from lesson.machinery import classes
from lesson.machinery import store as storage
from tests.pages import app
from tests.test_board_page import RESULTS, learner, ok, post, table, teacher, ws_id

pytestmark = pytest.mark.usefixtures("instructor_key")
OPEN = "FormSubmitter:board_open-Open a class"


def named(name: str) -> list:
    return [c for c in classes.all_classes(storage.shared()) if c.name == name]


def test_a_closed_class_keeps_its_board_and_its_place_in_the_picker():
    inst, code = teacher("Closing time")
    ada = learner(code, "Ada")
    post(ada, 1, 0.9)
    assert inst.button(key="board_close").disabled  # asked first
    ok(inst.checkbox(key="board_close_sure").check().run())
    ok(inst.button(key="board_close").click().run())
    assert inst.metric[0].label == "Join code · Closing time".replace("Join code", "Closed class")
    assert inst.metric[0].value == code
    assert any("its code no longer works" in i.value for i in inst.info)
    assert list(table(inst)["Who"]) == ["Ada"]  # the board stays, with its runs
    picker = inst.selectbox(key="board_class")
    label = picker.format_func(picker.value)
    assert picker.value == named("Closing time")[0].id and "(closed " in label
    assert not [b for b in inst.button if b.key == "board_close"]  # closed once
    late = learner(code, "Late")
    assert "no open class with that code" in late.sidebar.error[0].value
    # Another class opened later: the closed one stays in the picker, after the open ones.
    inst.text_input(key="board_new_name").input("Next lesson")  # a form: sent with the click
    ok(inst.button(key=OPEN).click().run())
    picker = inst.selectbox(key="board_class")
    labels = list(picker.options)  # as shown
    assert labels.index(picker.format_func(named("Next lesson")[0].id)) < labels.index(label)
    ok(picker.select(named("Closing time")[0].id).run())
    assert list(table(inst)["Who"]) == ["Ada"]


def test_clear_asks_first_and_the_last_clear_can_be_undone():
    inst, code = teacher("Undo class")
    ada = learner(code, "Ada")
    post(ada, 1, 0.9)
    post(ada, 2, 0.8)
    ok(inst.run())
    assert inst.button(key="board_clear").disabled
    assert not [b for b in inst.button if b.key == "board_undo_clear"]
    ok(inst.checkbox(key="board_clear_sure").check().run())
    assert [t.value for t in inst.toast] == []
    ok(inst.button(key="board_clear").click().run())
    assert table(inst) is None and "No run posted yet" in inst.info[0].value
    assert [t.value for t in inst.toast] == ["Board cleared (2 runs): Undo clear brings them back."]
    assert inst.checkbox(key="board_clear_sure").value is False  # asked again next time
    undo = inst.button(key="board_undo_clear")
    assert undo.label.startswith("Undo clear (2 runs, cleared at ")
    ok(undo.click().run())
    assert list(table(inst)["Who"]) == ["Ada", "Ada"]
    assert not [b for b in inst.button if b.key == "board_undo_clear"]


def test_progress_counts_the_runs_trained_in_this_class_only():
    db = storage.shared()
    inst, code = teacher("Tuesday")
    ada = learner(code, "Ada")
    ws = ada.session_state["workspace"]
    experiment = {"epochs": "1"}
    for number, accuracy in ((1, 0.95), (2, 0.5)):
        db.save_run(ws, number, status="done", message="", experiment=experiment,
                    results={**RESULTS, "test": {"accuracy": accuracy}})  # fmt: skip
    ok(inst.run())
    assert list(table(inst, "Learner")["Runs"]) == [2]
    _, later = teacher("Wednesday")
    classes.join(db, ws_id(ada), later, "Ada")  # a new class: later runs are its
    db.save_run(ws, 3, status="done", message="", experiment=experiment, results=RESULTS)
    ok(inst.selectbox(key="board_class").select(named("Tuesday")[0].id).run())
    progress = table(inst, "Learner")
    assert list(progress["Runs"]) == [2]
    assert list(progress["Best test accuracy (%)"]) == pytest.approx([95.0])
    ok(inst.selectbox(key="board_class").select(named("Wednesday")[0].id).run())
    progress = table(inst, "Learner")
    assert list(progress["Runs"]) == [1]
    assert list(progress["Best test accuracy (%)"]) == pytest.approx([91.0])


def test_a_long_pasted_name_is_cut_to_24_characters_and_the_learner_is_told():
    _, code = teacher("Names")
    pasted = "Alexandrina Victoria of Kent and Strathearn"
    ada = learner(code, pasted)
    cut = pasted[: classes.NAME_LENGTH].strip()
    assert classes.membership(storage.shared(), ws_id(ada))[1] == cut
    told = [s.value for s in ada.sidebar.success]
    assert len(told) == 1 and f"at most {classes.NAME_LENGTH} characters" in told[0]
    assert "Alexandrina Victoria of" in told[0]
    fresh = app()  # the name box takes the whole paste (then cuts it, and says so)
    assert fresh.sidebar.text_input(key="board_name").max_chars >= len(pasted)
    short = learner(code, "Bo")
    assert [s.value for s in short.sidebar.success] == ["You joined Names."]


def test_open_a_class_empties_its_name_and_the_same_click_twice_opens_one_class():
    # Names no other test uses: the tests of one worker share a database.
    first, second = "Period 3 twice", "Period 4 twice"
    inst, _ = teacher(first)
    assert inst.text_input(key="board_new_name").value == ""
    # A double click: the second submit carries the name the first one had, or an empty one.
    inst.text_input(key="board_new_name").input(first)
    ok(inst.button(key=OPEN).click().run())
    assert inst.text_input(key="board_new_name").value == ""
    ok(inst.button(key=OPEN).click().run())
    assert len(named(first)) == 1 and not named("Our class")
    inst.text_input(key="board_new_name").input(second)
    ok(inst.button(key=OPEN).click().run())
    assert len(named(second)) == 1 and inst.metric[0].label == f"Join code · {second}"
