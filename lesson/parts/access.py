"""Pieces that make the lesson usable without a mouse or without sight: announcements to
screen readers and a pixel grid drawn with the keyboard (small custom components)."""

from pathlib import Path

import numpy as np
import streamlit as st

HERE = Path(__file__).resolve().parent


def asset(name: str) -> str:
    """The text of a JavaScript or CSS file beside the pages."""
    return (HERE / name).read_text(encoding="utf-8")


# --- announcements ---------------------------------------------------------------------------
# One polite live region for the whole app, kept outside Streamlit's elements so that it exists
# before its text changes (a region created together with its text is often not read) and
# survives reruns and page changes. Focus never moves.
_announcer = st.components.v2.component(
    "lesson_announcer", js=asset("announcer.js"), isolate_styles=False
)


def announce(text: str, key: str, once: str | None = None) -> None:
    """Have screen readers say `text` (politely, without moving focus).

    The same `once` value (default: the text) is said only once, however often the page reruns.
    """
    _announcer(data={"text": text, "id": f"{key}:{once or text}"}, key=f"announce_{key}")


# --- a pixel grid for the keyboard -----------------------------------------------------------
GRID = 28  # the network's own pixels: one cell is one pixel of the 28×28 image
_grid = st.components.v2.component(
    "lesson_pixel_grid",
    css=asset("pixel_grid.css"),
    js=asset("pixel_grid.js"),
    isolate_styles=False,
)
GRID_HELP = (
    "Tab into the grid; the arrow keys move the orange square, Space or Enter inks or clears "
    "a pixel, Shift with an arrow key draws a line. Or click and drag with the mouse."
)


def pixel_grid(key: str) -> np.ndarray | None:
    """A 28×28 grid of pixels to ink by keyboard or mouse; the image (0..255), None if blank."""
    saved = st.session_state.get(f"{key}_pixels", "")
    result = _grid(
        data={"size": GRID, "pixels": saved, "help": GRID_HELP,
              "label": f"{GRID} by {GRID} pixel grid"},
        key=key, default={"pixels": saved}, on_pixels_change=lambda: None,
    )  # fmt: skip
    pixels = result.pixels or ""
    st.session_state[f"{key}_pixels"] = pixels  # the grid is drawn again as left, on return
    if len(pixels) != GRID * GRID or "1" not in pixels:
        return None
    return (np.frombuffer(pixels.encode(), np.uint8) == ord("1")).reshape(GRID, GRID) * 255


def run_news(run) -> str:
    """What a screen reader says when a training run has ended."""
    if run.status == "failed":
        return f"Training failed: {run.name}. {run.message}"
    ended = "was stopped" if run.status == "stopped" else "finished"
    score = f" Test accuracy {run.test['accuracy']:.2%}." if run.test else ""
    n = len(run.epochs)
    return f"Training {ended}: {run.name}, {n} epoch{'s' if n != 1 else ''}.{score}"


APP_CSS = """<style>
/* One focus ring for every control reached by keyboard: 3 px, 7:1 on the page's background. */
:focus-visible { outline: 3px solid #005f94 !important; outline-offset: 2px; }
input:focus-visible, textarea:focus-visible { outline-offset: -3px; }
/* A slider's input is visually hidden: its thumb (react-aria) carries the ring, round. Text
   boxes are react-aria too: theirs stays inside the box, square. */
[data-rac][data-focus-visible] { outline: 3px solid #005f94 !important; outline-offset: 2px; }
[data-rac][data-focus-visible]:not(input, textarea) { border-radius: 50%; }
input[data-rac][data-focus-visible], textarea[data-rac][data-focus-visible] {
  outline-offset: -3px; }
/* A markdown table wider than a phone scrolls by itself, not the whole page with it; on a
   narrow screen its cells are tighter, so most tables fit. */
[data-testid="stMarkdownContainer"]:has(> table) { overflow-x: auto; }
@media (max-width: 640px) {
  [data-testid="stMarkdownContainer"] > table :is(th, td) { padding: 0.25rem 0.4rem; } }
/* The announcer draws nothing (its live region is elsewhere): no gap for its element. */
[class*="st-key-announce_"] { display: none; }
</style>"""


def focus_style() -> None:
    """Give every focused control a visible ring (called once per run by the app)."""
    st.html(APP_CSS)
