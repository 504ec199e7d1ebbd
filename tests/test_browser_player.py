"""The convolution player in Chromium: it plays in the browser, pauses, steps, and honours
prefers-reduced-motion."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import assert_clean, inside_players, open_app

pytestmark = pytest.mark.browser

STATE = "e => [Number(e.dataset.position), Number(e.dataset.drawn), performance.now()]"


def open_player(page, url: str):
    """The Inside page's convolution player, scrolled into view."""
    open_app(page, url, "inside")
    player, _ = inside_players(page)
    player.scroll_into_view_if_needed()
    return player


def test_the_player_plays_in_the_browser_pauses_and_steps(page, server_url):
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(frame)))
    player = open_player(page, server_url)
    expect(player).to_have_attribute("data-playing", "true")
    player.get_by_label("Speed, positions per second").select_option("20")
    page.wait_for_function(
        "e => Number(e.dataset.position) > 0", arg=player.element_handle(), timeout=60_000
    )
    assert sent, "the app's websocket is not being watched"  # opening the page sent messages
    before, frames_sent = player.evaluate(STATE), len(sent)
    # It plays on by itself: positions go on and frames are painted. How many a second is a
    # figure of the bench (`python -m lesson.tools.bench --browser`), not of a busy test run.
    page.wait_for_function(
        f"e => Number(e.dataset.position) >= {before[0] + 10} "
        f"&& Number(e.dataset.drawn) >= {before[1] + 10}",
        arg=player.element_handle(),
        timeout=60_000,
    )
    assert len(sent) == frames_sent, "playing sent messages to the server"
    # the page stays usable while it plays: the by-hand view above answers a slider step
    page.locator(".st-key-inside_row input").press("ArrowLeft")  # row 10 → 9
    expect(page.get_by_text("feature map 1 at row 9, column 12")).to_be_visible()
    expect(player).to_have_attribute("data-playing", "true")

    player.get_by_role("button", name="Pause").click()
    expect(player).to_have_attribute("data-playing", "false")
    stopped = player.evaluate(STATE)[0]
    page.wait_for_timeout(600)
    assert player.evaluate(STATE)[0] == stopped
    player.get_by_role("button", name="Step forward").click()
    expect(player).to_have_attribute("data-position", str(stopped + 1))
    for _ in range(2):
        player.get_by_role("button", name="Step back").click()
    expect(player).to_have_attribute("data-position", str(stopped - 1))
    player.get_by_role("slider", name="Position").press("End")
    expect(player).to_have_attribute("data-position", "675")
    expect(player.get_by_text("position 676 of 676: row 25, column 25")).to_be_visible()
    # a click on a cell of the feature map jumps there: row 9, column 12 of 26 × 26, the cell
    # the by-hand view above works out now; both show the network's value
    box = player.locator("canvas").nth(1).bounding_box()
    page.mouse.click(box["x"] + 12.5 * box["width"] / 26, box["y"] + 9.5 * box["height"] / 26)
    expect(player).to_have_attribute("data-position", str(9 * 26 + 12))
    expect(player.get_by_text("Feature map, row 9, column 12")).to_be_visible()
    shown = re.search(r"relu → (\S+)", player.inner_text()).group(1)
    by_hand = page.get_by_text(re.compile(r"feature map 1 at row 9, column 12: \d")).inner_text()
    network = float(re.search(r"column 12: ([\d.]+)", by_hand).group(1))
    assert float(shown) == pytest.approx(network, abs=6e-4), (shown, by_hand)
    assert_clean(page)


def test_the_pooling_player_steps_by_two(page, server_url):
    open_app(page, server_url, "inside")
    _, pool = inside_players(page)
    pool.scroll_into_view_if_needed()
    pool.get_by_role("button", name="Pause").click()
    pool.get_by_role("slider", name="Position").press("Home")
    pool.get_by_role("button", name="Step forward").click()
    expect(pool.get_by_text("position 2 of 169: row 0, column 1")).to_be_visible()
    expect(pool.get_by_text("Pooled map, row 0, column 1")).to_be_visible()
    expect(pool.get_by_text("max =")).to_be_visible()


def test_reduced_motion_starts_paused(browser, server_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    try:
        page = context.new_page()
        player = open_player(page, server_url)
        expect(player).to_have_attribute("data-playing", "false")
        expect(player.get_by_role("button", name="Play")).to_be_visible()
        page.wait_for_timeout(800)
        expect(player).to_have_attribute("data-position", "0")
        player.get_by_role("button", name="Step forward").click()
        expect(player).to_have_attribute("data-position", "1")
    finally:
        context.close()


def test_a_player_out_of_view_waits_and_goes_on_when_seen_again(page, server_url):
    """Scrolled away, a playing player paints nothing (the page's other work goes first)."""
    player = open_player(page, server_url)
    player.get_by_label("Speed, positions per second").select_option("20")
    page.wait_for_function("e => Number(e.dataset.drawn) > 3", arg=player.element_handle())
    page.get_by_test_id("stMain").get_by_role("heading", level=1).scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # the frame under way when it left the screen
    away = player.evaluate(STATE)
    page.wait_for_timeout(1_500)
    assert player.evaluate(STATE)[:2] == away[:2], "it painted while out of view"
    expect(player).to_have_attribute("data-playing", "true")  # waiting, not paused
    player.scroll_into_view_if_needed()
    page.wait_for_function(
        f"e => Number(e.dataset.position) > {away[0] + 5}", arg=player.element_handle()
    )  # from where it was: no jump for the time away
    assert player.evaluate(STATE)[0] < away[0] + 40
