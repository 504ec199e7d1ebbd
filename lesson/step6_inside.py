"""Step 6: looking inside a trained network: its filters, one feature-map value by hand."""

from dataclasses import dataclass

import keras
import numpy as np


def conv_layers(model: keras.Model) -> list:
    """The network's Conv2D layers, first to last."""
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]


def filters(model: keras.Model) -> list[np.ndarray]:
    """Every conv layer's filters as a (k, k, input channels, filters) array."""
    return [layer.kernel.numpy() for layer in conv_layers(model)]


def snapshot_label(index: int, whole_epochs: int) -> str:
    """What snapshot `index` of a run's filters shows: a run stopped part-way through an epoch
    ends with a snapshot of that cut-short epoch, which is no "after epoch n"."""
    if index == 0:
        return "before training (random)"
    if index <= whole_epochs:
        return f"after epoch {index}"
    return f"when it stopped, part-way through epoch {index}"


# --- one feature-map value by hand ----------------------------------------------------------


@dataclass(frozen=True)
class ConvPixel:
    """How one value of a first-layer feature map is computed from the image."""

    patch: np.ndarray  # (k, k): the pixels under the filter
    filter: np.ndarray  # (k, k): the filter's weights
    products: np.ndarray  # (k, k): patch × filter, element by element
    total: float  # the sum of the products
    bias: float
    activation: str  # "relu" in the lesson
    value: float  # activation(total + bias): the feature map's value


def first_conv_problem(model: keras.Model) -> str | None:
    """Why the by-hand arithmetic does not apply to this network's first layer (None: it does)."""
    convs = conv_layers(model)
    if not convs:
        return "This network has no convolution layer."
    conv = convs[0]
    if model.layers.index(conv) != 0:
        return "The first convolution does not read the image directly."
    if conv.strides != (1, 1) or conv.dilation_rate != (1, 1) or conv.groups != 1:
        return "The first convolution uses strides, dilation or groups, which this view skips."
    return None


def conv_pixel(model: keras.Model, image: np.ndarray, row: int, col: int, f: int) -> ConvPixel:
    """Compute feature map `f` of the first conv layer at (row, col) with numpy, step by step."""
    conv = conv_layers(model)[0]
    kernel, bias = conv.kernel.numpy(), conv.bias.numpy()  # (k, k, 1, filters), (filters,)
    k = kernel.shape[0]
    x = np.asarray(image, dtype="float32").reshape(28, 28)
    if conv.padding == "same":  # zeros around the image keep the feature map 28×28
        x = np.pad(x, ((k - 1) // 2, k // 2))
    patch = x[row : row + k, col : col + k]  # (k, k)
    weights = kernel[:, :, 0, f]  # (k, k)
    products = patch * weights
    total = float(products.sum())
    name = keras.activations.serialize(conv.activation)
    name = name if isinstance(name, str) else name.get("config", "activation")
    value = float(np.asarray(conv.activation(np.float32(total + bias[f]))))
    return ConvPixel(patch, weights, products, total, float(bias[f]), name, value)


@dataclass(frozen=True)
class PoolPixel:
    """How one value of a max-pooling feature map is computed from the map before it."""

    window: np.ndarray  # (p, p): the values under the pooling window
    value: float  # their largest


def first_pool_problem(model: keras.Model) -> str | None:
    """Why the pooling arithmetic does not apply (None: the first conv is followed by a pool)."""
    convs = conv_layers(model)
    if not convs:
        return "This network has no convolution layer."
    after = model.layers.index(convs[0]) + 1
    if after >= len(model.layers) or not isinstance(model.layers[after], keras.layers.MaxPooling2D):
        return "The first convolution is not followed by a max-pooling layer."
    if model.layers[after].padding != "valid":
        return "The first pooling layer pads its input, which this view skips."
    return None


def pool_pixel(model: keras.Model, conv_map: np.ndarray, row: int, col: int, f: int) -> PoolPixel:
    """Max-pool the first conv layer's map `f` (h, w, filters) at output position (row, col)."""
    pool = model.layers[model.layers.index(conv_layers(model)[0]) + 1]
    (ph, pw), (sh, sw) = pool.pool_size, pool.strides
    window = conv_map[row * sh : row * sh + ph, col * sw : col * sw + pw, f]  # (2, 2)
    return PoolPixel(window, float(window.max()))


# --- the filter sliding over the image: every position at once ------------------------------


@dataclass(frozen=True)
class ConvFrames:
    """Every position of the first conv layer's filter `f` over one image: a player's frames."""

    image: np.ndarray  # (H, W): the input the filter slides over, zero-padded for 'same'
    filter: np.ndarray  # (k, k): the filter's weights
    bias: float
    activation: str
    products: np.ndarray  # (h, w, k, k): patch × filter at each position
    sums: np.ndarray  # (h, w): the sum of each position's products
    values: np.ndarray  # (h, w): activation(sum + bias), the feature map


def conv_frames(model: keras.Model, image: np.ndarray, f: int) -> ConvFrames:
    """Slide the first conv layer's filter `f` over the image with numpy, position by position."""
    conv = conv_layers(model)[0]
    kernel, bias = conv.kernel.numpy(), conv.bias.numpy()  # (k, k, 1, filters), (filters,)
    k = kernel.shape[0]
    x = np.asarray(image, dtype="float32").reshape(28, 28)
    if conv.padding == "same":
        x = np.pad(x, ((k - 1) // 2, k // 2))
    weights = kernel[:, :, 0, f]  # (k, k)
    products = np.lib.stride_tricks.sliding_window_view(x, (k, k)) * weights  # (h, w, k, k)
    sums = products.sum(axis=(2, 3))
    values = np.asarray(conv.activation(sums + bias[f]), dtype="float32")
    name = keras.activations.serialize(conv.activation)
    name = name if isinstance(name, str) else name.get("config", "activation")
    return ConvFrames(x, weights, float(bias[f]), name, products, sums, values)


@dataclass(frozen=True)
class PoolFrames:
    """Every position of the first pooling window over feature map `f`: a player's frames."""

    source: np.ndarray  # (h, w): the feature map the window slides over
    size: int  # the window is size × size
    stride: int
    windows: np.ndarray  # (h', w', size, size): the values under the window at each position
    values: np.ndarray  # (h', w'): the largest of each window, the pooled map


def pool_frames(model: keras.Model, conv_map: np.ndarray, f: int) -> PoolFrames:
    """Slide the first max-pooling window over the first conv layer's map `f` (h, w, filters)."""
    pool = model.layers[model.layers.index(conv_layers(model)[0]) + 1]
    size, stride = pool.pool_size[0], pool.strides[0]
    z = np.asarray(conv_map[:, :, f], dtype="float32")
    windows = np.lib.stride_tricks.sliding_window_view(z, (size, size))[::stride, ::stride]
    return PoolFrames(z, size, stride, windows, windows.max(axis=(2, 3)))
