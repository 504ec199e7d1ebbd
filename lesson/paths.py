"""Where the app's files are, in a checkout and in an installed copy alike.

A checkout keeps assets/, app.py and .streamlit/config.toml beside the `lesson` package; the
wheel carries them inside it (setup.py copies them in), so an installed copy runs anywhere.
"""

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent  # in a checkout: the project's folder; installed: site-packages
INSTALLED = not (CHECKOUT / "pyproject.toml").is_file()


def _inside_or_beside(inside: str, beside: str) -> Path:
    """The package's own copy (an installed wheel), else the checkout's file."""
    return PACKAGE / inside if (PACKAGE / inside).exists() else CHECKOUT / beside


ASSETS = _inside_or_beside("assets", "assets")  # MNIST and the pre-trained model
APP = _inside_or_beside("app.py", "app.py")  # the script `cnn-lesson serve` runs
STREAMLIT_CONFIG = _inside_or_beside("streamlit-config.toml", ".streamlit/config.toml")

# The learners' work: .data/ beside app.py in a checkout (git-ignored); installed, the user's
# data folder, never site-packages. $CNN_LESSON_DATA chooses another (lesson/machinery/store.py).
DATA_FOLDER = (
    Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "cnn-lesson"
    if INSTALLED
    else CHECKOUT / ".data"
)
