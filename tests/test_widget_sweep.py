"""The widget sweep: every widget of every page, given every kind of value a learner can give it.

Data-driven: the sweep finds the widgets itself (so a new widget is covered without anyone
remembering to), sends what a browser would send (a selected option clicked again, an emptied
box, the ends of a slider, every option of a select, odd text), and checks that the page runs
with no exception and keeps its main controls. The canvas and the plotly selections are custom
in the browser: tests/test_browser_sweep.py covers them in Chromium.
"""

import re

import pytest
from streamlit.proto.ButtonGroup_pb2 import ButtonGroup as ButtonGroupProto
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import (
    Button,
    ButtonGroup,
    Checkbox,
    DownloadButton,
    FileUploader,
    Multiselect,
    NumberInput,
    Radio,
    Selectbox,
    SelectSlider,
    Slider,
    TextInput,
    Toggle,
    Widget,
)

from tests.pages import INSTRUCTOR_KEY, app

# page script (None: the default page) -> (title, keys of the controls that must stay)
PAGES = {
    None: ("1 · The data", ["gallery_digit", "pixel_image_text", "pixel_row"]),
    "p2_onehot.py": ("2 · One-hot labels", ["onehot_start_text", "onehot_digit", "ce_digit"]),
    "p3_build.py": ("3 · Build the network", ["build_blocks", "build_units_text", "build_reset"]),
    "p4_train.py": ("4 · Train", ["train_optimizer", "train_epochs", "train_start"]),
    "p5_draw.py": ("5 · Draw a digit", ["draw_source"]),
    "p6_inside.py": ("6 · Filters & feature maps", ["inside_source", "inside_index_text"]),
    "p7_mistakes.py": ("7 · Mistakes", ["mistakes_true", "mistakes_of", "mistakes_open"]),
}
# Widgets the sweep leaves to their own tests, and why.
SKIP = {
    "train_start": "trains a network: tests/test_train_page.py",
    "mistakes_open": "leaves the page: tests/test_inside_pages.py",
    "draw_upload": "needs image files: tests/test_draw_page.py",
}
TEXTS = ["", " ", "?", "1,5", "abc", "x" * 300, "-1", "1e999", "1e9", "2e3", "60,000", "3.7"]
RANGE = re.compile(r"^(-?[\d,.]+) to (-?[\d,.]+)$")  # a number box's placeholder: "0 to 9,999"
MANY = 12  # a select with more options is sampled: both ends and the middle


def sample(options: list) -> list:
    """All options of a short list; the ends and the middle of a long one."""
    if len(options) <= MANY:
        return list(options)
    return [options[0], options[len(options) // 2], options[-1]]


def all_widgets(at: AppTest) -> list[Widget]:
    """Every widget on the page and in the sidebar, in page order."""
    found = []

    def walk(node) -> None:
        if isinstance(node, Widget):
            found.append(node)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def name(widget: Widget) -> tuple:
    """How to find a widget again after a rerun: its key, or its type and label."""
    return (widget.key,) if widget.key else (widget.type, getattr(widget, "label", ""))


def find(at: AppTest, wanted: tuple) -> Widget | None:
    return next((w for w in all_widgets(at) if name(w) == wanted), None)


def sent(widget: Widget, fill) -> None:
    """Make `widget` send the state `fill` writes, as the browser would."""
    state = WidgetState()
    state.id = widget.id
    fill(state)
    widget.__class__ = type(
        f"Sent{type(widget).__name__}",
        (type(widget),),
        {"_widget_state": property(lambda _: state)},
    )


def strings(*values: str):
    return lambda s: s.string_array_value.data.extend(values)


def values(widget: Widget) -> list[tuple[str, object]]:
    """(description, how to send it) for every value worth trying."""
    p = widget.proto
    if isinstance(widget, ButtonGroup):
        if widget.proto.click_mode == ButtonGroupProto.ClickMode.SINGLE_SELECT:
            out = [(f"option {o!r}", strings(o)) for o in sample(widget.options)]
            if not p.required:  # the selected option clicked again: nothing selected
                out.append(("deselected", strings()))
            return out
        return [("none", strings()), ("all", strings(*widget.options))]
    if isinstance(widget, (Selectbox, Radio)):
        out = [(f"option {o!r}", lambda s, o=o: setattr(s, "string_value", o)) for o in
               sample(widget.options)]  # fmt: skip
        if not p.HasField("default"):  # a select with a placeholder can be emptied
            out.append(("emptied", lambda s: None))
        return out
    if isinstance(widget, SelectSlider):
        return [(f"option {o!r}", strings(o)) for o in sample(widget.options)]
    if isinstance(widget, Slider):
        ends = [p.min, p.max, p.min + round((p.max - p.min) / 2 / p.step) * p.step]
        return [(f"{v:g}", lambda s, v=v: s.double_array_value.data.append(v)) for v in ends]
    if isinstance(widget, NumberInput):
        ends = [p.min if p.has_min else -1e9, p.max if p.has_max else 1e9]
        ends.append(ends[0] + (ends[1] - ends[0]) // 2)
        out = [(f"{v:g}", lambda s, v=v: setattr(s, "double_value", v)) for v in ends]
        if p.HasField("default"):  # an emptied box: the browser puts the default back
            out.append(("emptied", lambda s: setattr(s, "double_value", p.default)))
        else:  # a box that may be empty sends no number
            out.append(("emptied", lambda s: None))
        return out
    if isinstance(widget, TextInput):
        texts = list(TEXTS)
        if ends := RANGE.match(p.placeholder):  # a (whole) number box: its ends and past them
            low, high = (int(e.replace(",", "")) for e in ends.groups())
            texts += [str(low), str(high), str(low - 1), str(high + 1), str((low + high) // 2)]
        return [(repr(t[:12]), lambda s, t=t: setattr(s, "string_value", t)) for t in texts]
    if isinstance(widget, (Toggle, Checkbox)):
        return [(str(v), lambda s, v=v: setattr(s, "bool_value", v)) for v in (True, False)]
    if isinstance(widget, (Button, DownloadButton)):
        return [("clicked", lambda s: setattr(s, "trigger_value", True))]
    if isinstance(widget, Multiselect):
        return [("none", strings()), ("all", strings(*widget.options))]
    if isinstance(widget, FileUploader):
        return []
    raise AssertionError(f"the sweep does not know {type(widget).__name__}: teach it")


def check(at: AppTest, title: str, main: list[str], what: str) -> None:
    """The page ran cleanly and its main controls are still there."""
    assert not at.exception, (what, [e.value for e in at.exception])
    assert [t.value for t in at.title] == [title], what
    keys = {w.key for w in all_widgets(at)}
    missing = [k for k in main if k not in keys]
    assert not missing, (what, "lost", missing)


def sweep(page: str | None, query: dict | None = None) -> int:
    """Try every value of every widget on `page`, one widget at a time; return the runs made."""
    title, main = PAGES[page]
    at = app(page, query, clean=False)
    check(at, title, main, "opened")
    return sweep_widgets(at, title, main, set())


def sweep_widgets(at: AppTest, title: str, main: list[str], done: set) -> int:
    """Sweep the widgets not done yet; one a value shows (the Draw page's test image number
    after "Pick a test digit") is swept at once, while that value holds."""
    runs = 0
    while True:
        todo = [w for w in all_widgets(at)
                if name(w) not in done and w.key not in SKIP and not w.disabled]  # fmt: skip
        if not todo:
            return runs  # a widget disabled now is swept once another value enables it
        widget = todo[0]
        done.add(name(widget))
        before = WidgetState()
        before.CopyFrom(widget._widget_state)
        for what, fill in values(widget):
            w = find(at, name(widget))
            if w is None or w.disabled:
                break  # an earlier value removed or disabled it (checked below)
            sent(w, fill)
            at.run()
            runs += 1
            check(at, title, main, f"{name(widget)} = {what}")
            runs += sweep_widgets(at, title, main, done)
        w = find(at, name(widget))
        if w is not None and not w.disabled and not isinstance(w, (Button, DownloadButton)):
            sent(w, lambda s, b=before: s.CopyFrom(b))  # back as it was, so the next widgets
            at.run()  # start from the page a learner first sees
            check(at, title, main, f"{name(widget)} restored")


@pytest.mark.parametrize("page", list(PAGES), ids=[p or "p1_data.py" for p in PAGES])
def test_every_widget_of_every_page(page):
    assert sweep(page) > 5


@pytest.mark.parametrize("page", ["p3_build.py", "p4_train.py"])
def test_every_widget_for_an_instructor(page, instructor_key):
    """The instructor's own widgets (lock picker, "Reveal answers") and those they show are swept;
    the widgets a learner has too were swept above."""
    title, main = PAGES[page]
    learners = {name(w) for w in all_widgets(app(page, None, clean=False))}
    # "Leave instructor mode" takes every other instructor widget away: it is clicked last.
    done = learners | {("instructor_leave",)}
    at = app(page, {"instructor": INSTRUCTOR_KEY}, clean=False)
    check(at, title, main, "opened")
    assert sweep_widgets(at, title, main, done) >= 4  # lock none, all; reveal on, off
    assert ("classroom_lock_pick",) in done and ("classroom_reveal",) in done
    find(at, ("instructor_leave",)).click()
    at.run()
    check(at, title, main, "left instructor mode")
    assert ("classroom_reveal",) not in {name(w) for w in all_widgets(at)}


def test_the_sweep_finds_widgets_by_itself():
    """A deselectable option or an unknown widget kind would be tried or named, not missed."""
    at = app("p4_train.py")
    kinds = {type(w).__name__ for w in all_widgets(at)}
    assert {"ButtonGroup", "Slider", "SelectSlider", "TextInput"} <= kinds
    seed = find(at, ("train_seed_text",))  # a number box: its range is tried too
    assert {"'0'", "'9999'", "'-1'", "'10000'", "'1e9'"} <= {what for what, _ in values(seed)}
    optimizer = find(at, ("train_optimizer",))
    assert [what for what, _ in values(optimizer)] == [
        "option 'adam'", "option 'sgd'", "option 'rmsprop'"
    ]  # fmt: skip


def test_clicking_the_chosen_optimizer_again_keeps_it():
    """The crash of issue 18: a second click on the selected optimizer (what the browser sends
    for a segmented control; a required one sends the same option back)."""
    at = app("p4_train.py")
    optimizer = find(at, ("train_optimizer",))
    assert optimizer.proto.required, "a second click must not empty the optimizer"
    sent(optimizer, strings("adam"))
    at.run()
    assert not at.exception
    assert at.segmented_control(key="train_optimizer").value == "adam"
    assert not at.button(key="train_start").disabled  # a run can still start


@pytest.mark.parametrize(
    ("page", "key"),
    [(None, "gallery_digit"), ("p2_onehot.py", "onehot_digit"), ("p5_draw.py", "draw_source"),
     ("p6_inside.py", "inside_source"), ("p7_mistakes.py", "mistakes_of"),
     ("p4_train.py", "train_optimizer"), ("p3_build.py", "build_blocks")],
)  # fmt: skip
def test_a_chosen_option_clicked_again_stays_chosen(page, key):
    """One-hot "Digit" 0 clicked twice showed the label of 5; Data "All" twice chose nothing."""
    at = app(page)
    assert find(at, (key,)).proto.required
