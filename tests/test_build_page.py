"""The build page under AppTest: every control changes the table, and bad networks are refused."""

import pytest
from streamlit.testing.v1 import AppTest

from lesson.step3_network import LESSON, NetworkConfig
from tests.pages import app, assert_clean, control, defaults

PAGE = "lesson/pages/p3_build.py"


def open_page(network: NetworkConfig | None = None) -> AppTest:
    """The build page, with `network` already stored as if another page had set it."""
    return app(PAGE, state=None if network is None else {"network_config": network})


def table(at: AppTest) -> dict[str, str]:
    """Layer name → parameters, as the page's table shows them."""
    frame = at.table[0].value
    return {
        layer.split(" ")[0]: params
        for layer, params in zip(frame["layer (type)"], frame["parameters"], strict=True)
    }


def shapes(at: AppTest) -> list[str]:
    return [s.replace("\u00a0", " ") for s in at.table[0].value["output shape"]]


def total(at: AppTest) -> str:
    return at.metric[0].value


def test_the_lessons_network_by_default():
    at = open_page()
    assert at.title[0].value == "3 · Build the network"
    assert total(at) == "53,558"
    assert table(at) == {
        "conv2d": "60", "max_pooling2d": "0", "conv2d_1": "880", "max_pooling2d_1": "0",
        "dropout": "0", "flatten": "0", "dense": "51,328", "dropout_1": "0", "dense_1": "1,290",
    }  # fmt: skip
    assert shapes(at)[:2] == ["(None, 26, 26, 6)", "(None, 13, 13, 6)"]
    assert at.session_state["network_config"] == LESSON
    assert "This is the lesson's network." in [m.value for m in at.markdown]
    assert any("layers.Conv2D(6, kernel_size=3" in c.value for c in at.code)
    assert "input 28×28×1 → conv2d 26×26×6" in at.caption[0].value  # the picture's text


def test_changing_the_first_filters_changes_the_table_and_the_code():
    at = open_page()
    at.text_input(key="build_filters_1_text").input("8").run()
    assert_clean(at)
    assert table(at)["conv2d"] == "80"  # 3×3×1×8 + 8
    assert table(at)["conv2d_1"] == "1,168"  # 3×3×8×16 + 16
    assert "yours has **308 more**" in "\n".join(m.value for m in at.markdown)
    assert total(at) == f"{80 + 1_168 + 51_328 + 1_290:,}"
    assert at.session_state["network_config"].filters[0] == 8
    assert any("layers.Conv2D(8, kernel_size=3" in c.value for c in at.code)


@pytest.mark.parametrize(
    ("key", "value", "layer", "params"),
    [
        ("build_kernel", 5, "conv2d", "156"),  # 5×5×1×6 + 6
        ("build_units", 64, "dense", "25,664"),  # 400×64 + 64
        ("build_pool", 3, "dense", "8,320"),  # 26÷3=8, 8−2=6, 6÷3=2: 2×2×16 = 64 values × 128 + 128
        ("build_conv_dropout", 0.0, "dropout", "0"),  # now the dense dropout is "dropout"
    ],
)
def test_each_control_changes_the_table(key, value, layer, params):
    at = open_page()
    before = at.table[0].value.copy()
    if key == "build_units":
        at.text_input(key="build_units_text").input(str(value)).run()
    else:
        at.select_slider(key=key).set_value(value).run()
    assert_clean(at)
    assert not at.table[0].value.equals(before)
    assert table(at)[layer] == params


def test_padding_blocks_and_activation():
    at = open_page()
    at.button_group(key="build_padding").set_value("same").run()
    assert shapes(at)[0] == "(None, 28, 28, 6)"
    at.button_group(key="build_blocks").set_value(3).run()
    assert_clean(at)
    assert "conv2d_2" in table(at)
    assert shapes(at)[5] == "(None, 3, 3, 32)"  # 28 → 14 → 7 → 3
    at.selectbox(key="build_activation").set_value("tanh").run()
    assert at.session_state["network_config"].activation == "tanh"
    assert any('activation="tanh", padding="same"' in c.value for c in at.code)


def test_no_convolution_leaves_the_dense_network():
    at = open_page()
    at.button_group(key="build_blocks").set_value(0).run()
    assert_clean(at)
    assert list(table(at)) == ["flatten", "dense", "dropout", "dense_1"]
    assert total(at) == "101,770"
    assert at.text_input(key="build_filters_1_text").disabled
    assert "has no convolution" in "\n".join(m.value for m in at.markdown)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ([("text_input", "build_filters_1_text", "0")], "Conv2D layer 1 (conv2d) has 0 filters"),
        (
            [("button_group", "build_blocks", 3), ("select_slider", "build_kernel", 7)],
            "Conv2D layer 3 (conv2d_2) cannot fit its 7×7 filter",
        ),
        (
            [("select_slider", "build_kernel", 7), ("select_slider", "build_pool", 3)],
            "MaxPooling2D layer 2 (max_pooling2d_1) cannot fit one 3×3 window",
        ),
    ],
)
def test_an_impossible_network_is_refused_and_the_last_valid_one_stays(changes, words):
    at = open_page()
    at.text_input(key="build_filters_2_text").input("12").run()  # valid changes first
    for kind, key, value in changes[:-1]:
        getattr(at, kind)(key=key).set_value(value).run()
    valid, shown = at.session_state["network_config"], table(at)
    kind, key, value = changes[-1]  # then the one that breaks it
    getattr(at, kind)(key=key).set_value(value).run()
    assert_clean(at)
    assert len(at.error) == 1 and words in at.error[0].value
    assert at.session_state["network_config"] == valid
    assert table(at) == shown  # the page still shows the last network that works
    at.button(key="build_reset").click().run()  # and it can be repaired
    assert_clean(at)
    assert not at.error
    assert total(at) == "53,558"
    assert at.session_state["network_config"] == LESSON
    assert at.session_state["build_filters_1"] == 6
    assert at.text_input(key="build_filters_1_text").value == "6"


def test_reset_brings_back_the_lessons_network():
    at = open_page()
    at.text_input(key="build_filters_1_text").input("32").run()
    at.select_slider(key="build_kernel").set_value(5).run()
    assert total(at) != "53,558"
    at.button(key="build_reset").click().run()
    assert_clean(at)
    assert total(at) == "53,558"
    assert at.select_slider(key="build_kernel").value == 3


def test_the_controls_start_from_the_stored_network():
    stored = NetworkConfig(conv_blocks=1, filters=(10,), kernel_size=5, dense_units=64)
    at = open_page(stored)
    assert at.button_group(key="build_blocks").value == 1
    assert at.text_input(key="build_filters_1_text").value == "10"
    assert at.text_input(key="build_filters_2_text").value == "16"  # unused: the lesson's
    assert at.session_state["network_config"] == NetworkConfig(
        conv_blocks=1, filters=(10, 16, 32), kernel_size=5, dense_units=64
    )
    assert total(at) == f"{5 * 5 * 10 + 10 + 12 * 12 * 10 * 64 + 64 + 64 * 10 + 10:,}"


def test_an_impossible_stored_network_falls_back_to_the_lessons():
    at = open_page(NetworkConfig(filters=(0, 16, 32)))
    assert total(at) == "53,558"
    assert at.session_state["network_config"] == LESSON


def test_the_no_convolution_preset_opens_cleanly():
    at = open_page(NetworkConfig(conv_blocks=0))
    assert at.button_group(key="build_blocks").value == 0
    assert total(at) == "101,770"


def test_keras_agrees_with_the_table():
    at = open_page()
    at.text_input(key="build_filters_1_text").input("64").run()
    at.button_group(key="build_padding").set_value("same").run()
    at.toggle(key="build_ask_keras").set_value(True).run()
    assert_clean(at)
    summary = next(c.value for c in at.code if "Total params" in c.value)
    assert f"Total params: {total(at)}" in summary
    assert "conv2d (Conv2D)" in summary and "(None, 28, 28, 64)" in summary
    assert at.success and total(at) in at.success[0].value


def test_the_build_widgets_offer_exactly_what_links_and_presets_accept():
    """lesson/tools/limits.py bounds the widgets and lesson/tools/settings.py's checks of a link."""
    from lesson.tools import limits

    at = open_page()
    assert at.select_slider(key="build_kernel").options == [
        f"{k}×{k}" for k in range(limits.KERNEL_RANGE[0], limits.KERNEL_RANGE[1] + 1)
    ]
    assert at.select_slider(key="build_pool").options == [
        f"{p}×{p}" for p in range(limits.POOL_RANGE[0], limits.POOL_RANGE[1] + 1)
    ]
    top = limits.FILTERS_RANGE[1]  # 0 filters can be typed: it is refused with a reason
    for key, (low, high) in (("build_units", limits.UNITS_RANGE), ("build_filters_1", (0, top))):
        box = at.text_input(key=f"{key}_text")
        assert box.placeholder == f"{low} to {high}"
        box.input(str(high + 1)).run()  # one past the top is refused, the top is taken
        assert at.session_state[key] != high + 1
        at.text_input(key=f"{key}_text").input(str(high)).run()
        assert at.session_state[key] == high
    for key in ("build_conv_dropout", "build_dense_dropout"):
        assert at.select_slider(key=key).options == [str(d) for d in limits.DROPOUTS]


def test_every_control_shows_its_current_value_if_the_browser_draws_it_anew():
    """Each control's default is its value now, not its first option: a control the browser
    mounts again (the Build page's kernel once became 1×1 that way) starts where it was."""
    at = open_page()
    for key, value in [("build_kernel", 5), ("build_activation", "tanh"), ("build_padding", "same"),
                       ("build_pool", 3), ("build_conv_dropout", 0.5), ("build_blocks", 3),
                       ("build_dense_dropout", 0.2), ("build_filters_1_text", "7"),
                       ("build_units_text", "64")]:  # fmt: skip
        control(at, key).set_value(value).run()
    at.run()  # a run that changes nothing: no value is sent again, only the defaults
    assert_clean(at)
    now = defaults(at, "build_")
    assert all(value == default for value, default in now.values()), now
    assert now["build_kernel"] == (4, 4) and now["build_blocks"] == ([3], [3]), now
    assert now["build_filters_1_text"] == ("7", "7") and now["build_units_text"][0] == "64", now
