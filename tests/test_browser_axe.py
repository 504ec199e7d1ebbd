"""axe-core in Chromium: no serious or critical WCAG 2.1 A/AA violation on any page.

Each page is checked as it opens (by its link in the navigation, with its heading and no error)
and after its main interaction (the Train page after a run:
`tests/test_browser_train.py`, which trains one anyway); a failure lists every violation with
its rule and the elements that break it.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import (
    DIGITS,
    NAV,
    assert_accessible,
    assert_clean,
    click_cell,
    draw,
    open_app,
    open_draw_page,
    prediction,
)
from tests.support import wait_idle

pytestmark = pytest.mark.browser


def test_every_page_opens_cleanly_with_no_serious_axe_violation(page, server_url):
    """Each page by its link in the navigation: its heading, no error, then axe."""
    open_app(page, server_url)
    nav = page.get_by_test_id("stSidebarNav")
    titles = [t.strip().split("\n")[-1] for t in nav.get_by_role("link").all_inner_texts()]
    assert titles == NAV  # after each link's icon
    for title in titles:
        nav.get_by_role("link", name=title).click()
        wait_idle(page)
        expect(page.get_by_test_id("stMain").get_by_role("heading", level=1)).to_contain_text(title)
        assert_clean(page)
        assert_accessible(page, f"{title} as it opens")


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


def test_draw_with_each_source_of_a_digit_has_no_serious_axe_violation(page, server_url):
    open_app(page, server_url, "draw")
    for source in SOURCES:
        page.get_by_test_id("stMain").get_by_role("radio", name=source).click()
        wait_idle(page)
        assert_accessible(page, f"/draw with {source!r}")
