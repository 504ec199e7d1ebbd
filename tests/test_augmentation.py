"""Augmentation: untouched images when predicting, seeded changes, on the Train page, in links."""

import math

import numpy as np
import pytest

from lesson import step4_augmentation, step4_robustness, step4_training
from lesson.machinery import runs
from lesson.tools import limits, settings
from tests.pages import app, markdown_text, tiny, train_to_the_end


@pytest.mark.parametrize("strength", [0.0, 0.1, 0.5, 1.0])
def test_augmentation_layers_pass_images_through_untouched_when_predicting(mnist, strength):
    x = (mnist.x_test[:16, :, :, None] / 255).astype("float32")
    layers = step4_augmentation.augmenter(strength, seed=3)
    assert np.array_equal(np.asarray(layers(x, training=False)), x)
    changed = np.asarray(layers(x, training=True))
    assert changed.shape == x.shape and changed.min() >= 0 and changed.max() <= 1.0001
    if strength:  # training: every image changed
        assert all(np.abs(changed[i] - x[i]).max() > 0.05 for i in range(len(x)))


def ink_centre(images: np.ndarray) -> np.ndarray:
    """Each image's centre of ink (row, column), in pixels: (n, 2)."""
    rows, cols = np.mgrid[0:28, 0:28]
    ink = images[..., 0].reshape(len(images), -1)
    return np.stack([ink @ rows.ravel(), ink @ cols.ravel()], 1) / ink.sum(1, keepdims=True)


def test_turn_zoom_shift_moves_turns_and_scales_as_its_limits_say(mnist):
    x = np.repeat((mnist.x_test[:1, :, :, None] / 255).astype("float32"), 64, axis=0)
    still = step4_augmentation.RandomTurnZoomShift(0, 0, 0, seed=1)
    assert np.abs(np.asarray(still(x, training=True)) - x).max() < 1e-5  # nothing to change
    shifted = np.asarray(
        step4_augmentation.RandomTurnZoomShift(0, 0, 0.1, seed=1)(x, training=True)
    )
    moved = ink_centre(shifted) - ink_centre(x)
    assert np.abs(moved).max() <= 2.8 + 0.3 and np.abs(moved).max() > 1.5  # ±10 % of 28 px
    assert shifted.sum((1, 2, 3)).max() < 1.01 * x[0].sum()  # moved, not redrawn bigger
    zoomed = np.asarray(step4_augmentation.RandomTurnZoomShift(0, 0.2, 0, seed=1)(x, training=True))
    area = zoomed.sum((1, 2, 3)) / x[0].sum()  # ink grows with the square of the scale
    assert 0.8**2 - 0.05 < area.min() < 0.95 and 1.05 < area.max() < 1.2**2 + 0.05
    turned = np.asarray(step4_augmentation.RandomTurnZoomShift(90, 0, 0, seed=1)(x, training=True))
    one = step4_augmentation.RandomTurnZoomShift(0, 0, 0)  # a quarter turn by hand, the same way
    quarter = np.rot90(x[0, :, :, 0])  # anticlockwise on screen
    best = min(np.abs(t[..., 0] - quarter).mean() for t in turned)
    assert best < 0.05 and one.get_config()["degrees"] == 0


def test_variants_are_the_same_for_a_seed_and_new_for_another(mnist):
    one = step4_augmentation.variants(mnist.x_train[0], 0.5, 6, seed=1)
    assert one.shape == (6, 28, 28)
    assert np.array_equal(one, step4_augmentation.variants(mnist.x_train[0], 0.5, 6, seed=1))
    assert not np.array_equal(one, step4_augmentation.variants(mnist.x_train[0], 0.5, 6, seed=2))
    assert not np.array_equal(one[0], one[1])  # each variant its own random change


@pytest.mark.parametrize("strength", [0.1, 1.0])
def test_a_run_trains_at_either_extreme_of_strength_and_repeats_with_its_seed(mnist, strength):
    hp = step4_training.Hyperparameters(
        epochs=2, batch_size=32, train_images=1_000, augmentation=strength
    )
    trained = [runs.TrainingRun(f"aug {i}", mnist, hp).start() for i in range(2)]
    for run in trained:
        run.join(120)
        assert run.status == "done", run.message
        assert all(math.isfinite(b["loss"]) for b in run.batches)
        assert run.test["accuracy"] > 0.5  # 1,000 images, 2 epochs: far above chance (10 %)
    assert trained[0].batches == trained[1].batches  # the same seed, the same changes, the same run


def test_augmentation_is_a_link_setting_with_its_limits():
    assert limits.AUGMENTATIONS[0] == 0 and limits.AUGMENTATIONS[-1] == 1
    got, ignored = settings.from_query({"augmentation": "0.7"})
    assert got.hp.augmentation == 0.7 and not ignored
    assert settings.to_query(got) == {"augmentation": "0.7"}
    for bad in ("1.5", "-0.1", "lots"):
        got, ignored = settings.from_query({"augmentation": bad})
        assert got.hp.augmentation == 0 and "augmentation" in ignored[0]


def test_the_changed_test_images_are_the_same_every_time(mnist):
    x = mnist.x_test[:50]
    for change in step4_robustness.CHANGES:
        first = step4_robustness.changed(x, change.name)
        assert first.shape == x.shape
        assert np.array_equal(first, step4_robustness.changed(x, change.name))
        if change.name == "as is":
            assert np.array_equal(first, x)
        else:
            assert not np.array_equal(first, x), change.name
    assert np.array_equal(
        step4_robustness.test_sample(mnist.y_test, 100),
        step4_robustness.test_sample(mnist.y_test, 100),
    )
    with pytest.raises(ValueError):
        step4_robustness.changed(x, "upside down")


def test_the_train_page_augments_and_checks_robustness():
    at = app("p4_train.py")
    assert "Augment the training images" in [t.label for t in at.toggle]
    assert not at.select_slider(key="train_augmentation").disabled  # chosen before switching on
    gallery = [c.value for c in at.caption if "random variants at strength 0.5" in c.value]
    assert gallery, "the gallery of variants is missing"
    at.button(key="train_augment_again").click().run()
    assert at.session_state["train_augment_draw"] == 1 and not at.exception
    at.toggle(key="train_augment").set_value(True).run()
    at.select_slider(key="train_augmentation").set_value(0.8)
    tiny(at)
    run = train_to_the_end(at)
    assert run.hp.augmentation == 0.8
    assert at.session_state["runs"][-1] is run
    table = at.dataframe[0].value
    assert list(table["augmentation"]) == ["0.8"]
    assert "See the difference" in markdown_text(at)
    at.button(key="train_robust").click().run()
    assert not at.exception, [e.value for e in at.exception]
    results = at.session_state["train_robustness"]
    assert len(results) == 2  # the run and the pre-trained model
    for acc in results.values():
        assert set(acc) == {c.name for c in step4_robustness.CHANGES}
    assert any("Grouped bar chart of accuracy" in c.value for c in at.caption)
