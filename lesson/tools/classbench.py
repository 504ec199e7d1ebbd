"""A class presses Train together: `python -m lesson.tools.bench --class [a,b,c]`.

One app process (`streamlit run app.py` on a free loopback port, the default training limit,
a new data folder) and N learners, each a websocket session as a browser tab is (the load
test's client, lesson/tools/client.py): a new workspace, the Train page opened at an address
that sets its experiment, Train pressed by all within about a second, then the learner waits
on the page (answering its live fragments) until its run is done. Three classes:

    a  everyone the default quick run (3 epochs, 60,000 images, batch 64, seed 1)
    b  "pick a learning rate": learner i takes RATES[i % 6], otherwise the defaults
    c  every learner a different seed (1, 2, ..., N): nothing to share

Each class gets an app process and a data folder of its own, so nothing carries over from the
class before. What it reports, per class: when runs were done (seconds after the first click:
first, median, last), the CPU seconds of the app process and its training workers meanwhile,
and how each run ended. Figures, not bounds: the machine's load is reported beside them.
"""

import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from lesson.tools import serving
from lesson.tools.client import run_sync

ROOT = serving.ROOT  # the folder of app.py
RATES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)  # class b's learning rates
CLASSES = ("a", "b", "c")
IMAGES = (1000, 2000, 5000, 10000, 20000, 30000, 60000)  # the Train page's choices
FINAL = ("done", "stopped", "failed", "interrupted")  # a run in the store that has ended
PATIENCE = 300  # seconds a page may take to answer on a busy machine before the tab gives up
MAX_LEARNERS = 60  # bounded: a measurement, not a flood


def queries(kind: str, learners: int, images: int = 60_000, epochs: int = 3) -> list[str]:
    """Each learner's Train page address (its query string) for class `kind`."""
    base = f"epochs={epochs}&train_images={images}&batch_size=64"
    if kind == "a":
        return [f"{base}&seed=1" for _ in range(learners)]
    if kind == "b":
        return [f"{base}&seed=1&learning_rate={RATES[i % len(RATES)]:g}" for i in range(learners)]
    if kind == "c":
        return [f"{base}&seed={i + 1}" for i in range(learners)]
    raise ValueError(f"no class {kind!r}: a, b or c")


def cpu_seconds(pid: int) -> float:
    """CPU seconds of a process, its live children and the children it has collected."""

    def stat(p: int) -> list[str]:
        return Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()

    tick = os.sysconf("SC_CLK_TCK")
    try:
        fields = stat(pid)
    except OSError:
        return 0.0
    # utime, stime, and cutime, cstime: the workers that ended (the pool waits for them).
    total = sum(int(f) for f in fields[11:15])
    with contextlib.suppress(OSError):
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            with contextlib.suppress(OSError):
                total += sum(int(f) for f in stat(int(child))[11:13])
    return total / tick


def children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


@contextlib.contextmanager
def app_process(data: Path, env: dict | None = None, timeout: float = 180):
    """`streamlit run app.py` on a free loopback port with data folder `data`: (url, Popen)."""
    if not (ROOT / "app.py").exists():
        raise SystemExit(f"--class needs the app's source folder: no {ROOT / 'app.py'}")
    # The class's own SQLite file (an empty URL is none), and the app of this checkout.
    environment = {"CNN_LESSON_DATA": str(data), "CNN_LESSON_DATABASE_URL": "", **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
    )
    with serving.streamlit_process(environment, timeout) as (url, proc):
        yield url, proc


async def warm(url: str, pid: int, timeout: float = 240) -> None:
    """Open the Train page once (Keras imported, MNIST read, the workers started); wait until
    the workers are ready: they have started and their CPU has been quiet for 3 seconds."""
    from lesson.tools.client import Session

    s = Session(url, ("127.0.0.9", 0), first_page="train")
    await s.connect(timeout)
    await s.rerun("train", timeout=timeout)
    await s.close()
    deadline = time.monotonic() + timeout
    before, quiet = -1.0, 0
    while time.monotonic() < deadline and quiet < 3:  # three quiet seconds in a row
        await asyncio.sleep(1.0)
        now = sum(cpu_seconds(c) for c in children(pid))
        quiet = quiet + 1 if children(pid) and now - before < 0.1 else 0
        before = now


async def learner(
    url: str, index: int, query: str, cookie: str, go: asyncio.Event, ready: list, at: list
):
    """One tab: the Train page at its address; press Train when `go` is set; stay on the page.

    ready[index] is set once the page is open, the time of the click goes into at[index]; the
    session stays open (it answers the page's live fragments, as a browser does) until the
    caller cancels it.
    """
    from lesson.tools.client import Session

    s = Session(url, (f"127.0.0.{10 + index}", 0), query=query, cookie=cookie, first_page="train")
    await s.connect(PATIENCE)
    if s.page_hash != s.pages.get("train"):
        await s.rerun("train", timeout=PATIENCE)
    ready[index] = True
    try:
        await go.wait()
        at[index] = time.time()
        await s.click("Train", timeout=PATIENCE)
        await asyncio.Event().wait()  # on the page, watching the run, until cancelled
    finally:
        with contextlib.suppress(Exception):
            await s.close()
        if s.errors:
            at[index] = f"exception on the page: {s.errors[0][:200]}"


def summary(done: list[float], clicks: list[float]) -> dict:
    """First, median and last done, in seconds after the first click."""
    start = min(clicks)
    after = sorted(t - start for t in done)
    return {
        "first_done_s": round(after[0], 1) if after else None,
        "median_done_s": round(statistics.median(after), 1) if after else None,
        "last_done_s": round(after[-1], 1) if after else None,
        "clicks_within_s": round(max(clicks) - start, 2),
    }


async def one_class(url: str, pid: int, store, kind: str, addresses: list[str],
                    timeout: float) -> dict:  # fmt: skip
    """Drive one class on a warm app; its figures."""
    spaces = [store.create_workspace() for _ in addresses]
    go, ready, clicks = asyncio.Event(), [False] * len(spaces), [None] * len(spaces)
    tasks = [
        asyncio.create_task(
            learner(url, i, q, f"cnn_lesson_workspace={ws.token}", go, ready, clicks)
        )
        for i, (q, ws) in enumerate(zip(addresses, spaces, strict=True))
    ]
    # Every tab on its Train page first: then all press Train within the same second.
    deadline = time.monotonic() + 2 * PATIENCE
    while not all(ready) and not any(t.done() for t in tasks) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    cpu_before, load_before = cpu_seconds(pid), os.getloadavg()[0]
    go.set()
    deadline = time.monotonic() + timeout  # from the clicks: what is not done by then, is not
    runs: dict[int, object] = {}
    try:
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            for i, ws in enumerate(spaces):
                if i in runs or clicks[i] is None:
                    continue
                listed = await asyncio.to_thread(store.list_runs, ws.id)
                if listed and listed[-1].status in FINAL:
                    runs[i] = listed[-1]
            if all(i in runs or t.done() for i, t in enumerate(tasks)):
                break  # every run ended, or its tab failed (reported below)
    finally:
        cpu = cpu_seconds(pid) - cpu_before
        for t in tasks:
            t.cancel()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    problems = [repr(o) for o in outcomes if isinstance(o, BaseException)
                and not isinstance(o, asyncio.CancelledError)]  # fmt: skip
    problems += [c for c in clicks if isinstance(c, str)]
    clicked = [c for c in clicks if isinstance(c, float)]
    statuses: dict[str, int] = {}
    for run in runs.values():
        statuses[run.status] = statuses.get(run.status, 0) + 1
    if len(runs) < len(spaces):
        statuses[f"not done {timeout:g} s after the clicks"] = len(spaces) - len(runs)
    return {
        "class": kind,
        "learners": len(spaces),
        "experiments": len(set(addresses)),
        **summary([r.updated for r in runs.values()], clicked or [time.time()]),
        "cpu_s": round(cpu, 1),
        "statuses": statuses,
        "load_average_1min_at_clicks": round(load_before, 2),
        "problems": problems[:5],
    }


def trainings_computed(url: str) -> int | None:
    """Trainings the app computed, as its table of finished experiments counts them (one row
    per experiment trained to its end); None where the app keeps no such table."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        if "experiments" not in sa.inspect(engine).get_table_names():
            return None
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT COUNT(*) FROM experiments")).scalar_one()
    finally:
        engine.dispose()


def url_of(data: Path) -> str:
    """The app's database in data folder `data` (lesson/machinery/store.py)."""
    return f"sqlite:///{data / 'lesson.db'}"


def run_class(kind: str, learners: int = 30, images: int = 60_000, epochs: int = 3,
              env: dict | None = None, timeout: float = 1800) -> dict:  # fmt: skip
    """One class on an app process and data folder of its own: its figures."""
    from lesson.machinery import store as storage

    if not 1 <= learners <= MAX_LEARNERS:
        raise ValueError(f"learners must be 1..{MAX_LEARNERS}")
    if images not in IMAGES:
        raise ValueError(f"images must be one of {IMAGES}")
    data = Path(tempfile.mkdtemp(prefix=f"cnn-lesson-class-{kind}-"))
    try:
        with app_process(data, env) as (url, proc):
            store = storage.Store(url_of(data))
            try:
                # In a thread of its own: the caller may already run a loop (Playwright).
                run_sync(warm(url, proc.pid))
                figures = run_sync(
                    one_class(url, proc.pid, store, kind, queries(kind, learners, images, epochs),
                              timeout)
                )  # fmt: skip
            finally:
                store.close()
            figures["workers"] = len(children(proc.pid))
            figures["trainings_computed"] = trainings_computed(url_of(data))
    finally:
        shutil.rmtree(data, ignore_errors=True)
    figures["training_limit"] = int(
        (env or {}).get("CNN_LESSON_MAX_TRAININGS", os.environ.get("CNN_LESSON_MAX_TRAININGS", 2))
    )
    figures["images"], figures["epochs"] = images, epochs
    # The workers' priority (lesson/machinery/workers.py): at 10, a machine busy with other
    # work at 0 may starve them; the bench measures what it got.
    figures["worker_nice"] = int(
        (env or {}).get("CNN_LESSON_WORKER_NICE", os.environ.get("CNN_LESSON_WORKER_NICE", 10))
    )
    return figures


def commit() -> str | None:
    """The source's git commit, if it is a checkout."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        head = ["git", "rev-parse", "--short", "HEAD"]
        return (
            subprocess.run(
                head, cwd=ROOT, capture_output=True, text=True, timeout=10
            ).stdout.strip()
            or None
        )
    return None


def measure(
    kinds: str = "a,b,c", learners: int = 30, images: int = 60_000, epochs: int = 3,
    timeout: float = 1800,
):  # fmt: skip
    """Classes `kinds` (e.g. "a,c") one after another, with when and where they were measured."""
    chosen = [k.strip() for k in kinds.split(",") if k.strip()]
    if not chosen or any(k not in CLASSES for k in chosen):
        raise SystemExit(f"--class takes a comma-separated subset of {','.join(CLASSES)}")
    out = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": commit(),
        "cores": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "classes": [],
    }
    for kind in chosen:
        out["classes"].append(run_class(kind, learners, images, epochs, timeout=timeout))
    out["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return out
