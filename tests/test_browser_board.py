"""The class board in Chromium: an instructor and two learners in three browser contexts."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible, open_app, train_button
from tests.pages import INSTRUCTOR_KEY
from tests.support import wait_idle

pytestmark = pytest.mark.browser


def opened(browser, url: str, path: str):
    """A new browser context (a learner's or the instructor's own) with `path` open."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    open_app(page, url, path)
    return context, page


def test_two_learners_runs_reach_the_instructors_board_and_learners_have_no_controls(
    browser, server_url
):
    # Learners on one app process and the board on another: tests/test_two_processes.py.
    class_experiment(browser, server_url)


def open_classes(board) -> None:
    """Show the instructor's "Classes" (below the board; open by itself with no class yet)."""
    box = board.get_by_test_id("stExpander").filter(has_text="Classes (instructor)")
    expect(box).to_have_count(1)
    if box.locator("details").get_attribute("open") is None:
        box.get_by_text("Classes (instructor)").click()
    expect(board.get_by_label("New class name")).to_be_editable()


def class_experiment(browser, server_url: str) -> None:
    """The instructor opens a class, two learners join and train, the board shows both."""
    contexts = []
    try:
        context, teacher = opened(browser, server_url, f"board?instructor={INSTRUCTOR_KEY}")
        contexts.append(context)
        board = teacher.get_by_test_id("stMain")
        open_classes(board)
        board.get_by_label("New class name").fill("Period 3")
        board.get_by_role("button", name="Open a class").click()
        wait_idle(teacher)
        code = board.get_by_test_id("stMetricValue").first.inner_text().strip()
        assert re.fullmatch(r"[A-Z2-9]{6}", code), code
        expect(board.get_by_text("0 runs posted")).to_be_visible(timeout=30_000)

        learners = []
        for name in ("Ada", "Bob"):
            link = f"train?epochs=1&train_images=1000&join={code}"
            context, page = opened(browser, server_url, link)
            contexts.append(context)
            sidebar = page.get_by_test_id("stSidebar")
            expect(sidebar.get_by_label("Join code")).to_have_value(code)  # from the link
            assert "join=" not in page.url
            sidebar.get_by_label("Your name on the board").fill(name)
            sidebar.get_by_role("button", name="Join the class").click()
            wait_idle(page)
            expect(sidebar.get_by_text(f"In class Period 3 as {name}")).to_be_visible()
            learners.append(page)
        for page in learners:
            train_button(page.get_by_test_id("stMain")).click()
        for page in learners:
            main = page.get_by_test_id("stMain")
            expect(main.get_by_text(re.compile("run 1 finished 1 epoch"))).to_be_visible(
                timeout=90_000
            )
        # Posted when the run finished: on the projected board with no reload (how soon is a
        # figure of the bench: `python -m lesson.tools.bench --load`, the board's post_visible).
        expect(board.get_by_text("2 runs posted")).to_be_visible(timeout=60_000)
        latest = board.get_by_text(re.compile(r"^Latest runs: "))
        expect(latest).to_contain_text(re.compile(r"(Ada|Bob), run 1: \d+\.\d\d %; "))
        expect(latest).to_contain_text("Ada, run 1")
        expect(latest).to_contain_text("Bob, run 1")
        expect(board.get_by_text(re.compile(r"Best run: (Ada|Bob)"))).to_be_visible()
        assert_accessible(teacher, "the instructor's board with two runs")

        # A learner's board: the runs, their own progress, no instructor control.
        page = learners[0]
        page.goto(f"{server_url}/board")
        wait_idle(page, 60_000)
        main = page.get_by_test_id("stMain")
        expect(main.get_by_text("2 runs posted")).to_be_visible(timeout=30_000)
        expect(main.get_by_test_id("stDataFrame")).to_have_count(2)  # the board, their own row
        for control in ("Clear the board", "Close the class", "Remove it", "Post the challenge"):
            expect(main.get_by_role("button", name=control)).to_have_count(0)
        expect(main.get_by_text("Class controls (instructor)")).to_have_count(0)
        page.goto(f"{server_url}/board?instructor=guessing")  # taking the rights by the link
        wait_idle(page, 60_000)
        expect(main.get_by_text("That is not the instructor key.")).to_be_visible()
        expect(main.get_by_role("button", name="Clear the board")).to_have_count(0)
        # The instructor can clear it, asked first.
        board.get_by_text("Class controls (instructor)").click()
        board.get_by_text("Yes, clear every run from the board").click()
        wait_idle(teacher)
        board.get_by_role("button", name="Clear the board").click()
        wait_idle(teacher)
        expect(board.get_by_text("0 runs posted")).to_be_visible(timeout=60_000)
    finally:
        for context in contexts:
            context.close()
