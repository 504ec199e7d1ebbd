"""Step 7 · Mistakes: a trained network's mistakes on the test set, and where it looks."""

import weakref

import keras
import numpy as np
import tensorflow as tf

from lesson.step5_prediction import as_batch

# --- mistakes on the test set ---------------------------------------------------------------


def test_probabilities(model: keras.Model, x: np.ndarray, batch: int = 1000) -> np.ndarray:
    """The 10 probabilities for every image of x (N, 28, 28, 1), a batch at a time: (N, 10)."""
    parts = [model.predict_on_batch(x[i : i + batch]) for i in range(0, len(x), batch)]
    return np.concatenate([np.asarray(p) for p in parts])


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """(10, 10) counts: row = true digit, column = predicted digit."""
    counts = np.zeros((10, 10), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def most_common_mistake(matrix: np.ndarray) -> tuple[int, int]:
    """(true digit, predicted digit) of the largest cell off the diagonal."""
    off = matrix - np.diag(np.diag(matrix))
    true, predicted = np.unravel_index(off.argmax(), off.shape)
    return int(true), int(predicted)


def per_digit_accuracy(matrix: np.ndarray) -> np.ndarray:
    """For each true digit, the share of its test images predicted right."""
    return np.diag(matrix) / np.maximum(matrix.sum(axis=1), 1)


def confident_mistakes(probs: np.ndarray, y_true: np.ndarray, n: int = 12) -> np.ndarray:
    """Indices of the n wrong predictions the network was surest of, surest first."""
    predicted = probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != y_true)
    confidence = probs[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")[:n]]


# --- where the network looks ----------------------------------------------------------------


def scores(model: keras.Model, x) -> tf.Tensor:
    """The 10 scores the last layer computes before softmax turns them into probabilities."""
    last = model.layers[-1]
    hidden = _before_last(model)(x, training=False)  # (batch, 128) in the lesson
    return tf.matmul(hidden, last.kernel) + last.bias  # (batch, 10)


def ends_in_softmax(model: keras.Model) -> bool:
    """Whether the last layer is a Dense layer with softmax, so its scores can be read."""
    last = model.layers[-1]
    return isinstance(last, keras.layers.Dense) and last.activation is keras.activations.softmax


def saliency(model: keras.Model, image: np.ndarray, of: str = "score") -> tuple[int, np.ndarray]:
    """The winning digit, and the gradient of its score (or probability) for each pixel."""
    x = tf.convert_to_tensor(as_batch(image))  # (1, 28, 28, 1)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = scores(model, x) if of == "score" else model(x, training=False)  # (1, 10)
        digit = int(tf.argmax(out[0]))
        winner = out[0, digit]
    gradient = tape.gradient(winner, x)  # (1, 28, 28, 1): how the winner moves per pixel
    return digit, gradient.numpy()[0, :, :, 0]


_BEFORE_LAST: "weakref.WeakKeyDictionary[keras.Model, keras.Model]" = weakref.WeakKeyDictionary()


def _before_last(model: keras.Model) -> keras.Model:
    """A model with the same weights that stops before the last layer (built once per model)."""
    if model not in _BEFORE_LAST:
        _BEFORE_LAST[model] = keras.Model(model.inputs[0], model.layers[-1].input)
    return _BEFORE_LAST[model]
