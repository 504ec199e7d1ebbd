"""In headless Chromium: digits drawn by mouse on the canvas, read by the pre-trained model."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import (
    CANVAS,
    DIGITS,
    assert_accessible,
    assert_clean,
    draw,
    line,
    open_draw_page,
    prediction,
)
from tests.support import wait_idle

pytestmark = pytest.mark.browser

# True if the canvas under the drawing layer is all black (Fabric draws strokes there).
NO_INK = """upper => {
    const c = upper.parentElement.querySelector("canvas:not(.upper-canvas)");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 0) return false;
    return true;
}"""


def test_draw_a_1_a_7_and_a_0_and_clear(page, server_url):
    open_draw_page(page, server_url)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("The canvas is empty")).to_be_visible()
    for digit, strokes in DIGITS.items():
        draw(page, strokes)
        expect(prediction(page)).to_have_text(
            re.compile(rf"(It reads an?|An?) {digit}\b"), timeout=30_000
        )
        wait_idle(page)  # the heading comes first; the rest of the answer follows in that run
        expect(main.get_by_text("Bar chart of the ten probabilities")).to_be_visible()
        assert_clean(page)
        if digit == 7:  # the page after its main interaction, checked once
            assert_accessible(page, "/draw after drawing a 7")
        main.get_by_role("button", name="Clear").click()
        wait_idle(page)
        expect(main.get_by_text("The canvas is empty")).to_be_visible(timeout=30_000)
        expect(prediction(page)).to_have_count(0)
        assert page.locator(CANVAS).evaluate(NO_INK), "the canvas still shows a stroke"


def test_undo_in_the_canvas_toolbar_takes_back_a_stroke(page, server_url):
    open_draw_page(page, server_url)
    main = page.get_by_test_id("stMain")
    draw(page, DIGITS[1])
    expect(prediction(page)).to_have_text(re.compile(r"(It reads an?|An?) 1\b"), timeout=30_000)
    draw(page, [[(60, 140), *line((60, 140), (230, 140), 12)]])  # a bar across: no longer a 1
    expect(prediction(page)).not_to_have_text(re.compile(r"It reads a 1\b"), timeout=30_000)
    box = page.locator(CANVAS).bounding_box()
    page.mouse.move(box["x"] + 140, box["y"] + 140)  # the toolbar shows on hover
    main.get_by_role("button", name="Undo").click()
    wait_idle(page)
    expect(prediction(page)).to_have_text(re.compile(r"(It reads an?|An?) 1\b"), timeout=30_000)
    page.mouse.move(box["x"] + 140, box["y"] + 140)
    main.get_by_role("button", name="Reset canvas & history").click()
    wait_idle(page)
    expect(main.get_by_text("The canvas is empty")).to_be_visible(timeout=30_000)
    assert_clean(page)
    # axe with each other source of a digit (the pixel grid's: tests/test_browser_keyboard.py)
    for source in ("Pick a test digit", "Upload an image"):
        main.get_by_role("radio", name=source).click()
        wait_idle(page)
        assert_accessible(page, f"/draw with {source!r}")
