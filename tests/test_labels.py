"""One-hot labels and the cross-entropy worked example."""

import numpy as np
import pytest
from keras.utils import to_categorical

from lesson import step2_labels


def test_one_hot_equals_keras():
    y = np.array([5, 0, 4, 1, 9, 2, 1, 3, 1, 4], np.uint8)
    np.testing.assert_array_equal(step2_labels.one_hot(y), to_categorical(y, 10))
    assert step2_labels.one_hot(y)[0].tolist() == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0]


def test_softmax_sums_to_one():
    p = step2_labels.softmax(np.array([1.0, 2.0, 3.0, 1000.0]))
    assert p.sum() == pytest.approx(1) and p.argmax() == 3


def test_cross_entropy_is_minus_log_of_true_probability():
    target = step2_labels.one_hot(np.array([7]))[0]
    p = step2_labels.prediction_with_confidence(7, 0.9)
    assert p.sum() == pytest.approx(1)
    assert step2_labels.cross_entropy(target, p) == pytest.approx(-np.log(0.9))


def test_confidently_wrong_costs_more_than_confidently_right():
    target = step2_labels.one_hot(np.array([3]))[0]
    right = step2_labels.cross_entropy(target, step2_labels.prediction_with_confidence(3, 0.95))
    wrong = step2_labels.cross_entropy(target, step2_labels.prediction_with_confidence(4, 0.95))
    assert right < 0.06 < 5 < wrong
