"""axe-core in Chromium: no serious or critical WCAG 2.1 A/AA violation on any page.

Each page is checked as it opens and after its main interaction (the Train page after a run:
`tests/test_browser_train.py`, which trains one anyway); a failure lists every violation with
its rule and the elements that break it.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import (
    DIGITS,
    assert_accessible,
    click_cell,
    draw,
    open_app,
    open_draw_page,
    prediction,
)
from tests.support import wait_idle

pytestmark = pytest.mark.browser

PAGES = ["", "one-hot", "build", "train", "draw", "inside", "mistakes", "board"]


@pytest.mark.parametrize("path", PAGES, ids=[p or "data" for p in PAGES])
def test_every_page_as_it_opens_has_no_serious_axe_violation(page, server_url, path):
    open_app(page, server_url, path)
    assert_accessible(page, f"/{path} as it opens")


def test_draw_after_a_drawn_digit_has_no_serious_axe_violation(page, server_url):
    open_draw_page(page, server_url)
    draw(page, DIGITS[7])
    expect(prediction(page)).to_have_text(re.compile(r"(It reads an?|An?) \d"), timeout=30_000)
    assert_accessible(page, "/draw after drawing a 7")


def test_filters_after_a_clicked_cell_has_no_serious_axe_violation(page, server_url):
    open_app(page, server_url, "inside")
    click_cell(page, "Feature map 1 of layer 1: click a cell", 3, 20, 26, 26)
    expect(page.get_by_text("feature map 1 at row 3, column 20")).to_be_visible()
    assert_accessible(page, "/inside after a click on a feature-map cell")


def test_mistakes_after_a_clicked_cell_has_no_serious_axe_violation(page, server_url):
    open_app(page, server_url, "mistakes")
    click_cell(page, "Confusion matrix", 9, 4, 10, 10)
    expect(page.get_by_text(re.compile(r"test images of a 9 were predicted as 4"))).to_be_visible()
    assert_accessible(page, "/mistakes after a click on a confusion-matrix cell")


SOURCES = ["Pixel grid (keyboard)", "Pick a test digit", "Upload an image"]


@pytest.mark.parametrize("source", SOURCES)
def test_draw_with_each_source_of_a_digit_has_no_serious_axe_violation(page, server_url, source):
    open_app(page, server_url, "draw")
    page.get_by_test_id("stMain").get_by_role("radio", name=source).click()
    wait_idle(page)
    assert_accessible(page, f"/draw with {source!r}")
