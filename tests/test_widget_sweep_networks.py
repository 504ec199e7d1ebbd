"""The widget sweep over networks whose pages once asked what they showed (issue 35): every
widget of the Build page for 7×7 'same' and a dense-only network, every answer box given odd
text and answers in the app's own revealed form."""

import pytest

from tests.pages import app
from tests.test_widget_sweep import PAGES, check, sweep

NETWORKS = {
    "k7-same": {"kernel_size": "7", "padding": "same"},
    "no-conv": {"conv_blocks": "0"},
}


@pytest.mark.parametrize("network", NETWORKS.values(), ids=NETWORKS.keys())
def test_every_widget_of_the_build_page_for_networks_that_asked_what_they_showed(network):
    assert sweep("p3_build.py", network) > 5


# Answers in the forms the checker now reads, and near misses it refuses.
ANSWERS = ["784 (28 × 28 pixels)", "60k", "the 7", "0.0 0.0 1.0", "99.6%", "(12.0, 12.0, 6.0)"]


@pytest.mark.parametrize("page", list(PAGES), ids=[p or "p1_data.py" for p in PAGES])
def test_every_answer_box_takes_answers_in_the_apps_own_forms(page):
    """Each Check yourself box of the page, given each answer form; the page keeps running and
    says something back."""
    title, main = PAGES[page]
    at = app(page, clean=False)
    check(at, title, main, "opened")
    keys = [box.key for box in at.text_input if (box.key or "").startswith("ex_")]
    assert keys, page
    for key in keys:
        for text in ANSWERS:
            at.text_input(key=key).input(text).run()
            check(at, title, main, f"{key} = {text!r}")
            said = [m.value for m in (*at.success, *at.warning, *at.info)]
            assert said, (page, key, text, "no word back")
