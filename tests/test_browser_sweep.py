"""The widget sweep's browser half: the canvas and the plotly selections, which AppTest cannot
reach (tests/test_widget_sweep.py does every other widget). Each input a learner can give them
leaves the page clean, with its main controls."""

import pytest
from playwright.sync_api import expect

from tests.browser import CANVAS, DIGITS, assert_clean, click_cell, draw, line, open_app
from tests.support import wait_idle

pytestmark = pytest.mark.browser

# Strokes on the 280×280 canvas: a dot, a speck, ink over nearly all of it, a 7, and a stroke
# that leaves the canvas and comes back.
STROKES = {
    "dot": [[(140, 140)]],
    "speck": [[(10, 10), (12, 11)]],
    "blob": [[(20 + 24 * (i % 11), 20 + 240 * (i % 2)) for i in range(40)]],
    "seven": DIGITS[7],
    "off the edge": [[(140, 140), *line((140, 140), (340, 140), 8), *line((340, 140), (140, 60))]],
}


def still_there(page, keys: list[str]) -> None:
    """The page ran cleanly and its main controls are still on it."""
    wait_idle(page)
    assert_clean(page)
    for key in keys:
        expect(page.locator(f".st-key-{key}")).to_have_count(1)


def test_every_kind_of_stroke_on_the_canvas(page, server_url):
    open_app(page, server_url, "draw")
    page.wait_for_selector(CANVAS, timeout=60_000)
    for name, strokes in STROKES.items():
        draw(page, strokes)
        still_there(page, ["draw_source", "draw_pen", "draw_clear"])
        expect(page.locator(CANVAS), name).to_have_count(1)
        page.get_by_test_id("stMain").get_by_role("button", name="Clear").click()
        still_there(page, ["draw_source"])


def double_click(page, title: str) -> None:
    """A double click on a plotly chart: plotly clears its selection."""
    area = page.get_by_test_id("stPlotlyChart").filter(has_text=title).locator(".nsewdrag").first
    expect(area).to_be_visible()  # a chart sent again is drawn anew
    box = area.bounding_box()
    page.mouse.dblclick(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


@pytest.mark.parametrize(
    ("path", "title", "size", "keys"),
    [
        ("mistakes", "Confusion matrix", 10, ["mistakes_true", "mistakes_pred", "mistakes_open"]),
        ("inside", "Feature map 1 of layer 1: click a cell", 26, ["inside_row", "inside_col"]),
    ],
)
def test_every_kind_of_click_on_a_selectable_chart(page, server_url, path, title, size, keys):
    """Corners, the middle, the same cell twice (plotly deselects it), a double click."""
    open_app(page, server_url, path)
    last = size - 1
    for row, col in [
        (0, 0),
        (last, last),
        (0, last),
        (size // 2, size // 2),
        (size // 2, size // 2),
    ]:
        click_cell(page, title, row, col, size, size)
        still_there(page, keys)
    double_click(page, title)
    still_there(page, keys)
