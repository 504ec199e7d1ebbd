"""The instructor key: where it comes from, how a candidate is checked, how guessing is slowed.

The key is read from `CNN_LESSON_INSTRUCTOR_KEY`, else from Streamlit's secrets (the page side
passes it in), else made once per server process and shown only on the terminal that started
the server (as Jupyter shows its token), or, with no terminal, in a private file.
"""

import hmac
import os
import secrets
import sys
import threading
import time
from collections import deque
from pathlib import Path

KEY_VARIABLE = "CNN_LESSON_INSTRUCTOR_KEY"
SECRET_NAME = "instructor_key"  # in .streamlit/secrets.toml
MAX_LENGTH = 200  # characters: a longer candidate is refused before it is compared
SESSION_ATTEMPTS = 5  # wrong keys one browser session may try
PROCESS_ATTEMPTS = 30  # wrong keys the whole server process accepts per window
PROCESS_WINDOW = 600.0  # seconds

_lock = threading.Lock()
_generated: str | None = None
_failures: deque[float] = deque()  # times of wrong keys in this process


def configured(secret: str | None = None) -> str | None:
    """The key an administrator set (environment first, then secrets), or None."""
    for value in (os.environ.get(KEY_VARIABLE), secret):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def generated(announce) -> str:
    """This process's own key, made on first use; `announce(key)` tells the teacher, once."""
    global _generated
    with _lock:
        if _generated is None:
            _generated = secrets.token_urlsafe(18)
            announce(_generated)
        return _generated


def tell_teacher(link: str, folder: Path, terminal: str = "/dev/tty") -> str:
    """Write the instructor link to the server's terminal, never to a log; say where it went."""
    text = f"\n  Instructor link (keep it private): {link}\n\n"
    try:
        with open(terminal, "w") as tty:  # the teacher's terminal, not a redirected log
            tty.write(text)
        return "the terminal"
    except OSError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "instructor_link.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(link + "\n")
    sys.stderr.write(f"No terminal: the instructor link is in {path} (readable by you only).\n")
    return str(path)


def matches(candidate, key: str) -> bool:
    """Is `candidate` the key? In constant time for candidates of the same length."""
    if not isinstance(candidate, str) or not candidate or len(candidate) > MAX_LENGTH:
        return False
    return hmac.compare_digest(candidate.encode(), key.encode())


def process_blocked(now: float | None = None) -> bool:
    """Has this process seen too many wrong keys lately? (Then every key waits.)"""
    now = time.monotonic() if now is None else now
    with _lock:
        while _failures and _failures[0] < now - PROCESS_WINDOW:
            _failures.popleft()
        return len(_failures) >= PROCESS_ATTEMPTS


def failed(now: float | None = None) -> None:
    """Count one wrong key against the process."""
    with _lock:
        _failures.append(time.monotonic() if now is None else now)


def reset() -> None:
    """Forget the process's wrong keys and generated key (tests)."""
    global _generated
    with _lock:
        _failures.clear()
        _generated = None
