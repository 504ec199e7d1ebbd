"""Shared fixtures: one live server and one Chromium for all browser tests, MNIST and the
pre-trained network for the core's tests, a store on each kind of database."""

import sys

import pytest

from lesson.machinery import workarounds, workers
from tests.pages import INSTRUCTOR_KEY
from tests.support import (
    WATCH_STATES,
    launch_chromium,
    page_state,
    postgres_server,
    screenshot,
    streamlit_server,
)

# This process parses too (pytest's assertion rewriting, tracebacks) while a test's garbage is
# collected: without the guard a finalizer's traceback broke pytest's last import (gh-106905).
workarounds.parse_one_at_a_time()

# The longest files first (one to four minutes each on a 2-core machine): pytest-xdist hands out
# whole files, so one that starts last keeps one worker busy while the other has nothing left.
# (pyproject.toml's --no-loadscope-reorder keeps this order: xdist's own is by number of tests.)
LONGEST_FIRST = [
    "test_two_processes.py", "test_package.py", "test_browser_workspace.py",
    "test_browser_axe.py", "test_widget_sweep.py",
    "test_browser_layout.py", "test_browser_board_keeps.py", "test_browser_one_run.py",
    "test_shared_runs.py", "test_widget_sweep_networks.py", "test_not_digits.py",
    "test_faults.py", "test_load_small.py", "test_browser_inside.py",
    "test_memory.py", "test_browser_train.py", "test_workers.py", "test_browser_keyboard.py",
    "test_browser_board.py", "test_browser_sweep.py", "test_bad_input.py",
    "test_export.py", "test_training.py", "test_browser.py", "test_browser_draw.py",
    "test_browser_drawn_digits.py", "test_augmentation.py", "test_browser_player.py",
    "test_first_visits.py",
]  # fmt: skip


def pytest_collection_modifyitems(items):
    """Run the longest files first; the rest, and every file's own tests, keep their order."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


# What each page showed when a test failed, kept by a context closed while the failure was on
# its way (a test that makes its own contexts closes them in `finally`, before the report).
SHOWN: list[str] = []


def _shown(page, name: str) -> str:
    """What `page` shows now, for a failure's report: its state and a screenshot's path."""
    return f"{page_state(page)}\nscreenshot: {screenshot(page, name)}"


def _showing_on_close(close):
    """BrowserContext.close that first keeps what its pages show if an exception is on its way."""

    def closing(context, *args, **kwargs):
        if sys.exc_info()[0] is not None:
            for page in context.pages:
                SHOWN.append(_shown(page, "closed"))
        return close(context, *args, **kwargs)

    return closing


def _watching_states(new_context):
    """Browser.new_context whose tabs keep the app's state changes (a failure shows them)."""

    def making(browser, *args, **kwargs):
        context = new_context(browser, *args, **kwargs)
        context.add_init_script(WATCH_STATES)
        return context

    return making


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A browser test that fails shows what each of its pages showed: state and screenshot."""
    report = (yield).get_result()
    if report.when == "setup":
        SHOWN.clear()
    browser = item.funcargs.get("browser") if hasattr(item, "funcargs") else None
    if report.when != "call" or not report.failed or browser is None:
        return
    shown = list(SHOWN)
    try:
        for page in [page for context in browser.contexts for page in context.pages]:
            shown.append(_shown(page, item.name))
    except Exception:  # the browser itself went away: what was kept says enough
        pass
    for text in shown:
        report.sections.append(("what the browser showed", text))


@pytest.fixture(scope="session")
def server_url():
    """A live `streamlit run app.py` on a free port."""
    with streamlit_server({"CNN_LESSON_INSTRUCTOR_KEY": INSTRUCTOR_KEY}) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright."""
    from playwright.sync_api import Browser, BrowserContext, expect, sync_playwright

    # Browser tests share the machine with a second pytest worker (-n 2) and its servers: an
    # expectation waits for its state up to 30 s instead of Playwright's 5. No test times.
    expect.set_options(timeout=30_000)
    BrowserContext.close = _showing_on_close(BrowserContext.close)
    Browser.new_context = _watching_states(Browser.new_context)
    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab at projector size."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server on loopback for the whole test run (Debian's package)."""
    with postgres_server() as pg:
        yield pg


@pytest.fixture(autouse=True, scope="session")
def _own_data_folder(tmp_path_factory):
    """Every test's app (AppTest or a server) stores workspaces in a folder of the test run."""
    import os

    os.environ["CNN_LESSON_DATA"] = str(tmp_path_factory.mktemp("data"))
    os.environ.pop("CNN_LESSON_DATABASE_URL", None)
    # The other pytest worker's Chromium and servers (nice 0) are not this app's web process,
    # yet a training worker at its nice 10 yields to them, down to a few % of a core, and a run
    # of seconds took minutes. A server keeps nice 10; the bench measures it so.
    os.environ.setdefault(workers.NICE_VARIABLE, "0")
    # One training worker per app process (and per pytest process) unless a test asks for more:
    # each worker imports TensorFlow and reads MNIST (about 7 CPU-seconds) and the tests train
    # one run at a time; a second run waits for the worker as it would for a slot.
    os.environ.setdefault(workers.WORKERS_VARIABLE, "1")
    yield


@pytest.fixture(scope="module")
def mnist():
    """The MNIST arrays, loaded once per test module."""
    from lesson import step1_data

    return step1_data.load_mnist()


@pytest.fixture(scope="module")
def net():
    """The pre-trained network (assets/pretrained.keras), loaded once per test module."""
    from lesson import step3_network

    return step3_network.load_trained(step3_network.pretrained_path())


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """An empty store on each kind of database: a SQLite file, then the PostgreSQL server."""
    from lesson.machinery import store as storage

    if request.param == "sqlite":
        s = storage.Store(f"sqlite:///{tmp_path / 'lesson.db'}", retention=30)
    else:
        s = storage.Store(request.getfixturevalue("postgres").url, retention=30)
    yield s
    if request.param == "postgresql":
        storage.metadata.drop_all(s._connect())
    s.close()


@pytest.fixture
def instructor_key(monkeypatch):
    """The test instructor key configured, with no wrong keys counted before or after."""
    from lesson.machinery import keys

    keys.reset()
    monkeypatch.setenv(keys.KEY_VARIABLE, INSTRUCTOR_KEY)
    yield INSTRUCTOR_KEY
    keys.reset()
