"""The build page in headless Chromium: the lesson's total, and filters changed by mouse."""

import pytest
from playwright.sync_api import expect

from tests.browser import open_app
from tests.support import wait_idle

pytestmark = pytest.mark.browser


def open_build(page, url: str):
    return open_app(page, url, "build", title="3 · Build the network")


def total(main):
    return main.get_by_test_id("stMetricValue").first


def filters_box(main, layer: int):
    """The number box of one Conv2D layer's filters (Streamlit marks it with its key)."""
    return main.locator(f".st-key-build_filters_{layer}")


def test_changing_the_first_filters_by_mouse_updates_the_total(page, server_url):
    main = open_build(page, server_url)
    expect(total(main)).to_have_text("53,558", timeout=60_000)
    first = filters_box(main, 1)
    field = first.get_by_role("textbox", name="Conv2D 1")
    field.fill("7")  # 6 → 7 filters
    field.press("Enter")
    wait_idle(page)
    # 3×3×1×7 + 7 = 70, 3×3×7×16 + 16 = 1,024, + 51,328 + 1,290
    expect(total(main)).to_have_text("53,712")
    row = main.get_by_test_id("stTableStyledTable").get_by_role("row").nth(1)  # conv2d
    expect(row).to_contain_text("3×3 kernel × 1 input channel × 7 filters + 7 biases = 70")

    field.fill("0")  # 0 filters: refused, the last network stays
    field.press("Enter")
    wait_idle(page)
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("has 0 filters")
    expect(total(main)).to_have_text("53,712")

    main.get_by_role("button", name="Reset to the lesson's network").click()
    wait_idle(page)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    expect(total(main)).to_have_text("53,558")
    expect(field).to_have_value("6")
    expect(main.get_by_test_id("stException")).to_have_count(0)
