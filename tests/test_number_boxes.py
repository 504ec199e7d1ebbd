"""Number boxes (issue 18): what a learner types is read on the server, the usual ways people
write numbers; anything else keeps the last number and says so beside the box."""

import re

import pytest
from streamlit.testing.v1 import AppTest

from lesson import step4_training
from lesson.step3_network import LESSON, NetworkConfig
from lesson.tools import numbers
from tests.pages import app, switch

# --- the reader ---------------------------------------------------------------------------------

WHOLE = [  # text, what a whole-number box from 0 to 60,000 reads (None: refused)
    ("12000", 12000), (" 500 ", 500), ("+5", 5), ("007", 7), ("0", 0), ("-0", 0),
    ("60,000", 60000), ("60 000", 60000), ("60\u2009000", 60000), ("60\u202f000", 60000),
    ("60\u00a0000", 60000), ("60.000", 60000), ("60'000", 60000), ("1.000", 1000),
    ("1e3", 1000), ("2e3", 2000), ("2E3", 2000), ("1.5e3", 1500), ("6e4", 60000),
    ("12000.0", 12000), ("3.", 3), ("1,000.0", 1000), ("1.000,0", 1000),
    ("1e9", None), ("60001", None), ("60,001", None), ("-5", None), ("\u22125", None),
    ("3.7", None), ("1,5", None), ("0,95", None), ("1e-3", None), (".5", None),
    ("", None), ("   ", None), ("abc", None), ("--5", None), ("5-", None), ("1e", None),
    ("60,00", 60), ("6,0000", 6), ("1,000,00", None), ("1,000.000.000", None),
    ("nan", None), ("inf", None), ("0x10", None), ("1e999", None), ("-1e999", None),
    ("9" * 5000, None), ("1e999999999999999999", None), ("x" * 300, None), ("5 6", None),
]  # fmt: skip
DECIMAL = [  # text, what a decimal box from -1 to 1,000,000 reads (None: refused)
    ("0.95", 0.95), ("0,95", 0.95), (".5", 0.5), ("-0.5", -0.5), ("\u22121", -1.0),
    ("1e-3", 0.001), ("2e3", 2000.0), ("1.5e3", 1500.0), ("60.000", 60.0),
    ("1,000,000", 1e6), ("1 000 000", 1e6), ("60 000", 60000.0), ("1,000.5", 1000.5),
    ("1.000,5", 1000.5), ("1.000.000", 1e6), ("3.7", 3.7),
    ("1,000", None), ("1e9", None), ("-2", None), ("1e-400", None), ("abc", None), ("", None),
    ("1,2,3", None), ("1.2.3", None), ("1,000,000.5.5", None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), WHOLE, ids=[repr(t[:12]) for t, _ in WHOLE])
def test_a_whole_number_box_reads_the_usual_ways_of_writing_and_nothing_else(text, value):
    if value is None:
        with pytest.raises(numbers.Refused):
            numbers.read(text, 0, 60_000)
    else:
        got = numbers.read(text, 0, 60_000)
        assert got == value and type(got) is int


@pytest.mark.parametrize(("text", "value"), DECIMAL, ids=[repr(t[:12]) for t, _ in DECIMAL])
def test_a_decimal_box_reads_decimal_points_and_commas(text, value):
    if value is None:
        with pytest.raises(numbers.Refused):
            numbers.read(text, -1.0, 1e6, whole=False)
    else:
        got = numbers.read(text, -1.0, 1e6, whole=False)
        assert got == pytest.approx(value) and type(got) is float


@pytest.mark.parametrize(
    ("text", "low", "high", "whole", "words"),
    [
        ("1e9", 0, 60_000, True, "“1e9” is more than 60,000, the most this box takes"),
        ("-5", 0, 9_999, True, "“-5” is less than 0, the least this box takes"),
        ("3.7", 0, 9_999, True, "“3.7” is not a whole number"),
        ("abc", 0, 9_999, True, "“abc” is not a number"),
        (" -ABC ", 0, 9_999, True, "“-ABC” is not a number"),  # as typed, less the spaces
        ("  ", 0, 9_999, True, "An empty box is not a number"),
        ("1,000", 0.0, 1e6, False, "“1,000” could be 1,000 or 1"),
        ("2", 0.0, 1.5, False, "“2” is more than 1.5, the most this box takes"),
        ("x" * 100, 0, 9, True, f"“{'x' * 23}…” is not a number"),  # quoted short
    ],
)
def test_a_refusal_says_why_in_plain_words(text, low, high, whole, words):
    with pytest.raises(numbers.Refused) as why:
        numbers.read(text, low, high, whole)
    assert str(why.value) == words


def test_the_bounds_themselves_are_taken():
    assert numbers.read("0", 0, 9_999) == 0 and numbers.read("9,999", 0, 9_999) == 9_999
    assert numbers.read("9.999e3", 0, 9_999) == 9_999
    assert numbers.read("1.5", 0.0, 1.5, whole=False) == 1.5


# --- the pages ----------------------------------------------------------------------------------


def notes(at: AppTest) -> list[str]:
    """What the number boxes say, as a learner reads it (no icon, no markdown escapes)."""
    return [
        re.sub(r"\\(.)", r"\1", c.value.split(" ", 1)[1])
        for c in at.caption
        if c.value.startswith((":material/undo:", ":material/check:"))
    ]


def typed(at: AppTest, key: str, text: str) -> AppTest:
    at.text_input(key=f"{key}_text").input(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


TRAIN_CASES = [  # typed into "Random seed" (0 to 9,999) after 42: the number kept, the note
    ("1e9", 42, "“1e9” is more than 9,999, the most this box takes; kept 42."),
    ("abc", 42, "“abc” is not a number; kept 42."),
    ("", 42, "An empty box is not a number; kept 42."),
    ("2e3", 2000, "“2e3” read as 2,000."),
]


@pytest.mark.parametrize(("text", "kept", "note"), TRAIN_CASES, ids=[t for t, *_ in TRAIN_CASES])
def test_the_seed_box_keeps_its_number_and_says_so(text, kept, note):
    at = typed(app(page="p4_train.py"), "train_seed", "42")
    assert not notes(at)
    typed(at, "train_seed", text)
    assert at.session_state["train_seed"] == kept
    assert at.text_input(key="train_seed_text").value == str(kept)  # the box shows it
    assert notes(at) == [note]
    assert at.session_state["hyperparameters"].seed == kept  # what Train would use
    at.run()  # the note stays beside the box until the next text
    assert notes(at) == [note]
    typed(at, "train_seed", "7")
    assert not notes(at) and at.session_state["train_seed"] == 7


def test_a_run_trains_with_the_kept_seed_not_what_the_browser_made_of_1e9():
    at = typed(app(page="p4_train.py"), "train_seed", "42")
    typed(at, "train_seed", "1e9")
    at.select_slider(key="train_images").set_value(1_000)
    at.slider(key="train_epochs").set_value(1).run()
    at.button(key="train_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    run = at.session_state["runs"][-1]
    run.join(120)
    at.run()  # the poll that sees it finished
    assert run.status == "done" and not at.exception
    assert run.hp.seed == 42
    assert "kept 42." in notes(at)[0]


BUILD_CASES = [  # typed into "Units in the hidden dense layer" (1 to 512) after 64
    ("1e9", 64, "“1e9” is more than 512, the most this box takes; kept 64."),
    ("abc", 64, "“abc” is not a number; kept 64."),
    ("", 64, "An empty box is not a number; kept 64."),
    ("2e3", 64, "“2e3” is more than 512, the most this box takes; kept 64."),
    ("2.56e2", 256, "“2.56e2” read as 256."),
    ("0", 64, "“0” is less than 1, the least this box takes; kept 64."),
]


@pytest.mark.parametrize(("text", "kept", "note"), BUILD_CASES, ids=[t for t, *_ in BUILD_CASES])
def test_the_units_box_keeps_its_number_and_the_network_uses_it(text, kept, note):
    at = typed(app(page="p3_build.py"), "build_units", "64")
    typed(at, "build_units", text)
    assert at.session_state["build_units"] == kept
    assert at.text_input(key="build_units_text").value == str(kept)
    assert notes(at) == [note]
    assert at.session_state["network_config"].dense_units == kept
    assert not at.error  # the network was never asked for with another number
    at.switch_page("lesson/pages/p4_train.py").run()  # the network Train would train
    assert at.session_state["network_config"].dense_units == kept


def test_each_filters_box_has_its_own_note():
    at = typed(app(page="p3_build.py"), "build_filters_2", "1e9")
    assert notes(at) == ["“1e9” is more than 64, the most this box takes; kept 16."]
    assert at.session_state["network_config"].filters == LESSON.filters


def test_numbers_set_by_code_show_in_the_box_and_end_its_note():
    at = typed(app(page="p4_train.py"), "train_seed", "abc")
    assert notes(at)
    at.button(key="train_recipe").click().run()  # a button sets the number
    assert at.text_input(key="train_seed_text").value == str(step4_training.RECIPE.seed)
    assert not notes(at)
    at.sidebar.selectbox(key="classroom_preset").select("Learning rate too high").run()
    assert at.text_input(key="train_seed_text").value == str(step4_training.QUICK.seed)  # a preset


def test_a_link_and_a_lock_show_in_the_box():
    at = app("p4_train.py", query={"lock": "seed", "seed": "77"})
    assert at.text_input(key="train_seed_text").value == "77"
    typed(at, "train_seed", "5")  # the box is hidden under a lock; typed anyway, it stays 77
    assert at.session_state["train_seed"] == 77
    assert at.text_input(key="train_seed_text").value == "77"
    assert at.session_state["hyperparameters"].seed == 77


def test_a_stored_network_and_a_page_left_and_back_show_in_the_box():
    restored = {"network_config": NetworkConfig(dense_units=32)}  # as a workspace restores
    at = app("p3_build.py", state=restored)
    assert at.text_input(key="build_units_text").value == "32"
    typed(at, "build_units", "48")
    switch(at, "p4_train.py")
    switch(at, "p3_build.py")
    assert at.text_input(key="build_units_text").value == "48"
    assert at.session_state["network_config"].dense_units == 48
