"""The Draw page with a letter (issue 35 item 1): "sure" is never left unqualified, and the
check's expander says plainly what it misses, with the measured share."""

import numpy as np

from lesson import step5_unfamiliar
from lesson.tools.words import percent
from tests import not_digits
from tests.test_draw_page import open_page, png, prediction, text, upload


def drawn(name: str, index: int) -> bytes:
    """One of the measured drawings of `name`, as a PNG the upload takes."""
    drawing = [d for d in not_digits.letters() + not_digits.doodles() if d["name"] == name]
    return png(not_digits.image(drawing[index]).astype(np.uint8))


def test_a_letter_read_as_a_sure_digit_is_told_sure_only_among_ten_digits():
    at = upload(open_page(), "H.png", drawn("H", 1))  # an H the check does not doubt
    assert prediction(at) == "It reads a 4"
    assert not [w for w in at.warning if "may not be a digit" in w.value]
    sure = [m.value for m in at.markdown if m.value.startswith("The network is sure")]
    assert sure, text(at)
    caveat = [c.value for c in at.caption if c.value.startswith("Sure among the ten digits")]
    assert caveat and percent(step5_unfamiliar.DOUBTED_DRAWN) in caveat[0]
    shown = text(at)
    assert "**What it misses: most letters and doodles.**" in shown
    assert f"doubted only {percent(step5_unfamiliar.DOUBTED_DRAWN)} of the time" in shown
    assert f"({percent(step5_unfamiliar.FALSE_ALARMS)} of the 10,000 test digits" in shown
    assert "catches nearly all noise, letters" not in shown  # what the page said before


def test_a_doubted_doodle_is_not_called_sure():
    at = upload(open_page(), "star.png", drawn("star", 0))  # stars: 11 of 12 doubted
    assert "This may not be a digit the network knows" in at.warning[0].value
    assert not [m for m in at.markdown if m.value.startswith("The network is")]
    assert not [c for c in at.caption if c.value.startswith("Sure among")]
