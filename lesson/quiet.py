"""TensorFlow's start-up notes kept off the terminal, in one place; its errors still show.

TensorFlow 2.21 writes its notes through absl before absl is set up, so TF_CPP_MIN_LOG_LEVEL
does not reach them (the cudart stub, oneDNN and CPU-instruction notes, absl's own warning).
`install` filters what C++ writes to file descriptor 2 line by line and passes the rest on.
"""

import atexit
import contextlib
import os
import re
import signal
import subprocess
import sys

ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "2",  # the notes TensorFlow's own logging still filters
    "KERAS_BACKEND": "tensorflow",
}

# One line each, as TensorFlow 2.21 writes them on a machine without a GPU.
NOISE = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IW]\d{4} [\d:. ]+\d+ \w+\.cc:\d+\] "  # absl's info and warning lines
    r"|E\d{4} [\d:. ]+\d+ cuda_\w+\.cc:\d+\] "  # no CUDA on this machine: not an error here
    r"|To enable the following instructions: .* rebuild TensorFlow"
    r"|\d{4}-\d\d-\d\d [\d:.]+: [IW] \S+\.cc:\d+\] "  # TensorFlow's own logging
)

_filter = None  # the filter's process, once installed


def environment() -> None:
    """Set the variables TensorFlow reads when it is imported (unless already set)."""
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)


def noise(line: str) -> bool:
    """True for a line of TensorFlow's start-up notes."""
    return bool(NOISE.match(line))


def install() -> None:
    """Filter file descriptor 2 of this process (and its children) from now on: once."""
    global _filter
    environment()
    if _filter is not None:
        return
    sys.stderr.flush()
    terminal = os.dup(2)
    # A process of its own, not a thread: it passes on the last lines of a process that dies.
    _filter = subprocess.Popen(
        [sys.executable, "-c", "from lesson import quiet; quiet.filter_process()"],
        stdin=subprocess.PIPE,
        stdout=terminal,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    os.dup2(_filter.stdin.fileno(), 2)
    # Python's own writes (tracebacks, warnings, messages) go straight to the terminal.
    sys.stderr = os.fdopen(terminal, "w", buffering=1, encoding="utf-8", errors="replace")
    atexit.register(_flush)


def _flush() -> None:
    """At exit: give descriptor 2 back and let the filter write what it still holds."""
    os.dup2(sys.stderr.fileno(), 2)
    _filter.stdin.close()
    with contextlib.suppress(subprocess.TimeoutExpired):
        _filter.wait(timeout=5)


def pass_on(source, terminal) -> None:
    """Copy each line but TensorFlow's notes from `source` to `terminal` (binary files)."""
    for line in source:
        if not noise(line.decode("utf-8", "replace")):
            terminal.write(line)
            terminal.flush()


def filter_process() -> None:
    """The filter's own process: its input is the pipe, its output the terminal."""
    # Ctrl-C is for the server: the filter ends when the last writer closes its pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pass_on(sys.stdin.buffer, sys.stdout.buffer)
