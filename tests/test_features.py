"""Probabilities and feature maps of one image."""

import numpy as np
import pytest

from lesson import step1_data, step3_network, step5_prediction


def test_probabilities_match_predict(net, mnist):
    x = step1_data.preprocess(mnist.x_test[:5])
    p = step5_prediction.probabilities(net, x[..., 0])
    np.testing.assert_allclose(p, net.predict(x, verbose=0), atol=1e-5)
    assert p.shape == (5, 10)


def test_feature_maps_have_the_lessons_shapes(net, mnist):
    image = step1_data.preprocess(mnist.x_test[:1])[0, ..., 0]
    maps = step5_prediction.feature_maps(net, image)
    assert [m.shape for _, m in maps] == [(26, 26, 6), (13, 13, 6), (11, 11, 16), (5, 5, 16)]
    assert step5_prediction.feature_model(net) is step5_prediction.feature_model(net)  # built once


def test_dense_only_network_has_no_feature_maps():
    dense = step3_network.build_model(step3_network.NetworkConfig(conv_blocks=0))
    assert step5_prediction.feature_maps(dense, np.zeros((28, 28))) == []


@pytest.mark.parametrize(
    ("probs", "said"),
    [
        ([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.95, 0.05, 0.0], (7, 8, False, "sure")),
        ([0.0, 0.0, 0.0, 0.3, 0.0, 0.0, 0.0, 0.0, 0.7, 0.0], (8, 3, True, "fairly sure")),
        ([0.1, 0.0, 0.0, 0.0, 0.46, 0.0, 0.0, 0.0, 0.0, 0.44], (4, 9, True, "not sure")),
        ([0.9, 0.3 / 3, 0, 0, 0, 0, 0, 0, 0, 0], (0, 1, False, "sure")),  # a ninth: not close
    ],
)
def test_the_answer_names_the_runner_up_only_when_it_is_close(probs, said):
    assert tuple(step5_prediction.answer(np.array(probs))) == said
