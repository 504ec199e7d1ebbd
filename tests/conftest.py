"""Shared fixtures: one live server and one Chromium for all browser tests."""

import pytest

from tests.support import launch_chromium, streamlit_server

APPTEST_TIMEOUT = 120  # seconds: the first script run imports TensorFlow


@pytest.fixture(scope="session")
def server_url():
    """A live `streamlit run app.py` on a free port."""
    with streamlit_server() as url:
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
