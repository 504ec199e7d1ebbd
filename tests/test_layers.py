"""The two layers point one way: the lesson's core never imports Streamlit."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "lesson"


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module a file imports, wherever the import stands."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def core_modules() -> list[Path]:
    return [p for p in CORE.rglob("*.py") if "pages" not in p.relative_to(CORE).parts]


def test_there_is_a_core():
    names = {p.name for p in core_modules()}
    assert names >= {"step1_data.py", "step2_labels.py", "step3_network.py"}


def test_core_never_imports_streamlit():
    offenders = [p.name for p in core_modules() if "streamlit" in imported_modules(p)]
    assert offenders == []


def test_data_module_needs_no_tensorflow():
    """The data page must paint without waiting for TensorFlow."""
    assert not {"keras", "tensorflow"} & imported_modules(CORE / "step1_data.py")
