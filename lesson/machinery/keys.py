"""The instructor key: where it comes from, how a candidate is checked, how guessing is slowed,
and the signed instructor session a browser keeps.

The key is read from `CNN_LESSON_INSTRUCTOR_KEY`, else from Streamlit's secrets (the page side
passes it in), else made once per server process and shown only on the terminal that started
the server (as Jupyter shows its token), or, with no terminal, in a private file.
"""

import hashlib
import hmac
import math
import os
import secrets
import sys
import threading
import time
from pathlib import Path

KEY_VARIABLE = "CNN_LESSON_INSTRUCTOR_KEY"
SECRET_NAME = "instructor_key"  # in .streamlit/secrets.toml
MAX_LENGTH = 200  # characters: a longer candidate is refused before it is compared
FREE_TRIES = {"browser": 5, "address": 20}  # wrong keys before each wait, per kind of client
FIRST_WAIT = 30.0  # seconds after the first wrong key past the free ones; doubles each time
LONGEST_WAIT = 900.0  # seconds: the wait grows no further
FORGET_AFTER = 3600.0  # seconds: a client's wrong keys are forgotten after an hour without one
KEPT_CLIENTS = 10_000  # clients remembered at most (the oldest go first)
SESSION_HOURS = 12.0  # how long a signed instructor session (the browser's cookie) lasts

_lock = threading.Lock()
_generated: str | None = None
# (kind, client) -> (wrong keys, time of the last): per browser and per address, never server-wide
_failures: dict[tuple[str, str], tuple[int, float]] = {}
clock = time.monotonic  # the limits' clock (tests set their own)


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


def _wait(count: int, kind: str) -> float:
    """Seconds a client with `count` wrong keys waits after its last one before trying again."""
    over = count - FREE_TRIES[kind]
    return 0.0 if over < 0 else min(FIRST_WAIT * 2**over, LONGEST_WAIT)


def wait_left(clients: dict[str, str | None], now: float | None = None) -> float:
    """Seconds until these clients ({"browser": id, "address": ip or None}) may try a key."""
    now = clock() if now is None else now
    left = 0.0
    with _lock:
        for kind, client in clients.items():
            count, last = _failures.get((kind, client), (0, -math.inf)) if client else (0, 0.0)
            if now - last > FORGET_AFTER:
                continue
            left = max(left, last + _wait(count, kind) - now)
    return left


def failed(clients: dict[str, str | None], now: float | None = None) -> None:
    """Count one wrong key against each of these clients (an unknown address is not counted)."""
    now = clock() if now is None else now
    with _lock:
        for kind, client in clients.items():
            if not client:
                continue
            count, last = _failures.pop((kind, client), (0, now))
            _failures[(kind, client)] = (1 if now - last > FORGET_AFTER else count + 1, now)
        while len(_failures) > KEPT_CLIENTS:  # dicts keep order: the least recent go first
            del _failures[next(iter(_failures))]


def succeeded(clients: dict[str, str | None]) -> None:
    """The right key: this browser's wrong keys are forgotten (its address's are not)."""
    with _lock:
        _failures.pop(("browser", clients.get("browser")), None)


# --- the signed instructor session, kept in a cookie -------------------------------------------


def _signer(key: str) -> bytes:
    """The secret that signs instructor sessions: derived from the key, so a new key ends them."""
    return hashlib.sha256(b"cnn-lesson instructor session\0" + key.encode()).digest()


def _signature(payload: str, key: str) -> str:
    return hmac.new(_signer(key), payload.encode(), hashlib.sha256).hexdigest()


def session_value(key: str, now: float | None = None) -> str:
    """A new signed instructor session: "nonce.expiry.signature", expiry in seconds since 1970."""
    now = time.time() if now is None else now
    payload = f"{secrets.token_urlsafe(12)}.{int(now + SESSION_HOURS * 3600)}"
    return f"{payload}.{_signature(payload, key)}"


def session_valid(value, key: str, now: float | None = None) -> bool:
    """Did this server sign `value` with the present key, and has it not expired?"""
    if not isinstance(value, str) or len(value) > MAX_LENGTH or value.count(".") != 2:
        return False
    payload, _, signature = value.rpartition(".")
    if not hmac.compare_digest(signature.encode(), _signature(payload, key).encode()):
        return False
    expiry = payload.rpartition(".")[2]
    now = time.time() if now is None else now
    return expiry.isdigit() and now < int(expiry)


def reset() -> None:
    """Forget the process's wrong keys and generated key (tests)."""
    global _generated
    with _lock:
        _failures.clear()
        _generated = None
