"""No module of lesson/ imports itself again through others (at the top or inside a function)."""

import ast

from tests.support import ROOT

PACKAGE = ROOT / "lesson"


def module_name(path) -> str:
    """lesson/parts/board.py -> lesson.parts.board; lesson/tools/__init__.py -> lesson.tools."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each lesson module -> the lesson modules it imports anywhere in its file."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:  # `from lesson.parts import board` imports a module
                    full = f"{node.module}.{alias.name}"
                    edges.add(full if full in modules else node.module)
        graph[name] = {edge for edge in edges if edge in modules and edge != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import loop found by a depth-first walk, each as the path that closes it."""
    found, done = [], set()

    def walk(name: str, path: list[str]) -> None:
        for edge in sorted(graph[name]):
            if edge in path:
                found.append([*path[path.index(edge) :], edge])
            elif edge not in done:
                walk(edge, [*path, edge])
        done.add(name)

    for name in sorted(graph):
        if name not in done:
            walk(name, [name])
    return found


def test_the_walk_sees_imports_inside_functions():
    graph = import_graph()
    assert "lesson.machinery.jobs" in graph["lesson.machinery.workers"]  # imported in a function
    assert "lesson.parts.workspace" in graph["lesson.parts.classroom"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_no_import_loops_in_the_lesson():
    assert cycles(import_graph()) == []
