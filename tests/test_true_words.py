"""Teaching points true for the network on show, and numbers written as a person writes them
(issue 35: pooling that does not keep a 7×7 'same' network small, bright maps of tanh networks,
"1 pixels inked", "rows 5–5, columns 6–6", "jumps 1 cells at a time")."""

import re
from dataclasses import replace

import numpy as np
import pytest

from lesson import step3_network
from lesson.parts import facts
from lesson.step3_network import LESSON, NetworkConfig
from lesson.tools import exercises as ex
from lesson.tools import words
from tests import pages
from tests.pages import app
from tests.support import ROOT

SEVEN_SAME = replace(LESSON, kernel_size=7, padding="same")
TANH = NetworkConfig(activation="tanh")
POOL_1 = NetworkConfig(conv_blocks=1, kernel_size=5, pool_size=1, filters=(1, 16, 32))


def text_of(at) -> str:
    """Markdown and captions, each run of spaces and line breaks as one space."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return " ".join(" ".join(parts + [w.value for w in at.warning]).split())


def mine(config: NetworkConfig) -> dict:
    return {"learner_model": step3_network.build_model(config), "learner_model_name": "your model"}


def compared(config: NetworkConfig) -> dict:
    rows = step3_network.layer_table(config)
    plain = step3_network.layer_table(step3_network.without_convolution(config))
    return facts.compared(rows, plain, config)


def test_a_seven_by_seven_same_network_is_not_said_to_be_kept_small():
    """106,790 parameters with convolution against 101,770 without, yet "pooling keeps it
    small"."""
    said = compared(SEVEN_SAME)["pooling"]
    assert "larger, 106,790 parameters against 101,770 without it" in said
    assert "'same' padding keeps the size" in said and "7 × 7 × 16 = 784 values, as many as" in said
    assert "keeps it small" not in said
    assert step3_network.total_parameters(SEVEN_SAME) == 106_790


@pytest.mark.parametrize(
    ("config", "smaller"),
    [(LESSON, True), (SEVEN_SAME, False), (replace(LESSON, kernel_size=4, pool_size=1), False),
     (POOL_1, True), (replace(LESSON, filters=(256, 256, 32), padding="same", pool_size=4), False),
     (replace(LESSON, pool_size=3, padding="same"), True)],
)  # fmt: skip
def test_what_the_build_page_says_of_the_size_is_true(config, smaller):
    rows = step3_network.layer_table(config)
    plain = step3_network.layer_table(step3_network.without_convolution(config))
    truly = sum(r.params for r in rows) < sum(r.params for r in plain)
    said = compared(config)["pooling"]
    assert truly == smaller and ("larger" not in said) == smaller, said
    flat = next(r for r in rows if r.kind == "Flatten").shape[0]
    assert f"= {flat:,} values" in said


def test_the_build_page_says_it_for_the_seven_same_network():
    text = pages.markdown_text(app("p3_build.py", query={"kernel_size": "7", "padding": "same"}))
    text = " ".join(text.split())
    assert "convolution makes the network larger, 106,790 parameters against 101,770" in text
    assert "pooling is what keeps it small" not in text


def test_signed_feature_maps_are_not_called_bright_where_found():
    """A tanh network's maps go below 0: the Inside page said "bright where the filter's
    pattern was found"; the Draw page already said "blue is positive, red negative"."""
    tanh = text_of(app("p6_inside.py", state=mine(TANH)))
    assert "feature map**: its values can be negative, so blue is positive, red negative" in tanh
    assert "bright where" not in tanh
    assert "6 heatmaps of 26×26, blue is positive, red negative, white 0" in tanh
    lesson = text_of(app("p6_inside.py"))
    assert "feature map**: bright where the filter's pattern was found, dark where it was" in lesson
    assert "6 heatmaps of 26×26, bright where the filter's pattern was found" in lesson


def test_the_draw_page_says_what_the_colours_of_its_maps_mean():
    at = app("p5_draw.py", state=mine(TANH))
    at.segmented_control(key="draw_source").set_value("test").run()
    assert not at.exception
    assert "giving one **feature map**: its values can be negative" in text_of(at)
    at = app("p5_draw.py")
    at.segmented_control(key="draw_source").set_value("test").run()
    assert "giving one **feature map**: bright where the filter's pattern" in text_of(at)


@pytest.mark.parametrize(
    ("config", "colours"),
    [(LESSON, facts.FOUND), (replace(LESSON, activation="sigmoid"), facts.FOUND),
     (TANH, facts.SIGNED), (replace(LESSON, activation="elu"), facts.SIGNED),
     (replace(LESSON, activation="linear"), facts.SIGNED)],
)  # fmt: skip
def test_map_colours_follow_the_activation(config, colours):
    assert facts.map_colours(facts.layers(step3_network.build_model(config))) == colours


def test_spans_plurals_and_captions_of_one():
    assert words.span(5, 5, "row") == "row 5" and words.span(5, 6, "column") == "columns 5–6"
    assert facts.caption_colours(np.array([[-1.0, 1.0]])).startswith("blue is positive")
    assert facts.caption_colours(np.array([[0.0, 1.0]])).startswith("bright")


def test_one_pixel_one_cell_one_position_are_singular():
    """ "rows 5–5, columns 6–6", "jumps 1 cells at a time", "of its 1 values"."""
    text = text_of(app("p6_inside.py", state=mine(POOL_1)))
    assert re.search(r"the pooling window, row \d+, column \d+, outlined in orange", text)
    assert "jumps 1 cell at a time" in text and "largest of its 1 value " in text
    assert "1 cells" not in text and "1 values" not in text
    assert "1 feature map of 24×24" in text and "1 feature maps" not in text
    assert "1 filter of 5×5×1 slid" in text and "1 filters" not in text


def test_the_pixel_grid_says_1_pixel_inked():
    script = (ROOT / "lesson/parts/pixel_grid.js").read_text()
    assert "pixels inked" not in script and 'pixel${inked === 1 ? "" : "s"} inked' in script


def test_the_one_hot_question_reads_naturally():
    assert ex.onehot(6, 13)[0].question.startswith("The label of training image 13 is **6**.")
    assert ex.onehot(5, 0)[0].question.startswith("The label of the first training image is")


def test_mistake_answers_of_one():
    matrix = np.diag([100] * 10)
    matrix[7, 1], matrix[9, 4] = 1, 1
    most, taken_for = ex.mistakes(matrix)
    assert most.answer.endswith("(1 test image wrong)") and taken_for.answer.endswith("(1 time)")


def test_one_inked_pixel_of_the_grid_says_to_ink_more_pixels():
    """ "Use a larger image of the digit" for one inked pixel of the keyboard grid."""
    one = ["0"] * 28 * 28
    one[14 * 28 + 14] = "1"
    at = app("p5_draw.py", state={"draw_grid_pixels": "".join(one)})
    at.segmented_control(key="draw_source").set_value("grid").run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "Don't trust this answer" in warning, warning
    assert "Ink more pixels" in warning and "larger image" not in warning
