"""Throwaway prototype (issue 33, item 6), not app code: N lesson networks trained as one.

    PYTHONPATH=$PWD TF_NUM_INTRAOP_THREADS=1 python docs/notes/i33b_fused.py [--models 6]

Compares, in one process and in turns (so a busy moment of the machine hits both alike):
  separate: N lesson networks (lesson/step3_network.py), each trained for STEPS steps of batch
            64 with the app's own compile (steps_per_execution) and model.fit, one after another;
  fused:    (--conv grouped, or im2col: patches and one batched matmul per conv layer)
            one Keras model holding the N networks side by side, each with its own weights,
            trained for the same STEPS steps, each step a batch of 64 images per network:
            conv 1 as one grouped convolution (N input channels, N groups), conv 2 as one
            grouped convolution (6N -> 16N channels, N groups), max pooling and dropout on all
            channels at once, the two dense layers as batched matmuls (einsum over N kernels),
            the loss the sum of the N networks' losses (so each network's gradient is its own).
Adam's update is elementwise, so each network's slice of a fused weight moves as it would alone
(up to the order of float additions, and dropout masks, which a real build would draw per network).
Prints the seconds per step of all N networks, separate and fused, and their ratio.
"""

import argparse
import os
import statistics
import time

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from lesson import step1_data, step3_network, step4_training

BATCH = 64


class GroupedDense(layers.Layer):
    """N dense layers side by side: (batch, N, in) -> (batch, N, units), one kernel each."""

    def __init__(self, models, units, activation=None, **kw):
        super().__init__(**kw)
        self.models, self.units, self.activation = models, units, keras.activations.get(activation)

    def build(self, shape):
        n, fan_in = self.models, shape[-1]
        self.kernel = self.add_weight(shape=(n, fan_in, self.units), initializer="glorot_uniform")
        self.bias = self.add_weight(shape=(n, self.units), initializer="zeros")

    def call(self, x):
        return self.activation(tf.einsum("bni,niu->bnu", x, self.kernel) + self.bias)


class GroupedConv(layers.Layer):
    """N 3×3 'valid' convolutions side by side, as patches and one batched matmul (im2col):
    (b, h, w, N·c) -> (b, h-2, w-2, N·units), channels grouped network by network."""

    def __init__(self, models, units, **kw):
        super().__init__(**kw)
        self.models, self.units = models, units

    def build(self, shape):
        n, c = self.models, shape[-1] // self.models
        self.c = c
        self.kernel = self.add_weight(shape=(n, 9, c, self.units), initializer="glorot_uniform")
        self.bias = self.add_weight(shape=(n, self.units), initializer="zeros")

    def call(self, x):
        p = tf.image.extract_patches(x, [1, 3, 3, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID")
        h, w = p.shape[1], p.shape[2]
        p = tf.reshape(p, (-1, h, w, 9, self.models, self.c))  # (b, h, w, k, N, c)
        y = tf.einsum("bhwknc,nkco->bhwno", p, self.kernel) + self.bias
        return tf.nn.relu(tf.reshape(y, (-1, h, w, self.models * self.units)))


def fused_model(n: int, conv: str = "grouped") -> keras.Model:
    """N lesson networks as one: input (batch, 28, 28, N), output (batch, N, 10)."""
    inp = keras.Input((28, 28, n))
    if conv == "grouped":
        x = layers.Conv2D(6 * n, 3, activation="relu", groups=n)(inp)  # (b, 26, 26, 6N)
    else:
        x = GroupedConv(n, 6)(inp)
    x = layers.MaxPooling2D(2)(x)  # (b, 13, 13, 6N)
    if conv == "grouped":
        x = layers.Conv2D(16 * n, 3, activation="relu", groups=n)(x)  # (b, 11, 11, 16N)
    else:
        x = GroupedConv(n, 16)(x)
    x = layers.MaxPooling2D(2)(x)  # (b, 5, 5, 16N)
    x = layers.Dropout(0.25)(x)
    # Channels are grouped network by network: (b, 5, 5, N, 16) -> (b, N, 400), each network's
    # 400 features in the order its own Flatten gives them.
    x = layers.Reshape((5, 5, n, 16))(x)
    x = layers.Permute((3, 1, 2, 4))(x)
    x = layers.Reshape((n, 400))(x)
    x = GroupedDense(n, 128, "relu")(x)  # (b, N, 128)
    x = layers.Dropout(0.5)(x)
    out = GroupedDense(n, 10, "softmax")(x)  # (b, N, 10)
    return keras.Model(inp, out)


def summed_loss(y_true, y_pred):
    """Each network's mean cross-entropy, summed over the networks: (batch, N) -> per sample."""
    per = keras.losses.categorical_crossentropy(y_true, y_pred)  # (b, N)
    return tf.reduce_sum(per, axis=-1)


def timed_fit(model, x, y, steps: int) -> float:
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False, steps_per_epoch=steps)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", type=int, default=6)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--conv", choices=("grouped", "im2col"), default="grouped")
    args = ap.parse_args()
    n, steps = args.models, args.steps
    mnist = step1_data.load_mnist()
    images = steps * BATCH
    x1 = step1_data.preprocess(mnist.x_train[:images])  # (images, 28, 28, 1)
    y1 = keras.utils.to_categorical(mnist.y_train[:images], 10)
    rng = np.random.default_rng(0)
    orders = [rng.permutation(images) for _ in range(n)]  # each network its own data order
    xf = np.concatenate([x1[o] for o in orders], axis=-1)  # (images, 28, 28, N)
    yf = np.stack([y1[o] for o in orders], axis=1)  # (images, N, 10)
    spe = step4_training.live_steps_per_execution(BATCH, steps)

    separate = []
    for i in range(n):
        net = step4_training.build(step3_network.LESSON, seed=i + 1)
        step4_training.compile_model(net, "adam", 1e-3, spe)
        separate.append(net)
    fused = fused_model(n, args.conv)
    fused.compile(loss=summed_loss, optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=spe)
    assert fused.count_params() == n * 53_558, fused.count_params()

    # Warm-up: trace every graph once.
    for net in separate:
        timed_fit(net, x1, y1, spe)
    timed_fit(fused, xf, yf, spe)
    sep_t, fus_t = [], []
    for _ in range(args.repeats):
        pairs = zip(separate, orders, strict=True)
        sep_t.append(sum(timed_fit(net, x1[o], y1[o], steps) for net, o in pairs))
        fus_t.append(timed_fit(fused, xf, yf, steps))
    s, f = statistics.median(sep_t), statistics.median(fus_t)
    print({
        "models": n, "conv": args.conv, "steps": steps, "batch": BATCH, "steps_per_execution": spe,
        "intra_op_threads": os.environ.get("TF_NUM_INTRAOP_THREADS", "default"),
        "separate_ms_per_step_all_models": round(1000 * s / steps, 2),
        "fused_ms_per_step_all_models": round(1000 * f / steps, 2),
        "speedup_fused": round(s / f, 2),
        "separate_each_s": [round(t, 2) for t in sep_t],
        "fused_each_s": [round(t, 2) for t in fus_t],
        "load_average_1min": round(os.getloadavg()[0], 2),
    })  # fmt: skip


if __name__ == "__main__":
    main()
