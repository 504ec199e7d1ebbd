"""Helpers for the browser tests: a live server on a free port and a headless Chromium."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# For a test's own app process that trains one run at a time: one training worker, not the
# pool's two (the Train page starts them all, and each imports TensorFlow and reads MNIST: about
# 7 CPU-seconds).
ONE_WORKER = {"CNN_LESSON_WORKERS": "1"}


@contextlib.contextmanager
def streamlit_server(env: dict | None = None, timeout: float = 90, options: tuple = ()):
    """Run `streamlit run app.py` on a free port; yield its base URL; stop it afterwards."""
    with streamlit_process(env, timeout, options) as (url, _):
        yield url


@contextlib.contextmanager
def streamlit_process(
    env: dict | None = None, timeout: float = 90, options: tuple = (), port: int | None = None
):
    """Like streamlit_server, but yield (base URL, the server's Popen)."""
    port = port or free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false", *options,
    ]  # fmt: skip
    log = open(ROOT / f".server-{port}.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start: {log.name}") from None
                time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        _report_tracebacks(Path(log.name))
        Path(log.name).unlink(missing_ok=True)


def _report_tracebacks(log: Path) -> None:
    """Print a server's tracebacks past pytest's capture: the log is gone after the test, and a
    page that showed "This app has encountered an error" is explained only there."""
    text = log.read_text(errors="replace") if log.exists() else ""
    if "Traceback" in text:
        start = text.index("Traceback")
        print(
            f"\n--- tracebacks in {log.name} ---\n{text[start : start + 6000]}", file=sys.__stderr__
        )


def launch_chromium(playwright):
    """Debian's Chromium, headless, with no network chatter."""
    return playwright.chromium.launch(
        executable_path=shutil.which("chromium"), headless=True, args=CHROMIUM_ARGS
    )


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until the script has finished its run after the last action."""
    page.wait_for_timeout(300)  # let the rerun start before waiting for it to end
    page.wait_for_selector(IDLE, timeout=timeout)


def _postgres_bin(name: str) -> str:
    """A PostgreSQL server program from Debian's package (any installed version)."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql")
    return str(found[-1])


class Postgres:
    """A throwaway PostgreSQL cluster on loopback, run as the postgres user."""

    def __init__(self):
        import pwd
        import tempfile

        self.folder = Path(tempfile.mkdtemp(prefix="cnn-lesson-pg-"))
        user = pwd.getpwnam("postgres")
        os.chown(self.folder, user.pw_uid, user.pw_gid)
        self.port = free_port()
        self.data = self.folder / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/lesson"
        self._as_postgres(_postgres_bin("initdb"), "-D", str(self.data), "-A", "trust",
                          "-U", "postgres")  # fmt: skip

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            check=True, cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(_postgres_bin("pg_ctl"), "-D", str(self.data), "-o", options,
                          "-l", str(self.folder / "log"), "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self._as_postgres(_postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "fast",
                          "-w", "stop")  # fmt: skip

    def database(self, name: str) -> str:
        """Make an empty database `name`; its URL."""
        self._as_postgres(_postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                          "-U", "postgres", name)  # fmt: skip
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def postgres_server():
    """A running PostgreSQL cluster with an empty database `lesson`; yield the Postgres."""
    pg = Postgres()
    try:
        pg.start()
        pg._as_postgres(_postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(pg.port),
                        "-U", "postgres", "lesson")  # fmt: skip
        yield pg
    finally:
        pg.remove()


def proc_stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name (state, parent, ...)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads, not its children), in seconds."""
    fields = proc_stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (every core, every process) since boot."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait; the rest is work
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def until_quiet(cores: float = 0.3, timeout: float = 30) -> float:
    """Wait until the machine keeps fewer than `cores` busy over half a second; the cores then.

    A timing test measures its own work, not what the previous test leaves running as it ends
    (servers shutting down, disk writes). After `timeout` it goes on: its own bound judges.
    """
    deadline = time.monotonic() + timeout
    while True:
        before = machine_busy_seconds()
        time.sleep(0.5)
        busy = (machine_busy_seconds() - before) / 0.5
        if busy < cores or time.monotonic() > deadline:
            return busy
