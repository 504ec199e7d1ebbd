"""In headless Chromium: every stroke that starts inside the canvas draws, edges and corners too."""

import pytest
from playwright.sync_api import expect

from tests.browser import CANVAS, assert_clean, open_draw_page
from tests.support import wait_idle

pytestmark = pytest.mark.browser

SIDE = 280
IN = 3  # pixels inside the black square's edge
# Points along all four edges and at the corners, where the old hover toolbar swallowed strokes.
STARTS = [
    (IN, IN), (SIDE / 2, IN), (0.62 * SIDE, 0.1 * SIDE), (0.9 * SIDE, 0.1 * SIDE),
    (SIDE - IN, IN), (SIDE - IN, SIDE / 2), (SIDE - IN, SIDE - IN), (SIDE / 2, SIDE - IN),
    (IN, SIDE - IN), (IN, SIDE / 2), (0.75 * SIDE, IN), (SIDE - IN, 0.05 * SIDE),
]  # fmt: skip

INK_AT = """(upper, [x, y]) => {
    const c = upper.parentElement.querySelector("canvas:not(.upper-canvas)");
    const k = c.width / upper.getBoundingClientRect().width;
    const [px, py] = [Math.round(x * k) - 2, Math.round(y * k) - 2];
    const d = c.getContext("2d").getImageData(px, py, 5, 5).data;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 128) return true;
    return false;
}"""


def ink_at(page, point, gone: bool = False) -> bool:
    """Whether the canvas shows ink at a point, given up to 3 s to paint (or to clear)."""
    for _ in range(30):
        ink = page.locator(CANVAS).evaluate(INK_AT, list(point))
        if ink != gone:
            return ink
        page.wait_for_timeout(100)
    return ink


def test_a_stroke_starting_anywhere_in_the_square_draws(page, server_url):
    open_draw_page(page, server_url)
    main = page.get_by_test_id("stMain")
    canvas = page.locator(CANVAS)
    canvas.scroll_into_view_if_needed()
    for x, y in STARTS:
        box = canvas.bounding_box()
        page.mouse.move(box["x"] + x, box["y"] + y)  # straight there and down, as people do
        page.mouse.down()
        towards = (SIDE / 2 - x) / 4, (SIDE / 2 - y) / 4
        for step in range(1, 6):
            page.mouse.move(
                box["x"] + x + towards[0] * step / 5, box["y"] + y + towards[1] * step / 5
            )
        page.mouse.up()
        assert ink_at(page, (x, y)), f"a stroke started at {(x, y)} drew nothing"
        wait_idle(page)
        # The toolbar, now below the square, still works: its bin empties the canvas.
        reset = main.get_by_role("button", name="Reset canvas & history")
        expect(reset).to_be_visible()
        rb, box = reset.bounding_box(), canvas.bounding_box()  # after the page's rerun
        assert rb["y"] >= box["y"] + box["height"] - 1, "the toolbar covers the square"
        reset.click()
        wait_idle(page)
        expect(main.get_by_text("The canvas is empty")).to_be_visible(timeout=30_000)
        assert not ink_at(page, (x, y), True), "the bin left the stroke on the canvas"
    assert_clean(page)
