"""A small load test in every CI run: 5 websocket sessions on one app process, and behind nginx.

On one process the 5 learners are in a class with 50 earlier runs on its board, and an
instructor's session watches the board: its answers and how soon the trainer's run shows.

The big one (30 sessions, memory figures) is `python -m tests.load.loadtest`, run before a
release; its answer times and the board's are figures of `python -m lesson.tools.bench --load`.
Here only what happens is checked, not how fast: CI machines are shared.
"""

import asyncio
import time

import pytest

from tests.load import board, loadtest
from tests.load.client import Session, run_sync
from tests.support import streamlit_process

TTL = ("--server.disconnectedSessionTTL", "5")


async def warm(url: str, paths: tuple[str, ...] = tuple(p for p, *_ in loadtest.WALK)) -> None:
    """The first visit of `paths` (all pages): loads MNIST, imports Keras, the pre-trained model."""
    s = Session(url)
    await s.connect()
    for path in paths:
        await s.rerun(path, timeout=180)
    assert not s.errors, s.errors
    await s.close()


async def wait_for(condition, timeout: float = 30, seen=lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out; seen: {seen()}"
        await asyncio.sleep(0.2)


async def queue_then_stop(url: str) -> list[str]:
    """Two learners press Train on a server that trains one run at a time; both then stop.

    Their seeds differ: the same experiment would train once, for both (no line to wait in).
    """
    first, second = Session(url, ("127.0.0.21", 0)), Session(url, ("127.0.0.22", 0))
    for s in (first, second):
        await s.connect()
        await s.rerun("train")
    await second.set("Random seed", "2")  # typed in its box, as a learner does
    await first.click("Train")
    await second.click("Train")
    seen = " ".join(second.alerts)
    assert "waiting in line** (number 1)" in seen, seen
    await second.click("Stop")  # stops while still waiting
    await first.click("Stop")
    for s in (first, second):
        await wait_for(
            lambda s=s: any("You stopped the run." in a for a in s.alerts),
            90,
            lambda s=s: (s.alerts, sorted(s.widgets), s.errors),
        )
        assert "Stop" not in s.widgets and not s.widgets["Train"].proto.disabled
        await s.close()
    assert not first.errors and not second.errors, first.errors + second.errors


@pytest.mark.timeout(420)
def test_five_sessions_and_a_queued_training_on_one_process(tmp_path):
    env = {"CNN_LESSON_MAX_TRAININGS": "1", "CNN_LESSON_DATA": str(tmp_path),
           "CNN_LESSON_INSTRUCTOR_KEY": loadtest.KEY}  # fmt: skip
    with streamlit_process(env, options=TTL) as (url, proc):
        run_sync(warm(url))
        run_sync(queue_then_stop(url))
        database = f"sqlite:///{tmp_path / 'lesson.db'}"
        code = run_sync(board.open_class(url, loadtest.KEY, loadtest.VIEWER))
        seeded = board.seed(database, code, 5, 10)  # the class's earlier runs
        figures = run_sync(loadtest.wave(url, 5, 1, 1, (0.2, 1.0), [proc.pid], database, code))
    assert figures["sessions_opened"] == 5
    assert figures["workspaces_checked"] == 5 and figures["workspaces_lost_or_mixed"] == []
    assert figures["failed_sessions"] == [] and figures["exceptions_on_pages"] == 0
    assert figures["answers"] >= 5 * len(loadtest.WALK)  # every page switch answered
    # The class board: the trainer's run posted and shown, the board refreshed by itself.
    shown = figures["board"]
    assert seeded == 50 and shown["runs_posted_in_wave"] == 1, shown
    assert shown["runs_shown"] == 51 and shown["posts_never_seen"] == [], shown
    assert shown["errors"] == [] and shown["refresh"]["count"] >= 3, shown
    assert shown["page_first_open_s"] is not None, shown
