"""End to end in headless Chromium: the real server, pages opened and used by mouse."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import NAV, assert_clean, open_app
from tests.support import wait_idle

pytestmark = pytest.mark.browser


def test_the_first_pages_own_name_opens_it(page, server_url):
    """/data is the first page, which Streamlit serves at /: no "Page not found" on the way."""
    open_app(page, server_url, "data", title=NAV[0])
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert page.url.rstrip("/") == server_url  # the address the first page has
    assert_clean(page)


def test_data_page_filter_by_label_with_the_mouse(page, server_url):
    open_app(page, server_url)
    main = page.get_by_test_id("stMain")
    main.get_by_role("radio", name="7", exact=True).first.click()
    wait_idle(page)
    captions = main.get_by_test_id("stImageCaption").all_inner_texts()
    assert len(captions) == 30
    assert all(c.endswith(": 7") for c in captions), captions
    main.get_by_role("button", name="Reshuffle").click()
    wait_idle(page)
    again = main.get_by_test_id("stImageCaption").all_inner_texts()
    assert again != captions and all(c.endswith(": 7") for c in again)
    row5 = "0 0 0 0 0 0 0 0 0 0 0 0 3 18 18 18 126 136 175 26 166 255 247 127 0 0 0 0"
    expect(main.get_by_text(row5, exact=True)).to_be_visible()  # the row (the grid holds it too)
    assert_clean(page)


def test_onehot_page_pick_a_digit_with_the_mouse(page, server_url):
    open_app(page, server_url, "one-hot")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(re.compile(r"`?5`? becomes"))).to_be_visible(timeout=60_000)
    main.get_by_role("radio", name="2", exact=True).first.click()
    wait_idle(page)
    expect(main.get_by_text("[0, 0, 1, 0, 0, 0, 0, 0, 0, 0]")).to_be_visible()
    assert_clean(page)


# The elements of the main area whose right edge lies beyond it (outside scrolling boxes): the
# widest first, each as its tag, test id, class and width.
STICKING_OUT = """() => {
    const main = document.querySelector("[data-testid=stMain]");
    const right = main.getBoundingClientRect().right;
    return [...main.querySelectorAll("*")]
        .filter(e => e.getBoundingClientRect().right > right + 1
                     && !e.closest("[data-testid=stMain] table"))
        .map(e => [e.tagName, e.dataset.testid || "", String(e.className).slice(0, 60),
                   Math.round(e.getBoundingClientRect().width)])
        .sort((a, b) => b[3] - a[3]).slice(0, 8);
}"""


def test_a_wide_table_scrolls_by_itself_on_a_phone(page, server_url):
    """The one-hot table is wider than a 360 px phone: it scrolls, the page does not."""
    page.set_viewport_size({"width": 360, "height": 800})
    open_app(page, server_url, "one-hot")
    table = page.get_by_test_id("stMain").locator("table").first
    expect(table).to_be_visible(timeout=60_000)
    # The app's style (lesson/parts/access.py) makes the table scroll. On a first load Chromium
    # draws it up to 1.4 s after the first table (an st.html, like raw HTML in markdown, comes
    # later than plain markdown): until then the table sticks out, and a busy machine read
    # 578 px here. Measure once the style holds.
    page.wait_for_function(
        """() => getComputedStyle(document.querySelector('[data-testid=stMain] table')
                                   .parentElement).overflowX === 'auto'"""
    )
    sizes = page.evaluate("""() => {
      const main = document.querySelector('[data-testid=stMain]');
      const box = document.querySelector('[data-testid=stMain] table').parentElement;
      return [main.scrollWidth, main.clientWidth, box.scrollWidth, box.clientWidth];
    }""")
    main_scroll, main_width, box_scroll, box_width = sizes
    # The page itself never scrolls sideways; if it does, say which elements stick out.
    assert main_scroll <= main_width, (sizes, page.evaluate(STICKING_OUT))
    assert box_scroll > box_width, sizes  # the table does (so this test tests something)
    assert_clean(page)
