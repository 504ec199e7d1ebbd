"""The look-inside pages run under AppTest for the pre-trained model and a learner's models."""

from types import SimpleNamespace

import keras
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from lesson import step1_data, step3_network, step4_training
from tests import pages
from tests.pages import markdown_table, markdown_text

FILTERS = "lesson/pages/p6_inside.py"
MISTAKES = "lesson/pages/p7_mistakes.py"


@pytest.fixture(scope="module")
def trained():
    """A freshly trained tiny model and its run: 2 epochs on 300 images."""
    keras.utils.set_random_seed(7)
    m = step1_data.load_mnist()
    net = step4_training.compile_model(step3_network.build_model())
    snaps = step4_training.FilterSnapshots()
    x, y = step1_data.preprocess(m.x_train[:300]), keras.utils.to_categorical(m.y_train[:300], 10)
    net.fit(x, y, batch_size=32, epochs=2, verbose=0, callbacks=[snaps])
    run = SimpleNamespace(name="run 1", snapshots=snaps.snapshots, model=net, epochs=[{}, {}],
                          finished=True, usable=True, status="done")  # fmt: skip
    return net, run


def open_page(page: str, **state) -> AppTest:
    """Run the app with `state` in the session, switch to `page`, and check it is clean."""
    at = pages.app(page, state=state)
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    """No exception and no error box on the page."""
    pages.assert_clean(at)
    assert not at.error, [e.value for e in at.error]


def learner(net, name="your model (run 1, 2 epochs)", runs=()):
    return {
        "learner_model": net,
        "learner_model_name": name,
        "workspace_runs": dict(enumerate(runs, 1)),
    }


def checks(at: AppTest) -> int:
    """How many by-hand results agree with the network's own value."""
    return markdown_text(at).count(":material/check_circle: same as the network")


def test_inside_page_with_the_pretrained_model():
    at = open_page(FILTERS)
    assert at.title[0].value == "6 · Filters & feature maps"
    assert checks(at) == 2  # the conv value and the pooled value
    assert "26×26×6" in markdown_text(at) and "5×5×16" in markdown_text(at)
    assert "No training run" in "\n".join(c.value for c in at.caption)
    at.slider(key="inside_row").set_value(3).run()
    at.slider(key="inside_col").set_value(20).run()
    at.selectbox(key="inside_map").set_value(4).run()
    at.slider(key="inside_pool_row").set_value(12).run()
    assert_clean(at)
    assert "feature map 5 at row 3, column 20" in markdown_text(at)
    assert checks(at) == 2
    at.text_input(key="inside_index_text").input("123").run()
    at.button(key="inside_random").click().run()
    assert_clean(at)
    assert at.session_state["inside_index"] != 123
    assert at.text_input(key="inside_index_text").value == str(at.session_state["inside_index"])


def test_inside_page_replays_the_epochs_of_a_fresh_run(trained):
    net, run = trained
    at = open_page(FILTERS, **learner(net, runs=[run]))
    epoch = at.slider(key="inside_epoch")
    assert (epoch.min, epoch.max, epoch.value) == (0, 2, 2)
    before = markdown_table(at, "filter")
    assert len(before) == 6 and len(before[0]) == 1 + 9  # the lesson's six 3×3 filters
    epoch.set_value(0).run()
    assert_clean(at)
    assert markdown_table(at, "filter") != before  # the random starting filters
    assert "before training (random), run 1" in "\n".join(c.value for c in at.caption)
    assert checks(at) == 2
    at.radio(key="inside_model").set_value("pretrained").run()
    assert_clean(at)
    assert "replays your own runs" in "\n".join(c.value for c in at.caption)
    assert checks(at) == 2


def test_inside_page_shows_the_last_drawing(trained):
    net, _ = trained
    drawing = np.zeros((28, 28), dtype="float32")
    drawing[5:23, 13:15] = 1.0  # a "1"
    at = open_page(FILTERS, last_drawing=drawing, **learner(net))
    at.segmented_control(key="inside_source").set_value("drawing").run()
    assert_clean(at)
    assert "reads your last drawing as a" in markdown_text(at)
    assert checks(at) == 2


def test_inside_page_without_a_drawing_says_so():
    at = open_page(FILTERS)
    at.segmented_control(key="inside_source").set_value("drawing").run()
    assert_clean(at)
    assert "No drawing yet" in at.info[0].value


@pytest.mark.parametrize(
    "config",
    [
        step3_network.NetworkConfig(conv_blocks=0),
        step3_network.NetworkConfig(conv_blocks=1, filters=(4, 16, 32)),
        step3_network.NetworkConfig(conv_blocks=3),
        step3_network.NetworkConfig(kernel_size=5, padding="same"),
    ],
    ids=["no conv", "one block", "three blocks", "5x5 same"],
)
def test_inside_page_with_other_networks(config):
    net = step3_network.build_model(config)
    snaps = [[k.copy() for k in (layer.kernel.numpy() for layer in net.layers if
              isinstance(layer, keras.layers.Conv2D))]]  # fmt: skip
    at = open_page(FILTERS, **learner(net, "your model (run 1)", [SimpleNamespace(
        name="run 1", snapshots=snaps)]))  # fmt: skip
    if config.conv_blocks == 0:
        assert "no convolution layer" in at.info[0].value
        return
    assert checks(at) == 2
    if config.conv_blocks == 3:
        at.selectbox(key="inside_deep_layer").set_value(at.selectbox(key="inside_deep_layer")
                                                        .options[1]).run()  # fmt: skip
        assert_clean(at)


def test_inside_page_clamps_positions_from_a_bigger_network():
    at = open_page(FILTERS, inside_row=27, inside_pool_row=13)  # "same" padding's sizes
    assert at.slider(key="inside_row").value == 25
    assert at.slider(key="inside_pool_row").value == 12


def test_mistakes_page_with_the_pretrained_model():
    at = open_page(MISTAKES)
    assert at.title[0].value == "7 · Mistakes"
    assert at.metric[0].value == "99.46%"
    matrix = at.dataframe[0].value.drop(columns="true digit").to_numpy()
    assert matrix.sum() == 10_000 and np.trace(matrix) == 9_946
    at.selectbox(key="mistakes_true").set_value(9).run()
    at.selectbox(key="mistakes_pred").set_value(4).run()
    assert_clean(at)
    assert f"**{matrix[9, 4]}** test images of a **9** were predicted as **4**" in markdown_text(at)
    at.segmented_control(key="mistakes_of").set_value("probability").run()
    at.text_input(key="mistakes_look_text").input("0").run()
    assert_clean(at)
    assert "Test image **0** is a **7**" in markdown_text(at)
    at.button(key="mistakes_open").click().run()
    assert_clean(at)
    assert at.title[0].value == "6 · Filters & feature maps"
    assert at.text_input(key="inside_index_text").value == "0"


def test_mistakes_page_opens_a_confident_mistake_in_the_feature_map_view():
    at = open_page(MISTAKES)
    first = at.session_state["mistakes_look"]
    at.button(key="mistakes_open").click().run()
    assert_clean(at)
    assert at.text_input(key="inside_index_text").value == str(first)
    assert f"test image {first}" in markdown_text(at)


def test_mistakes_page_with_a_fresh_model_keeps_its_evaluation(trained):
    net, run = trained
    at = open_page(MISTAKES, **learner(net, runs=[run]))
    saved = at.session_state["mistakes_eval"]
    assert saved["model"] is net and saved["probs"].shape == (10_000, 10)
    matrix = at.dataframe[0].value.drop(columns="true digit").to_numpy()
    assert matrix.sum() == 10_000
    at.selectbox(key="mistakes_true").set_value(1).run()
    assert_clean(at)
    assert at.session_state["mistakes_eval"]["probs"] is saved["probs"]  # not computed again
    at.radio(key="mistakes_model").set_value("pretrained").run()
    assert_clean(at)
    assert at.metric[0].value == "99.46%"


def test_mistakes_page_with_a_dense_only_network():
    net = step3_network.build_model(step3_network.NetworkConfig(conv_blocks=0))
    at = open_page(MISTAKES, **learner(net, "your dense model"))
    assert at.dataframe[0].value.drop(columns="true digit").to_numpy().sum() == 10_000


def test_mistakes_page_saliency_of_the_last_drawing(trained):
    net, run = trained
    drawing = np.zeros((28, 28), dtype="float32")
    drawing[6:22, 8:20] = 1.0
    at = open_page(MISTAKES, last_drawing=drawing, **learner(net, runs=[run]))
    at.toggle(key="mistakes_drawing").set_value(True).run()
    assert_clean(at)
    assert "reads your last drawing as a" in markdown_text(at)
    at.button(key="mistakes_open").click().run()
    assert_clean(at)
    assert at.title[0].value == "6 · Filters & feature maps"
    assert "reads your last drawing as a" in markdown_text(at)


def test_inside_page_ignores_snapshots_of_another_network(trained):
    net, _ = trained
    other = SimpleNamespace(name="run 9", snapshots=[[], []])  # a run of a dense-only network
    at = open_page(FILTERS, **learner(net, runs=[other]))
    assert "run 9" not in "\n".join(c.value for c in at.caption)
    assert "inside_epoch" not in [s.key for s in at.slider]  # nothing of run 9 to replay
    assert checks(at) == 2


def test_every_section_of_the_inside_page_shows_the_model_it_names(trained):
    """Run 1 is the learner's model while run 2 trains: the filters replayed run 2's epochs
    while the feature maps below showed run 1 (issue 18)."""
    net, run1 = trained
    other = step3_network.build_model()  # the same network, other weights
    k = [layer.kernel.numpy() for layer in other.layers if isinstance(layer, keras.layers.Conv2D)]
    run2 = SimpleNamespace(name="run 2", snapshots=[k, k, k, k], model=other, epochs=[{}] * 3,
                           finished=False, usable=False, status="running")  # fmt: skip
    at = open_page(FILTERS, **learner(net, runs=[run1, run2]))
    assert at.slider(key="inside_epoch").max == 2  # run 1's two epochs, not run 2's three
    captions = "\n".join(c.value for c in at.caption)
    assert "after epoch 2, run 1" in captions and "after epoch 3, run 2" not in captions
    assert "run 2 is still training" in captions
    assert "other filters" not in captions


def test_the_inside_page_with_the_pretrained_model_chosen_says_so(trained):
    """It said "Your last run trained a network with other filters" (issue 18)."""
    net, run = trained
    at = open_page(FILTERS, **learner(net, runs=[run]))
    at.radio(key="inside_model").set_value("pretrained").run()
    assert_clean(at)
    captions = "\n".join(c.value for c in at.caption)
    assert "These are the pre-trained model's filters" in captions
    assert "Your last run" not in captions and "inside_epoch" not in [s.key for s in at.slider]


def test_open_in_the_feature_map_view_keeps_the_model_and_says_what_it_can(trained):
    """From the pre-trained model's mistake it opened the learner's model; with a network
    without convolution it said nothing about the digit (issue 18)."""
    dense = step3_network.build_model(step3_network.NetworkConfig(conv_blocks=0))
    at = open_page(MISTAKES, **learner(dense, "your dense model"))
    at.radio(key="mistakes_model").set_value("pretrained").run()
    first = at.session_state["mistakes_look"]
    at.button(key="mistakes_open").click().run()
    assert_clean(at)
    assert at.title[0].value == "6 · Filters & feature maps"
    assert at.radio(key="inside_model").value == "pretrained"
    assert f"test image {first}" in markdown_text(at) and checks(at) == 2
    at.switch_page(MISTAKES).run()
    at.radio(key="mistakes_model").set_value("mine").run()
    at.button(key="mistakes_open").click().run()
    assert_clean(at)
    assert at.radio(key="inside_model").value == "mine"
    said = markdown_text(at)
    assert f"**your dense model** reads test image {first} (label" in said
    assert "no feature maps to show for it" in said
