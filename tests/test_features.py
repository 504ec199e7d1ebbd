"""Probabilities and feature maps of one image."""

import numpy as np

from lesson import data, features, model


def test_probabilities_match_predict(net, mnist):
    x = data.preprocess(mnist.x_test[:5])
    p = features.probabilities(net, x[..., 0])
    np.testing.assert_allclose(p, net.predict(x, verbose=0), atol=1e-5)
    assert p.shape == (5, 10)


def test_feature_maps_have_the_lessons_shapes(net, mnist):
    image = data.preprocess(mnist.x_test[:1])[0, ..., 0]
    maps = features.feature_maps(net, image)
    assert [m.shape for _, m in maps] == [(26, 26, 6), (13, 13, 6), (11, 11, 16), (5, 5, 16)]
    assert features.feature_model(net) is features.feature_model(net)  # built once


def test_dense_only_network_has_no_feature_maps():
    dense = model.build_model(model.NetworkConfig(conv_blocks=0))
    assert features.feature_maps(dense, np.zeros((28, 28))) == []
