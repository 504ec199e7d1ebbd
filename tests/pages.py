"""Helpers for the tests that run app.py under AppTest (no browser, no server)."""

from streamlit.testing.v1 import AppTest

from tests.support import ROOT

APPTEST_TIMEOUT = 120  # seconds: the first script run imports TensorFlow
INSTRUCTOR_KEY = "test-instructor-key-5f2c"  # the test servers' key (CNN_LESSON_INSTRUCTOR_KEY)
PAGES = "lesson/pages"


def app(
    page: str | None = None,
    query: dict | None = None,
    state: dict | None = None,
    clean: bool = True,
) -> AppTest:
    """app.py run once with `query` in its URL and `state` in its session, then switched to
    `page` (a file under lesson/pages); with `clean`, checked for no exception after each run."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APPTEST_TIMEOUT)
    at.query_params.update(query or {})
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    if clean:
        assert_clean(at)
    if page:
        switch(at, page, clean)
    return at


def switch(at: AppTest, page: str, clean: bool = True) -> AppTest:
    """Switch to `page` (a file under lesson/pages, or its path) and run it."""
    at.switch_page(page if page.startswith(PAGES) else f"{PAGES}/{page}").run()
    if clean:
        assert_clean(at)
    return at


def markdown_table(at: AppTest, first: str) -> list[dict[str, str]]:
    """The page's markdown table whose first column is headed `first`: a dict per row."""
    text = next(m.value for m in at.markdown if m.value.startswith(f"| {first} |"))
    head, _, *rows = text.splitlines()

    def cells(line: str) -> list[str]:
        return [cell.strip() for cell in line.strip().strip("|").split(" | ")]

    return [dict(zip(cells(head), cells(row), strict=True)) for row in rows]


def assert_clean(at: AppTest) -> None:
    """No exception on the page."""
    assert not at.exception, [e.value for e in at.exception]


def markdown_text(at: AppTest) -> str:
    """All the page's markdown, one element a line."""
    return "\n".join(m.value for m in at.markdown)


def tiny(at: AppTest, epochs: int = 1) -> None:
    """Set the Train page's widgets to a run of a few seconds."""
    at.select_slider(key="train_images").set_value(1_000)
    at.select_slider(key="train_batch_size").set_value(32)
    at.slider(key="train_epochs").set_value(epochs).run()


def train_to_the_end(at: AppTest, timeout: float = 90):
    """Press Train, wait for the run in the background, then rerun the page like the poll does."""
    at.button(key="train_start").click().run()
    assert_clean(at)
    run = at.session_state["runs"][-1]
    run.join(timeout)
    assert run.finished
    at.run()
    assert_clean(at)
    return run


CONTROLS = ("select_slider", "slider", "selectbox", "button_group", "toggle", "text_input")


def control(at: AppTest, key: str):
    """The control under `key` on the page as it is now (a slider, a select, a box, ...)."""
    return next(w for kind in CONTROLS for w in at.get(kind) if w.key == key)


def defaults(at: AppTest, prefix: str) -> dict[str, tuple]:
    """Each control under a key starting with `prefix`: (its value now, its default), as indices
    into its options where it has options.

    The default is what the browser shows if it draws the control anew after the run that set
    its value: Streamlit sends a value set by code only on that run."""
    found = {}
    for w in at.get("select_slider"):
        found[w.key] = (w.options.index(w.format_func(w.value)), int(w.proto.default[0]))
    for w in at.get("selectbox"):
        found[w.key] = (w.index, w.proto.default)
    for w in at.get("button_group"):
        found[w.key] = (list(w.indices), list(w.proto.default))
    for w in at.get("slider"):
        found[w.key] = (float(w.value), w.proto.default[0])
    for w in [*at.get("toggle"), *at.get("text_input")]:
        found[w.key] = (w.value, w.proto.default)
    return {key: pair for key, pair in found.items() if (key or "").startswith(prefix)}
