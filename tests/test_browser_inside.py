"""End to end in Chromium: the look-inside pages, used by mouse with the pre-trained model."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible, assert_clean, click_cell, open_app
from tests.support import wait_idle

pytestmark = pytest.mark.browser
SAME = "same as the network"


def test_click_a_feature_map_cell_to_work_it_out_by_hand(page, server_url):
    open_app(page, server_url, "inside")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("feature map 1 at row 10, column 12")).to_be_visible()
    expect(main.get_by_text(SAME)).to_have_count(2)
    click_cell(page, "Feature map 1 of layer 1: click a cell", 3, 20, 26, 26)
    expect(main.get_by_text("feature map 1 at row 3, column 20")).to_be_visible()
    expect(main.get_by_text(SAME)).to_have_count(2)
    assert_accessible(page, "/inside after a click on a feature-map cell")
    for name, key, times in [
        ("Row of the pooled map", "ArrowRight", 3),
        ("Column of the pooled map", "ArrowLeft", 4),
    ]:  # 5, 6 → 8, 2
        for _ in range(times):  # one step, one rerun: a key pressed mid-rerun can be lost
            main.get_by_role("slider", name=name).press(key)
            wait_idle(page)
    expect(main.get_by_text("pooled map 1 at row 8, column 2")).to_be_visible()
    expect(main.get_by_text(SAME)).to_have_count(2)
    assert_clean(page)


def test_mistakes_click_a_cell_then_open_a_mistake_in_the_feature_map_view(page, server_url):
    open_app(page, server_url, "mistakes")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("99.46%")).to_be_visible()
    click_cell(page, "Confusion matrix", 9, 4, 10, 10)
    expect(main.get_by_text(re.compile(r"test images of a 9 were predicted as 4"))).to_be_visible()
    assert_accessible(page, "/mistakes after a click on a confusion-matrix cell")
    pill = main.get_by_role("radio", name="#4176", exact=True)  # a confident mistake: 2 read as 7
    if not pill.count():
        pill = main.get_by_role("button", name="#4176", exact=True)
    pill.first.click()
    wait_idle(page)
    expect(main.get_by_text(re.compile(r"Test image 4176 is a 2"))).to_be_visible()
    assert_clean(page)
    main.get_by_role("button", name="Open this digit in the feature-map view").click()
    wait_idle(page)
    expect(main.get_by_role("heading", level=1)).to_contain_text("6 · Filters")
    expect(main.get_by_text(re.compile(r"reads test image 4176 \(label 2\)"))).to_be_visible()
    assert_clean(page)


# Counts the changes to the clickable feature map's chart (its element tree and attributes).
WATCH_CHART = """() => {
  window.__chartChanges = 0;
  const chart = [...document.querySelectorAll('[data-testid=stPlotlyChart]')]
    .find(c => c.innerText.includes('Feature map 1 of layer 1: click a cell'));
  new MutationObserver((ms) => { window.__chartChanges += ms.length; })
    .observe(chart, {childList: true, subtree: true, attributes: true});
}"""


def test_a_click_on_the_feature_map_moves_its_mark_without_drawing_it_again(page, server_url):
    """Issue 6: a click answers with the by-hand result, and only the map's mark changes.

    How fast it answers is a figure of the bench (`python -m lesson.tools.bench --browser`).
    """
    open_app(page, server_url, "inside")
    title = "Feature map 1 of layer 1: click a cell"
    page.get_by_test_id("stPlotlyChart").filter(has_text=title).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.evaluate(WATCH_CHART)
    changes = []
    for row, col in [(3, 20), (12, 12), (20, 4)]:
        page.evaluate("window.__chartChanges = 0")
        click_cell(page, title, row, col, 26, 26)
        expect(page.get_by_text(f"feature map 1 at row {row}, column {col}")).to_be_visible()
        page.wait_for_timeout(300)
        changes.append(page.evaluate("window.__chartChanges"))
    assert_clean(page)
    # The map is not drawn again for a click (a redraw makes ~1,500 changes, the
    # mark and the hover label ~140): only its mark.
    assert max(changes) < 500, changes


def marked_cell(page, title: str, rows: int, cols: int) -> tuple[int, int] | None:
    """The (row, column) of the cell a clickable map outlines in the browser, if one."""
    chart = page.get_by_test_id("stPlotlyChart").filter(has_text=title)
    where = chart.evaluate(  # both boxes at one moment: the page may still be moving
        """c => { const p = [...c.querySelectorAll('path.point')]
                    .find(p => parseFloat(getComputedStyle(p).opacity) > 0.5);
                  if (!p) return null;
                  const r = p.getBoundingClientRect();
                  const a = c.querySelector('.nsewdrag').getBoundingClientRect();
                  return [(r.y + r.height / 2 - a.y) / a.height,
                          (r.x + r.width / 2 - a.x) / a.width]; }"""
    )
    return None if where is None else (int(where[0] * rows), int(where[1] * cols))


def assert_marked(page, title: str, cell: tuple[int, int]) -> None:
    """The map outlines `cell` (within 5 s: plotly draws after the page is idle)."""
    seen = None
    for _ in range(25):
        seen = marked_cell(page, title, 26, 26)
        if seen == cell:
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"the map marks {seen}, not {cell}")


def test_the_map_marks_the_chosen_cell_whether_clicked_or_set_by_a_slider(page, server_url):
    open_app(page, server_url, "inside")
    main = page.get_by_test_id("stMain")
    title = "Feature map 1 of layer 1: click a cell"
    assert_marked(page, title, (10, 12))
    click_cell(page, title, 10, 13, 26, 26)  # the browser marks it, the chart is not resent
    page.mouse.move(0, 0)
    expect(main.get_by_text("feature map 1 at row 10, column 13")).to_be_visible()
    assert_marked(page, title, (10, 13))
    # A slider step back to the first cell: the chart as first sent, but the mark must move.
    main.locator(".st-key-inside_col").get_by_role("slider").press("ArrowLeft")
    wait_idle(page)
    expect(main.get_by_text("feature map 1 at row 10, column 12")).to_be_visible()
    assert_marked(page, title, (10, 12))
    main.locator(".st-key-inside_row").get_by_role("slider").press("ArrowRight")
    wait_idle(page)
    assert_marked(page, title, (11, 12))
    assert_clean(page)


CONFUSION_LAYOUT = """chart => {
  const plot = chart.querySelector('.nsewdrag').getBoundingClientRect();
  const counts = Array.from(chart.querySelectorAll('g.heatmaplayer text'));
  const bar = chart.querySelector('.colorbar').getBoundingClientRect();
  const widths = counts.map(t => t.getBoundingClientRect().width);
  return {cell: plot.width / 10, widest: Math.max(...widths),
          counts: counts.length, plotBottom: plot.bottom, plotWidth: plot.width, barTop: bar.top,
          chartWidth: chart.getBoundingClientRect().width};
}"""


def test_the_confusion_matrix_fits_a_phone(browser, server_url):
    """At 400 px the four-digit counts spilled out of their cells and the colour bar took a
    quarter of the width (issue 18)."""
    context = browser.new_context(viewport={"width": 400, "height": 800})
    page = context.new_page()
    try:
        open_app(page, server_url, "mistakes")
        chart = page.get_by_test_id("stPlotlyChart").filter(has_text="Confusion matrix")
        chart.scroll_into_view_if_needed()
        expect(chart.locator(".colorbar")).to_have_count(1)
        page.wait_for_timeout(500)
        layout = chart.evaluate(CONFUSION_LAYOUT)
        assert layout["counts"] == 100
        assert layout["widest"] < layout["cell"], layout  # "1135" inside its cell
        assert layout["barTop"] >= layout["plotBottom"], layout  # the bar below, not beside
        assert layout["plotWidth"] > 0.7 * layout["chartWidth"], layout
    finally:
        context.close()
