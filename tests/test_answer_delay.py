"""A cheap page answers at once: no answer waits for the browser's delayed ACK.

With Nagle's algorithm on (Streamlit's listening socket, see answer_without_delay in
lesson/pages/workarounds.py) every answer's last message waited ~40 ms for it, whatever the page.
"""

import statistics
import time

import pytest

from tests.load.client import Session, run_sync
from tests.support import cpu_seconds, streamlit_process

pytestmark = pytest.mark.timing


async def waits(url: str, pid: int, path: str, runs: int = 15) -> list[float]:
    """Per run of the page: the seconds its answer took beyond the server's CPU time for it."""
    s = Session(url)
    await s.connect()
    for _ in range(3):
        await s.rerun(path)
    found = []
    for _ in range(runs):
        cpu, start = cpu_seconds(pid), time.perf_counter()
        await s.rerun(path)
        found.append(time.perf_counter() - start - (cpu_seconds(pid) - cpu))
    await s.close()
    return found


def test_an_answer_does_not_wait_beyond_the_work_it_takes(tmp_path):
    with streamlit_process({"CNN_LESSON_DATA": str(tmp_path)}) as (url, server):
        found = run_sync(waits(url, server.pid, "board"))
    # Before the patch: 36 ms at the median (the delayed ACK's 40 ms less the CPU under it).
    assert statistics.median(found) < 0.015, [round(w * 1000) for w in found]
