"""One step numbering, defined once in lesson.STEPS: modules, pages, prose and the export."""

import re
from pathlib import Path

import lesson

ROOT = Path(lesson.__file__).parents[1]


def test_every_step_has_its_modules_and_its_page_in_order():
    modules = sorted(p.name for p in (ROOT / "lesson").glob("step*_*.py"))
    numbers = sorted({int(re.match(r"step(\d+)_", m)[1]) for m in modules})
    assert numbers == list(lesson.STEPS), modules
    listing = lesson.__doc__
    for module in modules:  # the package's docstring is the table of contents
        assert module in listing, module
    app = (ROOT / "app.py").read_text()
    for number in lesson.STEPS:
        assert f"lesson.title({number})" in app
        page = app.split(f"lesson.title({number})")[0].rsplit('("', 1)[1].split('"')[0]
        assert f"st.title(lesson.title({number}))" in (ROOT / "lesson/pages" / page).read_text()


def test_each_step_opens_with_its_heading():
    """The first module of each step starts with the step's heading, as STEPS spells it."""
    for number in lesson.STEPS:
        firsts = [
            p.read_text().splitlines()[0]
            for p in sorted((ROOT / "lesson").glob(f"step{number}_*.py"))
        ]
        assert any(f'"""{lesson.heading(number)}' in line for line in firsts), firsts


def test_no_other_step_numbers_in_the_pages_prose_or_code():
    """ "Step N" means the lesson's step N everywhere, and only where it names one."""
    for path in [*(ROOT / "lesson").rglob("*.py"), *(ROOT / "lesson").rglob("*.md")]:
        for n, title in re.findall(r"Steps? (\d+)(?: · ([^\n\"':(,]+))?", path.read_text()):
            assert int(n) in lesson.STEPS, (path.name, n)
            if title:
                assert title.strip() == lesson.STEPS[int(n)], (path.name, n, title)
