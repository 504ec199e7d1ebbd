"""Teaching text true for the learner's own network and settings, not the lesson's (issue 17)."""

import pytest

from lesson import step3_network
from lesson.step3_network import NetworkConfig
from lesson.tools import words
from tests import pages
from tests.pages import app

# Kernel 4, tanh, pool 3: 28 → 25 (conv) → 8 (pool, one row left over) → 5 → 1.
ODD = NetworkConfig(kernel_size=4, activation="tanh", pool_size=3, filters=(8, 12, 32))
# Pool 1 keeps the size: 28 → 24 → 24.
NO_POOLING = NetworkConfig(conv_blocks=1, kernel_size=5, pool_size=1)
LESSON_NUMBERS = ("3 × 3 grid", "3 × 3 patch", "nine", "ReLU", "2 × 2", "26 × 26", "13 × 13", "880")


def markdown_text(at) -> str:
    """The page's markdown, each run of spaces and line breaks as one space."""
    return " ".join(pages.markdown_text(at).split())


def mine(config: NetworkConfig) -> dict:
    """A session whose learner's model is an (untrained) network built from `config`."""
    return {"learner_model": step3_network.build_model(config), "learner_model_name": "your model"}


@pytest.mark.parametrize(
    "config", [step3_network.LESSON, ODD, NO_POOLING], ids=["lesson", "odd", "pool1"]
)
def test_map_layers_agree_with_the_table_worked_out_by_hand(config):
    by_hand = [r for r in step3_network.layer_table(config) if r.kind in ("Conv2D", "MaxPooling2D")]
    built = step3_network.map_layers(step3_network.build_model(config))
    assert [(b.name, b.kind, b.size, b.channels, b.params) for b in built] == [
        (r.name, r.kind, r.shape[0], r.shape[2], r.params) for r in by_hand
    ]
    windows = [config.kernel_size, config.pool_size] * config.conv_blocks
    assert [b.window for b in built] == windows
    assert [b.activation for b in built if b.kind == "Conv2D"] == [config.activation] * len(
        config.block_filters()
    )
    assert [b.size_in for b in built[1:]] == [b.size for b in built[:-1]]


def test_map_layers_of_a_network_without_convolution_is_empty():
    assert step3_network.map_layers(step3_network.build_model(NetworkConfig(conv_blocks=0))) == []


def test_small_numbers_are_spelled_out():
    assert words.spelled(9) == "nine" and words.spelled(1) == "one" and words.spelled(10) == "ten"
    assert words.spelled(16) == "16" and words.spelled(1_536) == "1,536"


def test_inside_page_states_the_lessons_numbers_for_the_pretrained_model():
    text = markdown_text(app("p6_inside.py"))
    assert "a 3 × 3 grid of weights" in text
    assert "16 × 6 × 9 = 864 weights (plus 16 biases, 880 parameters" in text
    assert "the 3 × 3 patch" in text and "add the nine products" in text
    assert "apply ReLU (negative numbers become 0)" in text
    assert "a 26 × 26 map becomes 13 × 13." in text


def test_inside_page_states_the_numbers_of_a_kernel_4_tanh_pool_3_network():
    text = markdown_text(app("p6_inside.py", state=mine(ODD)))
    assert "Each filter of the first convolution is a 4 × 4 grid of weights" in text
    assert "at the 8 feature maps of the first layer" in text
    assert "each of its 12 filters has one 4 × 4 grid" in text
    assert "12 × 8 grids, 12 × 8 × 16 = 1,536 weights (plus 12 biases, 1,548 parameters" in text
    assert "the 4 × 4 patch" in text and "add the 16 products" in text
    assert "16 products and their sum" in text  # the player
    assert "apply tanh (it squeezes every number between −1 and 1)" in text
    assert "Max pooling looks at a 3 × 3 window" in text
    assert "a 25 × 25 map becomes 8 × 8: the last row and column fit no whole window" in text
    for lesson in LESSON_NUMBERS:
        assert lesson not in text, lesson


def test_inside_page_says_a_1x1_pool_keeps_the_size():
    text = markdown_text(app("p6_inside.py", state=mine(NO_POOLING)))
    assert "a 5 × 5 grid of weights" in text and "add the 25 products" in text
    assert "A 1 × 1 window holds one value, so every value is kept: a 24 × 24 map stays" in text
    assert "24×24 stays 24×24" in text  # the pooling layer's line under its feature maps
    assert "position matters less" not in text and "becomes" not in text
    assert "The second convolution" not in text  # one block: no deeper filters to describe


def test_inside_page_with_a_1x1_kernel_has_one_product_to_add():
    text = markdown_text(app("p6_inside.py", state=mine(NetworkConfig(kernel_size=1))))
    assert "the 1 × 1 patch (one pixel)" in text
    assert "Multiply the pixel by the filter's one weight, add the filter's bias" in text
    assert "products" not in text.split("One feature-map value, by hand")[1].split("###")[0]


def draw_text(config: NetworkConfig | None = None) -> str:
    """The Draw page's markdown as `config` (None: the pre-trained model) reads a test digit."""
    at = app("p5_draw.py", state=mine(config) if config else {})
    at.segmented_control(key="draw_source").set_value("test").run()
    assert not at.exception
    return markdown_text(at)


def test_draw_page_describes_the_pooling_of_the_model_it_uses():
    text = draw_text(ODD)
    assert "Each pooling layer keeps the strongest response in every 3×3 patch, cutting the " \
        "size to a third. Deeper feature maps are smaller and harder" in text  # fmt: skip
    assert "2×2" not in text and "halving" not in text


def test_draw_page_says_a_1x1_pool_keeps_the_size():
    text = draw_text(NetworkConfig(kernel_size=3, pool_size=1, padding="same"))
    assert "Each pooling layer here has a 1×1 window, so it keeps every value: same size." in text
    assert "Deeper feature maps are harder to read" in text  # 'same' padding: nothing shrinks
    assert "halving" not in text and "smaller and harder" not in text


def test_draw_page_with_the_pretrained_model_halves():
    text = draw_text()
    assert "in every 2×2 patch, halving the size. Deeper feature maps are smaller and" in text


def test_train_page_compiles_with_the_optimizer_of_the_link():
    at = app("p4_train.py", query={"optimizer": "sgd", "learning_rate": "0.01"})
    text = markdown_text(at)
    assert "**Optimizer: sgd, learning rate 0.01.**" in text
    assert "plain gradient descent" in text
    assert "adam" not in text.split("### Compile")[1].split("### Fit")[0]
    at.segmented_control(key="train_optimizer").set_value("rmsprop").run()
    assert "**Optimizer: rmsprop, learning rate 0.01.**" in markdown_text(at)


def test_train_page_compiles_with_adam_by_default():
    text = markdown_text(app("p4_train.py"))
    assert "**Optimizer: adam, learning rate 0.001.**" in text
    assert "adapts its step size for every parameter" in text


def test_build_page_speaks_of_the_learners_kernel_and_pool():
    text = markdown_text(app("p3_build.py", query={"kernel_size": "4", "pool_size": "1"}))
    assert "the same 16 weights of a 4×4 filter" in text
    assert "a 1×1 pool shrinks nothing" in text
    assert "9 weights of a 3×3" not in text and "pooling is what keeps it small" not in text
    lesson = markdown_text(app("p3_build.py"))
    assert "the same 9 weights of a 3×3 filter" in lesson
    assert "where most parameters sit; pooling is what keeps it small." in lesson
