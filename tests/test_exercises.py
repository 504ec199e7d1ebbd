"""The exercise checker: the usual answer formats, and answers worked out from the lesson."""

from types import SimpleNamespace

import numpy as np
import pytest

from lesson import exercises as ex
from lesson import model


def one(items: list, key: str) -> ex.Exercise:
    return next(e for e in items if e.key == key)


@pytest.mark.parametrize("text", ["13x13x6", "(13, 13, 6)", "13 × 13 × 6", "(None, 13, 13, 6)"])
def test_shapes_in_the_usual_formats(text):
    assert ex.check(one(ex.build(model.LESSON), "build-pool-shape"), text)


@pytest.mark.parametrize("text", ["13x13", "6x13x13", "26x26x6", "", "thirteen"])
def test_wrong_shapes(text):
    assert not ex.check(one(ex.build(model.LESSON), "build-pool-shape"), text)


def test_numbers_shares_and_one_hot_labels():
    conv = one(ex.build(model.LESSON), "build-conv-params")
    assert ex.check(conv, "60") and ex.check(conv, " 60.0 ") and not ex.check(conv, "61")
    images = one(ex.data((60000, 28, 28)), "data-images")
    assert all(ex.check(images, t) for t in ("60000", "60,000", "60 000", "6e4"))
    assert not ex.check(images, "60,00") and not ex.check(images, "nan")
    hp = SimpleNamespace(train_images=60_000, validation_split=0.1, batch_size=64)
    five = one(ex.train(0.9946, hp), "train-five")
    assert all(ex.check(five, t) for t in ("0.973", "97.3%", "97.3 %"))  # 0.9946⁵ = 0.9733
    assert not ex.check(five, "0.9946") and not ex.check(five, "inf%")
    assert one(ex.train(0.9946, hp), "train-batches").value == 844  # 54,000 / 64, rounded up
    label = ex.onehot(5)[0]
    for text in ("[0, 0, 0, 0, 0, 1, 0, 0, 0, 0]", "0000010000", "0 0 0 0 0 1 0 0 0 0"):
        assert ex.check(label, text), text
    assert not ex.check(label, "0000100000")
    assert ex.check(ex.draw()[0], "100%") and ex.check(ex.draw()[0], "1")


def test_the_most_confused_digit_comes_from_the_confusion_matrix():
    matrix = np.diag([100] * 10)
    matrix[4, 9], matrix[7, 1], matrix[7, 2] = 5, 8, 3  # 7 is wrong 11 times, mostly as a 1
    most, taken_for = ex.mistakes(matrix)
    assert most.value == 7 and taken_for.value == 1
    assert "7 for" in taken_for.question and most.answer.startswith("7 (11")


def test_the_filters_question_follows_the_network_and_hints_never_give_the_answer():
    (maps,) = ex.filters(model.NetworkConfig(filters=(4, 8, 8), kernel_size=5))
    assert maps.value == (24, 24, 4)
    (lesson,) = ex.filters(model.NetworkConfig(conv_blocks=0))
    assert lesson.value == (26, 26, 6) and "the lesson's" in lesson.question.lower()
    for e in [maps, *ex.build(model.LESSON), *ex.data((60000, 28, 28)), *ex.onehot(3)]:
        assert e.answer.split()[0] not in e.hint
