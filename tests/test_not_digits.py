"""Letters and doodles drawn with a mouse: what the "is it a digit" check catches, and what the
Draw page says it misses. Measured with the bundled model; docs/notes/i35a.md has the figures.
"""

import collections
import string

import numpy as np
import pytest

from lesson import step5_drawing, step5_unfamiliar
from tests import not_digits, strokes

# Drawn as the page's sentence names them, and the digit each is read as.
NAMED = {"A": 4, "H": 4, "Y": 4, "D": 0, "Q": 0, "smiley": 0, "P": 8, "R": 8, "T": 7}


@pytest.fixture(scope="module")
def judge(mnist, net):
    return step5_unfamiliar.Judge(net, mnist.x_train, mnist.y_train)


@pytest.fixture(scope="module")
def verdicts(judge, net):
    """Per drawing: (its name, the digit the network reads, doubted or not)."""
    out = {}
    for group, drawings in (
        ("letters", not_digits.letters()),
        ("doodles", not_digits.doodles()),
        ("digits", not_digits.digits()),
    ):
        stages = [step5_drawing.mnist_stages(not_digits.image(d), ink="light") for d in drawings]
        read = judge._probabilities(np.stack([s.digit for s in stages])).argmax(axis=1)
        out[group] = [
            (d["name"], int(r), v.unfamiliar)
            for d, r, v in zip(drawings, read, judge.judge(stages), strict=True)
        ]
    return out


def doubted(rows) -> float:
    return float(np.mean([flag for _, _, flag in rows]))


def test_every_capital_letter_but_a_digits_twin_is_drawn():
    assert set(not_digits.LETTERS) | set(not_digits.TWINS) == set(string.ascii_uppercase)
    assert not set(not_digits.LETTERS) & set(not_digits.TWINS)
    assert {"A", "H", "R"} <= set(not_digits.LETTERS)
    assert {"smiley", "face", "house", "star", "arrow right", "arrow up"} == set(not_digits.DOODLES)


def test_digits_drawn_the_same_way_are_seldom_doubted(verdicts, judge):
    rows = verdicts["digits"]
    assert {name for name, _, _ in rows} == {str(d) for d in range(10)}
    assert doubted(rows) <= 0.02, doubted(rows)  # measured: 1.7 % (2 of 120)
    assert np.mean([read == int(name) for name, read, _ in rows]) >= 0.9
    stored = [
        step5_drawing.mnist_stages(strokes.rasterize(d["strokes"]), ink="light")
        for d in strokes.load()
    ]
    alarms = np.mean([v.unfamiliar for v in judge.judge(stored)])
    assert alarms <= 0.02, alarms  # measured: 2 of the 100 drawings of tests/data


def test_the_page_says_truly_how_many_letters_and_doodles_are_doubted(verdicts):
    measured = doubted(verdicts["letters"] + verdicts["doodles"])  # measured: 40.4 % of 312
    assert abs(measured - step5_unfamiliar.DOUBTED_DRAWN) <= 0.05, measured


def test_the_letters_the_page_names_are_mostly_read_as_the_digit_it_names(verdicts):
    by_name = collections.defaultdict(list)
    for name, read, flag in verdicts["letters"] + verdicts["doodles"]:
        by_name[name].append((read, flag))
    for name, digit in NAMED.items():
        rows = by_name[name]
        missed = [read for read, flag in rows if not flag]
        assert len(missed) >= len(rows) / 2, (name, rows)
        assert collections.Counter(missed).most_common(1)[0][0] == digit, (name, rows)


@pytest.mark.xfail(strict=True, reason="issue 35 item 1's target is not reached: the page says so")
def test_nine_in_ten_letters_and_doodles_are_doubted(verdicts):
    assert doubted(verdicts["letters"] + verdicts["doodles"]) >= 0.9
