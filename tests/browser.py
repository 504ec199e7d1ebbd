"""Helpers for the browser tests: opening pages, drawing on the canvas, clicking a chart's cell,
the Train button, and the checks every page must pass (no error, no serious axe violation)."""

import math
import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.support import IDLE, click_cell, wait_idle  # noqa: F401 (click_cell: for the tests)

CANVAS = "[data-testid=stBidiComponentIsolated] canvas.upper-canvas"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_AXE = Axe()

# Watches the app's run state (data-test-script-state) from now on: window.runWatch.changes
# counts its changes (a run's start and end are two), .last is the time of the latest one.
WATCH_RUNS = """() => {
    const app = document.querySelector("[data-testid=stApp]");
    window.runWatch = {changes: 0, last: performance.now(), since: performance.now()};
    new MutationObserver(() => {
        window.runWatch.changes += 1;
        window.runWatch.last = performance.now();
    }).observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""


# The navigation's titles, in order (the pages' headings).
NAV = [
    "1 · The data",
    "2 · One-hot labels",
    "3 · Build the network",
    "4 · Train",
    "5 · Draw a digit",
    "6 · Filters & feature maps",
    "7 · Mistakes",
    "Class board",
]


def open_app(page, url: str, path: str = "", title: str | None = None):
    """Open `url`/`path` and wait for its first run; check its heading shows `title`, if given.

    Returns the page's main area.
    """
    page.goto(f"{url}/{path}")
    page.wait_for_selector("[data-testid=stMain]")
    wait_idle(page, 120_000)
    main = page.get_by_test_id("stMain")
    if title is not None:
        expect(main.get_by_role("heading", level=1)).to_contain_text(title, timeout=60_000)
    return main


def assert_clean(page) -> None:
    """No exception element, no error box on the page."""
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)


def serious_violations(page) -> list[str]:
    """Every serious or critical axe violation on the page: rule, impact, element, why."""
    options = {"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]}
    found = []
    for rule in _AXE.run(page, options=options).response["violations"]:
        if rule["impact"] not in ("serious", "critical"):
            continue
        for node in rule["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            found.append(
                f"{rule['id']} ({rule['impact']}): {node['target']}\n"
                f"    {node['html'][:200]}\n    {summary[:300]}"
            )
    return found


def assert_accessible(page, where: str) -> None:
    """No serious or critical violation; otherwise print each with its rule and element."""
    # A rerun still going greys the page's elements (low contrast to axe): wait for its end.
    page.wait_for_selector(IDLE, timeout=60_000)
    page.wait_for_timeout(500)  # late paints (plotly, images) settle before axe reads the page
    found = serious_violations(page)
    assert not found, f"{len(found)} axe violations on {where}:\n" + "\n".join(found)


# --- The Draw page's canvas ----------------------------------------------------------------------


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


def open_draw_page(page, url: str) -> None:
    """The Draw page, once its canvas is there."""
    open_app(page, url, "draw")
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


def prediction(page):
    """The Draw page's answer heading ("It reads a 7", "A 4 or a 9?"), as a locator."""
    return (
        page.get_by_test_id("stMain")
        .get_by_role("heading", level=3)
        .filter(has_text=re.compile(r"^(It reads an? \d|An? \d or an? \d\?)"))
    )


# --- Clickable charts, training, answers --------------------------------------------------------


def inside_players(page):
    """The Inside page's convolution and pooling players, once both are on the page.

    Each is a component whose script loads after the page's run ends, so they appear in either
    order: "the first player" may be the pooling one for a moment.
    """
    conv = page.get_by_role("group", name=re.compile(r"^Convolution player"))
    pool = page.get_by_role("group", name=re.compile(r"^Pooling player"))
    expect(conv).to_be_attached(timeout=30_000)
    expect(pool).to_be_attached(timeout=30_000)
    return conv, pool


def train_button(main):
    """The Train page's Train button (its label may start with its icon's name)."""
    return main.get_by_role("button", name=re.compile(r"^\W*(play_arrow)?\s*Train$"))


def progress_of(main) -> str:
    """The text of the tab's progress bar (the run's name, epoch, where it trains)."""
    return main.get_by_test_id("stProgress").inner_text(timeout=60_000)


def train_quickly(page, url: str, query: str = "epochs=1&train_images=1000") -> None:
    """Open the Train page with `query` and press Train."""
    train_button(open_app(page, url, f"train?{query}")).click()


def answer_the_data_page(page, url: str) -> None:
    """Answer both questions of page 1 right, so its ✓ shows in the navigation."""
    open_app(page, url)
    page.get_by_test_id("stSidebarNav").get_by_text("1 · The data").click()  # not the last page
    wait_idle(page)
    main = page.get_by_test_id("stMain")
    for question, answer in [
        ("How many numbers describe one MNIST image?", "784"),
        ("How many training images does x_train hold", "60,000"),
    ]:
        box = main.get_by_label(question)
        box.fill(answer)
        box.press("Enter")
        wait_idle(page)
    expect(page.get_by_test_id("stSidebarNav").get_by_text("1 · The data ✓")).to_be_visible()
