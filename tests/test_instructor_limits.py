"""Wrong instructor keys are limited per browser and per address, never for the whole server;
the signed instructor session a browser keeps ends with its expiry and with a new key."""

import time

import pytest
from streamlit.runtime.context import ContextProxy

from lesson.machinery import keys
from lesson.parts import instructor
from tests.pages import INSTRUCTOR_KEY, app

SUBMIT = "FormSubmitter:instructor_form-Enter instructor mode"
pytestmark = pytest.mark.usefixtures("instructor_key")


@pytest.fixture
def clock(monkeypatch):
    """The limits' clock, moved by hand: no wait lapses while a slow machine runs the test."""
    now = {"t": 1000.0}
    monkeypatch.setattr(keys, "clock", lambda: now["t"])
    return now


@pytest.fixture
def addresses(monkeypatch):
    """Each AppTest session's client address, set by the test (AppTest has none)."""
    where = {"address": None}
    monkeypatch.setattr(instructor, "address", lambda: where["address"])
    return where


def key_in(at, candidate: str) -> list[str]:
    """Submit `candidate` in the sidebar's form; the errors the page shows then."""
    at.sidebar.text_input(key="instructor_key_input").input(candidate)
    at.sidebar.button(key=SUBMIT).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return [e.value for e in at.error]


def test_the_wait_grows_per_client_and_is_forgotten_after_an_hour():
    browser = {"browser": "ws-1", "address": "10.0.0.9"}
    for n in range(keys.FREE_TRIES["browser"]):
        assert keys.wait_left(browser, now=100.0) == 0, n
        keys.failed(browser, now=100.0)
    assert keys.wait_left(browser, now=100.0) == keys.FIRST_WAIT
    assert keys.wait_left({"browser": "ws-2", "address": "10.0.0.10"}, now=100.0) == 0
    keys.failed(browser, now=200.0)
    assert keys.wait_left(browser, now=200.0) == 2 * keys.FIRST_WAIT  # it grows
    for _ in range(20):
        keys.failed(browser, now=300.0)
    assert keys.wait_left(browser, now=300.0) == keys.LONGEST_WAIT  # up to a bound
    assert keys.wait_left(browser, now=300.0 + keys.FORGET_AFTER + 1) == 0
    keys.failed({"browser": "ws-3", "address": None}, now=100.0)  # an unknown address: no count
    assert ("address", None) not in keys._failures


def test_35_wrong_keys_from_one_browser_never_lock_out_the_teacher(clock, addresses):
    addresses["address"] = "10.0.0.66"
    rogue = app()
    said = [key_in(rogue, f"guess-{n}") for n in range(35)]
    free = keys.FREE_TRIES["browser"]
    assert said[:free] == [[instructor.WRONG]] * free
    assert said[free:] == [[instructor.too_many(keys.FIRST_WAIT)]] * (35 - free)  # waits
    assert key_in(rogue, INSTRUCTOR_KEY) == [instructor.too_many(keys.FIRST_WAIT)]
    assert not instructor_mode(rogue)
    # The teacher, in another browser: on another address, and on the rogue's own address.
    for address in ("10.0.0.1", "10.0.0.66"):
        addresses["address"] = address
        teacher = app()
        assert key_in(teacher, INSTRUCTOR_KEY) == [] and instructor_mode(teacher), address
    clock["t"] += keys.FIRST_WAIT + 1  # the rogue's wait is over: one more try, then longer
    addresses["address"] = "10.0.0.66"
    assert key_in(rogue, "guess-again") == [instructor.WRONG]
    assert key_in(rogue, "and-again") == [instructor.too_many(2 * keys.FIRST_WAIT)]


def test_an_address_that_keeps_changing_browsers_waits_but_others_do_not(clock, addresses):
    addresses["address"] = "10.0.0.66"
    per_browser, per_address = keys.FREE_TRIES["browser"], keys.FREE_TRIES["address"]
    for _ in range(per_address // per_browser):  # cookies cleared: a new browser each time
        rogue = app()
        for n in range(per_browser):
            assert key_in(rogue, f"guess-{n}") == [instructor.WRONG]
    fresh = app()
    assert key_in(fresh, "anything") == [instructor.too_many(keys.FIRST_WAIT)]
    addresses["address"] = "10.0.0.1"  # the teacher's address
    teacher = app()
    assert key_in(teacher, INSTRUCTOR_KEY) == [] and instructor_mode(teacher)


def instructor_mode(at) -> bool:
    return "classroom_instructor" in at.session_state and at.session_state["classroom_instructor"]


# --- the signed session --------------------------------------------------------------------


def test_a_signed_session_lasts_until_its_expiry_and_only_under_its_key():
    now = time.time()
    value = keys.session_value(INSTRUCTOR_KEY, now=now)
    assert keys.session_valid(value, INSTRUCTOR_KEY, now=now + 60)
    assert keys.session_valid(value, INSTRUCTOR_KEY, now=now + keys.SESSION_HOURS * 3600 - 60)
    assert not keys.session_valid(value, INSTRUCTOR_KEY, now=now + keys.SESSION_HOURS * 3600 + 1)
    assert not keys.session_valid(value, "a-new-key", now=now + 60)  # the key changed
    nonce, expiry, signature = value.split(".")
    later = f"{nonce}.{int(expiry) + 86400}.{signature}"  # a longer life, written by hand
    assert not keys.session_valid(later, INSTRUCTOR_KEY, now=now)
    for wrong in (None, "", "a.b", "a.b.c.d", value + "0", "x" * 300):
        assert not keys.session_valid(wrong, INSTRUCTOR_KEY, now=now), wrong
    assert keys.session_value(INSTRUCTOR_KEY, now=now) != value  # each login its own


@pytest.fixture
def cookie(monkeypatch):
    """The cookie the browser sends with its page load (AppTest sends none)."""
    jar = {}
    monkeypatch.setattr(ContextProxy, "cookies", property(lambda self: dict(jar)))
    return jar


def test_the_right_key_gives_the_browser_a_signed_session_that_a_reload_keeps(cookie):
    at = app(query={"instructor": INSTRUCTOR_KEY})
    assert instructor_mode(at)
    written = [h.proto.body for h in at.get("html") if instructor.COOKIE in h.proto.body]
    assert len(written) == 1
    value = written[0].split(f'{instructor.COOKIE}=${{"')[1].split('"')[0]
    assert keys.session_valid(value, INSTRUCTOR_KEY) and INSTRUCTOR_KEY not in written[0]
    cookie[instructor.COOKIE] = value
    reloaded = app()  # a new session of the same browser: the cookie comes with it
    assert instructor_mode(reloaded)
    reloaded.sidebar.button(key="instructor_leave").click().run()
    assert not instructor_mode(reloaded)
    cleared = [h.proto.body for h in reloaded.get("html") if instructor.COOKIE in h.proto.body]
    assert len(cleared) == 1 and "max-age=0" in cleared[0]  # the browser forgets it
    reloaded.run()
    assert not instructor_mode(reloaded)  # the page load's old cookie does not bring it back


def test_a_copied_cookie_does_not_outlive_its_expiry_or_a_new_key(cookie, monkeypatch):
    cookie[instructor.COOKIE] = keys.session_value(INSTRUCTOR_KEY, now=time.time() - 13 * 3600)
    expired = app()
    assert not instructor_mode(expired)
    assert any("max-age=0" in h.proto.body for h in expired.get("html"))  # and it is cleared
    cookie[instructor.COOKIE] = keys.session_value(INSTRUCTOR_KEY)
    assert instructor_mode(app())
    monkeypatch.setenv(keys.KEY_VARIABLE, "the-new-key-after-a-leak")
    assert not instructor_mode(app())
