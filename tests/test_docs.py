"""The README and docs/ keep working: every relative link and anchor resolves, every command they
name exists (a module for `python -m`, a subcommand of `cnn-lesson`, a file), cheaply: nothing
heavy is run."""

import importlib.util
import re
import tomllib
from pathlib import Path

from lesson import cli
from tests.support import ROOT

# The reader's documents; docs/notes/ holds the engineers' notes for the lead, not docs.
DOCUMENTS = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"```[^\n]*\n(.*?)```|`([^`\n]+)`", re.DOTALL)
# Files a reader makes, not the project: a secrets file, the export's download.
NOT_IN_THE_PROJECT = {".streamlit/secrets.toml", "cnn_experiment.py"}


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor of a markdown file's headings (repeated headings get -1, -2, ...)."""
    found: set[str] = set()
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    for heading in re.findall(r"^#{1,6} (.+)$", text, re.MULTILINE):
        base, n = slug(heading), 0
        name = base
        while name in found:
            n += 1
            name = f"{base}-{n}"
        found.add(name)
    return found


def code_of(path: Path) -> list[str]:
    """The text of every code block and code span of a document."""
    return [block or span for block, span in CODE.findall(path.read_text(encoding="utf-8"))]


def test_the_documents_are_there_and_the_readme_is_a_front_door():
    names = {p.name for p in DOCUMENTS}
    wanted = {"teachers.md", "operators.md", "design.md", "measurements.md", "glossary.md"}
    assert wanted | {"README.md", "CHANGELOG.md"} <= names
    assert len((ROOT / "README.md").read_text(encoding="utf-8")) <= 15_000
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in wanted:
        assert f"(docs/{name}" in readme, f"the README does not link docs/{name}"


def test_the_slug_is_githubs():
    assert slug("A class of 30: the load test") == "a-class-of-30-the-load-test"
    assert slug("Speed, in the design") == "speed-in-the-design"
    assert slug("1 · The data") == "1--the-data"


def test_every_relative_link_and_anchor_resolves():
    broken = []
    for document in DOCUMENTS:
        for target in LINK.findall(document.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
                continue
            file, _, anchor = target.partition("#")
            linked = (document.parent / file).resolve() if file else document
            if not linked.exists():
                broken.append(f"{document.name}: {target} (no such file)")
            elif anchor and anchor not in anchors(linked):
                broken.append(f"{document.name}: {target} (no such heading)")
    assert broken == []


def test_every_python_m_names_a_module():
    missing = []
    for document in DOCUMENTS:
        for code in code_of(document):
            for module in re.findall(r"python -m ([\w.]+)", code):
                if module in ("pytest", "pip", "venv", "streamlit"):
                    continue
                if importlib.util.find_spec(module) is None:
                    missing.append(f"{document.name}: python -m {module}")
    assert missing == []


def test_every_cnn_lesson_command_exists():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"cnn-lesson": "lesson.cli:main"}
    unknown = []
    for document in DOCUMENTS:
        for code in code_of(document):
            for words in re.findall(r"cnn-lesson((?: [\w|]+)?)", code):
                for command in filter(None, words.strip().split("|")):
                    if command not in cli.COMMANDS and not command.isupper():
                        unknown.append(f"{document.name}: cnn-lesson {command}")
    assert unknown == []


def test_every_file_the_documents_name_is_in_the_project():
    missing = []
    pattern = re.compile(r"(?<![\w/.])((?:lesson|tests|assets|docs|\.ci|\.streamlit)/[\w./*-]*\w)")
    for document in DOCUMENTS:
        for code in code_of(document):
            for name in pattern.findall(code):
                if name in NOT_IN_THE_PROJECT or name.startswith("docs/notes"):
                    continue
                if not any(ROOT.glob(name)):
                    missing.append(f"{document.name}: {name}")
            for script in re.findall(r"(?:python|streamlit run) ([\w./-]+\.py)", code):
                if script not in NOT_IN_THE_PROJECT and not (ROOT / script).is_file():
                    missing.append(f"{document.name}: {script}")
    assert missing == []
