"""The Train page in headless Chromium: a short run by mouse, live curves, Stop, axe after a run."""

import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible, assert_clean, open_app, train_button
from tests.support import wait_idle

pytestmark = pytest.mark.browser

POINTS = (
    "() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(p => p.data[0].x.length)"
)


def set_slider(main, name: str, home_then_right: int) -> None:
    """Move a slider to its first value, then `home_then_right` steps right, by keyboard."""
    thumb = main.get_by_role("slider", name=name)
    thumb.focus()
    thumb.press("Home")
    for _ in range(home_then_right):
        thumb.press("ArrowRight")
    wait_idle(main.page)


def test_a_short_run_by_mouse_grows_its_curves_and_ends_with_a_test_accuracy(page, server_url):
    open_app(page, server_url, "train")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("No run yet")).to_be_visible()
    set_slider(main, "Training images", 3)  # 10,000: four points or more on the curves an epoch
    set_slider(main, "Epochs", 1)  # 2
    train_button(main).click()
    progress = main.get_by_test_id("stProgress")
    expect(progress).to_be_visible(timeout=60_000)
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and progress.count():
        seen.append(max(page.evaluate(POINTS), default=0))
        page.wait_for_timeout(250)
    growing = sorted(set(seen))
    assert len(growing) >= 3, seen  # the curves grew at least twice while the run trained
    expect(main.get_by_text("Test accuracy").first).to_be_visible(timeout=60_000)
    expect(main.get_by_test_id("stMetricValue").nth(1)).to_have_text(re.compile(r"\d+\.\d+%"))
    expect(main.get_by_text(re.compile("run 1 finished 2 epochs"))).to_be_visible(timeout=30_000)
    expect(main.get_by_text(re.compile(r"The other pages can now use"))).to_be_visible()
    expect(page.get_by_test_id("lessonAnnouncer")).to_have_text(
        re.compile(r"^Training finished: run 1, 2 epochs\. Test accuracy \d+\.\d\d%\.$")
    )  # said to screen readers, focus unmoved
    assert_clean(page)
    assert_accessible(page, "/train after a short run")  # axe, as tests/test_browser_axe.py


def test_stop_answers_the_first_click_every_time(page, server_url):
    """Stop was drawn again every 0.5 s inside the polling fragment, so a click landing during
    a redraw could be lost (issue 18). One human-like click (press, 80 ms, release) at a
    random moment of each run must stop it."""
    import random

    moments = random.Random(18)
    open_app(page, server_url, "train")
    main = page.get_by_test_id("stMain")
    main.get_by_role("button", name=re.compile("The lesson's recipe")).click()
    wait_idle(page)
    for attempt in range(3):
        train_button(main).click()
        stop = main.get_by_role("button", name=re.compile("Stop$"))
        expect(stop).to_be_visible(timeout=60_000)
        expect(main.get_by_test_id("stProgress")).to_be_visible(timeout=60_000)
        page.wait_for_timeout(moments.uniform(200, 2500))
        box = stop.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, delay=80)
        expect(main.get_by_text(re.compile("You stopped the run"))).to_be_visible(timeout=30_000)
        expect(main.get_by_test_id("stProgress")).to_have_count(0)
        expect(main.get_by_text(re.compile(f"run {attempt + 1}"))).not_to_have_count(0)
    # Stopped mid-run, once it has trained a while: the model answers the 10,000 test digits,
    # so it is usable, and the app uses it.
    train_button(main).click()
    expect(main.get_by_test_id("stProgress")).to_contain_text("run 4", timeout=60_000)
    page.wait_for_function(f"() => Math.max(...({POINTS})(), 0) >= 2", timeout=120_000)
    main.get_by_role("button", name=re.compile("Stop$")).click()
    expect(main.get_by_text(re.compile("You stopped the run"))).to_be_visible(timeout=30_000)
    expect(main.get_by_test_id("stProgress")).to_have_count(0)
    expect(main.get_by_test_id("stMetricValue").nth(1)).to_have_text(re.compile(r"\d+\.\d+%"))
    expect(main.get_by_text(re.compile(r"The other pages can now use"))).to_be_visible()
    assert_clean(page)


def back_message(frame):
    """A websocket frame the browser sent, read as Streamlit's BackMsg (None if it is none)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg()
    try:
        message.ParseFromString(frame if isinstance(frame, bytes) else frame.encode())
    except Exception:
        return None
    return message


def whole_rerun(message) -> bool:
    """The browser asks for a run of the whole page (not of one fragment)."""
    return (
        message is not None
        and message.WhichOneof("type") == "rerun_script"
        and not message.rerun_script.fragment_id
    )


def test_the_downloads_are_written_when_clicked_and_hold_the_learners_settings(page, server_url):
    """The script and the notebook are made on the click (not at every run of the page)."""
    sent = []  # what the browser asks of the server
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(frame)))
    main = open_app(page, server_url, "train?epochs=2&batch_size=64")
    before = len(sent)
    with page.expect_download() as got:
        main.get_by_role("button", name="Python script (.py)").click()
    download = got.value
    assert download.suggested_filename == "cnn_experiment.py"
    script = Path(download.path()).read_text(encoding="utf-8")
    compile(script, "cnn_experiment.py", "exec")  # valid Python
    assert ", 2))" in script and "batch_size=64" in script  # EPOCHS = int(os.environ.get(…, 2))
    with page.expect_download() as got:
        main.get_by_role("button", name="Jupyter notebook (.ipynb)").click()
    notebook = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    kinds = {cell["cell_type"] for cell in notebook["cells"]}
    assert kinds == {"markdown", "code"}
    assert "".join("".join(c["source"]) for c in notebook["cells"]).count("Conv2D") >= 2
    page.wait_for_timeout(1_000)
    # A download changes nothing on the page, so it does not run it again (a click that came
    # during the rerun of the one before it once got no file). The page's fragments may run
    # meanwhile (an idle Train page looks for another tab's run every 2 s): only a whole run of
    # the page would be the click's.
    assert not [m for m in map(back_message, sent[before:]) if whole_rerun(m)]
    wait_idle(page)
    assert_clean(page)
