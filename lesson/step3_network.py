"""Step 3 · Build the network (Conv-Pool-Conv-Pool-Dropout-Flatten-Dense-Dropout-Dense)."""

import os
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import keras
from keras import layers

from lesson.step1_data import ASSETS

PRETRAINED_PATH = ASSETS / "pretrained.keras"
PATH_VARIABLE = "CNN_LESSON_MODEL"  # set it to use another pre-trained model file
INPUT_SHAPE = (28, 28, 1)  # one grey channel
NUM_CLASSES = 10
MAX_BLOCKS = 3
ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "linear")
PADDINGS = ("valid", "same")
MAX_PARAMETERS = 10_000_000  # more than this is too slow to train on a shared classroom server


@dataclass(frozen=True)
class NetworkConfig:
    """Everything a learner can change about the network; the defaults are the lesson's."""

    conv_blocks: int = 2  # Conv2D + MaxPooling2D pairs; 0 = a dense-only network
    filters: tuple[int, ...] = (6, 16, 32)  # per block; only the first `conv_blocks` are used
    kernel_size: int = 3  # a 3×3 filter
    activation: str = "relu"
    padding: str = "valid"  # "valid" shrinks the image by kernel_size - 1; "same" keeps it
    pool_size: int = 2
    conv_dropout: float = 0.25  # after the last pooling layer
    dense_units: int = 128
    dense_dropout: float = 0.5  # after the hidden dense layer

    def block_filters(self) -> tuple[int, ...]:
        """The filters of the conv layers actually used."""
        return tuple(self.filters[: self.conv_blocks])


LESSON = NetworkConfig()


def describe(config: NetworkConfig) -> str:
    """The network in a few words, naming every setting that differs from the lesson's:
    "2 conv blocks (6, 16 filters, 3×3, tanh, 'same' padding), dense 128 (dropout 0.3)"."""
    said = _in_words(config)
    return "the lesson's network" if said == _in_words(LESSON) else said  # unused filters aside


def _in_words(c: NetworkConfig) -> str:
    if not c.conv_blocks:
        said = f"no convolution, dense {c.dense_units}"
    else:
        filters = ", ".join(str(f) for f in c.block_filters())
        blocks = f"{c.conv_blocks} conv block{'s' if c.conv_blocks != 1 else ''}"
        one = c.conv_blocks == 1 and c.filters[0] == 1
        k, p = c.kernel_size, c.pool_size
        conv = [f"{filters} filter{'' if one else 's'}", f"{k}×{k}"]
        conv += [c.activation] * (c.activation != LESSON.activation)
        conv += [f"'{c.padding}' padding"] * (c.padding != LESSON.padding)
        conv += [f"pool {p}×{p}"] * (p != LESSON.pool_size)
        conv += [f"dropout {c.conv_dropout:g}"] * (c.conv_dropout != LESSON.conv_dropout)
        said = f"{blocks} ({', '.join(conv)}), dense {c.dense_units}"
    if c.dense_dropout != LESSON.dense_dropout:
        said += f" (dropout {c.dense_dropout:g})"
    return said


class InvalidNetwork(ValueError):
    """A network that cannot exist; the message names the layer and says why."""


def _nth(prefix: str, i: int) -> str:
    """Keras' own layer names in a fresh session: conv2d, conv2d_1, conv2d_2, ..."""
    return prefix if i == 0 else f"{prefix}_{i}"


def build_model(config: NetworkConfig = LESSON) -> keras.Sequential:
    """Build the CNN described by `config` (the lesson's network by default)."""
    if problem := check_network(config):
        raise InvalidNetwork(problem)
    # Names fixed as a fresh Keras session gives them, so every model reads like the summary.
    dropouts = iter(["dropout", "dropout_1"])
    model = keras.Sequential(name="mnist_cnn")
    model.add(keras.Input(shape=INPUT_SHAPE))  # (batch, 28, 28, 1)
    for i, filters in enumerate(config.block_filters()):
        model.add(
            layers.Conv2D(
                filters,
                kernel_size=config.kernel_size,
                activation=config.activation,
                padding=config.padding,
                name=_nth("conv2d", i),
            )
        )
        model.add(layers.MaxPooling2D(pool_size=config.pool_size, name=_nth("max_pooling2d", i)))
    if config.conv_blocks and config.conv_dropout > 0:
        model.add(layers.Dropout(config.conv_dropout, name=next(dropouts)))
    model.add(layers.Flatten(name="flatten"))
    model.add(layers.Dense(config.dense_units, activation="relu", name="dense"))
    if config.dense_dropout > 0:
        model.add(layers.Dropout(config.dense_dropout, name=next(dropouts)))
    model.add(layers.Dense(NUM_CLASSES, activation="softmax", name="dense_1"))
    return model


# --- the arithmetic behind model.summary(), without building anything ------------------------


def conv_size(size: int, kernel: int, padding: str) -> int:
    """Height (= width) after a Conv2D: 'valid' loses kernel - 1 pixels, 'same' keeps them."""
    return size if padding == "same" else size - kernel + 1


def pooled_size(size: int, pool: int) -> int:
    """Height (= width) after MaxPooling2D: one value per pool × pool window, leftovers dropped."""
    return size // pool


def check_network(config: NetworkConfig) -> str | None:
    """None if the network can exist, else a message that names the layer and says why."""
    c = config
    if not _whole(c.conv_blocks) or not 0 <= c.conv_blocks <= MAX_BLOCKS:
        return f"Use 0 to {MAX_BLOCKS} convolution blocks, not {c.conv_blocks!r}."
    if len(c.filters) < c.conv_blocks:
        return f"{c.conv_blocks} convolution blocks need {c.conv_blocks} filter counts."
    if c.activation not in ACTIVATIONS:
        return f"The activation must be one of {', '.join(ACTIVATIONS)}, not {c.activation!r}."
    if c.padding not in PADDINGS:
        return f"The padding must be 'valid' or 'same', not {c.padding!r}."
    if c.conv_blocks and (not _whole(c.kernel_size) or c.kernel_size < 1):
        return f"A Conv2D layer needs a kernel of at least 1×1, not {c.kernel_size!r}."
    if c.conv_blocks and (not _whole(c.pool_size) or c.pool_size < 1):
        return f"A MaxPooling2D layer needs a pool of at least 1×1, not {c.pool_size!r}."
    size = INPUT_SHAPE[0]  # height = width all the way through
    for i, filters in enumerate(c.block_filters()):
        conv = f"Conv2D layer {i + 1} ({_nth('conv2d', i)})"
        if not _whole(filters) or filters < 1:
            return (
                f"{conv} has {filters} filters, so it would make no feature maps at all. "
                "Give it at least 1 filter."
            )
        if c.padding == "valid" and c.kernel_size > size:
            return (
                f"{conv} cannot fit its {c.kernel_size}×{c.kernel_size} filter in the "
                f"{size}×{size} input it receives. Use a smaller kernel, 'same' padding, "
                "a smaller pool or fewer blocks."
            )
        size = conv_size(size, c.kernel_size, c.padding)
        if c.pool_size > size:
            return (
                f"MaxPooling2D layer {i + 1} ({_nth('max_pooling2d', i)}) cannot fit one "
                f"{c.pool_size}×{c.pool_size} window in the {size}×{size} feature maps it "
                "receives, so nothing would be left. Use a smaller pool, a smaller kernel, "
                "'same' padding or fewer blocks."
            )
        size = pooled_size(size, c.pool_size)
    rates = [("after the hidden Dense layer", c.dense_dropout)]
    if c.conv_blocks:
        rates.insert(0, ("after the last pooling layer", c.conv_dropout))
    for where, rate in rates:
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate < 1:
            return (
                f"The Dropout layer {where} has rate {rate!r}: it must be at least 0 and "
                "below 1 (1 would switch off every value)."
            )
    if not _whole(c.dense_units) or c.dense_units < 1:
        return f"The hidden Dense layer (dense) needs at least 1 unit, not {c.dense_units!r}."
    rows = count_by_hand(c)
    if (total := sum(row.params for row in rows)) > MAX_PARAMETERS:
        big = max(rows, key=lambda row: row.params)
        return (
            f"This network would have {total:,} parameters, more than this classroom server "
            f"can train ({MAX_PARAMETERS:,}): {big.name} ({big.kind}) alone has "
            f"{big.params:,}. Use a larger pool, fewer filters or fewer dense units."
        )
    return None


@dataclass(frozen=True)
class Layer:
    """One row of model.summary(), and the arithmetic behind its shape and parameters."""

    name: str  # as model.summary() names it, e.g. "conv2d_1"
    kind: str  # the Keras class, e.g. "Conv2D"
    shape: tuple[int, ...]  # output shape without the batch, e.g. (26, 26, 6)
    params: int
    why_shape: str  # e.g. "28 − 3 + 1 = 26 ('valid' padding), 6 feature maps"
    arithmetic: str  # e.g. "3×3 kernel × 1 input channel × 6 filters + 6 biases = 60"

    @property
    def output_shape(self) -> str:
        """As model.summary() prints it: (None, 26, 26, 6)."""
        return str((None, *self.shape))


def layer_table(config: NetworkConfig = LESSON) -> list[Layer]:
    """Every layer's output shape and parameters, worked out by hand: no Keras model needed."""
    if problem := check_network(config):
        raise InvalidNetwork(problem)
    return count_by_hand(config)


def total_parameters(config: NetworkConfig = LESSON) -> int:
    """What model.count_params() says for this network."""
    return sum(layer.params for layer in layer_table(config))


NOTHING = "nothing to learn"


def count_by_hand(c: NetworkConfig) -> list[Layer]:
    """Each layer's output shape and parameters by hand; check_network(c) must have passed."""
    rows, dropouts = [], iter(["dropout", "dropout_1"])

    def add(*fields) -> None:  # one row of the table
        rows.append(Layer(*fields))

    k, p, (size, _, channels) = c.kernel_size, c.pool_size, INPUT_SHAPE  # 28, 28, 1
    for i, filters in enumerate(c.block_filters()):
        # Each filter has k×k weights for every input channel, and one bias.
        params = k * k * channels * filters + filters
        size_in, size = size, conv_size(size, k, c.padding)
        if c.padding == "valid":
            why = f"{size_in} − {k} + 1 = {size} ('valid' padding)"
        else:
            why = f"{size} ('same' padding keeps the size)"
        add(
            _nth("conv2d", i),
            "Conv2D",
            (size, size, filters),
            params,
            f"{why}; {_count(filters, 'feature map')}",
            f"{k}×{k} kernel × {_count(channels, 'input channel')} × "
            f"{_count(filters, 'filter')} + {_count(filters, 'bias', 'biases')} = {params:,}",
        )
        size_in, size, channels = size, pooled_size(size, p), filters
        rounded = "" if size_in % p == 0 else " (rounded down)"
        add(
            _nth("max_pooling2d", i),
            "MaxPooling2D",
            (size, size, channels),
            0,
            f"{size_in} ÷ {p} = {size}{rounded}: the largest value of each {p}×{p} window",
            NOTHING,
        )
    shape = (size, size, channels)
    if c.conv_blocks and c.conv_dropout > 0:
        add(next(dropouts), "Dropout", shape, 0, _switched_off(c.conv_dropout), NOTHING)
    values = size * size * channels
    add(
        "flatten",
        "Flatten",
        (values,),
        0,
        f"{_times(shape)} = {values:,} values in one row",
        NOTHING,
    )
    # Every unit of a Dense layer has one weight for every value in, and one bias.
    units = c.dense_units
    params = values * units + units
    add(
        "dense",
        "Dense",
        (units,),
        params,
        _count(units, "unit"),
        f"{_times(shape)} = {values:,} values in × {_count(units, 'unit')} + "
        f"{_count(units, 'bias', 'biases')} = {params:,}",
    )
    if c.dense_dropout > 0:
        add(next(dropouts), "Dropout", (units,), 0, _switched_off(c.dense_dropout), NOTHING)
    params = units * NUM_CLASSES + NUM_CLASSES
    add(
        "dense_1",
        "Dense",
        (NUM_CLASSES,),
        params,
        f"{NUM_CLASSES} units: one per digit",
        f"{units:,} values in × {NUM_CLASSES} units + {NUM_CLASSES} biases = {params:,}",
    )
    return rows


def _switched_off(rate: float) -> str:
    return f"unchanged; {rate * 100:g} % of the values are switched off in training"


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def _times(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


# --- the sizes of a built network, for sentences that must be true of it ----------------------


@dataclass(frozen=True)
class MapLayer:
    """One Conv2D or MaxPooling2D layer of a built network: the feature maps it reads and makes."""

    name: str
    kind: str  # "Conv2D" or "MaxPooling2D"
    size_in: int  # height (= width) of the maps it reads
    channels_in: int
    size: int  # height (= width) of the maps it makes
    channels: int
    window: int  # the kernel's or the pool's height (= width)
    activation: str  # Keras' name, e.g. "relu"; "" for pooling
    params: int


def map_layers(net: keras.Model) -> list[MapLayer]:
    """Every Conv2D and MaxPooling2D layer of a built network with its sizes, first to last."""
    rows = []
    for layer in net.layers:
        if isinstance(layer, layers.Conv2D):
            window, activation = layer.kernel_size[0], keras.activations.serialize(layer.activation)
            if not isinstance(activation, str):  # a custom activation serializes to a dict
                activation = activation.get("config", "activation")
        elif isinstance(layer, layers.MaxPooling2D):
            window, activation = layer.pool_size[0], ""
        else:
            continue
        _, size_in, _, channels_in = layer.input.shape
        _, size, _, channels = layer.output.shape
        rows.append(
            MapLayer(layer.name, type(layer).__name__, size_in, channels_in, size, channels,
                     window, activation, layer.count_params())
        )  # fmt: skip
    return rows


# --- parameter sharing: the same outputs from a Dense layer -------------------------------------


def dense_instead_of_conv(config: NetworkConfig = LESSON) -> tuple[int, int, int]:
    """The 1st Conv2D's values out and parameters; a Dense layer's for as many from the pixels."""
    first = layer_table(config)[0]
    if first.kind != "Conv2D":
        raise InvalidNetwork("This network has no Conv2D layer to compare.")
    values_out = first.shape[0] * first.shape[1] * first.shape[2]  # 26×26×6 = 4,056
    pixels = INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2]  # 784
    return values_out, first.params, pixels * values_out + values_out


def without_convolution(config: NetworkConfig = LESSON) -> NetworkConfig:
    """The same network with its conv blocks taken out: Flatten → Dense straight from the pixels."""
    return replace(config, conv_blocks=0)


# --- the Keras code that builds exactly this network --------------------------------------------


def keras_code(config: NetworkConfig = LESSON) -> str:
    """A runnable Keras 3 snippet that builds this network; each layer notes its output shape."""
    rows = iter(layer_table(config))
    c = config

    def line(call: str) -> str:
        row = next(rows)
        return f"        {call},  # {row.shape}"

    padding = "" if c.padding == "valid" else f', padding="{c.padding}"'
    lines = [
        "import keras",
        "from keras import layers",
        "",
        "model = keras.Sequential(",
        "    [",
        f"        keras.Input(shape={INPUT_SHAPE}),  # 28×28 pixels, 1 grey channel",
    ]
    for filters in c.block_filters():
        lines.append(line(
            f"layers.Conv2D({filters}, kernel_size={c.kernel_size}, "
            f'activation="{c.activation}"{padding})'
        ))  # fmt: skip
        lines.append(line(f"layers.MaxPooling2D(pool_size={c.pool_size})"))
    if c.conv_blocks and c.conv_dropout > 0:
        lines.append(line(f"layers.Dropout({c.conv_dropout:g})"))
    lines.append(line("layers.Flatten()"))
    lines.append(line(f'layers.Dense({c.dense_units}, activation="relu")'))
    if c.dense_dropout > 0:
        lines.append(line(f"layers.Dropout({c.dense_dropout:g})"))
    lines.append(line(f'layers.Dense({NUM_CLASSES}, activation="softmax")'))
    total = total_parameters(c)
    lines += [
        "    ],",
        '    name="mnist_cnn",',
        ")",
        f"model.summary()  # {total:,} parameters",
        "",
    ]
    return "\n".join(lines)


def summary_text(model: keras.Model) -> str:
    """What model.summary() prints, as text."""
    lines = []
    model.summary(line_length=76, print_fn=lambda line, line_break=True: lines.append(line))
    return "\n".join(lines)


class ModelFileError(RuntimeError):
    """A model file is missing, unsafe or not a Keras model; the message says what to do."""


def pretrained_path() -> Path:
    """Where the pre-trained model is read from: $CNN_LESSON_MODEL or assets/pretrained.keras."""
    return Path(os.environ.get(PATH_VARIABLE) or PRETRAINED_PATH)


def _broken_zip(path: Path) -> bool:
    """True if a zip file's contents do not read back whole (a cut-short download or copy)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is not None
    except (zipfile.BadZipFile, OSError, EOFError):
        return True


def load_trained(path: Path | str) -> keras.Model:
    """Load a saved .keras model safely: no code inside the file is ever run."""
    path = Path(path)
    fix = (
        "Restore it with `git checkout -- assets/pretrained.keras` or "
        "`python -m lesson.tools.pretrain`."
    )
    if not path.is_file():
        raise ModelFileError(f"The model file {path} is missing. {fix}")
    if not zipfile.is_zipfile(path) or _broken_zip(path):  # Keras says "File not found"
        raise ModelFileError(
            f"The model file {path} is damaged: it is there ({path.stat().st_size:,} bytes) but "
            f"cut short or not a .keras file. {fix}"
        )
    try:
        net = keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as err:  # not a Keras model, asks to run code, ...
        raise ModelFileError(f"{path} is not a usable Keras model ({err}). {fix}") from err
    if tuple(net.input_shape[1:]) != INPUT_SHAPE or tuple(net.output_shape[1:]) != (NUM_CLASSES,):
        raise ModelFileError(
            f"{path} does not read 28×28×1 digits into 10 probabilities "
            f"(it takes {net.input_shape}, gives {net.output_shape}). {fix}"
        )
    return net
