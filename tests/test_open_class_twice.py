"""A second click on "Open a class" that interrupts the first one's run opens one class: no second
one if the first had stored it, the class itself if the first was cut short before."""

import pytest
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from lesson.machinery import classes
from lesson.machinery import store as storage
from tests.pages import INSTRUCTOR_KEY, app

pytestmark = pytest.mark.usefixtures("instructor_key")
OPEN = "FormSubmitter:board_open-Open a class"


def open_twice(monkeypatch, name: str, open_class) -> list:
    """Open the class `name` by two clicks, the first cut short by `open_class`: the classes so
    called, after a check that the page shows the one class and its join code."""
    monkeypatch.setattr(classes, "open_class", open_class)
    at = app("p8_board.py", {"instructor": INSTRUCTOR_KEY})
    at.text_input(key="board_new_name").input(name)
    at.button(key=OPEN).click().run()  # cut short: the page is drawn by the next run
    at.run()
    at.text_input(key="board_new_name").input(name)  # the form sent it again
    at.button(key=OPEN).click().run()
    assert not at.exception, [e.value for e in at.exception]
    mine = [c for c in classes.all_classes(storage.shared()) if c.name == name]
    assert at.metric[0].label == f"Join code · {name}"
    assert mine and at.metric[0].value == mine[0].code
    return mine


def test_a_click_that_interrupts_the_first_after_the_class_is_stored_opens_no_other(monkeypatch):
    opened = []
    real = classes.open_class

    def stored_then_interrupted(store, name):
        info = real(store, name)
        opened.append(info)
        if len(opened) == 1:  # the run is cut short here, as a second click's rerun does
            raise StopException()
        return info

    mine = open_twice(monkeypatch, "Interrupted class", stored_then_interrupted)
    assert len(opened) == 1 and len(mine) == 1, (opened, mine)


def test_a_click_that_interrupts_the_first_before_the_class_is_stored_opens_it(monkeypatch):
    calls = []
    real = classes.open_class

    def interrupted_then_stored(store, name):
        calls.append(name)
        if len(calls) == 1:  # cut short before the store had it, as a second click's rerun can
            raise StopException()
        return real(store, name)

    mine = open_twice(monkeypatch, "Cut short class", interrupted_then_stored)
    assert len(calls) == 2 and len(mine) == 1, (calls, mine)
