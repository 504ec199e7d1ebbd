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
    return [
        p for p in CORE.rglob("*.py") if not {"pages", "parts"} & set(p.relative_to(CORE).parts)
    ]


def test_there_is_a_core():
    names = {p.name for p in core_modules()}
    assert names >= {"step1_data.py", "step2_labels.py", "step3_network.py"}


# The bench's websocket client talks to a running app as a browser does, in Streamlit's own
# messages: it may read their definitions (streamlit.proto), nothing else of Streamlit.
PROTOCOL_CLIENT = CORE / "tools" / "client.py"


def streamlit_imports(path: Path) -> set[str]:
    """The full names of the Streamlit modules a file imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.split(".")[0] == "streamlit"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "streamlit":
            names.add(node.module)
    return names


def test_core_never_imports_streamlit():
    offenders = [
        p.name
        for p in core_modules()
        if p != PROTOCOL_CLIENT and "streamlit" in imported_modules(p)
    ]
    assert offenders == []
    outside = {n for n in streamlit_imports(PROTOCOL_CLIENT) if not n.startswith("streamlit.proto")}
    assert outside == set(), f"the client may read Streamlit's messages, nothing more: {outside}"


def test_data_module_needs_no_tensorflow():
    """The data page must paint without waiting for TensorFlow."""
    assert not {"keras", "tensorflow"} & imported_modules(CORE / "step1_data.py")
