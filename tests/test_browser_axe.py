"""axe-core in Chromium: no serious or critical WCAG 2.1 A/AA violation on any page; and on the
same walk, no control's label cut short at a projector zoomed to 150 %.

Each page is checked as it opens (by its link in the navigation, with its heading and no error)
and after its main interaction, in the test that makes it anyway: the Train page after a run
(`tests/test_browser_train.py`), the Draw page after a drawn digit (`tests/test_browser_draw.py`),
the Filters and Mistakes pages after a clicked cell (`tests/test_browser_inside.py`), the Draw
page with each source of a digit (`tests/test_browser_draw.py`, the pixel grid in
`tests/test_browser_keyboard.py`). A failure lists every violation with its rule and the elements
that break it.
"""

import pytest
from playwright.sync_api import expect

from tests.browser import NAV, assert_accessible, assert_clean, open_app
from tests.support import screenshot, wait_idle

pytestmark = pytest.mark.browser


# Labels of controls whose text is wider than the box that clips it ("T…" for Train).
CUT_LABELS = """() => {
  const controls = "button, label, [role=tab], [data-testid=stWidgetLabel], "
    + "[data-testid=stMetricLabel]";
  const cut = [];
  for (const control of document.querySelector("[data-testid=stMain]").querySelectorAll(controls)) {
    for (const el of [control, ...control.querySelectorAll("*")]) {
      const style = getComputedStyle(el);
      const clips = style.overflowX !== "visible" || style.textOverflow === "ellipsis";
      if (clips && el.scrollWidth > el.clientWidth + 1 && el.textContent.trim()) {
        cut.push(`'${control.textContent.trim()}' (${el.scrollWidth} px in ${el.clientWidth})`);
        break;
      }
    }
  }
  return cut;
}"""


PROJECTOR = {"width": 1280, "height": 800}
ZOOMED = {"width": 853, "height": 480}  # the projector zoomed to 150 %, in CSS pixels


def test_every_page_opens_cleanly_with_no_serious_axe_violation_nor_a_cut_label(page, server_url):
    """Each page by its link in the navigation: its heading, no error, then axe at projector
    size, and no control's label cut short on the projector zoomed to 150 %."""
    open_app(page, server_url)
    nav = page.get_by_test_id("stSidebarNav")
    titles = [t.strip().split("\n")[-1] for t in nav.get_by_role("link").all_inner_texts()]
    assert titles == NAV  # after each link's icon
    cut = {}
    for title in titles:
        nav.get_by_role("link", name=title).click()
        wait_idle(page)
        expect(page.get_by_test_id("stMain").get_by_role("heading", level=1)).to_contain_text(title)
        assert_clean(page)
        assert_accessible(page, f"{title} as it opens")
        page.set_viewport_size(ZOOMED)
        page.wait_for_timeout(500)  # charts and components size themselves to the window
        if found := page.evaluate(CUT_LABELS):
            cut[title] = f"{found}, screenshot {screenshot(page, f'cut-{title}')}"
        page.set_viewport_size(PROJECTOR)
    assert not cut, f"labels cut short at 853 × 480: {cut}"
