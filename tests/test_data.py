"""The loader against MNIST's canonical figures, and the preprocessing steps."""

import numpy as np
import pytest

from lesson import step1_data


def test_shapes_and_dtypes_match_keras_load_data(mnist):
    for name, (shape, dtype) in step1_data.EXPECTED.items():
        assert getattr(mnist, name).shape == shape
        assert getattr(mnist, name).dtype == dtype


def test_counts_per_digit(mnist):
    assert step1_data.label_counts(mnist.y_train).tolist() == [
        5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949,
    ]  # fmt: skip
    assert step1_data.label_counts(mnist.y_test).tolist() == [
        980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009,
    ]  # fmt: skip


def test_first_labels_and_the_lessons_pixel_row(mnist):
    assert mnist.y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert mnist.x_train[0][5].tolist() == [0] * 12 + [
        3, 18, 18, 18, 126, 136, 175, 26, 166, 255, 247, 127, 0, 0, 0, 0,
    ]  # fmt: skip


def test_arrays_are_read_only(mnist):
    with pytest.raises(ValueError):
        mnist.x_train[0, 0, 0] = 1


def test_preprocess_steps(mnist):
    x = mnist.x_test[:50]
    r = step1_data.reshape_for_cnn(x)
    assert r.shape == (50, 28, 28, 1) and r.dtype == np.uint8
    f = step1_data.to_float(r)
    assert f.dtype == np.float32 and f.max() == 255
    s = step1_data.scale(f)
    assert s.dtype == np.float32 and s.min() == 0 and s.max() == 1
    np.testing.assert_array_equal(step1_data.preprocess(x), s)
    assert step1_data.preprocess(x)[0, 5, 16, 0] == pytest.approx(x[0, 5, 16] / 255)


def test_array_facts(mnist):
    d = step1_data.array_facts(mnist.x_train)
    assert d == {"shape": "(60000, 28, 28)", "dtype": "uint8", "min": 0.0, "max": 255.0}


def test_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(step1_data.DataFileError, match=r"missing.*assets/mnist\.npz"):
        step1_data.load_mnist(tmp_path / "nope.npz")


@pytest.mark.parametrize(
    "content", [b"", b"not a zip at all", b"PK\x03\x04 truncated"], ids=["empty", "text", "zip"]
)
def test_corrupt_file_says_what_to_do(tmp_path, content):
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(content)
    with pytest.raises(step1_data.DataFileError, match="cannot be read"):
        step1_data.load_mnist(bad)


def test_wrong_shape_is_named(tmp_path):
    bad = tmp_path / "mnist.npz"
    arrays = {name: np.zeros(shape, dtype) for name, (shape, dtype) in step1_data.EXPECTED.items()}
    arrays["x_test"] = np.zeros((10, 28, 28), np.uint8)
    np.savez(bad, **arrays)
    with pytest.raises(step1_data.DataFileError, match="x_test"):
        step1_data.load_mnist(bad)
