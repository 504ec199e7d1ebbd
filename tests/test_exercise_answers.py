"""The checker takes the app's own revealed answers and the usual ways of writing them, refuses
near misses of exact answers, and every question asks what the page does not state (issue 35)."""

from dataclasses import replace

import numpy as np
import pytest

from lesson import step3_network
from lesson.step3_network import LESSON, NetworkConfig
from lesson.tools import exercises as ex

# Networks whose pages once showed the answer to their own questions, or asked them ambiguously.
NETWORKS = {
    "lesson": LESSON,
    "k7-same": replace(LESSON, kernel_size=7, padding="same"),
    "k3-same": replace(LESSON, padding="same"),
    "pool3": replace(LESSON, pool_size=3),
    "pool1": replace(LESSON, conv_blocks=1, kernel_size=5, pool_size=1),
    "k1": replace(LESSON, kernel_size=1),
    "one-block-same": replace(LESSON, conv_blocks=1, padding="same", pool_size=4),
    "no-conv": replace(LESSON, conv_blocks=0),
}


def mistakes_matrix() -> np.ndarray:
    matrix = np.diag([100] * 10)
    matrix[7, 1], matrix[7, 2], matrix[9, 4], matrix[3, 0] = 20, 9, 5, 1
    return matrix


def every_exercise(config: NetworkConfig) -> list[ex.Exercise]:
    from types import SimpleNamespace

    hp = SimpleNamespace(train_images=60_000, validation_split=0.1, batch_size=64)
    return [
        *ex.data((54_000, 28, 28)), *ex.onehot(6, 13), *ex.build(config), *ex.train(0.9898, hp),
        *ex.draw(), *ex.filters(config), *ex.mistakes(mistakes_matrix()),
    ]  # fmt: skip


@pytest.mark.parametrize("config", NETWORKS.values(), ids=NETWORKS.keys())
def test_every_revealed_answer_is_accepted_as_the_app_writes_it(config):
    """ "784 (28 × 28 pixels)" and "0 (5 times)" were refused."""
    refused = [(e.key, e.answer) for e in every_exercise(config) if not ex.check(e, e.answer)]
    assert refused == []


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("data-images", "54k"), ("data-images", "54 k"), ("data-images", "54K images"),
        ("data-images", "54 thousand"), ("data-pixels", "784 (28 × 28 pixels)"),
        ("data-pixels", "784 (28x28)"), ("mistakes-most", "7 (29 images)"),
        ("mistakes-most", "the 7"), ("mistakes-most", "a 7"), ("mistakes-most", "digit 7"),
        ("mistakes-for", "4 (5 times)"), ("mistakes-for", "the 4"),
        ("onehot-first", "0.0 0.0 0.0 0.0 0.0 0.0 1.0 0.0 0.0 0.0"),
        ("onehot-first", "[0., 0., 0., 0., 0., 0., 1., 0., 0., 0.]"),
        ("onehot-first", "0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0"),
        ("onehot-first", "0,0 0,0 0,0 0,0 0,0 0,0 1,0 0,0 0,0 0,0"),
        ("build-pool-shape", "(12.0, 12.0, 6.0)"),
    ],
)  # fmt: skip
def test_right_answers_written_as_people_write_them(key, text):
    exercise = next(e for e in every_exercise(LESSON) if e.key == key)
    assert ex.feedback(exercise, text) == (True, "")


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("data-images", "6k"), ("data-images", "54m"), ("data-images", "54 kilo"),
        ("mistakes-most", "the 1"), ("mistakes-most", "29 (7 images)"),
        ("mistakes-most", "7 or 9"), ("mistakes-for", "5 (4 times)"),
        ("onehot-first", "0.0 0.0 0.0 0.0 0.0 1.0 0.0 0.0 0.0 0.0"),
        ("onehot-first", "0.0 0.0 0.0 0.0 0.0 0.0 1.5 0.0 0.0 0.0"),
        ("onehot-first", "0.0 0.0 0.0 0.0 0.0 0.0 1.0"),
    ],
)  # fmt: skip
def test_wrong_answers_in_those_forms_are_still_wrong(key, text):
    exercise = next(e for e in every_exercise(LESSON) if e.key == key)
    assert not ex.check(exercise, text)


def test_an_exact_share_takes_only_its_exact_value():
    """ "99.6%" and "0.996" were accepted for what ten probabilities add up to (exactly 1)."""
    whole = ex.Exercise("sum", "What do the ten probabilities add up to?", "share", 1.0, "1",
                        "A softmax.", tolerance=0)  # fmt: skip
    assert [t for t in ("1", "1.0", "100%", "100 %", "1,0") if not ex.check(whole, t)] == []
    assert [t for t in ("99.6%", "0.996", "99.9 %", "100.4 %", "1.004") if ex.check(whole, t)] == []
    (rest,) = ex.draw()
    assert ex.check(rest, "6.3 %") and not ex.check(rest, "6 %") and not ex.check(rest, "6.5 %")


def test_a_measured_share_keeps_its_half_point_of_leeway():
    five = next(e for e in every_exercise(LESSON) if e.key == "train-five")  # 0.9898⁵ = 0.950
    assert ex.check(five, "95.4 %") and not ex.check(five, "95.6 %")


@pytest.mark.parametrize(
    ("key", "example"),
    [("mistakes-most", "like 7."), ("data-images", "like 1,234."),
     ("train-five", "like 12.5, 12,5 or 12.5 %."), ("build-pool-shape", "like 5 × 5 × 3."),
     ("onehot-first", "one per digit 0 to 9.")],
)  # fmt: skip
def test_the_advice_for_unreadable_text_shows_the_answers_own_kind(key, example):
    """ "like 12.5, 12,5 or 12.5 %" was the advice where the answer was one digit."""
    exercise = next(e for e in every_exercise(LESSON) if e.key == key)
    right, why = ex.feedback(exercise, "no idea")
    assert not right and why.endswith(example), why
    if exercise.kind != "share":
        assert "12.5" not in why


@pytest.mark.parametrize("config", [c for c in NETWORKS.values() if c.conv_blocks],
                         ids=[k for k, c in NETWORKS.items() if c.conv_blocks])  # fmt: skip
def test_shape_questions_ask_for_a_shape_the_learners_network_does_not_have(config):
    """With 7×7 'same', "5×5 instead of 7×7" left the first pooling layer's shape as shown."""
    shown = {row.shape for row in step3_network.layer_table(config)}
    pool, _ = ex.build(config)
    (maps,) = ex.filters(config)
    for exercise in (pool, maps):
        assert exercise.value not in shown, (exercise.question, exercise.value)


def test_the_seven_same_network_asks_about_valid_padding():
    config = NETWORKS["k7-same"]
    pool, params = ex.build(config)
    assert "'valid' padding instead of 'same'" in pool.question and pool.value == (11, 11, 6)
    assert "5×5 instead of 7×7" in params.question and params.value == 156
    (maps,) = ex.filters(config)
    assert "'valid' padding instead of 'same'" in maps.question and maps.value == (22, 22, 6)


def test_the_dense_question_says_it_asks_for_one_layer():
    """ "If its hidden Dense layer had 256 units…" accepted only the layer's 200,960."""
    (dense,) = ex.build(NETWORKS["no-conv"])
    assert "that one layer" in dense.question and "not the whole network" in dense.question
    whole = step3_network.total_parameters(replace(NETWORKS["no-conv"], dense_units=256))
    assert dense.value == 200_960 and whole == 203_530 and not ex.check(dense, "203,530")


def test_the_draw_question_is_worked_out_not_the_sum_the_page_states():
    (rest,) = ex.draw()
    assert "add up to" in rest.question and "other nine" in rest.question
    assert rest.value == pytest.approx(1 - ex.DRAW_TOP) and rest.answer.startswith("6.3%")
