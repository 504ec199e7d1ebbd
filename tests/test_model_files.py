"""The pre-trained model ships, loads safely, and bad model files give a message."""

import numpy as np
import pytest

from lesson import step1_data, step3_network, step4_training


def test_pretrained_model_is_the_lessons_network_and_reads_digits():
    net = step3_network.load_trained(step3_network.pretrained_path())
    assert net.count_params() == 53_558
    m = step1_data.load_mnist()
    x = step1_data.preprocess(m.x_test[:500])
    accuracy = (net.predict_on_batch(x).argmax(axis=1) == m.y_test[:500]).mean()
    assert accuracy > 0.97


def test_the_kept_test_probabilities_are_the_pretrained_models_own(tmp_path):
    """The Mistakes page reads them instead of running the model on 10,000 images."""
    from lesson import step7_mistakes
    from lesson.tools import pretrain

    path = step3_network.pretrained_path()
    kept = pretrain.test_probabilities(path)
    assert kept is not None and kept.shape == (10_000, 10)
    net = step3_network.load_trained(path)
    x = step1_data.preprocess(step1_data.load_mnist().x_test)
    np.testing.assert_allclose(kept, step7_mistakes.test_probabilities(net, x), atol=1e-5)
    # Another file under the same name (a model trained again): not its probabilities.
    other = tmp_path / "pretrained.keras"
    other.write_bytes(path.read_bytes() + b"\0")
    (tmp_path / "pretrained-test-probabilities.npz").write_bytes(
        pretrain.probabilities_path(path).read_bytes()
    )
    assert pretrain.test_probabilities(other) is None
    assert pretrain.test_probabilities(tmp_path / "elsewhere.keras") is None  # none kept
    (tmp_path / "broken-test-probabilities.npz").write_bytes(b"not numpy")
    (tmp_path / "broken.keras").write_bytes(b"")
    assert pretrain.test_probabilities(tmp_path / "broken.keras") is None


@pytest.mark.parametrize("content", [None, b"", b"not a model", b"PK\x03\x04broken"])
def test_bad_model_file_raises_a_clear_error(tmp_path, content):
    path = tmp_path / "model.keras"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(step3_network.ModelFileError, match="pretrain"):
        step3_network.load_trained(path)


def test_a_model_of_the_wrong_shape_is_refused(tmp_path):
    import keras

    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    other.save(tmp_path / "other.keras")
    with pytest.raises(step3_network.ModelFileError, match="28×28×1"):
        step3_network.load_trained(tmp_path / "other.keras")


def test_filter_snapshots_before_and_after_each_epoch():
    m = step1_data.load_mnist()
    x, y = step1_data.preprocess(m.x_train[:256]), np.eye(10, dtype="float32")[m.y_train[:256]]
    net = step4_training.compile_model(step3_network.build_model())
    snaps = step4_training.FilterSnapshots()
    net.fit(x, y, epochs=2, batch_size=64, verbose=0, callbacks=[snaps])
    assert len(snaps.snapshots) == 3  # initial + 2 epochs
    first = [s[0] for s in snaps.snapshots]  # (3, 3, 1, 6) each
    assert first[0].shape == (3, 3, 1, 6)
    assert not np.allclose(first[0], first[1]) and not np.allclose(first[1], first[2])


def test_a_truncated_model_file_is_called_damaged_not_missing(tmp_path, monkeypatch):
    """It said "File not found" although the file is there (issue 18), under a caption that
    still named the pre-trained model."""
    from tests.pages import app

    path = tmp_path / "pretrained.keras"
    path.write_bytes(step3_network.pretrained_path().read_bytes()[:20_000])
    with pytest.raises(step3_network.ModelFileError, match="is damaged") as err:
        step3_network.load_trained(path)
    assert "not found" not in str(err.value).lower() and "20,000 bytes" in str(err.value)
    monkeypatch.setenv("CNN_LESSON_MODEL", str(path))
    at = app("p5_draw.py")  # no exception
    assert "is damaged" in at.error[0].value
    assert not [c for c in at.caption if "pre-trained model (the lesson's recipe" in c.value]
