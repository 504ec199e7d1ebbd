"""One learner's answers on a warm server, for the bench: `python -m tests.load.answers`.

Prints one JSON object: the server's CPU seconds for a new learner's first page (0.1 s; 0.6 s
when Streamlit's file watcher walked every module for each new session), and the milliseconds
an answer of the board takes beyond the server's CPU time for it (36 ms while the browser's
delayed ACK held every answer's last message: lesson/parts/workarounds.py answer_without_delay).
"""

import json
import statistics
import tempfile
import time

from tests.load.client import Session, run_sync
from tests.support import cpu_seconds, streamlit_process

WARM = ("", "one-hot", "build", "train", "draw", "inside", "mistakes", "board")


async def warm(url: str) -> None:
    """The first visit of every page: loads MNIST, imports Keras, the pre-trained model."""
    s = Session(url)
    await s.connect()
    for path in WARM:
        await s.rerun(path, timeout=180)
    await s.close()


async def first_pages(url: str, pid: int, count: int = 5) -> float:
    """The server's CPU seconds for each new learner's first page, on average (one at a time)."""
    spent = 0.0
    for i in range(count):
        before = cpu_seconds(pid)
        s = Session(url, (f"127.0.0.{60 + i}", 0))
        await s.connect()
        spent += cpu_seconds(pid) - before
        await s.close()
    return spent / count


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


def main() -> None:
    """Command line entry point."""
    with (
        tempfile.TemporaryDirectory(prefix="cnn-lesson-answers-") as data,
        streamlit_process({"CNN_LESSON_DATA": data}) as (url, proc),
    ):
        run_sync(warm(url))
        cpu = run_sync(first_pages(url, proc.pid))
        found = run_sync(waits(url, proc.pid, "board"))
    print(json.dumps({
        "first_page_cpu_s": round(cpu, 3),
        "answer_wait_ms": round(statistics.median(found) * 1000, 1),
        "each_answer_wait_ms": [round(w * 1000) for w in found],
    }))  # fmt: skip


if __name__ == "__main__":
    main()
