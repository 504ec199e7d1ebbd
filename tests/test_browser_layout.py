"""In headless Chromium: every page whole at phone, tablet, laptop and projector sizes.

The Draw page's square is whole at each size and takes strokes by finger and by mouse without
moving the page. No control's label cut short on any page at a projector zoomed to 150 %
(853 × 480 CSS pixels): `tests/test_browser_axe.py`, on its walk through the pages.
"""

import re

import pytest
from playwright.sync_api import expect

from lesson.parts import canvas
from tests import strokes
from tests.browser import CANVAS, open_draw_page, prediction
from tests.support import IDLE

pytestmark = pytest.mark.browser

# (width, height, touch): a phone, tablets in portrait and landscape, laptops, a projector at 150 %.
SIZES = [
    (390, 844, True), (768, 1024, True), (820, 1180, True), (1180, 820, True),
    (1024, 768, False), (1280, 800, False), (853, 480, False),
]  # fmt: skip

# The canvas's square against the box that shows it (the component scrolls sideways inside it).
SQUARE = """() => {
  const root = document.querySelector("[data-testid=stBidiComponentIsolated]").shadowRoot;
  const canvas = root.querySelector("canvas.upper-canvas").getBoundingClientRect();
  const box = root.querySelector(".dc-scroll").getBoundingClientRect();
  const shown = Math.min(canvas.right, box.right) - Math.max(canvas.left, box.left);
  return {width: canvas.width, height: canvas.height, shown};
}"""
# Every scroll offset a stroke could change: the window's and each scrolled box's.
SCROLLS = """() => [document.scrollingElement, ...document.querySelectorAll("*")]
  .filter((el) => el && (el.scrollTop || el.scrollLeft))
  .map((el) => `${el.dataset.testid || el.tagName}:${el.scrollLeft},${el.scrollTop}`)"""


def touch_strokes(page, box, drawing) -> None:
    """Draw `drawing` with one finger, through Chromium's own touch input."""
    cdp = page.context.new_cdp_session(page)
    for stroke in drawing:
        points = [{"x": box["x"] + x, "y": box["y"] + y} for x, y in stroke]
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": points[:1]})
        for point in points[1:]:
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def mouse_strokes(page, box, drawing) -> None:
    """Draw `drawing` with the mouse: down, moves, up."""
    for stroke in drawing:
        page.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x, box["y"] + y)
        page.mouse.up()


def test_the_canvas_square_is_whole_at_every_size(page, server_url):
    open_draw_page(page, server_url)
    for width, height, _ in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        # The layout follows the window within a frame or two; the square never shrinks.
        page.wait_for_function(f"() => ({SQUARE})().shown >= 279", timeout=30_000)
        square = page.evaluate(SQUARE)
        assert square["width"] == square["height"] == canvas.CANVAS, (width, height, square)


@pytest.mark.parametrize(
    ("width", "height", "touch", "digit"),
    [(390, 844, True, 3), (820, 1180, True, 7), (1024, 768, False, 2)],
    ids=["phone-finger", "tablet-finger", "laptop-mouse"],
)
def test_a_digit_drawn_by_finger_or_mouse_is_read_and_the_page_stays_put(
    browser, server_url, width, height, touch, digit
):
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=touch, is_mobile=touch
    )
    page = context.new_page()
    try:
        open_draw_page(page, server_url)
        drawing = strokes.load()[digit * 10]["strokes"]  # each digit's first drawing reads right
        square = page.locator(CANVAS)
        square.scroll_into_view_if_needed()
        page.wait_for_timeout(300)  # the scroll into view settles
        before, box = page.evaluate(SCROLLS), square.bounding_box()
        (touch_strokes if touch else mouse_strokes)(page, box, drawing)
        assert page.evaluate(SCROLLS) == before, "a stroke moved the page"
        expect(prediction(page)).to_have_text(re.compile(rf"\b{digit}\b"), timeout=60_000)
        page.wait_for_selector(IDLE, timeout=60_000)
        assert page.evaluate(SCROLLS) == before, "the answer moved the page"
    finally:
        context.close()


def test_the_toolbar_moves_below_a_canvas_whose_shadow_root_comes_late(page):
    # WebKit, after a page switch: the component's element is there before its shadow root.
    script = re.search(r"<script>(.*)</script>", canvas.TOOLBAR_BELOW, re.S)[1]
    page.set_content("<body></body>")
    page.evaluate(script)
    page.evaluate("""() => {
        const host = document.createElement("div");
        host.dataset.testid = "stBidiComponentIsolated";
        document.body.appendChild(host);
        setTimeout(() => {
          const root = host.attachShadow({mode: "open"});
          root.innerHTML = '<div class="dc-root"><div class="dc-toolbar"></div></div>';
        }, 400);
    }""")
    page.wait_for_function(
        """() => { const root = document.querySelector("[data-testid=stBidiComponentIsolated]")
                     .shadowRoot;
                   return root && root.querySelector("style[data-toolbar-below]"); }""",
        timeout=10_000,
    )
