"""The bench's figures of a live app: in Chromium, over websockets, and the class load test.

Each starts its own app server (`lesson.tools.serving`). The websocket figures come from the
load-test tools in tests/load (a source checkout), run as subprocesses that print JSON.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

from lesson.tools.serving import (
    IDLE,
    ROOT,
    click_cell,
    launch_chromium,
    streamlit_server,
    until_quiet,
)

# A fixed piece of browser work: lay out a 40×40 table of styled numbers and round-trip 20,000
# records through JSON, as a page's update does: how fast this machine's browser is in this
# sitting (the median of 5, in ms; about 40 on the machine of the README's browser figures).
YARDSTICK = """() => {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    let html = '<table>';
    for (let r = 0; r < 40; r++) {
      html += '<tr>';
      for (let c = 0; c < 40; c++) {
        const colour = `rgb(${r * 6},${c * 6},0)`;
        html += `<td style="padding:2px;color:${colour}">${(r * c / 7).toFixed(3)}</td>`;
      }
      html += '</tr>';
    }
    const box = document.createElement('div');
    box.innerHTML = html + '</table>';
    document.body.append(box);
    box.getBoundingClientRect();
    JSON.parse(JSON.stringify(Array.from({length: 20000}, (_, k) => ({k, v: Math.sin(k)}))));
    box.remove();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[2];
}"""

# Timestamps in the page: the mouse press, and when each "row R, column C" result first shows.
WATCH_CLICKS = """() => {
  window.__pressed = 0; window.__shown = {};
  document.addEventListener('mousedown', () => { window.__pressed = performance.now(); }, true);
  new MutationObserver(() => {
    const m = document.body.innerText.match(/feature map 1 at row (\\d+), column (\\d+): [-0-9.]+/);
    if (m && !(m[1] + ',' + m[2] in window.__shown))
      window.__shown[m[1] + ',' + m[2]] = performance.now();
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""
FEATURE_MAP = "Feature map 1 of layer 1: click a cell"
CELLS = [(3, 20), (5, 7), (12, 12), (20, 4), (8, 15), (14, 18), (6, 6), (17, 9)]
PLAYER = "e => [Number(e.dataset.position), Number(e.dataset.drawn), performance.now()]"


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-testid=stMain]", timeout=120_000)
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=120_000)


def first_page_seconds(page, cold_starts: int) -> list[float]:
    """A cold server each time: from the first request to the data page's first table."""
    found = []
    for _ in range(cold_starts):
        until_quiet()  # the server before may still be ending
        with (
            tempfile.TemporaryDirectory(prefix="cnn-lesson-bench-") as data,
            streamlit_server({"CNN_LESSON_DATA": data}) as url,
        ):
            start = time.perf_counter()
            page.goto(url)
            page.get_by_role("table").first.wait_for(timeout=60_000)
            found.append(time.perf_counter() - start)
    return found


def click_seconds(page, url: str) -> list[float]:
    """Clicks on the Inside page's feature map: mouse press to the by-hand result on screen."""
    _open(page, f"{url}/inside")
    page.get_by_test_id("stPlotlyChart").filter(has_text=FEATURE_MAP).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.evaluate(WATCH_CLICKS)
    times = []
    for row, col in CELLS:
        click_cell(page, FEATURE_MAP, row, col, 26, 26)
        page.get_by_text(f"feature map 1 at row {row}, column {col}").first.wait_for(timeout=60_000)
        page.wait_for_timeout(300)
        times.append(page.evaluate(f"window.__shown['{row},{col}'] - window.__pressed") / 1000)
    return times


def player_rates(page, url: str, seconds: float = 2.0) -> dict:
    """The convolution player at speed 20: positions and painted frames a second."""
    _open(page, f"{url}/inside")
    player = page.get_by_role("group", name=re.compile(r"^Convolution player"))
    player.wait_for(timeout=60_000)
    player.scroll_into_view_if_needed()
    player.get_by_label("Speed, positions per second").select_option("20")
    page.wait_for_function(
        "e => Number(e.dataset.position) > 0", arg=player.element_handle(), timeout=60_000
    )
    before = player.evaluate(PLAYER)
    page.wait_for_timeout(seconds * 1000)
    after = player.evaluate(PLAYER)
    spent = (after[2] - before[2]) / 1000
    return {
        "player_positions_per_s": round((after[0] - before[0]) / spent, 1),
        "player_frames_per_s": round((after[1] - before[1]) / spent, 1),
    }


def browser_figures(cold_starts: int = 3) -> dict:
    """The figures a learner sees in Chromium (browser and server on this machine)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.set_content("<p>A blank page to time the yardstick on.</p>")
            page.evaluate(YARDSTICK)  # the first run also compiles it
            yardstick = statistics.median(page.evaluate(YARDSTICK) for _ in range(3))
            first = first_page_seconds(page, cold_starts)
            with (
                tempfile.TemporaryDirectory(prefix="cnn-lesson-bench-") as data,
                streamlit_server({"CNN_LESSON_DATA": data}) as url,
            ):
                _open(page, url)  # the first visit imports Keras: not timed
                clicks = click_seconds(page, url)
                player = player_rates(page, url)
        finally:
            browser.close()
    return {
        "first_page_s": round(statistics.median(first), 2),
        "each_first_page_s": [round(t, 2) for t in first],
        "click_answer_s": round(statistics.median(clicks), 3),
        "each_click_answer_s": [round(t, 3) for t in clicks],
        **player,
        "browser_yardstick_ms": round(yardstick, 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def _json_of(command: list[str], timeout: float) -> dict:
    """Run a tool of tests/load in a subprocess; the JSON object it prints last."""
    done = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True,
        timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"},
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-3000:]}")
    out = done.stdout
    return json.loads(out[out.index("{") :])


def answer_figures() -> dict:
    """One learner's answers on a warm server: the first page's server CPU, and the time an
    answer takes beyond the server's work for it (`python -m tests.load.answers`)."""
    until_quiet()
    return _json_of(["tests.load.answers"], timeout=600)


def load_figures(sessions: int = 30, nginx: bool = False) -> dict:
    """The class load test (`python -m tests.load.loadtest`): its first wave's percentiles and
    the class board's answers, as in the README."""
    until_quiet()
    command = ["tests.load.loadtest", "--sessions", str(sessions)] + (["--nginx"] if nginx else [])
    out = _json_of(command, timeout=1200)
    first, board = out["first_wave"], out["first_wave"].get("board", {})
    return {
        "sessions": sessions,
        "behind_nginx": nginx,
        "load_first_page_median_s": first["first_page_median_s"],
        "load_first_page_max_s": first["first_page_max_s"],
        "load_page_switch_median_s": first["page_switch_median_s"],
        "load_page_switch_p95_s": first["page_switch_p95_s"],
        "load_widget_change_median_s": first["widget_change_median_s"],
        "load_widget_change_p95_s": first["widget_change_p95_s"],
        "board_refresh_median_s": board.get("refresh", {}).get("median_s"),
        "board_refresh_p95_s": board.get("refresh", {}).get("p95_s"),
        "board_page_open_p95_s": board.get("page_open", {}).get("p95_s"),
        "board_post_visible_max_s": board.get("post_visible", {}).get("max_s"),
        "failed_sessions": len(first["failed_sessions"]),
        "exceptions_on_pages": first["exceptions_on_pages"],
        "workspaces_lost_or_mixed": len(first["workspaces_lost_or_mixed"]),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
