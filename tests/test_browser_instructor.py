"""The instructor key in Chromium: a wrong key is refused, and it leaves the address bar."""

import pytest
from playwright.sync_api import expect

from tests.browser import open_app
from tests.pages import INSTRUCTOR_KEY
from tests.support import wait_idle

pytestmark = pytest.mark.browser


def test_a_wrong_key_is_refused_and_the_right_one_never_stays_in_the_address_bar(page, server_url):
    main = open_app(page, server_url, "train?instructor=not-the-key")
    expect(main.get_by_text("That is not the instructor key.")).to_be_visible(timeout=60_000)
    assert "instructor" not in page.url
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Lock (and hide) these settings")).to_have_count(0)
    # The sidebar's form: wrong, then right.
    sidebar.get_by_text("For the teacher").click()
    box = sidebar.get_by_label("Instructor key")
    box.fill("still-wrong")
    sidebar.get_by_role("button", name="Enter instructor mode").click()
    wait_idle(page)
    expect(main.get_by_text("That is not the instructor key.")).to_be_visible()
    expect(sidebar.get_by_role("button", name="Leave instructor mode")).to_have_count(0)
    page.goto(f"{server_url}/train?instructor={INSTRUCTOR_KEY}")
    wait_idle(page, 60_000)
    expect(sidebar.get_by_role("button", name="Leave instructor mode")).to_be_visible(
        timeout=30_000
    )
    assert INSTRUCTOR_KEY not in page.url
    expect(page.locator("body")).not_to_contain_text(INSTRUCTOR_KEY)
