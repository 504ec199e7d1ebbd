"""The instructor key: where it comes from, the constant-time check, limits, and the pages."""

import os
import stat

import pytest

from lesson.machinery import keys
from tests.pages import INSTRUCTOR_KEY, app

SUBMIT = "FormSubmitter:instructor_form-Enter instructor mode"
# Every test starts with no wrong keys counted and the class's key configured.
pytestmark = pytest.mark.usefixtures("instructor_key")


def test_the_key_comes_from_the_environment_before_the_secrets(monkeypatch):
    assert keys.configured("from-secrets") == INSTRUCTOR_KEY
    monkeypatch.delenv(keys.KEY_VARIABLE)
    assert keys.configured("from-secrets") == "from-secrets"
    assert keys.configured("  ") is None and keys.configured(None) is None


def test_matches_only_the_exact_key():
    assert keys.matches("abc123", "abc123")
    for wrong in ("abc12", "abc1234", "ABC123", "", None, 123, "a" * (keys.MAX_LENGTH + 1)):
        assert not keys.matches(wrong, "abc123"), wrong


def test_a_generated_key_is_made_once_and_announced_once():
    told = []
    first = keys.generated(told.append)
    assert keys.generated(told.append) == first and told == [first]
    assert len(first) >= 24


def test_without_a_terminal_the_link_goes_to_a_private_file(tmp_path):
    where = keys.tell_teacher("http://x/?instructor=k", tmp_path, terminal=str(tmp_path / "no/tty"))
    path = tmp_path / "instructor_link.txt"
    assert where == str(path) and path.read_text() == "http://x/?instructor=k\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_wrong_key_in_the_link_is_refused_plainly_and_leaves_the_address_bar():
    at = app(query={"instructor": "1"})
    assert [e.value for e in at.error] == ["That is not the instructor key."]
    assert "instructor" not in at.query_params
    assert "classroom_instructor" not in at.session_state
    at.switch_page("lesson/pages/p4_train.py").run()
    assert not [t for t in at.sidebar.toggle if t.label == "Reveal answers"]
    assert not at.error  # told once


def test_the_right_key_in_the_link_gives_instructor_mode_and_never_reaches_the_share_link():
    at = app("p4_train.py", {"instructor": INSTRUCTOR_KEY})
    assert at.session_state["classroom_instructor"] is True
    assert "instructor" not in at.query_params
    shared = at.sidebar.code[-1].value
    assert INSTRUCTOR_KEY not in shared and "instructor" not in shared
    assert INSTRUCTOR_KEY not in str(at.query_params)
    at.sidebar.button(key="instructor_leave").click().run()
    assert "classroom_instructor" not in at.session_state
    assert not [t for t in at.sidebar.toggle if t.label == "Reveal answers"]


def test_the_sidebar_form_and_the_browsers_limit(monkeypatch):
    monkeypatch.setattr(keys, "clock", lambda: 1000.0)  # no wait passes during the test
    at = app()
    for n in range(keys.FREE_TRIES["browser"]):
        at.sidebar.text_input(key="instructor_key_input").input(f"guess-{n}")
        at.sidebar.button(key=SUBMIT).click().run()
        assert [e.value for e in at.error] == ["That is not the instructor key."], n
    at.sidebar.text_input(key="instructor_key_input").input(INSTRUCTOR_KEY)
    at.sidebar.button(key=SUBMIT).click().run()
    assert [e.value for e in at.error] == [
        "Too many wrong keys from this browser: wait 30 seconds, then try again."
    ]
    assert "classroom_instructor" not in at.session_state
    fresh = app()  # another browser may still try (more: tests/test_instructor_limits.py)
    fresh.sidebar.text_input(key="instructor_key_input").input(INSTRUCTOR_KEY)
    fresh.sidebar.button(key=SUBMIT).click().run()
    assert fresh.session_state["classroom_instructor"] is True and not fresh.error


def test_reveal_answers_stays_on_across_pages_until_switched_off():
    at = app(query={"instructor": INSTRUCTOR_KEY})
    at.sidebar.toggle(key="classroom_reveal").set_value(True).run()
    assert [c for c in at.caption if c.value.startswith("Answer:")]
    at.switch_page("lesson/pages/p2_onehot.py").run()
    assert at.sidebar.toggle(key="classroom_reveal").value is True
    assert [c for c in at.caption if c.value.startswith("Answer:")]
    at.sidebar.toggle(key="classroom_reveal").set_value(False).run()
    at.switch_page("lesson/pages/p1_data.py").run()
    assert at.sidebar.toggle(key="classroom_reveal").value is False
    assert not [c for c in at.caption if c.value.startswith("Answer:")]


def test_with_no_key_set_the_server_makes_one_and_tells_only_the_terminal(monkeypatch):
    monkeypatch.delenv(keys.KEY_VARIABLE)
    told = []
    monkeypatch.setattr(keys, "tell_teacher", lambda link, folder: told.append(link))
    at = app()
    assert len(told) == 1 and "/?instructor=" in told[0]
    generated = told[0].split("instructor=")[1]
    at.sidebar.text_input(key="instructor_key_input").input(generated)
    at.sidebar.button(key=SUBMIT).click().run()
    assert at.session_state["classroom_instructor"] is True
    app()
    assert len(told) == 1  # once per process
