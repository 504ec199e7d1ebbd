"""The Draw page under AppTest: test digits and uploads (the canvas itself needs a browser)."""

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.pages import app

PAGE = "lesson/pages/p5_draw.py"


@pytest.fixture(scope="module")
def x_test(mnist):
    return mnist.x_test


def open_page(**state) -> AppTest:
    """The app switched to the Draw page, with `state` in the session first; no exception."""
    return app(PAGE, state=state)


def text(at: AppTest) -> str:
    return "\n".join(e.value for kind in ("markdown", "caption") for e in getattr(at, kind))


def prediction(at: AppTest) -> str | None:
    """The page's answer heading, e.g. "It reads a 7", or None."""
    answers = [h.value for h in at.subheader if h.value.startswith(("It reads", "A ", "An "))]
    return answers[0] if answers else None


def png(image: np.ndarray, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format=fmt)
    return buf.getvalue()


def upload(at: AppTest, name: str, content: bytes, mime: str = "image/png") -> AppTest:
    at.segmented_control(key="draw_source").set_value("upload").run()
    at.file_uploader(key="draw_upload").set_value((name, content, mime)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_empty_canvas_asks_for_a_drawing_and_predicts_nothing():
    at = open_page()
    assert at.title[0].value == "5 · Draw a digit"
    assert "The canvas is empty" in at.info[0].value
    assert prediction(at) is None
    assert "last_drawing" not in at.session_state
    assert "pre-trained model" in text(at)  # the model is always named


def test_a_test_digit_is_read_and_its_feature_maps_shown(x_test):
    at = open_page()
    at.segmented_control(key="draw_source").set_value("test").run()
    assert not at.exception
    assert prediction(at) == "It reads a 7"
    page = text(at)
    assert "The network is sure" in page and "the network is **right**" in page
    assert "Bar chart of the ten probabilities: 0: 0.0%" in page
    assert "Answered by the pre-trained model" in page
    for shape in ("(26, 26, 6)", "(13, 13, 6)", "(11, 11, 16)", "(5, 5, 16)"):
        assert f"shape `{shape}`" in page
    drawing = at.session_state["last_drawing"]
    assert drawing.shape == (28, 28) and drawing.dtype == np.float32
    assert drawing.max() == 1 and drawing.min() == 0
    assert np.abs(drawing - x_test[0] / 255).mean() < 0.03  # MNIST is already MNIST-style

    at.text_input(key="draw_test_index_text").input("1").run()
    assert prediction(at) == "It reads a 2"
    at.button(key="draw_random").click().run()
    assert not at.exception
    assert prediction(at) is not None


def test_an_upload_dark_on_light_any_size_is_inverted_and_read(x_test):
    paper = np.asarray(Image.fromarray(255 - x_test[0]).resize((500, 350)))  # stretched, big
    at = upload(open_page(), "seven.jpg", png(paper, "JPEG"), "image/jpeg")
    assert prediction(at) == "It reads a 7"
    assert "inverted first" in text(at)
    assert at.session_state["last_drawing"].shape == (28, 28)


@pytest.mark.parametrize(
    "content, message",
    [(b"", "empty (0 bytes)"), (b"GIF89a? no, just text", "not an image")],
    ids=["zero-bytes", "not-an-image"],
)
def test_a_bad_upload_gives_a_message_not_a_traceback(content, message):
    at = upload(open_page(), "digit.png", content)
    assert message in at.error[0].value
    assert "digit.png" in at.error[0].value
    assert prediction(at) is None


def test_a_blank_upload_finds_no_digit():
    at = upload(open_page(), "blank.png", png(np.full((200, 200), 250, np.uint8)))
    assert "No digit found in blank.png" in at.info[0].value
    assert prediction(at) is None


def test_ink_filling_the_whole_box_is_flagged_as_guessing():
    blob = np.zeros((280, 280), np.uint8)
    blob[20:260, 20:260] = 255  # a white square: no digit
    at = upload(open_page(), "square.png", png(blob))
    assert prediction(at) is not None
    warning = at.warning[0].value
    assert "This may not be a digit the network knows" in warning
    assert "must pick one of ten digits" in warning and "The ink covers" in warning


def test_the_learners_model_answers_and_is_named():
    from lesson import step3_network

    mine = step3_network.build_model(
        step3_network.NetworkConfig(conv_blocks=0)
    )  # untrained, no conv layers
    at = open_page(learner_model=mine, learner_model_name="your model (run 1, 0 epochs)")
    at.segmented_control(key="draw_source").set_value("test").run()
    at.radio(key="draw_model").set_value("mine").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Answered by your model (run 1, 0 epochs)" in text(at)
    assert any("no convolution layers" in i.value for i in at.info)
    assert prediction(at).startswith(
        ("A ", "An ")
    )  # untrained: ten similar probabilities, a close call
    assert "not sure at all" in at.warning[0].value
    at.radio(key="draw_model").set_value("pretrained").run()
    assert prediction(at) == "It reads a 7"


def test_negative_feature_maps_are_drawn_by_the_shared_renderer():
    """tanh maps: negative responses were painted nearly white by a uint8 wrap (issue 18)."""
    from lesson import step3_network

    net = step3_network.build_model(step3_network.NetworkConfig(activation="tanh"))
    at = open_page(learner_model=net, learner_model_name="your model (tanh)")
    at.segmented_control(key="draw_source").set_value("test").run()
    assert not at.exception
    captions = [c.value for c in at.caption if "feature maps of" in c.value]
    assert captions and all("blue is positive, red negative, white 0" in c for c in captions)
    pictures = [h.proto.body for h in at.get("html") if 'alt="' in h.proto.body]
    assert len(pictures) >= len(captions)


def test_a_tiny_upload_is_not_trusted():
    """A 3×3 image was read as "4" at 99.8 % ("sure") with no note (issue 18)."""
    tiny = np.array([[0, 255, 0], [0, 255, 0], [0, 255, 0]], np.uint8)
    at = upload(open_page(), "tiny.png", png(tiny))
    assert "far too few to hold a digit" in at.warning[0].value
    assert not [m for m in at.markdown if m.value.startswith("The network is sure")]
    assert "### What your drawing becomes" not in "\n".join(m.value for m in at.markdown)


def test_noise_is_called_unfamiliar_and_a_test_digit_is_not(x_test):
    noise = np.random.default_rng(1).integers(0, 256, (280, 280), dtype=np.uint8)
    at = upload(open_page(), "noise.png", png(noise))
    assert prediction(at) is not None  # it still answers, and says why not to trust it
    warning = at.warning[0].value
    assert "This may not be a digit the network knows" in warning and "- " in warning
    at.segmented_control(key="draw_source").set_value("test").run()
    at.text_input(key="draw_test_index_text").input("0").run()  # a 7
    assert not at.exception and prediction(at) == "It reads a 7"
    assert not [w for w in at.warning if "may not be a digit" in w.value]
    shown = text(at)
    assert "Yours beside the training images most like it" in shown
    assert "Training 7s, the answer" in shown
    table = at.table[0].value
    assert len(table) == 6 and set(table["past the limit"]) == {"no"}
