"""axe-core in Chromium: no serious or critical WCAG 2.1 A/AA violation on any page.

Each page is checked as it opens (by its link in the navigation, with its heading and no error)
and after its main interaction, in the test that makes it anyway: the Train page after a run
(`tests/test_browser_train.py`), the Draw page after a drawn digit (`tests/test_browser_draw.py`),
the Filters and Mistakes pages after a clicked cell (`tests/test_browser_inside.py`), the Draw
page with each source of a digit (here). A failure lists every violation with its rule and the
elements that break it.
"""

import pytest
from playwright.sync_api import expect

from tests.browser import NAV, assert_accessible, assert_clean, open_app
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


SOURCES = ["Pixel grid (keyboard)", "Pick a test digit", "Upload an image"]


def test_draw_with_each_source_of_a_digit_has_no_serious_axe_violation(page, server_url):
    open_app(page, server_url, "draw")
    for source in SOURCES:
        page.get_by_test_id("stMain").get_by_role("radio", name=source).click()
        wait_idle(page)
        assert_accessible(page, f"/draw with {source!r}")
