"""The exercise checker: the usual answer formats, and answers worked out from the lesson."""

from types import SimpleNamespace

import numpy as np
import pytest

from lesson import step3_network
from lesson.tools import exercises as ex


def one(items: list, key: str) -> ex.Exercise:
    return next(e for e in items if e.key == key)


@pytest.mark.parametrize("text", ["12x12x6", "(12, 12, 6)", "12 × 12 × 6", "(None, 12, 12, 6)"])
def test_shapes_in_the_usual_formats(text):
    assert ex.check(one(ex.build(step3_network.LESSON), "build-pool-shape"), text)


@pytest.mark.parametrize("text", ["12x12", "6x12x12", "13x13x6", "24x24x6", "", "twelve"])
def test_wrong_shapes(text):
    assert not ex.check(one(ex.build(step3_network.LESSON), "build-pool-shape"), text)


def test_numbers_shares_and_one_hot_labels():
    conv = one(ex.build(step3_network.LESSON), "build-conv-params")
    assert ex.check(conv, "156") and ex.check(conv, " 156.0 ") and not ex.check(conv, "60")
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
    assert ex.check(ex.draw()[0], "6.3%") and ex.check(ex.draw()[0], "0.063")


def test_the_most_confused_digit_comes_from_the_confusion_matrix():
    matrix = np.diag([100] * 10)
    matrix[4, 9], matrix[7, 1], matrix[7, 2] = 5, 8, 3  # 7 is wrong 11 times, mostly as a 1
    matrix[9, 4] = 2  # and a 9 is taken for a 4 twice
    most, taken_for = ex.mistakes(matrix)
    assert most.value == 7
    assert "take a 9 for" in taken_for.question and most.answer.startswith("7 (11")
    assert taken_for.value == 4


def test_the_filters_question_follows_the_network_and_hints_never_give_the_answer():
    (maps,) = ex.filters(step3_network.NetworkConfig(filters=(4, 8, 8), kernel_size=5))
    assert maps.value == (22, 22, 4) and "7×7 instead of 5×5" in maps.question
    (lesson,) = ex.filters(step3_network.NetworkConfig(conv_blocks=0))
    assert lesson.value == (24, 24, 6) and "the lesson's" in lesson.question.lower()
    for e in [maps, *ex.build(step3_network.LESSON), *ex.data((60000, 28, 28)), *ex.onehot(3)]:
        assert e.answer.split()[0] not in e.hint


def train_items(accuracy=0.9898):
    hp = SimpleNamespace(train_images=60_000, validation_split=0.1, batch_size=64)
    return ex.train(accuracy, hp)


# (exercise, answers that must pass, answers that must fail); the lesson's network and run.
TABLE = [
    (lambda: train_items()[1],  # 0.9898⁵ = 0.9500
     ["0.95", "0,95", "95%", "95,0 %", "95 percent", "95 per cent", "~95%", "≈ 95 %",
      "about 95 %", "95", " 95.0 % ", ".95", "0.950", "0,950"],
     ["0.9898", "0,9898", "98.98 %", "90 %", "5 or 95", "95 % or 96 %", "inf%", "-95 %"]),
    (lambda: train_items()[0],  # 54,000 / 64 rounded up
     ["844", "844 batches", "844.0", "844,0", "about 844", "844 (the last one smaller)"],
     ["843", "845", "8,44", "843.75", "844 or 845", "84 4", "-844"]),
    (lambda: ex.build(step3_network.LESSON)[1],  # (5 × 5 + 1) × 6
     ["156", "156 parameters", "156 weights and biases", "156.0"],
     ["60", "150", "1,56", "15.6", "156 %"]),
    (lambda: ex.data((60000, 28, 28))[1],
     ["60000", "60,000", "60 000", "60.000", "6e4", "60000 images", "60’000"],
     ["6000", "60,00", "600000", "nan", "60000 or 10000"]),
    (lambda: ex.draw()[0],  # 100 % − 93.7 %, exactly
     ["6.3%", "6,3 %", "0.063", "6.3", "6.3 percent", "about 6.3 %"],
     ["6%", "7 %", "0.06", "6.2 %", "93.7%", "1", "100%"]),
    (lambda: ex.onehot(5)[0],
     ["[0, 0, 0, 0, 0, 1, 0, 0, 0, 0]", "0000010000", "0 0 0 0 0 1 0 0 0 0",
      "(0,0,0,0,0,1,0,0,0,0)"],
     ["10000", "100000", "0000100000", "[0, 0, 0, 0, 1, 0, 0, 0, 0, 0]", "1", "-1", "5",
      "0000010000 0"]),
    (lambda: ex.build(step3_network.LESSON)[0],
     ["12x12x6", "12×12×6", "(12, 12, 6)", "(None, 12, 12, 6)", "12 x 12 x 6"],
     ["12x12", "13x13x6", "6x12x12", "24x24x6"]),
]  # fmt: skip


@pytest.mark.parametrize(("make", "right", "wrong"), TABLE)
def test_answers_that_must_pass_and_fail(make, right, wrong):
    exercise = make()
    assert [t for t in right if not ex.check(exercise, t)] == []
    assert [t for t in wrong if ex.check(exercise, t)] == []


@pytest.mark.parametrize("text", ["abc", "?", "five", "13 and 14 and 15", "e5", "1e999"])
def test_text_that_is_no_number_gets_its_own_message(text):
    right, why = ex.feedback(train_items()[0], text)
    assert not right and why != train_items()[0].hint and "cannot read" in why


def test_one_hot_answers_with_too_few_numbers_are_told_so():
    right, why = ex.feedback(ex.onehot(5)[0], "10000")
    assert not right and "5 digits" in why and "10 numbers" in why
    right, why = ex.feedback(ex.onehot(5)[0], "0, 0, 1")
    assert not right and "3 numbers" in why


def test_no_question_depends_on_another_questions_answer():
    """Mistakes: the second question named the answer to the first (issue 18)."""
    a, b = np.diag([100] * 10), np.diag([100] * 10)
    a[7, 1], a[9, 4], a[3, 5] = 8, 2, 1  # 7 is wrong most often
    b[3, 5], b[9, 4], b[7, 1] = 8, 2, 1  # 3 is wrong most often
    (most_a, for_a), (most_b, for_b) = ex.mistakes(a), ex.mistakes(b)
    assert most_a.value != most_b.value and for_a.question == for_b.question
