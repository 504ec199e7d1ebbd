"""Looking inside: filters per epoch, one value by hand, the confusion matrix, saliency."""

import keras
import numpy as np
import pytest

from lesson import (
    step1_data,
    step3_network,
    step4_training,
    step5_prediction,
    step6_inside,
    step7_mistakes,
)


def first_test_images(mnist, n):
    return step1_data.preprocess(mnist.x_test[:n])[..., 0]  # (n, 28, 28)


NETWORKS = {
    "pretrained": None,
    "same padding, 5×5 filters": step3_network.NetworkConfig(kernel_size=5, padding="same"),
    "three blocks": step3_network.NetworkConfig(conv_blocks=3),
}


def network(net, which: str, seed: int) -> keras.Model:
    """The pre-trained network, or NETWORKS[which] with random weights from `seed`."""
    keras.utils.set_random_seed(seed)
    config = NETWORKS[which]
    return net if config is None else step3_network.build_model(config)


def random_cells(shape: tuple, rng, count: int = 15) -> list[tuple]:
    """`count` random (row, column, map) places in maps of `shape` (h, w, maps)."""
    h, w, n = shape
    return [(rng.integers(h), rng.integers(w), rng.integers(n)) for _ in range(count)]


@pytest.mark.parametrize("which", list(NETWORKS))
def test_conv_value_by_hand_equals_the_feature_map(net, mnist, which):
    cnn = network(net, which, 1)
    assert step6_inside.first_conv_problem(cnn) is None
    rng = np.random.default_rng(0)
    for image in first_test_images(mnist, 3):
        conv_map = step5_prediction.feature_maps(cnn, image)[0][1]  # (h, w, filters)
        for row, col, f in random_cells(conv_map.shape, rng):
            pix = step6_inside.conv_pixel(cnn, image, row, col, f)
            assert pix.value == pytest.approx(float(conv_map[row, col, f]), abs=1e-5)
            assert pix.total == pytest.approx(float(pix.products.sum()), abs=1e-6)
            assert pix.value == pytest.approx(max(0.0, pix.total + pix.bias), abs=1e-6)


@pytest.mark.parametrize("which", list(NETWORKS))
def test_pool_value_by_hand_equals_the_pooled_map(net, mnist, which):
    cnn = network(net, which, 2)
    assert step6_inside.first_pool_problem(cnn) is None
    rng = np.random.default_rng(1)
    for image in first_test_images(mnist, 3):
        maps = step5_prediction.feature_maps(cnn, image)
        conv_map, pooled = maps[0][1], maps[1][1]
        for row, col, f in random_cells(pooled.shape, rng):
            pix = step6_inside.pool_pixel(cnn, conv_map, row, col, f)
            assert pix.window.shape == (2, 2)
            assert pix.value == pytest.approx(float(pooled[row, col, f]), abs=1e-6)


def test_networks_the_by_hand_view_cannot_explain_say_why():
    dense = step3_network.build_model(step3_network.NetworkConfig(conv_blocks=0))
    assert "no convolution" in step6_inside.first_conv_problem(dense)
    assert "no convolution" in step6_inside.first_pool_problem(dense)
    assert step6_inside.filters(dense) == []
    no_pool = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    assert step6_inside.first_conv_problem(no_pool) is None
    assert "not followed by a max-pooling" in step6_inside.first_pool_problem(no_pool)
    strided = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3, strides=2), keras.layers.Flatten()]
    )
    assert "strides" in step6_inside.first_conv_problem(strided)


def test_filters_after_a_two_epoch_run_give_three_different_snapshots(mnist):
    keras.utils.set_random_seed(3)
    cnn = step4_training.compile_model(step3_network.build_model())
    x = step1_data.preprocess(mnist.x_train[:256])
    y = keras.utils.to_categorical(mnist.y_train[:256], 10)
    snaps = step4_training.FilterSnapshots()
    cnn.fit(x, y, batch_size=32, epochs=2, verbose=0, callbacks=[snaps])
    assert len(snaps.snapshots) == 3  # before training, after epoch 1, after epoch 2
    assert [k.shape for k in snaps.snapshots[0]] == [(3, 3, 1, 6), (3, 3, 6, 16)]
    for a, b in [(0, 1), (1, 2), (0, 2)]:
        for layer in range(2):
            assert not np.allclose(snaps.snapshots[a][layer], snaps.snapshots[b][layer])
    for now, last in zip(step6_inside.filters(cnn), snaps.snapshots[-1], strict=True):
        np.testing.assert_array_equal(now, last)  # the last snapshot is the trained model


def test_confusion_matrix_sums_to_10000_and_its_diagonal_is_the_accuracy(net, mnist):
    x = step1_data.preprocess(mnist.x_test)
    probs = step7_mistakes.test_probabilities(net, x)
    matrix = step7_mistakes.confusion_matrix(mnist.y_test, probs.argmax(axis=1))
    assert matrix.shape == (10, 10)
    assert matrix.sum() == 10_000
    np.testing.assert_array_equal(matrix.sum(axis=1), step1_data.label_counts(mnist.y_test))
    step4_training.compile_model(net)
    _, accuracy = net.evaluate(x, keras.utils.to_categorical(mnist.y_test, 10), verbose=0)
    assert np.trace(matrix) / 10_000 == pytest.approx(accuracy, abs=1e-6)
    per_digit = step7_mistakes.per_digit_accuracy(matrix)
    assert per_digit.shape == (10,) and (per_digit > 0.95).all()

    worst = step7_mistakes.confident_mistakes(probs, mnist.y_test, 12)
    assert len(worst) == 12
    predicted = probs.argmax(axis=1)
    assert (predicted[worst] != mnist.y_test[worst]).all()
    sure = probs[worst, predicted[worst]]
    assert (np.diff(sure) <= 0).all()  # surest first
    assert sure[-1] >= probs[predicted != mnist.y_test].max(axis=1).min()


def test_scores_turn_into_the_models_probabilities(net, mnist):
    x = step5_prediction.as_batch(first_test_images(mnist, 4))
    softmax = keras.ops.softmax(step7_mistakes.scores(net, x))
    np.testing.assert_allclose(
        np.asarray(softmax), step5_prediction.probabilities(net, x), atol=1e-5
    )
    assert step7_mistakes.ends_in_softmax(net)


@pytest.mark.parametrize("of", ["score", "probability"])
def test_saliency_is_the_gradient_of_the_winner(net, mnist, of):
    images = first_test_images(mnist, 1000)
    probs = step5_prediction.probabilities(net, images)
    unsure = int(np.flatnonzero(probs.max(axis=1) < 0.95)[0])  # away from float32's 1.0
    image = images[unsure]
    digit, gradient = step7_mistakes.saliency(net, image, of)
    assert digit == int(probs[unsure].argmax())
    assert gradient.shape == (28, 28) and np.abs(gradient).max() > 0

    def winner(img):
        x = step5_prediction.as_batch(img)
        out = step7_mistakes.scores(net, x) if of == "score" else net(x, training=False)
        return float(np.asarray(out)[0, digit])

    # A small nudge of a strong pixel moves the winner by about gradient × nudge. Where ReLU or
    # max switches right at the pixel's value the function has a kink and no single slope, so
    # the check takes the strongest pixel where the slopes to the left and right agree.
    def slope(row: int, col: int, eps: float) -> float:
        nudged = image.copy()
        nudged[row, col] += eps
        return (winner(nudged) - winner(image)) / eps

    for flat in np.argsort(-np.abs(gradient), axis=None)[:20]:
        row, col = np.unravel_index(flat, gradient.shape)
        right, left = slope(row, col, 1e-3), slope(row, col, -1e-3)
        if abs(right - left) <= 0.05 * max(abs(right), 1e-3):
            break
    else:
        raise AssertionError("no smooth pixel among the 20 strongest")
    change = right
    assert change == pytest.approx(float(gradient[row, col]), rel=0.2, abs=1e-6)
