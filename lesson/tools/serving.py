"""A live app server on a free port and a headless Chromium, for the bench and the tests.

Nothing here imports Streamlit or Playwright: the server is a `streamlit run` subprocess, and
Chromium is launched through the Playwright object the caller brings.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STATE = "[data-testid=stApp]"
IDLE = f"{STATE}[data-test-script-state=notRunning]"
SHOTS = Path(tempfile.gettempdir()) / "cnn-lesson-failures"  # screenshots of failed waits


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(env: dict | None = None, timeout: float = 90, options: tuple = ()):
    """Run `streamlit run app.py` on a free port; yield its base URL; stop it afterwards."""
    with streamlit_process(env, timeout, options) as (url, _):
        yield url


@contextlib.contextmanager
def streamlit_process(
    env: dict | None = None, timeout: float = 90, options: tuple = (), port: int | None = None
):
    """Like streamlit_server, but yield (base URL, the server's Popen)."""
    port = port or free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false", *options,
    ]  # fmt: skip
    log = open(ROOT / f".server-{port}.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    ended = "it exited" if proc.poll() is not None else f"no answer in {timeout} s"
                    raise RuntimeError(
                        f"streamlit did not start on {url} ({ended}); its log:\n{_tail(log.name)}"
                    ) from None
                time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        _report_tracebacks(Path(log.name))
        Path(log.name).unlink(missing_ok=True)


def _tail(path: str, chars: int = 3000) -> str:
    """The end of a log file, or a note that there is none."""
    log = Path(path)
    text = log.read_text(errors="replace") if log.exists() else ""
    return text[-chars:] or "(empty)"


def _report_tracebacks(log: Path) -> None:
    """Print a server's tracebacks past pytest's capture: the log is gone after the test, and a
    page that showed "This app has encountered an error" is explained only there."""
    text = log.read_text(errors="replace") if log.exists() else ""
    if "Traceback" in text:
        start = text.index("Traceback")
        print(
            f"\n--- tracebacks in {log.name} ---\n{text[start : start + 6000]}", file=sys.__stderr__
        )


def launch_chromium(playwright):
    """Debian's Chromium, headless, with no network chatter."""
    return playwright.chromium.launch(
        executable_path=shutil.which("chromium"), headless=True, args=CHROMIUM_ARGS
    )


def screenshot(page, what: str) -> str:
    """Save a screenshot of `page` for a failure's message; its path (or why there is none)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = "".join(c if c.isalnum() else "-" for c in what)[:60].strip("-") or "page"
    path = SHOTS / f"{time.strftime('%H%M%S')}-{os.getpid()}-{name}.png"
    try:
        page.screenshot(path=str(path), full_page=True, timeout=10_000)
    except Exception as e:  # a closed or hung page: say so, the failure itself matters more
        return f"no screenshot ({type(e).__name__})"
    return str(path)


# A tab's init script (tests/conftest.py): every change of the app's connection and run state,
# with the time since the page began, so a click that never arrived can be told from one the
# app lost (widgets are disabled while the connection is down).
WATCH_STATES = """(() => {
  const log = window.lessonStates = [];
  new MutationObserver((changes) => {
    for (const c of changes) {
      const v = c.target.getAttribute(c.attributeName);
      log.push(`${Math.round(performance.now())} ms ${c.attributeName.slice(10)}=${v}`);
      if (log.length > 40) log.shift();
    }
  }).observe(document, {attributes: true, subtree: true,
    attributeFilter: ["data-test-connection-state", "data-test-script-state"]});
})();"""


def page_state(page) -> str:
    """What the app in `page` shows now: address, run and connection state, exceptions, alerts
    (and, in a tab that watches them, the last changes of those states)."""
    try:
        seen = page.evaluate(
            """() => {
              const app = document.querySelector("[data-testid=stApp]");
              const texts = sel => [...document.querySelectorAll(sel)]
                .map(e => e.innerText.trim().slice(0, 200));
              return {
                run_state: app ? app.dataset.testScriptState : "no app on the page",
                connection: app ? app.dataset.testConnectionState : "",
                states: (window.lessonStates || []).slice(-12),
                now: `${Math.round(performance.now())} ms`,
                exceptions: texts("[data-testid=stException]"),
                alerts: texts("[data-testid=stAlert]").slice(0, 5),
                heading: texts("[data-testid=stMain] h1").slice(0, 1),
              };
            }"""
        )
    except Exception as e:  # a page that is closing or navigating
        return f"{page.url} (could not read it: {type(e).__name__})"
    return f"{page.url} {seen}"


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until the script has finished its run after the last action.

    On a timeout, say what the page showed instead, with a screenshot's path.
    """
    page.wait_for_timeout(300)  # let the rerun start before waiting for it to end
    try:
        page.wait_for_selector(IDLE, timeout=timeout)
    except Exception as e:
        if type(e).__name__ != "TimeoutError":
            raise
        raise AssertionError(
            f"waited {timeout / 1000:g} s for the app's run to end ({IDLE}); saw "
            f"{page_state(page)}; screenshot: {screenshot(page, 'wait-idle')}"
        ) from None


def click_cell(page, title: str, row: int, col: int, rows: int, cols: int) -> None:
    """Click the centre of cell (row, col) of the plotly map whose title contains `title`."""
    chart = page.get_by_test_id("stPlotlyChart").filter(has_text=title)
    chart.scroll_into_view_if_needed()
    area, before = None, chart.locator(".nsewdrag").first.bounding_box()
    while area != before:  # until the page above has finished laying itself out
        page.wait_for_timeout(250)
        area, before = chart.locator(".nsewdrag").first.bounding_box(), area
    x = area["x"] + (col + 0.5) / cols * area["width"]
    y = area["y"] + (row + 0.5) / rows * area["height"]
    page.mouse.move(x, y)
    page.wait_for_timeout(300)  # plotly picks the point under the mouse on hover
    page.mouse.click(x, y)
    wait_idle(page)


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (every core, every process) since boot."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait; the rest is work
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def until_quiet(cores: float = 0.3, timeout: float = 30) -> float:
    """Wait until the machine keeps fewer than `cores` busy over half a second; the cores then.

    The bench measures its own work, not what ran before it (servers shutting down, disk
    writes). After `timeout` it goes on, and reports the load it saw.
    """
    deadline = time.monotonic() + timeout
    while True:
        before = machine_busy_seconds()
        time.sleep(0.5)
        busy = (machine_busy_seconds() - before) / 0.5
        if busy < cores or time.monotonic() > deadline:
            return busy
