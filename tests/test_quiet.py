"""TensorFlow's start-up notes stay off the terminal of a command; errors still reach it."""

import os
import subprocess
import sys

from lesson import quiet
from tests.support import ROOT

NOTES = [  # as TensorFlow 2.21 writes them on a machine without a GPU
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1796658719.112507   12866 port.cc:153] oneDNN custom operations are on. You may",
    "I0000 00:00:1796658719.113128   12866 cudart_stub.cc:31] Could not find cuda drivers on your",
    "I0000 00:00:1796658701.811176   12295 cpu_feature_guard.cc:227] This TensorFlow binary is",
    "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild "
    "TensorFlow with the appropriate compiler flags.",
    "E0000 00:00:1796658730.941266   12866 cuda_platform.cc:52] failed call to cuInit: INTERNAL:",
]
ERRORS = [
    "E0000 00:00:1796658730.941266   12866 op_kernel.cc:1857] OP_REQUIRES failed at conv_ops.cc",
    "error: the model file is missing",
    "Traceback (most recent call last):",
]


def test_the_notes_are_noise_and_errors_are_not():
    assert [line for line in NOTES if not quiet.noise(line)] == []
    assert [line for line in ERRORS if quiet.noise(line)] == []


def test_a_command_shows_errors_but_not_tensorflows_notes():
    """A process that quiets itself, imports TensorFlow, then writes an error as C++ would."""
    code = (
        "import os, sys\n"
        "from lesson import quiet\n"
        "quiet.install()\n"
        "import tensorflow as tf\n"
        "tf.constant(1.0) + 1\n"  # the notes come when TensorFlow first computes, too
        "os.write(2, b'E0000 00:00:1.1   1 op_kernel.cc:1] a real error\\n')\n"
        "print('error: a message of the command', file=sys.stderr)\n"
        "raise SystemExit(3)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    assert done.returncode == 3, done.stderr
    lines = done.stderr.splitlines()
    assert "E0000 00:00:1.1   1 op_kernel.cc:1] a real error" in lines, done.stderr
    assert "error: a message of the command" in lines, done.stderr
    shown = [line for line in lines if quiet.noise(line) or "cuda" in line.lower()]
    assert shown == [], done.stderr
