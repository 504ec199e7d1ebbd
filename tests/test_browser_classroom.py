"""Classroom features in headless Chromium: locked controls are hidden, the URL follows."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.browser import open_app
from tests.support import wait_idle

pytestmark = pytest.mark.browser


def test_a_lock_link_hides_the_chosen_controls_and_keeps_their_values(page, server_url):
    link = "train?lock=epochs,batch_size,optimizer&epochs=2"
    main = open_app(page, server_url, link, title="4 · Train")
    for key in ("train_epochs", "train_batch_size", "train_optimizer"):
        expect(main.locator(f".st-key-{key}")).to_be_hidden()
    for key in ("train_learning_rate", "train_seed"):
        expect(main.locator(f".st-key-{key}")).to_be_visible()
    # The column that held only locked controls is gone: the others fill the row, no gap.
    rate = main.locator(".st-key-train_learning_rate").bounding_box()
    train = main.get_by_role("button", name="Train", exact=True).bounding_box()
    assert abs(rate["x"] - train["x"]) < 5, (rate, train)
    expect(
        main.get_by_text("Your teacher fixed epochs 2; batch size 64; optimizer adam")
    ).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text("Reveal answers")).to_have_count(0)
    query = parse_qs(urlparse(page.url).query)
    assert query["lock"] == ["epochs,batch_size,optimizer"] and query["epochs"] == ["2"]


def test_the_url_follows_the_controls_and_a_right_answer_marks_the_page(page, server_url):
    main = open_app(page, server_url, "build", title="3 · Build the network")
    field = main.locator(".st-key-build_filters_1").get_by_role("textbox")
    field.fill("7")
    field.press("Enter")
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"/build\?filters=7(%2C|,)16(%2C|,)32$"), timeout=30_000)
    box = main.locator(".st-key-ex_build-conv-params input")
    box.fill("182")  # with 5×5 filters: (5 × 5 + 1) × 7
    box.press("Enter")
    wait_idle(page)
    expect(main.get_by_text("Right!")).to_be_visible(timeout=30_000)
    box = main.locator(".st-key-ex_build-pool-shape input")
    box.fill("12x12x7")
    box.press("Enter")
    wait_idle(page)
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("3 · Build the network ✓")).to_be_visible(timeout=30_000)
    expect(main.get_by_test_id("stException")).to_have_count(0)
