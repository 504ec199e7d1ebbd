"""Server CPU per page run: one learner reruns each page, the server's CPU time read from /proc.

    python -m tests.load.pagecost                  # every page, 15 runs each
    python -m tests.load.pagecost inside --runs 60 --profile /tmp/inside.raw   # with py-spy

The cost every learner's answer queues behind on one interpreter (README, Load test).
"""

import argparse
import asyncio
import contextlib
import signal
import subprocess
import tempfile
import time

from tests.load.client import Session, run_sync
from tests.support import cpu_seconds, streamlit_process

PAGES = ["", "one-hot", "build", "train", "draw", "inside", "mistakes", "board"]


async def measure(url: str, pid: int, pages: list[str], runs: int, profile: str | None) -> dict:
    """Per page: (server CPU ms, answer ms) per run, means over `runs` runs after two warm-ups."""
    s = Session(url)
    await s.connect()
    for path in pages:
        await s.rerun(path)
        await s.rerun(path)
    spy = None
    if profile:  # py-spy is not a dependency: pip install py-spy
        command = ["py-spy", "record", "--pid", str(pid), "--rate", "100", "--format", "raw",
                   "--output", profile, "--nonblocking"]  # fmt: skip
        spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        await asyncio.sleep(1)
    figures = {}
    for path in pages:
        cpu, start, received = cpu_seconds(pid), time.perf_counter(), s.received
        for _ in range(runs):
            await s.rerun(path)
        figures[path or "data"] = {
            "server_cpu_ms": round((cpu_seconds(pid) - cpu) / runs * 1000),
            "answer_ms": round((time.perf_counter() - start) / runs * 1000),
            "messages": round((s.received - received) / runs),
        }
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait()
    await s.close()
    return figures


def main() -> None:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="*", default=PAGES, help="url paths; '' is the first page")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--profile", help="also record the server with py-spy into this raw file")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cnn-lesson-pagecost-") as data:
        env = {"CNN_LESSON_DATA": data}
        with streamlit_process(env) as (url, proc), contextlib.suppress(KeyboardInterrupt):
            print(run_sync(measure(url, proc.pid, args.pages, args.runs, args.profile)))


if __name__ == "__main__":
    main()
