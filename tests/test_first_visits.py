"""A cold server's first visits, all at once: every page gets a whole Keras.

Two threads importing Keras at once can deadlock on Python's module locks, and Python then hands
one of them a half-initialised module. The app imports it in one thread while the others wait
(`import_keras` in lesson/parts/common.py); the first page imports it once it has painted.
"""

import asyncio

import pytest

from tests.load.client import Session, run_sync
from tests.support import streamlit_server

FIRST_PAGES = ["", "one-hot", "build", "train", "draw", "inside", "mistakes", "board"]


@pytest.fixture
def cold_server(tmp_path):
    with streamlit_server({"CNN_LESSON_DATA": str(tmp_path)}) as url:
        yield url


async def open_all(url: str) -> list[Session]:
    """Every page opened by its own learner at the same moment, twice over."""
    sessions = [Session(url, first_page=path) for path in FIRST_PAGES * 2]
    await asyncio.gather(*(s.connect() for s in sessions))
    for s in sessions:
        await s.close()
    return sessions


def test_every_page_opens_whole_when_a_cold_server_gets_them_all_at_once(cold_server):
    sessions = run_sync(open_all(cold_server))
    for path, s in zip(FIRST_PAGES * 2, sessions, strict=True):
        assert not s.errors, f"/{path}: {s.errors}"
        assert s.texts, f"/{path} drew nothing: {s.story()}"
        assert s.page_hash, f"/{path}"
