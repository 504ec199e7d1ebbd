"""An answer waits only for its own work: not for a source-file watcher, nor a long GC.

Every full garbage collection walked Keras's and TensorFlow's objects, holding the interpreter
0.1–0.4 s under load (common.keep_out_of_collections); Streamlit's file watcher walked every
module for each new session (0.6 s of the event loop each). Nagle's algorithm is checked in
tests/test_workarounds.py (answer_without_delay). How long answers take is a figure of the bench
(`python -m lesson.tools.bench --answers`), not of a test on a shared machine.
"""

import json
import os
import subprocess
import sys
import tomllib

from tests.support import ROOT

COLLECTIONS = """
import gc, json
from lesson.parts import common

common.import_keras()  # as the server does before a page that needs Keras
frozen, after = gc.get_freeze_count(), len(gc.get_objects())
gc.unfreeze()
print(json.dumps({"frozen": frozen, "after": after, "before": len(gc.get_objects())}))
"""


def test_keras_is_left_out_of_every_garbage_collection_once_imported():
    done = subprocess.run(
        [sys.executable, "-c", COLLECTIONS], cwd=ROOT, capture_output=True, text=True,
        timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["frozen"] > 100_000, found  # Keras's and TensorFlow's objects
    # What a full collection walks: the objects it tracks, the frozen ones left out.
    assert found["after"] < found["before"] / 4, found


def test_the_server_watches_no_source_files():
    """The watcher walked all of sys.modules (TensorFlow's thousands) for each new session."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["fileWatcherType"] == "none"
    assert config["server"]["runOnSave"] is False
