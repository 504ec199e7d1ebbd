"""Shared fixtures: one live server and one Chromium for all browser tests."""

import pytest

from tests.support import launch_chromium, postgres_server, streamlit_server

APPTEST_TIMEOUT = 120  # seconds: the first script run imports TensorFlow
INSTRUCTOR_KEY = "test-instructor-key-5f2c"  # the test servers' key (CNN_LESSON_INSTRUCTOR_KEY)


@pytest.fixture(scope="session")
def server_url():
    """A live `streamlit run app.py` on a free port."""
    with streamlit_server({"CNN_LESSON_INSTRUCTOR_KEY": INSTRUCTOR_KEY}) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

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
    yield
