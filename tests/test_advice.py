"""Advice that fits (issue 35 item 7): a run that did not learn is told the cause that fits its
network and settings, never a cure that makes it worse; a doubt's numbers never contradict."""

from dataclasses import replace

import pytest

from lesson import step3_network, step4_training, step5_unfamiliar

QUICK, LESSON = step4_training.QUICK, step3_network.LESSON
FLAT = {"loss": 2.30, "accuracy": 0.1135}  # learned nothing: guessing
RAN_AWAY = {"loss": float("nan"), "accuracy": 0.098}  # diverged


def advice(test=FLAT, hp=QUICK, config=LESSON) -> str:
    said = step4_training.did_not_learn(test, hp, config)
    assert said is not None and said.startswith("**The network did not learn.**")
    return said


def test_a_one_unit_dense_layer_is_called_too_narrow_not_a_rate_problem():
    said = advice(config=replace(LESSON, dense_units=1))
    assert "only 1 unit:" in said and "1 number per image" in said and "more units" in said
    assert "smaller learning rate" not in said and "more epochs" not in said


def test_sigmoid_at_adams_usual_rate_asks_for_relu_or_a_larger_rate_never_a_smaller_one():
    said = advice(config=replace(LESSON, activation="sigmoid"))
    assert "Sigmoid saturates" in said and "Try relu, or a larger learning rate" in said
    assert "a smaller learning rate makes that worse" in said
    assert "Try a smaller" not in said and "times smaller" not in said


def test_sigmoid_without_convolution_is_not_blamed():
    """The activation is the conv layers': a network without them has no sigmoid."""
    said = advice(config=replace(LESSON, conv_blocks=0, activation="sigmoid"))
    assert "Sigmoid" not in said


def test_a_rate_far_too_large_asks_for_a_smaller_one_and_not_also_for_a_larger():
    hp = replace(QUICK, optimizer="sgd", learning_rate=10.0)
    said = advice(RAN_AWAY, hp, replace(LESSON, activation="sigmoid"))
    assert "far too large for sgd" in said and "10 or 100 times smaller" in said
    assert "larger learning rate" not in said and "Sigmoid" not in said


def test_weights_that_ran_away_at_a_usual_rate_ask_for_a_smaller_rate():
    said = advice(RAN_AWAY)
    assert "diverged" in said and "10 times smaller" in said


def test_a_rate_far_too_small_asks_for_a_larger_one():
    said = advice(hp=replace(QUICK, learning_rate=1e-5))
    assert "so small that the weights hardly move" in said and "larger learning rate" in said
    assert "smaller learning rate" not in said


def test_too_few_updates_ask_for_more_images_or_epochs():
    hp = replace(QUICK, train_images=1_000, epochs=1, batch_size=512)
    assert step4_training.updates(hp) == 2  # 900 images in batches of 512
    said = advice(hp=hp)
    assert "only 2 times" in said and "more images, more epochs or a smaller batch" in said
    assert step4_training.updates(QUICK) == 844 * 3  # the quick run: nothing to blame
    assert "Try more images" not in advice()


def test_nothing_to_blame_says_so_and_suggests_another_seed():
    said = advice()
    assert "Nothing in its network or settings explains it" in said
    assert "another random seed" in said and "smaller learning rate" not in said


def test_without_a_network_the_settings_still_get_their_advice():
    said = step4_training.did_not_learn(FLAT, replace(QUICK, learning_rate=1e-5))
    assert "so small" in said


def test_a_run_that_learned_gets_no_advice():
    assert step4_training.did_not_learn({"loss": 0.05, "accuracy": 0.98}, QUICK, LESSON) is None


@pytest.mark.parametrize(
    ("value", "limit", "kind", "least", "shown"),
    [
        (0.5564, 0.5556, "%", 0, ("55.64%", "55.56%")),  # as few decimals as tell them apart
        (0.70, 0.5556, "%", 0, ("70%", "56%")),
        (1.7, 1.6667, "f", 1, ("1.70", "1.67")),
        (9.25, 8.3158, "f", 1, ("9.2", "8.3")),
        (0.5, 0.5, "%", 0, ("50%", "50%")),  # equal: no decimals to hunt for
    ],
)
def test_apart_rounds_alike_with_enough_decimals(value, limit, kind, least, shown):
    assert step5_unfamiliar.apart(value, limit, kind, least) == shown


def test_a_solid_share_just_past_its_limit_does_not_contradict_itself():
    """Issue 35: "Of the ink, 56% is solid … (MNIST digits: at most 56%)"."""
    limits = step5_unfamiliar.Measures(8.3, 8.0, 0.61, 1.6667, 0.5556, 0.5309)
    measures = step5_unfamiliar.Measures(5.0, 5.0, 0.99, 1.7, 0.5564, 0.5312)
    verdict = step5_unfamiliar.Verdict(measures, limits, ink=0.3)
    assert verdict.reasons == ["wide", "solid", "grey"]
    said = " ".join(verdict.why(4))
    assert "55.64% is solid" in said and "at most 55.56%" in said
    assert "1.70 times as wide" in said and "at most 1.67" in said
    assert "53.12% is grey" in said and "at most 53.09%" in said
    solid = next(r for r in verdict.table() if "solid" in r["measure"])
    assert (solid["this input"], solid["limit"], solid["past the limit"]) == (
        "55.64%", "55.56%", "yes",
    )  # fmt: skip
