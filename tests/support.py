"""Helpers for the browser tests: a live server on a free port and a headless Chromium."""

import contextlib
import os
import shutil
import subprocess
import time
from pathlib import Path

# The server, Chromium and the wait for a run's end are shared with the bench.
from lesson.tools.serving import (  # noqa: F401 (re-exported for the tests)
    CHROMIUM_ARGS,
    IDLE,
    ROOT,
    WATCH_STATES,
    click_cell,
    free_port,
    launch_chromium,
    page_state,
    screenshot,
    streamlit_process,
    streamlit_server,
    wait_idle,
)

# For a test's own app process that trains one run at a time: one training worker, not the
# pool's two (the Train page starts them all, and each imports TensorFlow and reads MNIST: about
# 7 CPU-seconds).
ONE_WORKER = {"CNN_LESSON_WORKERS": "1"}


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


def wait_for(condition, what: str, seen=lambda: "", timeout: float = 120) -> None:
    """Wait until `condition()`; on a timeout say what was awaited and what `seen()` shows."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}; saw {seen()}"
        time.sleep(0.05)


def waited_for(condition) -> str:
    """The source line of a waited-for condition (a lambda), for a timeout's message."""
    import inspect

    try:
        return " ".join(inspect.getsource(condition).split())
    except (OSError, TypeError):
        return repr(condition)
