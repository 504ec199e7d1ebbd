"""The convolution player's frames are the network's own feature maps, cell by cell."""

import numpy as np
import pytest

from lesson import step3_network, step5_prediction, step6_inside


@pytest.fixture(scope="module")
def digit(mnist):
    return mnist.x_test[0].astype("float32") / 255  # a 7


def test_conv_frames_equal_the_networks_feature_map_in_every_cell(net, digit):
    conv_map = step5_prediction.feature_maps(net, digit)[0][1]  # (26, 26, 6)
    for f in range(conv_map.shape[2]):
        frames = step6_inside.conv_frames(net, digit, f)
        assert frames.values.shape == conv_map.shape[:2]
        np.testing.assert_allclose(frames.values, conv_map[:, :, f], atol=1e-5)
        # each position's products are its patch times the filter, and they add up to its sum
        r, c = 9, 14
        patch = frames.image[r : r + 3, c : c + 3]
        np.testing.assert_allclose(frames.products[r, c], patch * frames.filter, rtol=1e-6)
        np.testing.assert_allclose(frames.sums, frames.products.sum(axis=(2, 3)), rtol=1e-6)
        # and one position agrees with the by-hand view
        pix = step6_inside.conv_pixel(net, digit, r, c, f)
        assert frames.values[r, c] == pytest.approx(pix.value, abs=1e-6)


def test_pool_frames_equal_the_networks_pooled_map_in_every_cell(net, digit):
    maps = step5_prediction.feature_maps(net, digit)
    conv_map, pooled = maps[0][1], maps[1][1]  # (26, 26, 6), (13, 13, 6)
    for f in range(conv_map.shape[2]):
        frames = step6_inside.pool_frames(net, conv_map, f)
        assert (frames.size, frames.stride) == (2, 2)
        np.testing.assert_allclose(frames.values, pooled[:, :, f], atol=1e-6)
        np.testing.assert_array_equal(frames.windows[3, 5], conv_map[6:8, 10:12, f])


def test_same_padding_frames_keep_the_image_size():
    net = step3_network.build_model(step3_network.NetworkConfig(padding="same"))
    image = np.random.default_rng(0).random((28, 28), dtype=np.float32)
    conv_map = step5_prediction.feature_maps(net, image)[0][1]
    frames = step6_inside.conv_frames(net, image, 0)
    assert frames.image.shape == (30, 30) and frames.values.shape == (28, 28)
    np.testing.assert_allclose(frames.values, conv_map[:, :, 0], atol=1e-5)
