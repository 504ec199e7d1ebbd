"""The workspace in the pages (AppTest): restored from a link, bad links, a database that is
down, a stored model that no longer loads. Never an exception, never someone else's work."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from lesson import step3_network
from lesson.machinery import store as storage
from lesson.machinery.workspaces import experiment_of
from lesson.tools import settings
from tests.pages import PAGES, app, switch, tiny, train_to_the_end


def opened(token: str | None, page: str | None = None) -> AppTest:
    """A new browser session that arrives with `?workspace=token` (Continue elsewhere)."""
    at = app(query=None if token is None else {"workspace": token})
    notes = alerts(at)  # shown once, on the first page
    if page:
        switch(at, page)
    at.notes = notes
    return at


def alerts(at: AppTest) -> str:
    return " ".join(a.value for a in [*at.info, *at.warning, *at.error, *at.success])


def train_a_tiny_run(at: AppTest):
    """Press Train for 1 epoch on 1,000 images; wait for the run; rerun as the poll does."""
    tiny(at)
    return train_to_the_end(at)


def test_a_run_answers_and_the_model_come_back_in_a_new_session():
    at = app("p4_train.py")
    run = train_a_tiny_run(at)
    at.switch_page(f"{PAGES}/p1_data.py").run()
    at.text_input(key="ex_data-pixels").input("784").run()
    token = at.session_state["workspace"].token

    back = opened(token, "p4_train.py")
    assert "Welcome back" in back.notes
    assert "run 1 finished" in alerts(back)
    assert back.slider(key="train_epochs").value == 1  # the settings too
    assert back.session_state["exercises_solved"] == {"data-pixels"}
    back.switch_page(f"{PAGES}/p5_draw.py").run()
    assert not back.exception
    restored = back.session_state["learner_model"]
    assert restored is not run.model  # rebuilt from the store, with the same weights
    for mine, theirs in zip(restored.get_weights(), run.model.get_weights(), strict=True):
        assert np.array_equal(mine, theirs)
    back.switch_page(f"{PAGES}/p1_data.py").run()
    assert back.text_input(key="ex_data-pixels").value == "784"


@pytest.mark.parametrize(
    "token", ["", "nonsense", "x" * 32, "<script>alert(1)</script>", "a" * 5000, "%00' OR '1'='1"]
)
def test_a_bad_workspace_link_starts_a_new_workspace_with_a_note(token):
    at = opened(token)
    assert "not valid" in at.notes or token == ""
    assert at.session_state["workspace"].token != token
    assert "workspace" not in at.query_params  # the token leaves the address at once


def test_a_deleted_workspace_link_is_refused():
    store = storage.shared()
    ws = store.create_workspace({"solved": ["data-pixels"], "pages_solved": ["data"]})
    store.delete_workspace(ws.id)
    at = opened(ws.token)
    assert "not valid" in at.notes
    assert at.session_state["exercises_solved"] == set()


def test_with_the_database_down_the_lesson_goes_on_and_says_work_is_not_saved(monkeypatch):
    monkeypatch.setenv("CNN_LESSON_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/x")
    at = opened(None, "p4_train.py")
    assert "Your work is not being saved" in at.notes
    run = train_a_tiny_run(at)
    assert not at.exception, [e.value for e in at.exception]
    assert "run 1 finished" in alerts(at)  # trained and kept from memory
    at.switch_page(f"{PAGES}/p5_draw.py").run()
    assert at.session_state["learner_model"] is run.model
    for page in ("p1_data.py", "p3_build.py", "p7_mistakes.py"):
        at.switch_page(f"{PAGES}/{page}").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert "Your work is not being saved" in alerts(at)


def test_a_stored_model_that_no_longer_loads_is_said_and_the_pretrained_one_answers():
    store = storage.shared()
    ws = store.create_workspace({"adopted": "run 1"})
    hp = settings.DEFAULT.hp
    store.save_run(
        ws, 1, status="done", message="", experiment=experiment_of(step3_network.LESSON, hp),
        results={"epochs": [{"epoch": 1}], "parameters": 53558},
        weights=storage.pack([np.zeros((2, 2), "float32")]),  # not this network's shapes
    )  # fmt: skip
    at = opened(ws.token, "p5_draw.py")
    assert "could not be loaded" in alerts(at)
    assert "learner_model" not in at.session_state


def test_two_tabs_of_one_workspace_share_its_run_and_cannot_train_two_at_once():
    first = app("p4_train.py")
    first.select_slider(key="train_images").set_value(5_000)
    first.slider(key="train_epochs").set_value(2).run()
    stale = opened(first.session_state["workspace"].token, "p4_train.py")  # opened earlier
    first.button(key="train_start").click().run()
    run = first.session_state["runs"][-1]
    second = opened(first.session_state["workspace"].token, "p4_train.py")  # opened now
    try:
        assert second.session_state["runs"][-1] is run  # the live run, not a copy
        assert second.button(key="train_start").disabled
        assert not second.button(key="train_stop").disabled  # either tab can stop it
        stale.button(key="train_start").click().run()  # its Train still looks enabled
        assert not stale.exception
        assert "already training" in alerts(stale)
        assert [r.name for r in stale.session_state["runs"]] == ["run 1"]
    finally:
        second.button(key="train_stop").click().run()
        run.join(90)
    second.run()
    assert "You stopped the run." in alerts(second)
