"""Load test: many learners on one server (or two behind nginx), with trainings running.

    python -m tests.load.loadtest --sessions 30 --trainers 2 --rounds 6
    python -m tests.load.loadtest --sessions 30 --nginx        # two app processes behind nginx

Every learner joins a class that the instructor opened on the board page and that already holds
10 posted runs per learner (earlier learners, posted through the class store); the runs the
learners train are posted to it, and one instructor's session watches `/board` throughout
(tests/load/board.py): the board's answer times and how soon each post shows there.

It opens real Streamlit sessions over the websocket protocol (no browser: 30 Chromium tabs would
measure Chromium, not the server), walks them through the pages, has some of them train, and
prints one JSON object of figures. Bounded in count and time; it only talks to 127.0.0.0/8.
With --nginx it also reports the bytes of a first visit, from an app process itself and through
nginx (tests/load/downloads.py: Chromium lists a first visit's files once).
"""

import argparse
import asyncio
import contextlib
import json
import random
import re
import secrets
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from tests.load import board, downloads
from tests.load.client import Session
from tests.support import ROOT, free_port, postgres_server, streamlit_process

HERE = Path(__file__).resolve().parent
# What a learner does on each page: (url path, widget label, values to try).
WALK = [
    ("", "Row", [3, 10, 20]),
    ("one-hot", "First training image", [0, 100, 500]),
    ("build", "Units in the hidden dense layer", [32, 64, 128]),
    ("train", "Epochs", [1, 2, 3]),
    ("draw", "Pen width", [10, 20, 30]),
    ("inside", None, []),
    ("mistakes", None, []),
]
TRAIN_PATH, TRAIN_BUTTON = "train", "Train"
SAVED_AS = {"Epochs": "epochs", "Units in the hidden dense layer": "dense_units"}  # link keys
QUEUED = re.compile(r"waiting in line\*\* \(number (\d+)\)")
KEY = secrets.token_urlsafe(16)  # the instructor key of the servers this run starts
VIEWER = "127.0.0.9"  # the board's source address (the learners': 127.0.0.10 and up)


def rss_mb(pid: int, workers: bool = True) -> float:
    """Resident memory of a process and (with `workers`) its children, in MB."""
    total = 0
    for p in [pid, *(children(pid) if workers else [])]:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def memory_mb(pids: list[int]) -> tuple[float, float]:
    """Resident memory of the app processes: (with their training workers, alone), in MB."""
    web = sum(rss_mb(p, workers=False) for p in pids)
    return web + sum(rss_mb(c, workers=False) for p in pids for c in children(p)), web


def children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def slow(timings: dict, seconds: float, what: str) -> None:
    """Note an answer for the slowest list: (seconds, what, seconds since the wave began)."""
    at = time.perf_counter() - timings["start"]
    timings["slowest"].append((round(seconds, 1), what, round(at - seconds, 1)))


async def learner(
    url: str, index: int, rounds: int, think: tuple, timings: dict, train: bool, source: str,
    cookie: str = "", code: str = "",
):  # fmt: skip
    """One learner: open the app (and join the class of `code`), then walk the pages `rounds`
    times, changing a widget on each.

    Between two actions the learner reads for `think` = (least, most) seconds. What they last
    did goes into timings["did"][index], to check against their saved workspace.
    """
    did = timings["did"][index] = {}
    rng = random.Random(index)
    s = Session(url, local_addr=(source, 0), cookie=cookie)
    timings["first_page"].append(await s.connect())
    timings["sessions_opened"] += 1
    try:
        # A person reads the page that opened before doing anything, and types at a person's
        # pace (until 2026-12-04 the join and the walk began at once: 30 learners asked for
        # five runs each in the same second, the last of them a request of the page just shown).
        await asyncio.sleep(rng.uniform(*think))
        if code:
            await board.join(s, code, board.learner_name(index), rng.uniform(*think) / 2)
        if train and TRAIN_PATH in s.pages:
            await s.rerun(TRAIN_PATH)
            s.alerts.clear()
            await s.click(TRAIN_BUTTON)
            timings["trainings_started"] += 1
            await asyncio.sleep(2)  # watch the run (or the queue) for a moment: fragment reruns
            timings["queue_positions"].extend(int(n) for n in QUEUED.findall(" ".join(s.alerts)))
        for _ in range(rounds):
            for path, label, values in WALK:
                if path not in s.pages or (train and path != TRAIN_PATH and rng.random() < 0.5):
                    continue
                s.alerts.clear()
                errors = len(s.errors)
                timings["page_switch"].append(await s.rerun(path))
                did["page"] = path
                slow(timings, timings["page_switch"][-1], path or "data")
                if len(s.errors) > errors:
                    timings["error_pages"].append(f"{path or 'data'} (page switch)")
                if label in s.widgets and not getattr(s.widgets[label].proto, "disabled", False):
                    value = rng.choice(values)
                    timings["widget_change"].append(await s.set(label, value))
                    did[SAVED_AS.get(label, label)] = str(value)
                    slow(timings, timings["widget_change"][-1], label)
                    if len(s.errors) > errors:
                        timings["error_pages"].append(f"{path or 'data'} ({label})")
                await asyncio.sleep(rng.uniform(*think))  # a person reads
                if path == TRAIN_PATH:
                    found = QUEUED.findall(" ".join(s.alerts))
                    timings["queue_positions"].extend(int(n) for n in found)
        timings["errors"].extend(s.errors)
    finally:
        await s.close()


async def wave(
    url: str, n: int, trainers: int, rounds: int, think: tuple, pids: list[int],
    store_url: str | None = None, code: str = "", key: str = KEY,
) -> dict:  # fmt: skip
    """Open n sessions at once; return response times and memory figures.

    With `store_url` (the servers' database) every learner brings a workspace, and afterwards
    each workspace is checked: the last page, settings and runs of its learner, nothing lost.
    With `code` too (a class the instructor of `key` opened), every learner joins it and one
    instructor's session watches the board until every run posted in the wave shows there.
    """
    timings = {"page_switch": [], "widget_change": [], "errors": [], "queue_positions": [],
               "first_page": [],
               "error_pages": [], "slowest": [], "did": {},
               "trainings_started": 0, "sessions_opened": 0,
               "start": time.perf_counter()}  # fmt: skip
    before, web_before = memory_mb(pids)
    spaces = []
    if store_url:
        from lesson.machinery import store as storage

        store = storage.Store(store_url)
        spaces = [store.create_workspace() for _ in range(n)]
    cookies = [f"cnn_lesson_workspace={ws.token}" for ws in spaces] or [""] * n
    tasks = [
        learner(url, i, rounds, think, timings, i < trainers, f"127.0.0.{10 + i}", cookies[i],
                code if spaces else "")
        for i in range(n)
    ]  # fmt: skip
    watch, stop, since = board.Watch(), asyncio.Event(), time.time()
    if code and spaces:
        viewer = asyncio.create_task(board.viewer(url, key, VIEWER, watch, stop))
    start = time.perf_counter()
    peak, web_peak = before, web_before
    sampling = True

    async def sample() -> None:  # the highest memory while the sessions are open
        nonlocal peak, web_peak
        while sampling:
            total, web = memory_mb(pids)
            peak, web_peak = max(peak, total), max(web_peak, web)
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    results = await asyncio.gather(*tasks, return_exceptions=True)
    sampling = False
    await sampler
    failures = [repr(r) for r in results if isinstance(r, BaseException)]
    saved = await check_saved(store, spaces, timings, trainers) if spaces else {}
    if code and spaces:  # runs are posted as they end: give the board a refresh or two more
        posts = await board.wait_seen(store_url, code, since, [watch], timeout=90)
        stop.set()
        await viewer
        saved["board"] = board.figures(watch, posts)
    return {
        **saved,
        "sessions": n,
        "sessions_opened": timings["sessions_opened"],
        "seconds": round(time.perf_counter() - start, 1),
        "first_page_median_s": median(timings["first_page"]),
        "first_page_max_s": round(max(timings["first_page"], default=0), 3),
        "page_switch_median_s": median(timings["page_switch"]),
        "page_switch_p95_s": p95(timings["page_switch"]),
        "widget_change_median_s": median(timings["widget_change"]),
        "widget_change_p95_s": p95(timings["widget_change"]),
        # After the first pages (first_page_*): (seconds, page or widget, when it was asked)
        "slowest_answers": sorted(timings["slowest"], reverse=True)[:12],
        "answers": len(timings["page_switch"]) + len(timings["widget_change"]),
        "trainings_started": timings["trainings_started"],
        "queue_positions_seen": sorted(set(timings["queue_positions"])),
        "rss_before_mb": round(before),
        "rss_after_mb": round(peak),
        "mb_per_session": round((peak - before) / n, 1),  # the training workers' growth too
        # The web processes alone: what a learner's session costs (workers: README, Memory)
        "web_rss_before_mb": round(web_before),
        "web_rss_after_mb": round(web_peak),
        "web_mb_per_session": round((web_peak - web_before) / n, 1),
        "exceptions_on_pages": len(timings["errors"]),
        "pages_with_exceptions": sorted(set(timings["error_pages"])),
        "failed_sessions": failures[:5],
    }


async def check_saved(store, spaces: list, timings: dict, trainers: int) -> dict:
    """Every learner's workspace holds what they last did; every run started ends saved."""
    from lesson.machinery import store as storage

    deadline = time.monotonic() + 300  # runs belong to workspaces: they end after the wave
    while time.monotonic() < deadline:
        runs = [store.list_runs(ws.id) for ws in spaces[:trainers]]
        if all(r and r[-1].status not in storage.LIVE for r in runs):
            break
        await asyncio.sleep(1)
    problems = []
    for i, ws in enumerate(spaces):
        state = store.open_workspace(ws.token).state
        did = timings["did"].get(i, {})
        experiment = state.get("experiment", {})
        if "page" in did and state.get("page") != did["page"]:
            problems.append(f"learner {i}: page {state.get('page')!r}, not {did['page']!r}")
        for key in ("epochs", "dense_units"):
            if key in did and experiment.get(key) != did[key]:
                problems.append(f"learner {i}: {key} {experiment.get(key)!r}, not {did[key]!r}")
        runs = store.list_runs(ws.id)
        if i < trainers and not (runs and runs[-1].status in ("done", "stopped")):
            problems.append(f"learner {i}: run {[(r.number, r.status) for r in runs]}")
    return {"workspaces_checked": len(spaces), "workspaces_lost_or_mixed": problems[:10]}


def server_tracebacks(ports: list[str]) -> list[str]:
    """The last lines of every traceback in the app servers' logs (none is the goal)."""
    found = []
    for port in ports:
        with contextlib.suppress(OSError):
            log = (ROOT / f".server-{port}.log").read_text()
            found += [t.strip()[-600:] for t in log.split("Traceback")[1:]]
    return found[:5]


def median(xs):
    return round(statistics.median(xs), 3) if xs else None


def p95(xs):
    return round(sorted(xs)[int(0.95 * (len(xs) - 1))], 3) if xs else None


@contextlib.contextmanager
def servers(count: int, ttl: int, nginx: bool, limit: int = 2):
    """Start `count` app processes (and nginx in front of them) with a database of their own.

    One process stores workspaces in a new SQLite file; several share a new PostgreSQL server.
    Yields (url, pids, ports, the database's URL).
    """
    options = ("--server.disconnectedSessionTTL", str(ttl))
    env = {"CNN_LESSON_MAX_TRAININGS": str(limit), "CNN_LESSON_INSTRUCTOR_KEY": KEY}
    with contextlib.ExitStack() as stack:
        if count > 1:
            database = stack.enter_context(postgres_server()).url
            env["CNN_LESSON_DATABASE_URL"] = database
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="cnn-lesson-load-"))
            env["CNN_LESSON_DATA"] = folder
            database = f"sqlite:///{folder}/lesson.db"
        started = [
            stack.enter_context(streamlit_process(env, options=options)) for _ in range(count)
        ]
        pids = [proc.pid for _, proc in started]
        ports = [u.rsplit(":", 1)[1] for u, _ in started]
        if not nginx:
            yield started[0][0], pids, ports, database
            return
        yield stack.enter_context(nginx_proxy([u for u, _ in started])), pids, ports, database


def routed(access_log: Path) -> list[tuple[str, list[str]]]:
    """Each request in nginx_proxy's `access_log`: (client address, app servers tried).

    The last server tried answered ("a, b" when a failed and b took the request). Requests
    nginx answered from its static cache name no server ("-") and are left out.
    """
    lines = [line.split(maxsplit=1) for line in access_log.read_text().splitlines()]
    return [(client, tried.split(", ")) for client, tried in lines if tried.strip() != "-"]


def servers_by_client(access_log: Path) -> dict[str, set[str]]:
    """Every app server each client address reached (or was tried on), from `access_log`."""
    servers: dict[str, set[str]] = {}
    for client, tried in routed(access_log):
        servers.setdefault(client, set()).update(tried)
    return servers


@contextlib.contextmanager
def nginx_proxy(upstreams: list[str], access_log: Path | None = None):
    """nginx on a free loopback port, sticky by client address, over the given app servers.

    With `access_log`, nginx writes one line per request there: client address, app server.
    """
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    prefix = Path(tempfile.mkdtemp(prefix="cnn-lesson-nginx-"))
    prefix.chmod(0o755)  # run as root, nginx's workers are `nobody`: they write its cache
    (prefix / "logs").mkdir()
    servers_conf = "\n".join(f"        server {u.removeprefix('http://')};" for u in upstreams)
    conf = (HERE / "nginx.conf").read_text()
    conf = conf.replace("# APP SERVERS", servers_conf.strip()).replace("8500", str(port))
    if access_log:
        conf = conf.replace(
            "access_log off;",
            "log_format routed '$remote_addr $upstream_addr';\n"
            f"    access_log {access_log} routed;",
        )
    (prefix / "nginx.conf").write_text(conf)
    proc = subprocess.Popen([binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf")])
    try:
        time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(prefix, ignore_errors=True)


async def run(args) -> dict:
    """Warm the server, run two waves (the second after the first's sessions expired)."""
    count = 2 if args.nginx else 1
    with servers(count, args.ttl, args.nginx, args.limit) as (url, pids, ports, database):
        for port in ports:  # each process directly: through nginx one address reaches one
            warm = Session(f"http://127.0.0.1:{port}")
            await warm.connect()  # the first visit loads MNIST and imports Keras, once per process
            for path in [path for path, *_ in WALK] + [board.PATH]:
                if path in warm.pages:
                    await warm.rerun(path, timeout=120)
            await warm.close()
        sizes = {}
        if args.nginx:  # what a first visit downloads, from a process itself and through nginx
            direct = f"http://127.0.0.1:{ports[0]}"
            sizes = await asyncio.to_thread(downloads.measure, direct, url)
        code, seeded = "", 0
        if args.board_runs:  # the instructor opens a class; earlier learners fill its board
            code = await board.open_class(url, KEY, VIEWER)
            seeded = board.seed(database, code, args.sessions, args.board_runs)
        first = await wave(
            url, args.sessions, args.trainers, args.rounds, args.think, pids, database, code
        )
        first["board_runs_before_wave"] = seeded
        await asyncio.sleep(args.ttl + 5)  # closed sessions are dropped after the TTL
        released, web_released = memory_mb(pids)
        second = await wave(url, args.sessions, 0, 1, args.think, pids)
        return {
            "servers": len(pids),
            "training_limit_per_process": args.limit,
            "behind_nginx": args.nginx,
            **sizes,
            "first_wave": first,
            "rss_after_sessions_expired_mb": round(released),
            "web_rss_after_sessions_expired_mb": round(web_released),
            "second_wave": second,
            "second_wave_growth_mb": round(second["rss_after_mb"] - released),
            "server_tracebacks": server_tracebacks(ports),
        }


def main() -> None:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--trainers", type=int, default=3, help="sessions that press Train")
    ap.add_argument("--limit", type=int, default=2, help="trainings at once per app process")
    ap.add_argument("--rounds", type=int, default=3, help="walks through the pages per session")
    ap.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(2.0, 6.0),
        metavar=("LEAST", "MOST"),
        help="seconds a learner reads between two actions",
    )
    ap.add_argument("--ttl", type=int, default=20, help="server.disconnectedSessionTTL, seconds")
    ap.add_argument(
        "--board-runs",
        type=int,
        default=10,
        help="runs on the class board before the wave, per learner (0: no class, no board)",
    )
    ap.add_argument("--nginx", action="store_true", help="two app processes behind nginx")
    args = ap.parse_args()
    if not 1 <= args.sessions <= 60:
        ap.error("--sessions must be 1..60")  # bounded: this is a test, not a flood
    if not 0 <= args.board_runs <= 20:
        ap.error("--board-runs must be 0..20")
    print(json.dumps(asyncio.run(asyncio.wait_for(run(args), 900)), indent=1))


if __name__ == "__main__":
    main()
