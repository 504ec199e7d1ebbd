"""The experiment as a link: round trips, bad values fall back with a note, presets."""

import random

import pytest

from lesson import step3_network, step4_training
from lesson.tools import limits, settings
from lesson.tools.settings import DEFAULT, Settings, from_query, to_query


def random_settings(rng: random.Random) -> Settings:
    """A random experiment the pages could show, with a network that can exist."""
    while True:
        network = step3_network.NetworkConfig(
            conv_blocks=rng.randint(0, step3_network.MAX_BLOCKS),
            filters=tuple(
                rng.randint(*limits.FILTERS_RANGE) for _ in range(step3_network.MAX_BLOCKS)
            ),
            kernel_size=rng.randint(*limits.KERNEL_RANGE),
            activation=rng.choice(step3_network.ACTIVATIONS),
            padding=rng.choice(step3_network.PADDINGS),
            pool_size=rng.randint(*limits.POOL_RANGE),
            conv_dropout=rng.choice(limits.DROPOUTS),
            dense_units=rng.randint(*limits.UNITS_RANGE),
            dense_dropout=rng.choice(limits.DROPOUTS),
        )
        if step3_network.check_network(network) is None:
            break
    hp = step4_training.Hyperparameters(
        epochs=rng.randint(*limits.EPOCH_RANGE),
        batch_size=rng.choice(limits.BATCH_SIZES),
        optimizer=rng.choice(list(step4_training.OPTIMIZERS)),
        learning_rate=rng.choice(limits.LEARNING_RATES),
        validation_split=rng.choice(limits.VALIDATION_SPLITS),
        train_images=rng.choice(limits.TRAIN_IMAGES),
        seed=rng.randint(*limits.SEED_RANGE),
    )
    return Settings(network, hp)


def test_random_experiments_survive_the_round_trip_through_the_url():
    rng = random.Random(7)
    for _ in range(300):
        experiment = random_settings(rng)
        query = to_query(experiment)
        assert all(isinstance(v, str) for v in query.values())
        assert from_query(query) == (experiment, [])


def test_the_default_experiment_is_an_empty_query_and_a_partial_link_fills_in_defaults():
    assert to_query(DEFAULT) == {}
    assert from_query({}) == (DEFAULT, [])
    got, ignored = from_query({"epochs": "5", "filters": "8,12", "lock": "epochs"})
    assert ignored == []
    assert got.hp.epochs == 5 and got.network.filters == (8, 12, 32)


@pytest.mark.parametrize(
    ("key", "value", "why"),
    [
        ("colour", "blue", "not a setting"),
        ("epochs", "0", "outside 1–20"),
        ("epochs", "-3", "outside 1–20"),
        ("epochs", "2.5", "not a whole number"),
        ("epochs", "many", "not a number"),
        ("epochs", "nan", "not a finite number"),
        ("learning_rate", "inf", "not a finite number"),
        ("learning_rate", "0.002", "not one of"),
        ("batch_size", "-64", "not one of"),
        ("activation", "softplus", "not one of"),
        ("dense_dropout", "1", "not one of"),
        ("filters", "6,16,32,64", "give 1 to 3"),
        ("filters", "6,0", "outside 1–64"),
        ("seed", "9" * 60, "too long"),
    ],
)
def test_each_bad_value_falls_back_to_the_default_with_a_note(key, value, why):
    got, ignored = from_query({key: value, "epochs": "4"} if key != "epochs" else {key: value})
    field = key if key in settings.HP_KEYS else None
    if field:
        expected = 4 if key != "epochs" else DEFAULT.hp.epochs
        assert got.hp.epochs == expected
        assert getattr(got.hp, field) == getattr(DEFAULT.hp, field)
    elif key in settings.NETWORK_KEYS:
        assert getattr(got.network, key) == getattr(DEFAULT.network, key)
    assert len(ignored) == 1 and why in ignored[0], ignored
    assert key[:17] in ignored[0]


def test_a_repeated_key_is_ignored_with_a_note():
    got, ignored = from_query({"epochs": ["2", "5"]})
    assert got == DEFAULT and "given 2 times" in ignored[0]


def test_an_impossible_network_falls_back_to_the_lessons():
    got, ignored = from_query({"conv_blocks": "3", "kernel_size": "7", "epochs": "2"})
    assert got.network == step3_network.LESSON and got.hp.epochs == 2
    assert len(ignored) == 1 and "cannot fit" in ignored[0]


def test_presets_are_possible_distinct_and_survive_the_url():
    names = [p.name for p in settings.PRESETS]
    assert len(set(names)) == len(names) == 5
    for preset in settings.PRESETS:
        assert step3_network.check_network(preset.settings.network) is None
        assert preset.shows.endswith(".")
        assert from_query(to_query(preset.settings)) == (preset.settings, [])
    no_conv = next(p for p in settings.PRESETS if p.name == "No convolution")
    assert no_conv.settings.network.conv_blocks == 0


def test_lock_names_are_the_query_keys():
    assert settings.parse_lock("epochs, batch_size,colour,") == (
        ["epochs", "batch_size"],
        ["colour"],
    )
