"""Memory comes back: a server that teaches class after class does not keep growing.

Three waves of four learners, each of whom trains a run and opens its model on the Draw page;
between waves their sessions expire. The web process's memory after the third wave is within a
bounded margin of the first's (what a class leaves behind is freed), and each worker process
stays under the size at which it would be replaced.
"""

import asyncio
import re
import time

from lesson.machinery import workers
from tests.load.client import Session, run_sync
from tests.load.loadtest import children, rss_mb
from tests.support import streamlit_process

# Heavy, but it measures memory, not time: it runs beside one other test (pyproject.toml).

TTL = 2  # --server.disconnectedSessionTTL, seconds
QUICK = "epochs=1&train_images=1000&batch_size=64"  # a run of a few seconds
LEARNERS = 4
MARGIN_MB = 60  # what waves 2 and 3 may add to the first, together (one was ~+100 MB each)


async def learner(url: str, index: int) -> Session:
    """Open the app, train a quick run to its end, look at it on the Draw page, leave."""
    s = Session(url, (f"127.0.0.{80 + index}", 0), query=QUICK)
    await s.connect()
    await s.rerun("train", timeout=180)
    await s.click("Train")
    deadline = time.monotonic() + 180
    while not any(re.search(r"run \d+ finished", a) for a in s.alerts):
        assert not s.errors, s.errors
        assert time.monotonic() < deadline, s.alerts
        await asyncio.sleep(0.5)
    await s.rerun("draw", timeout=120)  # the learner's model, rebuilt for inference
    assert not s.errors, s.errors
    await s.close()
    return s


async def wave(url: str) -> None:
    await asyncio.gather(*(learner(url, i) for i in range(LEARNERS)))
    await asyncio.sleep(TTL + 4)  # their sessions expire


def test_three_classes_in_a_row_leave_the_server_no_bigger(tmp_path):
    env = {"CNN_LESSON_DATA": str(tmp_path), "CNN_LESSON_MAX_TRAININGS": "2"}
    options = ("--server.disconnectedSessionTTL", str(TTL))
    with streamlit_process(env, options=options) as (url, proc):
        web = []
        for _ in range(3):
            run_sync(wave(url))
            web.append(rss_mb(proc.pid, workers=False))
            pool = [rss_mb(c) for c in children(proc.pid)]
        print(f"web process after each wave: {[round(w) for w in web]} MB; workers {pool}")
    assert web[2] - web[0] < MARGIN_MB, web
    assert pool and all(mb < workers.MAX_MB for mb in pool), pool
