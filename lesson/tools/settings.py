"""One experiment = a network + its hyperparameters, as a link a teacher can send, and presets.

`to_query` writes an experiment as URL query parameters; `from_query` reads them back, and any
value it cannot use falls back to the default for that field with a note saying why.
"""

import math
import re
from dataclasses import dataclass, fields, replace

from lesson import step3_network, step4_training
from lesson.tools import limits

MAX_VALUE_LENGTH = 40  # longer values are not settings, whatever they say
# Query keys that are not settings: the pages read them (instructor options).
OPTIONS = ("lock", "instructor", "workspace", "join")


@dataclass(frozen=True)
class Settings:
    """One experiment: the network and how it is trained."""

    network: step3_network.NetworkConfig = step3_network.LESSON
    hp: step4_training.Hyperparameters = step4_training.QUICK


DEFAULT = Settings()
NETWORK_KEYS = tuple(f.name for f in fields(step3_network.NetworkConfig))
HP_KEYS = tuple(f.name for f in fields(step4_training.Hyperparameters))
KEYS = NETWORK_KEYS + HP_KEYS  # the query keys are the field names


class Refused(ValueError):
    """One value that cannot be used; the message says why."""


def _text(value: str) -> str:
    """A value safe to quote in a note: short, and no markdown or HTML in it."""
    value = re.sub(r"[^\w.,+ -]", "?", value)
    return value if len(value) <= 20 else value[:17] + "…"


def _number(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise Refused(f"{_text(value)!r} is not a number") from None
    if not math.isfinite(number):
        raise Refused(f"{value} is not a finite number")
    return number


def _whole(value: str, low: int, high: int) -> int:
    number = _number(value)
    if number != int(number):
        raise Refused(f"{value} is not a whole number")
    if not low <= number <= high:
        raise Refused(f"{value} is outside {low}–{high}")
    return int(number)


def _one_of(value, choices) -> object:
    for choice in choices:
        if isinstance(choice, str) and value == choice:
            return choice
        if not isinstance(choice, str) and math.isclose(_number(value), choice, rel_tol=1e-9):
            return choice
    shown = ", ".join(f"{c:g}" if isinstance(c, float) else str(c) for c in choices)
    raise Refused(f"{_text(value)!r} is not one of {shown}")


def _filters(value: str) -> tuple[int, ...]:
    parts = value.split(",")
    if not 1 <= len(parts) <= step3_network.MAX_BLOCKS:
        raise Refused(f"give 1 to {step3_network.MAX_BLOCKS} filter counts separated by commas")
    given = tuple(_whole(p.strip(), *limits.FILTERS_RANGE) for p in parts)
    return given + step3_network.LESSON.filters[len(given) :]


PARSERS = {
    "conv_blocks": lambda v: _whole(v, 0, step3_network.MAX_BLOCKS),
    "filters": _filters,
    "kernel_size": lambda v: _whole(v, *limits.KERNEL_RANGE),
    "activation": lambda v: _one_of(v, step3_network.ACTIVATIONS),
    "padding": lambda v: _one_of(v, step3_network.PADDINGS),
    "pool_size": lambda v: _whole(v, *limits.POOL_RANGE),
    "conv_dropout": lambda v: _one_of(v, limits.DROPOUTS),
    "dense_units": lambda v: _whole(v, *limits.UNITS_RANGE),
    "dense_dropout": lambda v: _one_of(v, limits.DROPOUTS),
    "epochs": lambda v: _whole(v, *limits.EPOCH_RANGE),
    "batch_size": lambda v: int(_one_of(v, limits.BATCH_SIZES)),
    "optimizer": lambda v: _one_of(v, tuple(step4_training.OPTIMIZERS)),
    "learning_rate": lambda v: _one_of(v, limits.LEARNING_RATES),
    "validation_split": lambda v: _one_of(v, limits.VALIDATION_SPLITS),
    "train_images": lambda v: int(_one_of(v, limits.TRAIN_IMAGES)),
    "seed": lambda v: _whole(v, *limits.SEED_RANGE),
    "augmentation": lambda v: _one_of(v, limits.AUGMENTATIONS),
}


def _write(value) -> str:
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def to_query(settings: Settings, full: bool = False) -> dict[str, str]:
    """The experiment as query parameters: what differs from the defaults (every one if `full`)."""
    query = {}
    for part, default in ((settings.network, DEFAULT.network), (settings.hp, DEFAULT.hp)):
        for f in fields(part):
            value = getattr(part, f.name)
            if full or value != getattr(default, f.name):
                query[f.name] = _write(value)
    return query


def from_query(params: dict[str, str | list[str]]) -> tuple[Settings, list[str]]:
    """The experiment a link describes, and a note for every parameter that was ignored."""
    network, hp, ignored = {}, {}, []
    for key, raw in params.items():
        values = [raw] if isinstance(raw, str) else list(raw)
        if key in OPTIONS:
            continue
        if key not in PARSERS:
            ignored.append(f"`{_text(key)}`: not a setting of this app")
            continue
        if len(values) != 1:
            ignored.append(f"`{key}`: given {len(values)} times, so the default is used")
            continue
        value = values[0].strip()
        if len(value) > MAX_VALUE_LENGTH:
            ignored.append(f"`{key}`: the value is too long ({len(value)} characters)")
            continue
        try:
            parsed = PARSERS[key](value)
        except Refused as why:
            ignored.append(f"`{key}`: {why}, so the default is used")
            continue
        (network if key in NETWORK_KEYS else hp)[key] = parsed
    config = replace(DEFAULT.network, **network)
    if problem := step3_network.check_network(config):
        ignored.append(f"the network: {problem} The lesson's network is used instead")
        config = DEFAULT.network
    return Settings(config, replace(DEFAULT.hp, **hp)), ignored


def parse_lock(value: str) -> tuple[list[str], list[str]]:
    """The settings `?lock=epochs,batch_size` names, and the names it does not know."""
    names = [n.strip() for n in value.split(",") if n.strip()]
    return [n for n in names if n in KEYS], [_text(n) for n in names if n not in KEYS]


# --- Presets: named starting points ------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    """A named experiment and the one thing it shows."""

    name: str
    shows: str
    settings: Settings


PRESETS = (
    Preset(
        "The lesson's recipe",
        "The notebook's network and model.fit: 10 epochs, batch 32, all 60,000 images: "
        "the longest run of the lesson.",
        Settings(step3_network.LESSON, step4_training.RECIPE),
    ),
    Preset(
        "Quick demo",
        "The lesson's network for 3 epochs: about 98 % test accuracy in a short run.",
        DEFAULT,
    ),
    Preset(
        "Overfitting",
        "No dropout and only 1,000 images for 20 epochs: training accuracy reaches 100 % "
        "while validation accuracy stalls far below.",
        Settings(
            replace(step3_network.LESSON, conv_dropout=0.0, dense_dropout=0.0),
            replace(step4_training.QUICK, epochs=20, train_images=1_000, validation_split=0.3),
        ),
    ),
    Preset(
        "Learning rate too high",
        "sgd with a learning rate of 10: each update overshoots, so the loss leaps up at once "
        "and never falls below 2.3, the loss of guessing; about one test digit in ten is right. "
        "The network learns nothing, and the page says so.",
        Settings(
            step3_network.LESSON, replace(step4_training.QUICK, optimizer="sgd", learning_rate=10.0)
        ),
    ),
    Preset(
        "No convolution",
        "Flatten and dense layers only: compare its parameters and accuracy with the lesson's CNN.",
        Settings(replace(step3_network.LESSON, conv_blocks=0), step4_training.QUICK),
    ),
)


# How the runs table names each setting in its "what differs" column.
LABELS = {
    "conv_blocks": "conv blocks", "filters": "filters", "kernel_size": "kernel",
    "activation": "activation", "padding": "padding", "pool_size": "pool",
    "conv_dropout": "conv dropout", "dense_units": "dense units", "dense_dropout": "dense dropout",
    "epochs": "epochs", "batch_size": "batch size", "optimizer": "optimizer",
    "learning_rate": "learning rate", "validation_split": "validation",
    "train_images": "images", "seed": "seed", "augmentation": "augmentation",
}  # fmt: skip


def _shown(settings: Settings) -> dict[str, str]:
    """Every setting as a link writes it, with only the filters of the blocks in use."""
    query = to_query(settings, full=True)
    query["filters"] = _write(settings.network.block_filters()) or "–"
    return query


def differences(experiments: list[Settings]) -> list[str]:
    """For each experiment, the settings that differ among them: "kernel 5, activation tanh";
    "–" where none do."""
    shown = [_shown(e) for e in experiments]
    differ = [key for key in KEYS if len({s[key] for s in shown}) > 1]
    return [", ".join(f"{LABELS[key]} {s[key]}" for key in differ) or "–" for s in shown]
