"""The whole lesson with the keyboard alone, in Chromium: every action by page.keyboard.

Tab (or Shift+Tab) moves from control to control; each control reached shows a focus ring.
The page's state is read with locators, but nothing is clicked, focused or filled by script.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible, assert_clean, inside_players, open_app, prediction
from tests.support import wait_idle

pytestmark = pytest.mark.browser

# The focused element (inside a component's shadow root too): its role, name and the focus
# ring on what is seen of it.
FOCUSED = """() => {
    let e = document.activeElement;
    while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
    if (!e || e === document.body) return null;
    // a visually hidden input (a slider's) shows its focus on the thumb that holds it
    const box = e.getBoundingClientRect();
    const shown = box.width > 1 && box.height > 1 ? e : e.closest("[data-focus-visible]") || e;
    const s = getComputedStyle(shown);
    const label = e.getAttribute("aria-label") || "";
    const labelled = e.id && document.querySelector(`label[for="${e.id}"]`);
    return {
        role: e.getAttribute("role") || (e.tagName === "INPUT"
            ? {range: "slider", number: "spinbutton"}[e.type] || "textbox"
            : e.tagName.toLowerCase()),
        name: (label || (labelled ? labelled.innerText : "") || e.innerText || "").trim(),
        ring: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2,
        colour: s.outlineColor,
    };
}"""


def tab_to(page, role: str, name: str | re.Pattern, back: bool = False, limit: int = 250):
    """Press Tab (Shift+Tab if `back`) until a control with this role and name has focus."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        now = page.evaluate(FOCUSED)
        if now is None:
            continue
        seen.append((now["role"], now["name"][:40]))
        fits = re.search(name, now["name"]) if isinstance(name, re.Pattern) else now["name"] == name
        if now["role"] == role and fits:
            assert now["ring"], f"{role} {name!r} has focus but no visible focus ring"
            return
    raise AssertionError(f"no {role} {name!r} reached by Tab; passed: {seen[-40:]}")


def go_to(page, title: str) -> None:
    """Open a page from the navigation by keyboard: Shift+Tab back to its link, Enter."""
    tab_to(page, "a", re.compile(re.escape(title) + "$"), back=True)  # after its icon's name
    page.keyboard.press("Enter")
    wait_idle(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", level=1)).to_contain_text(title.split(" · ")[1][:6])


def test_the_whole_lesson_by_keyboard(page, server_url):
    open_app(page, server_url, "train")
    main = page.get_by_test_id("stMain")
    # Change settings: few images, many epochs, so that there is time to stop the run
    tab_to(page, "slider", "Training images")
    assert page.evaluate(FOCUSED)["colour"] == "rgb(0, 95, 148)"  # the app's own focus ring
    page.keyboard.press("Home")  # 1,000
    wait_idle(page)
    tab_to(page, "slider", "Epochs")
    page.keyboard.press("End")  # 20
    wait_idle(page)
    expect(main.get_by_role("slider", name="Epochs")).to_have_value("20")
    # Train, then stop
    tab_to(page, "button", re.compile(r"Train$"))
    page.keyboard.press("Enter")
    expect(main.get_by_test_id("stProgress")).to_be_visible(timeout=60_000)
    tab_to(page, "button", re.compile(r"Stop$"), back=True)
    page.keyboard.press("Enter")
    expect(main.get_by_text(re.compile("You stopped the run"))).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("lessonAnnouncer")).to_have_text(
        re.compile(r"Training was stopped: run 1"), timeout=60_000
    )

    # Draw a 1 on the pixel grid
    go_to(page, "5 · Draw a digit")
    tab_to(page, "radio", "Draw")  # the segments are one radio group: arrows move in it
    page.keyboard.press("ArrowRight")  # focus "Pixel grid (keyboard)"; Space chooses it
    page.keyboard.press("Space")
    wait_idle(page)
    tab_to(page, "gridcell", re.compile(r"^row \d+, column \d+$"))
    assert page.evaluate(FOCUSED)["colour"] == "rgb(230, 159, 0)"  # orange on the black grid
    for _ in range(8):
        page.keyboard.press("ArrowUp")  # row 6
    page.keyboard.press("Space")
    for _ in range(16):
        page.keyboard.press("Shift+ArrowDown")  # ink down to row 22
    assert page.locator("[role=gridcell][aria-selected=true]").count() == 17
    # The stopped run's model reads it (after a few epochs on 1,000 images: any digit)
    expect(prediction(page)).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("lessonAnnouncer")).to_have_text(
        re.compile(r"^The network reads an? \d"), timeout=60_000
    )
    wait_idle(page)  # the last strokes still run for seconds: axe would read a faded page
    assert_accessible(page, "/draw with a digit on the pixel grid")

    # Choose a feature-map cell: its row and column
    go_to(page, "6 · Filters & feature maps")
    tab_to(page, "slider", "Row")
    for _ in range(3):
        page.keyboard.press("ArrowLeft")  # 10 → 7
        wait_idle(page)
    tab_to(page, "slider", "Column")
    page.keyboard.press("ArrowRight")  # 12 → 13
    wait_idle(page)
    expect(main.get_by_text(re.compile(r"feature map 1 at row 7, column 13"))).to_be_visible()
    # The convolution player: pause it, step it
    player, _ = inside_players(page)  # both on the page: the first Play is the convolution's
    tab_to(page, "button", re.compile(r"^(Play|Pause)$"))
    expect(player).to_have_attribute("data-playing", "true")  # it plays as the page opens
    page.keyboard.press("Enter")
    expect(player).to_have_attribute("data-playing", "false")
    at = int(player.get_attribute("data-position"))
    tab_to(page, "button", "Step forward")
    page.keyboard.press("Enter")
    expect(player).to_have_attribute("data-position", str(at + 1))

    # Open a mistake: look closer at the surest mistake, then open it in the feature-map view
    go_to(page, "7 · Mistakes")
    tab_to(page, "radio", re.compile(r"^#\d+$"))  # "Look closer at": the surest mistake first
    tab_to(page, "radio", re.compile(r"^#\d+$"))
    number = page.evaluate(FOCUSED)["name"][1:]
    page.keyboard.press("Space")
    wait_idle(page)
    expect(main.get_by_role("textbox", name="Test image", exact=True)).to_have_value(number)
    tab_to(page, "button", re.compile(r"Open this digit in the feature-map view$"))
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(main.get_by_role("heading", level=1)).to_contain_text("6 · Filters")
    expect(main.get_by_text(re.compile(rf"reads test image {number} \(label"))).to_be_visible()

    # Answer an exercise: wrong first (a hint), then right; both announced
    go_to(page, "1 · The data")
    tab_to(page, "textbox", "How many numbers describe one MNIST image?")
    page.keyboard.type("28")
    page.keyboard.press("Enter")
    expect(main.get_by_text(re.compile(r"Not yet\. Hint"))).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("lessonAnnouncer")).to_have_text(re.compile(r"^Not yet\. Hint"))
    page.keyboard.press("Control+A")
    page.keyboard.type("784")
    page.keyboard.press("Enter")
    expect(main.get_by_text("Right!")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("lessonAnnouncer")).to_have_text("Right!")
    assert_clean(page)
    assert_accessible(page, "/ after answering an exercise")
