"""In headless Chromium: digits drawn by mouse on the canvas, read by the pre-trained model."""

import math
import re

import pytest
from playwright.sync_api import expect

from tests.support import wait_idle

pytestmark = pytest.mark.browser

CANVAS = "[data-testid=stBidiComponentIsolated] canvas.upper-canvas"


def line(a, b, steps=12):
    """Points from a to b, as a mouse moves."""
    (ax, ay), (bx, by) = a, b
    return [(ax + (bx - ax) * t / steps, ay + (by - ay) * t / steps) for t in range(1, steps + 1)]


# Strokes as a person draws them on the 280×280 canvas: lists of points, pen down to pen up.
DIGITS = {
    1: [[(150, 40), *line((150, 40), (135, 245), 16)]],
    7: [[(75, 55), *line((75, 55), (205, 50), 10), *line((205, 50), (125, 245), 16)]],
    0: [
        [
            (140 + 62 * math.sin(2 * math.pi * t / 40), 140 - 95 * math.cos(2 * math.pi * t / 40))
            for t in range(42)
        ]
    ],
}


# True if the canvas under the drawing layer is all black (Fabric draws strokes there).
NO_INK = """upper => {
    const c = upper.parentElement.querySelector("canvas:not(.upper-canvas)");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 0) return false;
    return true;
}"""


def open_draw_page(page, url: str) -> None:
    page.goto(f"{url}/draw")
    page.wait_for_selector("[data-testid=stMain]")
    wait_idle(page, 120_000)
    page.wait_for_selector(CANVAS, timeout=60_000)


def draw(page, strokes) -> None:
    """Draw strokes with the mouse: down, several moves, up."""
    canvas = page.locator(CANVAS)
    expect(canvas).to_have_count(1)  # after Clear, the old canvas is gone
    canvas.scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # the page may still be shrinking after Clear
    box = canvas.bounding_box()
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x, box["y"] + y)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x, box["y"] + y)
        page.mouse.up()
    wait_idle(page)


def heading(page):
    return (
        page.get_by_test_id("stMain")
        .get_by_role("heading", level=3)
        .filter(has_text=re.compile(r"^(It reads an? \d|An? \d or an? \d\?)"))
    )


def assert_clean(page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)


def test_draw_a_1_a_7_and_a_0_and_clear(page, server_url):
    open_draw_page(page, server_url)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("The canvas is empty")).to_be_visible()
    for digit, strokes in DIGITS.items():
        draw(page, strokes)
        expect(heading(page)).to_have_text(
            re.compile(rf"(It reads an?|An?) {digit}\b"), timeout=30_000
        )
        expect(main.get_by_text("Bar chart of the ten probabilities")).to_be_visible()
        assert_clean(page)
        main.get_by_role("button", name="Clear").click()
        wait_idle(page)
        expect(main.get_by_text("The canvas is empty")).to_be_visible(timeout=30_000)
        expect(heading(page)).to_have_count(0)
        assert page.locator(CANVAS).evaluate(NO_INK), "the canvas still shows a stroke"


def test_undo_in_the_canvas_toolbar_takes_back_a_stroke(page, server_url):
    open_draw_page(page, server_url)
    main = page.get_by_test_id("stMain")
    draw(page, DIGITS[1])
    expect(heading(page)).to_have_text(re.compile(r"(It reads an?|An?) 1\b"), timeout=30_000)
    draw(page, [[(60, 140), *line((60, 140), (230, 140), 12)]])  # a bar across: no longer a 1
    expect(heading(page)).not_to_have_text(re.compile(r"It reads a 1\b"), timeout=30_000)
    box = page.locator(CANVAS).bounding_box()
    page.mouse.move(box["x"] + 140, box["y"] + 140)  # the toolbar shows on hover
    main.get_by_role("button", name="Undo").click()
    wait_idle(page)
    expect(heading(page)).to_have_text(re.compile(r"(It reads an?|An?) 1\b"), timeout=30_000)
    page.mouse.move(box["x"] + 140, box["y"] + 140)
    main.get_by_role("button", name="Reset canvas & history").click()
    wait_idle(page)
    expect(main.get_by_text("The canvas is empty")).to_be_visible(timeout=30_000)
    assert_clean(page)
