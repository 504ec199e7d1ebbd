"""Checks that browser tests made before, at the cheapest level that sees them: AppTest.

A click on a button or a page's text needs no browser; the browser tests keep what only a
browser sees (canvas, players, charts' clicks, keyboard, axe, layout, cookies, reloads).
"""

import re

from tests.pages import app, assert_clean, markdown_text

BUILD = "lesson/pages/p3_build.py"
INSIDE = "lesson/pages/p6_inside.py"
SAME = ":material/check_circle: same as the network"


def test_the_build_page_sums_the_lessons_parameters_layer_by_layer():
    at = app(BUILD)
    assert at.metric[0].value == "53,558"
    assert "**Total: 60 + 880 + 51,328 + 1,290 = 53,558 parameters**" in markdown_text(at)


def test_random_on_the_inside_page_shows_another_test_image_worked_out_by_hand():
    at = app(INSIDE)
    shown = at.session_state["inside_index"]
    at.button(key="inside_random").click().run()
    assert_clean(at)
    index = at.session_state["inside_index"]
    text = markdown_text(at)
    found = re.search(rf"reads test image {index} \(label (\d)\) as a \*\*\d\*\*", text)
    assert found, (shown, index, text[:2000])
    assert text.count(SAME) == 2  # the conv value and the pooled value, for the new image
