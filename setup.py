"""The wheel: every package under lesson/, and what an installed copy needs beside it.

pyproject.toml holds the metadata. A checkout keeps assets/, app.py and .streamlit/config.toml
at the top; the wheel carries them inside `lesson` (found there by lesson/paths.py).
"""

import shutil
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
INSIDE = {"app.py": "app.py", ".streamlit/config.toml": "streamlit-config.toml"}


class BuildWithApp(build_py):
    """build_py, and the app's script and Streamlit settings copied into the package."""

    def run(self):
        super().run()
        if self.editable_mode:  # an editable install reads them from the checkout
            return
        for source, target in INSIDE.items():
            shutil.copyfile(HERE / source, Path(self.build_lib) / "lesson" / target)


setup(
    packages=[*find_packages(include=["lesson", "lesson.*"]), "lesson.assets"],
    package_dir={"lesson.assets": "assets"},
    package_data={
        "lesson.pages": ["*.md"],  # each page's prose
        "lesson.parts": ["*.js", "*.css"],  # the players and the pixel grid in the browser
        "lesson.assets": ["mnist.npz", "pretrained.keras", "pretrained-test-probabilities.npz"],
    },
    cmdclass={"build_py": BuildWithApp},
)
