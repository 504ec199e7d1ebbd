"""Bad input of every kind gets a clear message and leaves the app usable.

One table of cases for the core (each returns the message a learner would read), then the
pages under AppTest, then a live server driven over the websocket protocol for what only a
real session can send: hostile query strings, a double press on Train, a stale Stop.
"""

import asyncio
import io
import json
import zipfile

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from lesson import step1_data, step3_network, step4_training, step5_drawing
from lesson.machinery import runs
from tests.load.client import run_sync
from tests.pages import app
from tests.support import streamlit_process

# --- The core: each case returns the message the learner reads ----------------------------------


def _refused(load, error: type[Exception], path, content: bytes | None) -> str:
    """Write `content` to `path` (None: no file), load it, and return why it was refused."""
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(error) as err:
        load(path)
    return str(err.value)


def _mnist_file(tmp_path, content):
    return _refused(
        step1_data.load_mnist, step1_data.DataFileError, tmp_path / "mnist.npz", content
    )


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _model_file(tmp_path, content):
    return _refused(
        step3_network.load_trained, step3_network.ModelFileError, tmp_path / "model.keras", content
    )


def _keras_zip(config: dict) -> bytes:
    """A .keras file (a zip) whose config says what to build; no weights needed to be refused."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.15.0"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", b"")
    return buffer.getvalue()


def lambda_model(tmp_path) -> str:
    """A real model with a Lambda layer: loading it would run code stored in the file."""
    import keras

    net = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Lambda(lambda x: x * 2.0),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    path = tmp_path / "lambda.keras"
    net.save(path)
    with pytest.raises(step3_network.ModelFileError) as err:
        step3_network.load_trained(path)
    return str(err.value)


def wrong_shape_model(tmp_path) -> str:
    import keras

    path = tmp_path / "other.keras"
    keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]).save(path)
    with pytest.raises(step3_network.ModelFileError) as err:
        step3_network.load_trained(path)
    return str(err.value)


def _image(content: bytes) -> str:
    with pytest.raises(step5_drawing.ImageFileError) as err:
        step5_drawing.load_image(content)
    return str(err.value)


def _png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size).save(buffer, "PNG")
    return buffer.getvalue()


def _canvas(rgba: np.ndarray) -> str:
    """What the Draw page makes of a canvas (white ink on black), as the words it shows."""
    steps = step5_drawing.mnist_stages(rgba, ink="light")
    if steps is None:
        return "The canvas is empty: draw a digit."
    if step5_drawing.ink_share(steps.fitted) > step5_drawing.BLOB:
        return "Don't trust this answer: the ink covers most of the box."
    return "read"


def _black(alpha: int = 255) -> np.ndarray:
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3] = alpha
    return rgba


def full_canvas(_tmp) -> str:
    rgba = _black()
    rgba[..., :3] = 255
    return _canvas(rgba)


def garbage_canvas(_tmp) -> str:
    rgba = np.random.default_rng(0).integers(0, 256, (280, 280, 4), dtype=np.uint8)
    return _canvas(rgba)


def impossible_network(config) -> str:
    message = step3_network.check_network(config)
    assert message is not None
    return message


def nan_loss(_tmp) -> str:
    m = step1_data.load_mnist()
    hp = step4_training.Hyperparameters(
        epochs=1, batch_size=16, optimizer="sgd", learning_rate=10.0, train_images=1_000
    )
    run = runs.TrainingRun("run 1", m, hp, limiter=runs.Limiter(1)).start()
    run.join(60)
    assert run.status == "failed" and run.test is None
    return run.message


TINY_MNIST = {
    name: np.zeros((5, *shape[1:]), np.uint8) for name, (shape, _) in step1_data.EXPECTED.items()
}
CASES = {
    # name: (what to do, words the message must contain)
    "mnist missing": (lambda t: _mnist_file(t, None), "missing"),
    "mnist not a zip": (lambda t: _mnist_file(t, b"garbage" * 100), "cannot be read"),
    "mnist truncated": (
        lambda t: _mnist_file(t, (step1_data.MNIST_PATH.read_bytes()[:5000])),
        "mnist",
    ),
    "mnist wrong arrays": (lambda t: _mnist_file(t, _npz(x_train=np.zeros(3))), "cannot be read"),
    "mnist wrong shapes": (lambda t: _mnist_file(t, _npz(**TINY_MNIST)), "MNIST's is"),
    "model missing": (lambda t: _model_file(t, None), "missing"),
    "model empty": (lambda t: _model_file(t, b""), "is damaged"),
    "model garbage": (lambda t: _model_file(t, b"\x00\xff" * 500), "is damaged"),
    "model not keras (a zip of other things)": (
        lambda t: _model_file(t, _npz(a=np.zeros(3))),
        "not a usable Keras model",
    ),
    "model asks for a Lambda layer (code)": (lambda_model, "not a usable Keras model"),
    "model asks for a function of another module": (
        lambda t: _model_file(
            t,
            _keras_zip({"module": "os", "class_name": "system", "config": {"command": "true"}}),
        ),
        "not a usable Keras model",
    ),
    "model of the wrong shape": (wrong_shape_model, "28×28×1"),
    "network: kernel larger than the image": (
        lambda t: impossible_network(step3_network.NetworkConfig(conv_blocks=3, kernel_size=7)),
        "cannot fit",
    ),
    "network: zero filters": (
        lambda t: impossible_network(step3_network.NetworkConfig(filters=(0, 16, 32))),
        "at least 1 filter",
    ),
    "network: negative blocks": (
        lambda t: impossible_network(step3_network.NetworkConfig(conv_blocks=-1)),
        "convolution blocks",
    ),
    "network: text for a kernel": (
        lambda t: impossible_network(step3_network.NetworkConfig(kernel_size="big")),
        "kernel",
    ),
    "NaN loss": (nan_loss, "not a number"),
    "canvas empty": (lambda t: _canvas(_black()), "empty"),
    "canvas transparent": (lambda t: _canvas(_black(alpha=0)), "empty"),
    "canvas full": (full_canvas, "Don't trust"),
    "canvas garbage (noise)": (garbage_canvas, "Don't trust"),
    "upload zero bytes": (lambda t: _image(b""), "0 bytes"),
    "upload not an image": (lambda t: _image(b"%PDF-1.4 hello"), "not an image"),
    "upload huge file": (
        lambda t: _image(b"\x89PNG" + bytes(step5_drawing.MAX_BYTES)),
        "too large",
    ),
    "upload decompression bomb": (lambda t: _image(_png((20_000, 20_000))), "too large"),
    "upload truncated png": (lambda t: _image(_png((100, 100))[:60]), "image"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_gets_a_clear_message(tmp_path, case):
    act, words = CASES[case]
    message = act(tmp_path)
    assert words.lower() in message.lower(), message
    assert "Traceback" not in message and len(message) < 600


def test_stop_when_nothing_runs_changes_nothing(mnist):
    """Stop on a finished run, and on a run never started: nothing changes, nothing breaks."""
    hp = step4_training.Hyperparameters(epochs=1, batch_size=64, train_images=1_000)
    run = runs.TrainingRun("run 1", mnist, hp, limiter=runs.Limiter(1)).start()
    run.join(60)
    assert run.status == "done"
    test, weights = run.test, run.model.get_weights()
    run.stop()
    assert run.status == "done" and run.usable  # its model and score are kept
    assert run.test == test and all(
        np.array_equal(a, b) for a, b in zip(run.model.get_weights(), weights, strict=True)
    )
    idle = runs.TrainingRun("run 2", mnist, hp)
    idle.stop()
    assert idle.status == "queued" and idle.model is None


# --- The pages: the message is shown, no exception, and the other pages still work ---------------


def messages(at: AppTest) -> str:
    return " ".join(e.value for e in [*at.error, *at.warning, *at.info])


@pytest.mark.parametrize("content", [b"", b"not a keras file", "lambda"])
def test_a_bad_model_file_on_the_draw_page_says_so_and_the_data_page_still_works(
    tmp_path, monkeypatch, content
):
    path = tmp_path / "bad.keras"
    if content == "lambda":
        lambda_model(tmp_path)
        path = tmp_path / "lambda.keras"
    else:
        path.write_bytes(content)
    monkeypatch.setenv(step3_network.PATH_VARIABLE, str(path))
    at = app("p5_draw.py")
    assert not at.exception, [e.value for e in at.exception]
    assert "The pre-trained model could not be loaded" in messages(at)
    at.switch_page("lesson/pages/p1_data.py").run()
    assert not at.exception and at.title[0].value == "1 · The data"


def test_an_impossible_network_on_the_build_page_keeps_the_last_good_one():
    at = app("p3_build.py")
    at.segmented_control(key="build_blocks").set_value(3)
    at.select_slider(key="build_kernel").set_value(7).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "This network cannot be built" in messages(at)
    assert at.session_state["network_config"] == step3_network.LESSON  # the last network that works
    at.switch_page("lesson/pages/p4_train.py").run()
    assert not at.exception


def test_pressing_train_twice_starts_one_run():
    at = app("p4_train.py")
    at.select_slider(key="train_images").set_value(1_000)
    at.slider(key="train_epochs").set_value(1).run()
    at.button(key="train_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.button(key="train_start").disabled  # a second press over the websocket: below
    runs = at.session_state["runs"]
    assert len(runs) == 1
    runs[0].join(60)
    at.run()
    assert runs[0].status == "done" and not at.exception


# --- A live server: what only a real session sends ---------------------------------------------

PAGES = ["", "one-hot", "build", "train", "draw", "inside", "mistakes"]
HOSTILE_QUERIES = [
    "epochs=999999999999999999999&seed=-5&batch_size=0",
    "epochs=-1&learning_rate=nan&optimizer=%00&blocks=inf",
    "epochs=three&kernel=%F0%9F%98%80&units=1e309",
    "epochs=1&epochs=2&epochs=3&seed=1&seed=x",
    "x=" + "9" * 20_000,
    "=&&=&%zz&a[]=1&__proto__=1",
    "page=../../etc/passwd&embed=true&embed_options=hide_toolbar",
]


async def hostile_session(url: str) -> list[str]:
    from tests.load.client import Session

    errors = []
    for query in HOSTILE_QUERIES:
        s = Session(url, query=query)
        await s.connect()
        for path in PAGES:
            await s.rerun(path, timeout=180)
            assert s.page_hash and (s.texts or s.alerts), (path, query)  # the page answered
        errors += s.errors
        await s.close()
    return errors


async def train_twice_then_stale_stop(url: str) -> list[str]:
    from tests.load.client import Session

    s = Session(url)
    await s.connect()
    await s.rerun("train", timeout=180)
    await s.set("Training images", 0)  # index 0: 1,000 images
    await s.set("Epochs", 1)
    train = s.widgets["Train"]
    await s.click("Train")
    stop = s.widgets["Stop"]
    s.widgets["Train"] = train  # disabled now, but a stale tab or a double click still sends it
    await s.click("Train")
    for _ in range(300):
        if any("finished 1 epoch " in a for a in s.alerts):
            break
        await asyncio.sleep(0.2)
    s.widgets["Stop"] = stop  # a Stop press from a tab that still shows the old button
    await s.click("Stop")
    await s.rerun()
    seen = " ".join(s.alerts)
    await s.close()
    assert "run 1 finished 1 epoch " in seen, seen
    assert "run 2" not in seen, seen
    return s.errors


@pytest.fixture(scope="module")
def live_url():
    with streamlit_process(options=("--server.disconnectedSessionTTL", "5")) as (url, _):
        yield url


def test_hostile_query_strings_on_every_page_raise_nothing(live_url):
    assert run_sync(hostile_session(live_url)) == []


def test_a_second_train_press_and_a_stale_stop_are_harmless(live_url):
    assert run_sync(train_twice_then_stale_stop(live_url)) == []
