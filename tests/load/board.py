"""The class board under load: an instructor opens a class, learners join it, one session
watches `/board` and times its answers and how soon each posted run shows there.

The viewer answers the board's fragment itself (every 2 s, as a browser does) so that each
refresh is timed, and opens the whole page again every few seconds (a reload). A run counts
as shown once the board's text of its newest runs names it ("Load 07, run 1").
"""

import asyncio
import math
import random
import re
import statistics
import time
from dataclasses import dataclass, field

from tests.load.client import Session

PATH = "board"
POSTED = re.compile(r"^(\d+) runs? posted")  # "1 run posted", "2 runs posted"
LATEST = re.compile(r"(?:Latest runs: |; )(.+?), run (\d+): ")


def learner_name(index: int) -> str:
    """A wave learner's name on the board (never "Learner N": hidden names read so)."""
    return f"Load {index:02d}"


async def open_class(url: str, key: str, source: str, name: str = "Load test") -> str:
    """The instructor opens a class on the board page; its join code."""
    s = Session(url, (source, 0), query=f"instructor={key}")
    await s.connect()
    try:
        await s.rerun(PATH, timeout=120)
        assert "New class name" in s.widgets, (sorted(s.widgets), s.alerts, s.errors)
        await s.set("New class name", name)
        await s.click("Open a class")
        codes = [v for label, v in s.metrics.items() if label.startswith("Join code")]
        assert codes and not s.errors, (s.metrics, s.errors)
        return codes[0]
    finally:
        await s.close()


async def join(s: Session, code: str, name: str, typing: float = 0.0) -> None:
    """A learner joins the class in the sidebar's Class box, `typing` seconds per answer."""
    await s.set("Join code", code)
    await asyncio.sleep(typing)
    await s.set("Your name on the board", name)
    await asyncio.sleep(typing)
    await s.click("Join the class")
    assert any(a.startswith("You joined") for a in s.alerts), (s.alerts, s.errors)


def seed(store_url: str, code: str, learners: int, runs: int) -> int:
    """`learners` earlier learners join the class and each posts `runs` runs, one a minute
    (under the posting limit), in the hour before now; how many posts the board then holds."""
    from lesson.machinery import classes
    from lesson.machinery import store as storage

    store = storage.Store(store_url)
    rng = random.Random(13)
    try:
        for i in range(learners):
            ws = store.create_workspace()
            classes.join(store, ws.id, code, f"Earlier {i:02d}")
            for k in range(runs):
                experiment = {
                    "learning_rate": rng.choice(["0.0003", "0.001", "0.003", "0.01", "0.1"]),
                    "batch_size": rng.choice(["32", "64", "128", "256"]),
                    "optimizer": rng.choice(["adam", "sgd", "rmsprop"]),
                    "epochs": rng.choice(["1", "2", "3"]),
                    "train_images": rng.choice(["5000", "20000", "60000"]),
                    "conv_blocks": "2", "filters": "6,16,32", "dense_units": "128",
                }  # fmt: skip
                results = {"test": {"accuracy": rng.uniform(0.9, 0.99), "loss": 0.1},
                           "parameters": 53558, "seconds": rng.uniform(5, 40)}  # fmt: skip
                when = time.time() - 3600 + 60 * k + i  # a minute apart: never refused
                said = classes.post_run(store, ws.id, k + 1, experiment, results, "done", when)
                assert said == "posted", said
        info = classes.find_class(store, code)
        return len(classes.board(store, info.id))
    finally:
        store.close()


@dataclass
class Watch:
    """What the viewer measured."""

    opens: list[float] = field(default_factory=list)  # seconds: the whole board page
    refreshes: list[float] = field(default_factory=list)  # seconds: the board's fragment
    seen: dict[tuple[str, int], float] = field(default_factory=dict)  # (who, run) -> time.time()
    shown: int = 0  # runs posted, as the board last said
    errors: list[str] = field(default_factory=list)

    def read(self, texts: list[str]) -> None:
        """Take the board's count and its newest runs from a run's texts."""
        now = time.time()
        for text in texts:
            if m := POSTED.match(text):
                self.shown = int(m.group(1))
            if text.startswith("Latest runs: "):
                for who, run in LATEST.findall(text):
                    self.seen.setdefault((who.replace("\\", ""), int(run)), now)


async def viewer(
    url: str, key: str, source: str, watch: Watch, stop: asyncio.Event, reopen: float = 10.0
) -> None:
    """The projected board (an instructor's session): refreshed as a browser does, reopened
    every `reopen` seconds, until `stop` is set."""
    s = Session(url, (source, 0), query=f"instructor={key}", poll=False)
    await s.connect()
    try:
        opened = -math.inf  # not 0: a machine booted minutes ago has a small monotonic clock
        while not stop.is_set():
            if time.monotonic() - opened > reopen:
                watch.opens.append(await s.rerun(PATH, timeout=60))
                opened = time.monotonic()
                watch.read(s.texts)
                continue
            fragments = s.fragments
            if not fragments:  # not the board (a refused key, no class): nothing to watch
                watch.errors.append(f"no live board; alerts: {s.alerts[-3:]}")
                return
            fragment_id, interval = next(iter(fragments.items()))
            try:  # the browser's timer; a stop ends the wait
                await asyncio.wait_for(stop.wait(), interval)
                break
            except TimeoutError:
                pass
            mark = len(s.texts)  # a fragment run adds to the page's texts
            watch.refreshes.append(await s.rerun(fragment_id=fragment_id, timeout=60))
            watch.read(s.texts[mark:])
        watch.errors.extend(s.errors)
    finally:
        await s.close()


def quantiles(xs: list[float]) -> dict:
    """Median, 95th percentile and maximum, in seconds."""
    if not xs:
        return {"median_s": None, "p95_s": None, "max_s": None, "count": 0}
    ordered = sorted(xs)
    return {"median_s": round(statistics.median(ordered), 3),
            "p95_s": round(ordered[int(0.95 * (len(ordered) - 1))], 3),
            "max_s": round(ordered[-1], 3), "count": len(ordered)}  # fmt: skip


def posts_since(store_url: str, code: str, since: float) -> list[tuple[str, int, float]]:
    """(who, run, posted at) of every run posted to the class after `since`."""
    from lesson.machinery import classes
    from lesson.machinery import store as storage

    store = storage.Store(store_url)
    try:
        info = classes.find_class(store, code)
        posts = classes.board(store, info.id) if info else []
        return [(p.name, p.number, p.posted) for p in posts if p.posted > since]
    finally:
        store.close()


async def wait_seen(
    store_url: str, code: str, since: float, watches: list[Watch], timeout: float
) -> list:
    """Wait until every viewer saw every run posted since `since` (or `timeout`); the posts."""
    deadline = time.monotonic() + timeout
    while True:
        posts = posts_since(store_url, code, since)
        if all((who, run) in w.seen for w in watches for who, run, _ in posts):
            return posts
        if time.monotonic() > deadline:
            return posts
        await asyncio.sleep(0.5)


def figures(watch: Watch, posts: list) -> dict:
    """The board's figures for the wave's output: its answers (the whole page, opened again
    every few seconds; the live part, every 2 s) and how soon each run posted in the wave
    showed, in seconds (median, 95th percentile, max, how many). The first opening is apart: on
    a cold process it also waits for Keras's import (the board's class controls need it)."""
    visible = [watch.seen[(who, run)] - at for who, run, at in posts if (who, run) in watch.seen]
    unseen = [f"{who}, run {run}" for who, run, _ in posts if (who, run) not in watch.seen]
    return {
        "runs_shown": watch.shown,
        "page_first_open_s": round(watch.opens[0], 3) if watch.opens else None,
        "page_open": quantiles(watch.opens[1:]),
        "refresh": quantiles(watch.refreshes),
        "runs_posted_in_wave": len(posts),
        "post_visible": quantiles(visible),
        "posts_never_seen": unseen[:10],
        "errors": watch.errors[:5],
    }
