"""Number boxes in Chromium (issue 18): "1e9" typed into a box reached the server as 1; now the
server reads the text, keeps the last number and says so beside the box."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.browser import assert_clean, open_app
from tests.support import wait_idle

pytestmark = pytest.mark.browser


def test_1e9_typed_into_the_seed_box_keeps_the_seed_and_says_so(page, server_url):
    open_app(page, server_url, "train")
    box = page.get_by_test_id("stMain").locator(".st-key-train_seed")
    field = box.get_by_role("textbox", name="Random seed")
    expect(field).to_have_value("1")  # the quick run's seed
    field.fill("1e9")
    field.press("Enter")
    wait_idle(page)
    note = "“1e9” is more than 9,999, the most this box takes; kept 1."
    expect(box.get_by_text(note)).to_be_visible()
    expect(field).to_have_value("1")
    assert "seed" not in parse_qs(urlparse(page.url).query)  # the experiment is unchanged
    field.fill("2e3")
    field.press("Enter")
    wait_idle(page)
    expect(box.get_by_text("“2e3” read as 2,000.")).to_be_visible()
    expect(field).to_have_value("2000")
    expect(page).to_have_url(re.compile(r"seed=2000"))
    assert_clean(page)


def test_a_locked_number_box_is_hidden_and_so_is_a_column_of_locked_controls(page, server_url):
    open_app(page, server_url, "train?lock=train_images,validation_split,seed&seed=77")
    main = page.get_by_test_id("stMain")
    expect(main.locator(".st-key-train_seed")).to_be_hidden()
    expect(main.locator("[data-testid=stColumn]:has(.st-key-train_seed)")).to_be_hidden()
    expect(main.locator("[data-testid=stColumn]:has(.st-key-train_epochs)")).to_be_visible()
    expect(main.get_by_text(re.compile(r"Your teacher fixed .*seed 77"))).to_be_visible()
    assert_clean(page)
