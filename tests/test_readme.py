"""The README's commands are the ones CI runs (its links and the docs': tests/test_docs.py)."""

import re

from tests.support import ROOT


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text, re.DOTALL)


def test_readme_has_the_two_commands():
    run, test = readme_commands()[:2]
    assert run == "pip install . && cnn-lesson"  # the installed command (tests/test_package.py)
    assert "pytest" in test and "ruff check" in test and "chromium" in test
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`streamlit run app.py`" in text  # still works from a checkout


def test_ci_runs_the_readme_test_command():
    test = readme_commands()[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines()


def test_the_parallel_pass_hands_out_the_longest_files_first(pytestconfig):
    """pytest-xdist's own order (most tests first) sent the one-test heavy files last."""
    from tests import conftest

    assert pytestconfig.getoption("loadscopereorder") is False
    names = {path.name for path in (ROOT / "tests").glob("test_*.py")}
    assert set(conftest.LONGEST_FIRST) <= names, set(conftest.LONGEST_FIRST) - names
