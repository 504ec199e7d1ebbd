"""The build page's arithmetic equals Keras: shapes, parameters, and the generated code."""

import random
from dataclasses import replace

import keras
import pytest

from lesson import step3_network
from lesson.step3_network import LESSON, NetworkConfig


def random_configs(n: int, seed: int = 3) -> list[NetworkConfig]:
    """`n` random networks that can exist (impossible draws are skipped)."""
    rng, found = random.Random(seed), []
    while len(found) < n:
        config = NetworkConfig(
            conv_blocks=rng.randint(0, 3),
            filters=tuple(rng.randint(1, 64) for _ in range(3)),
            kernel_size=rng.randint(1, 7),
            activation=rng.choice(step3_network.ACTIVATIONS),
            padding=rng.choice(step3_network.PADDINGS),
            pool_size=rng.randint(1, 4),
            conv_dropout=rng.choice([0.0, 0.1, 0.25, 0.5]),
            dense_units=rng.randint(1, 256),
            dense_dropout=rng.choice([0.0, 0.3, 0.5, 0.8]),
        )
        if step3_network.check_network(config) is None:
            found.append(config)
    return found


CONFIGS = [
    LESSON,
    NetworkConfig(conv_blocks=0),
    NetworkConfig(conv_blocks=3, filters=(64, 64, 64), padding="same"),
    *random_configs(20),
]


def keras_rows(net: keras.Model) -> list[tuple]:
    """(name, class, output shape, parameters) of every layer, as model.summary() shows them."""
    return [
        (layer.name, type(layer).__name__, tuple(layer.output.shape), layer.count_params())
        for layer in net.layers
    ]


def test_the_lessons_network():
    rows = step3_network.layer_table()
    assert [r.params for r in rows if r.params] == [60, 880, 51_328, 1_290]
    assert step3_network.total_parameters() == 53_558
    assert [r.output_shape for r in rows] == [
        "(None, 26, 26, 6)", "(None, 13, 13, 6)", "(None, 11, 11, 16)", "(None, 5, 5, 16)",
        "(None, 5, 5, 16)", "(None, 400)", "(None, 128)", "(None, 128)", "(None, 10)",
    ]  # fmt: skip
    assert rows[0].arithmetic == "3×3 kernel × 1 input channel × 6 filters + 6 biases = 60"
    assert rows[2].arithmetic == "3×3 kernel × 6 input channels × 16 filters + 16 biases = 880"
    assert rows[6].arithmetic == "5×5×16 = 400 values in × 128 units + 128 biases = 51,328"
    assert rows[-1].arithmetic == "128 values in × 10 units + 10 biases = 1,290"
    assert rows[3].why_shape.startswith("11 ÷ 2 = 5 (rounded down)")


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c}")
def test_table_equals_keras_layer_by_layer(config):
    net = step3_network.build_model(config)
    table = [
        (r.name, r.kind, (None, *r.shape), r.params) for r in step3_network.layer_table(config)
    ]
    assert table == keras_rows(net)
    assert step3_network.total_parameters(config) == net.count_params()


@pytest.mark.parametrize("config", CONFIGS[:8], ids=lambda c: f"{c}")
def test_generated_code_builds_the_same_network(config):
    code = step3_network.keras_code(config)
    namespace: dict = {}
    exec(compile(code, "<generated>", "exec"), namespace)  # it also prints the summary
    built, expected = namespace["model"], step3_network.build_model(config)
    assert [type(a) for a in built.layers] == [type(b) for b in expected.layers]
    assert [tuple(a.output.shape) for a in built.layers] == [
        tuple(b.output.shape) for b in expected.layers
    ]
    assert built.count_params() == expected.count_params() == step3_network.total_parameters(config)
    assert f"{built.count_params():,} parameters" in code


def test_generated_code_spells_out_the_settings():
    code = step3_network.keras_code(
        NetworkConfig(padding="same", activation="tanh", conv_dropout=0)
    )
    assert 'layers.Conv2D(6, kernel_size=3, activation="tanh", padding="same")' in code
    assert "Dropout(0.25)" not in code and "Dropout(0.5)" in code
    assert "padding" not in step3_network.keras_code()  # 'valid' is Keras' default: not written


def test_dense_only_network():
    rows = step3_network.layer_table(NetworkConfig(conv_blocks=0))
    assert [r.kind for r in rows] == ["Flatten", "Dense", "Dropout", "Dense"]
    assert rows[1].params == 784 * 128 + 128


def test_parameter_sharing_comparison():
    values, conv, dense = step3_network.dense_instead_of_conv()
    assert (values, conv, dense) == (26 * 26 * 6, 60, 784 * 4_056 + 4_056)
    assert (
        step3_network.total_parameters(step3_network.without_convolution(LESSON)) == 100_480 + 1_290
    )
    with pytest.raises(step3_network.InvalidNetwork):
        step3_network.dense_instead_of_conv(NetworkConfig(conv_blocks=0))


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"filters": (6, 0, 32)}, "Conv2D layer 2 (conv2d_1) has 0 filters"),
        ({"conv_blocks": 3, "kernel_size": 7}, "Conv2D layer 3 (conv2d_2) cannot fit its 7×7"),
        ({"kernel_size": 29}, "Conv2D layer 1 (conv2d) cannot fit its 29×29 filter in the 28×28"),
        ({"conv_blocks": 3, "pool_size": 4}, "Conv2D layer 3 (conv2d_2) cannot fit its 3×3"),
        (
            {"kernel_size": 7, "pool_size": 3},
            "MaxPooling2D layer 2 (max_pooling2d_1) cannot fit one 3×3 window in the 1×1",
        ),
        ({"pool_size": 0}, "pool of at least 1×1"),
        ({"kernel_size": 0}, "kernel of at least 1×1"),
        ({"conv_dropout": 1.0}, "after the last pooling layer has rate 1.0"),
        ({"dense_dropout": -0.1}, "after the hidden Dense layer has rate -0.1"),
        ({"dense_units": 0}, "hidden Dense layer (dense) needs at least 1 unit"),
        ({"conv_blocks": 4}, "0 to 3 convolution blocks"),
        ({"conv_blocks": 3, "filters": (6, 16)}, "need 3 filter counts"),
        ({"activation": "swish"}, "activation must be one of"),
        ({"padding": "full"}, "padding must be"),
        (
            {
                "conv_blocks": 3,
                "filters": (64,) * 3,
                "padding": "same",
                "pool_size": 1,
                "dense_units": 512,
            },
            "more than this classroom server can train",
        ),
    ],
)
def test_impossible_networks_are_refused_with_a_reason(change, words):
    config = replace(LESSON, **change)
    problem = step3_network.check_network(config)
    assert problem is not None and words in problem
    with pytest.raises(step3_network.InvalidNetwork) as refused:
        step3_network.layer_table(config)
    assert str(refused.value) == problem
    with pytest.raises(step3_network.InvalidNetwork):
        step3_network.build_model(config)


def test_edge_cases_that_still_exist():
    # a kernel as large as the image leaves 1×1; 'same' padding lets any kernel fit
    table = step3_network.layer_table(NetworkConfig(conv_blocks=1, kernel_size=28, pool_size=1))
    assert [r.shape for r in table[:4]] == [(1, 1, 6), (1, 1, 6), (1, 1, 6), (6,)]
    assert (
        step3_network.check_network(NetworkConfig(conv_blocks=3, kernel_size=7, padding="same"))
        is None
    )
    # with no conv blocks, the conv settings do not matter
    assert (
        step3_network.check_network(NetworkConfig(conv_blocks=0, kernel_size=99, pool_size=0))
        is None
    )


def test_extreme_network_table_builds_no_model(monkeypatch):
    """The table is arithmetic: no Keras model is built for it, however large the network."""

    config = NetworkConfig(conv_blocks=3, filters=(64, 64, 64), padding="same", pool_size=1)
    with monkeypatch.context() as no_keras:
        no_keras.setattr(
            step3_network, "keras", None
        )  # building a model would raise AttributeError
        no_keras.setattr(step3_network, "layers", None)
        table = step3_network.layer_table(config)
    assert sum(r.params for r in table) == step3_network.build_model(config).count_params()
