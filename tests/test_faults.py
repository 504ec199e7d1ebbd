"""Faults with real sessions: closing the tab, navigating away and reloading mid-training, and a
server killed mid-training (its worker processes go with it). The app keeps working; a run
belongs to its learner's workspace, so it trains on without its tab until nobody has looked for
the unattended limit; the bundled assets are never written.
"""

import asyncio
import hashlib
import os
import re
import signal
import time
from pathlib import Path

import pytest

from lesson.machinery import store as storage
from tests.load.client import Session, run_sync
from tests.support import ROOT, cpu_seconds, proc_stat, streamlit_process, waited_for

TTL = 2  # --server.disconnectedSessionTTL, seconds
OPTIONS = ("--server.disconnectedSessionTTL", str(TTL))
UNATTENDED = 18  # seconds: CNN_LESSON_UNATTENDED_MINUTES below
ONE_AT_A_TIME = {"CNN_LESSON_MAX_TRAININGS": "1", "CNN_LESSON_UNATTENDED_MINUTES": "0.3"}
DEAD_AFTER = 3  # lesson.machinery.runs.DEAD_AFTER: how long a run tolerates `alive()` saying no


def workers_of(pid: int) -> list[int]:
    """The server's child processes: its training workers."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int(proc_stat(int(entry.name))[1]) == pid:
                found.append(int(entry.name))
        except (OSError, IndexError):
            pass  # it ended while we looked
    return found


def ended(pid: int) -> bool:
    try:
        return proc_stat(pid)[0] == "Z"
    except OSError:
        return True


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server and its workers, all their threads, in seconds."""
    total = 0.0
    for one in [pid, *workers_of(pid)]:
        try:
            total += cpu_seconds(one)
        except OSError:
            continue  # a worker that ended
    return total


async def until_idle(pid: int, timeout: float = 120) -> float:
    """Wait until the server and its workers rest (under 0.15 cores over a second).

    Only this server's own CPU counts, so a busy neighbour cannot make it look busy. (Whether a
    run trains is read from its progress, not from CPU: a busy machine starves a worker.)
    """
    deadline = time.monotonic() + timeout
    while True:
        before = server_cpu_seconds(pid)
        await asyncio.sleep(1.0)  # the client keeps answering the page meanwhile
        cores = server_cpu_seconds(pid) - before
        if cores < 0.15:
            return cores
        assert time.monotonic() < deadline, (
            f"waited {timeout} s for the server (pid {pid}) and its workers to rest under 0.15 "
            f"cores; they used {cores:.2f} cores in the last second"
        )


def assets_digest() -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((ROOT / "assets").iterdir())
        if p.is_file()
    }


async def start_training(
    url: str, epochs: int, address: str = "127.0.0.41", images=None, cookie: str = ""
):
    """A learner opens the Train page and trains (`images`: index of the Training images).

    20 epochs are made the slowest run there is (batch 16, augmented: several minutes): in a
    worker process 20 epochs at batch 64 took under 2 minutes, and ended before a test was done
    with them.
    """
    s = Session(url, (address, 0), cookie=cookie)
    await s.connect()
    await s.rerun("train", timeout=180)
    await s.set("Epochs", epochs)
    if images is not None:
        await s.set("Training images", images)
    if epochs == 20:
        await s.set("Batch size", 0)  # 16
        await s.set("Augment the training images", True)
    await s.click("Train")
    return s


PROGRESS = re.compile(r"epoch (\d+) of (\d+) · batch ([\d,]+) of")


def reached(s: Session) -> tuple[int, int, int]:
    """(epoch, of epochs, batch) on the run's progress bar as the tab last drew it, or zeros."""
    found = PROGRESS.search(s.progress)
    return tuple(int(g.replace(",", "")) for g in found.groups()) if found else (0, 0, 0)


async def until_fitting(s: Session) -> None:
    """Wait until the tab shows a batch done: the run is in `fit`, so it has weights to keep."""
    await until(lambda: reached(s)[2] >= 1, timeout=120, s=s)


async def until(condition, timeout: float = 60, s: Session | None = None) -> None:
    """Wait until `condition()`; on a timeout, say what and what the tab `s` last saw."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            seen = f"alerts {s.alerts[-5:]}, progress {s.progress!r}\n{s.story()}" if s else ""
            raise AssertionError(f"timed out after {timeout} s waiting for "
                                 f"{waited_for(condition)}; saw {seen}")  # fmt: skip
        await asyncio.sleep(0.2)


def said(s: Session, words: str) -> bool:
    return any(words in a for a in s.alerts)


async def visit(url: str, *paths: str) -> Session:
    """A learner opens the app and looks at `paths`, then leaves."""
    s = Session(url)
    await s.connect()
    for path in paths:
        await s.rerun(path, timeout=180)
    await s.close()
    return s


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("faults-data")


@pytest.fixture(scope="module")
def server(data_folder):
    env = {**ONE_AT_A_TIME, "CNN_LESSON_DATA": str(data_folder)}
    with streamlit_process(env, options=OPTIONS) as (url, proc):
        run_sync(visit(url, "train"))  # imports Keras once, before any timing
        yield url, proc.pid
        workers = workers_of(proc.pid)  # the tests trained, so there is one
    deadline = time.monotonic() + 60  # the server stopped (SIGTERM): its workers went with it
    while not all(ended(pid) for pid in workers):
        assert time.monotonic() < deadline, [p for p in workers if not ended(p)]
        time.sleep(0.2)
    assert workers


def workspace_cookie(data_folder) -> str:
    """A workspace made in the server's store, as the cookie a browser that has it sends."""
    s = storage.Store(f"sqlite:///{data_folder / 'lesson.db'}")
    token = s.create_workspace().token
    s.close()
    return f"cnn_lesson_workspace={token}"


@pytest.mark.timeout(300)
def test_a_run_trains_on_without_its_tab_until_the_unattended_limit_frees_the_slot(
    server, data_folder
):
    url, pid = server
    cookie = workspace_cookie(data_folder)
    store = storage.Store(f"sqlite:///{data_folder / 'lesson.db'}")
    ws = store.open_workspace(cookie.split("=", 1)[1])

    async def close_mid_training() -> float:
        await until_idle(pid)  # nothing left over
        s = await start_training(url, epochs=20, cookie=cookie)  # it cannot end by itself
        await until_fitting(s)  # the run trains
        assert not s.errors and "Stop" in s.widgets
        await s.ws.close()  # the tab closes: no goodbye, the socket just goes
        closed = time.monotonic()
        await asyncio.sleep(TTL + DEAD_AFTER + 3)  # the session is gone; the run is not
        run = store.list_runs(ws.id)[-1]
        # Still training, and heard from: not yet what the store counts as interrupted.
        assert run.status == "running" and time.time() - run.updated < storage.STALE_AFTER, run
        while (run := store.list_runs(ws.id)[-1]).status == "running":
            assert time.monotonic() - closed < UNATTENDED + DEAD_AFTER + 60, (
                f"waited {UNATTENDED + DEAD_AFTER + 60} s for the unattended run to stop; {run}"
            )
            await asyncio.sleep(0.5)
        assert run.status == "stopped" and "Nobody looked at this run" in run.message, run
        return time.monotonic() - closed

    print(f"unattended run stopped {run_sync(close_mid_training()):.1f} s after the tab closed")

    async def next_learner_trains() -> Session:
        s = await start_training(url, epochs=1, address="127.0.0.42", images=0)
        await until(lambda: said(s, "finished") or said(s, "failed"), timeout=120, s=s)
        await s.close()
        return s

    s = run_sync(next_learner_trains())
    # The slot was freed: the next learner's run got it and finished (it may have waited in
    # line for the moment the closed run took to hand the slot back).
    assert said(s, "run 1 finished 1 epoch "), s.alerts
    assert not s.errors


@pytest.mark.timeout(300)
def test_navigating_away_and_back_then_stop_keeps_the_model(server):
    url, pid = server

    async def away_and_back() -> Session:
        await until_idle(pid)
        s = await start_training(url, epochs=20, address="127.0.0.43")
        await until_fitting(s)  # so stopping it leaves a model
        for path in ("draw", "inside", ""):
            await s.rerun(path)  # the run trains on while the learner looks elsewhere
        await s.rerun("train")
        assert "Stop" in s.widgets, "the run is still training and can be stopped"
        await s.click("Stop")
        await until(lambda: said(s, "You stopped the run."), s=s)
        await s.rerun()
        assert any("can now use **your model (run 1" in t for t in s.texts), s.texts
        await s.rerun("draw")  # the stopped run's model is offered on the Draw page
        await s.close()
        return s

    s = run_sync(away_and_back())
    assert not s.errors, s.errors
    assert any("your model (run 1" in o for o in s.widgets["Which model?"].proto.options)


@pytest.mark.timeout(300)
def test_a_reload_mid_training_finds_the_run_still_training_and_stop_still_works(
    server, data_folder
):
    url, pid = server
    cookie = workspace_cookie(data_folder)

    async def reload() -> Session:
        await until_idle(pid)
        old = await start_training(url, epochs=20, address="127.0.0.44", cookie=cookie)
        await until_fitting(old)
        await old.close()  # a reload: the old session goes, a new one comes from the same tab
        new = Session(url, ("127.0.0.44", 0), cookie=cookie)
        await new.connect()
        await new.rerun("train")
        assert "Stop" in new.widgets, (
            "the run trains on and shows in the reloaded tab",
            new.alerts,
        )
        assert new.widgets["Train"].proto.disabled
        at_reload = reached(new)
        assert at_reload[1] == 20, new.progress
        await asyncio.sleep(TTL + DEAD_AFTER + 2)  # the old session has gone for good
        # The run trains on across the reload: the tab sees it get further.
        await until(lambda: reached(new) > at_reload, timeout=120, s=new)
        await new.click("Stop")
        await until(lambda: said(new, "You stopped the run."), s=new)
        await new.close()
        return new

    new = run_sync(reload())
    assert not new.errors
    run_sync(until_idle(pid))


@pytest.mark.timeout(300)
def test_a_server_killed_mid_training_leaves_the_assets_intact():
    before = assets_digest()
    modes = {p.name: p.stat().st_mode for p in (ROOT / "assets").iterdir()}
    with streamlit_process(ONE_AT_A_TIME, options=OPTIONS) as (url, proc):

        async def train_then_die() -> None:
            s = await start_training(url, epochs=20)
            await asyncio.sleep(4)
            # Nothing under assets/ is open for writing while the app trains and serves.
            workers = workers_of(proc.pid)
            for pid in [proc.pid, *workers]:
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    target = os.path.realpath(f"/proc/{pid}/fd/{fd}")
                    if target.startswith(str(ROOT / "assets")):
                        flags = int(Path(f"/proc/{pid}/fdinfo/{fd}").read_text().split()[3], 8)
                        assert flags & (os.O_WRONLY | os.O_RDWR) == 0, target
            proc.send_signal(signal.SIGKILL)  # a power cut, not a clean stop
            proc.wait(10)
            s._poller.cancel()
            deadline = time.monotonic() + 60  # its workers notice and go: no orphans
            while not all(ended(pid) for pid in workers):
                assert time.monotonic() < deadline, [p for p in workers if not ended(p)]
                await asyncio.sleep(0.2)
            assert workers, "the run trained in a worker process"

        run_sync(train_then_die())
    # Byte for byte and mode for mode what it was: the next start reads what every start reads.
    assert assets_digest() == before
    assert {p.name: p.stat().st_mode for p in (ROOT / "assets").iterdir()} == modes
