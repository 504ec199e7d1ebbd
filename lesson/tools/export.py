"""The learner's experiment as plain Keras: a Python script and a Jupyter notebook.

Both are made of the same steps, in the lesson's order: load MNIST, preprocess, one-hot labels,
build this network, compile, fit with these hyperparameters and this seed, evaluate.
"""

import re
import textwrap
from pathlib import Path

import nbformat

import lesson
from lesson import step3_network, step4_augmentation, step4_training
from lesson.tools.settings import Settings

PAGES = Path(__file__).resolve().parents[1] / "pages"
IMAGES_VARIABLE = "CNN_LESSON_IMAGES"  # fewer training images, for a quick check
EPOCHS_VARIABLE = "CNN_LESSON_EPOCHS"  # fewer epochs, for a quick check
_SECTION = re.compile(r"^<!--\s*section:\s*([\w-]+)\s*-->\s*$", re.MULTILINE)


def explanation(page: str, section: str) -> str:
    """One section of a page's teaching text: the app's own words for the notebook."""
    parts = _SECTION.split((PAGES / f"{page}.md").read_text(encoding="utf-8"))
    text = dict(zip(parts[1::2], parts[2::2], strict=True))[section].strip()
    # Sentences about the app's own tables and buttons mean nothing in a notebook.
    keep = [p for p in text.split("\n\n") if not p.startswith(("The table", "This app"))]
    return "\n\n".join(keep)


def network_table(config: step3_network.NetworkConfig) -> str:
    """The layers as a markdown table: output shape, parameters and the arithmetic behind them."""
    rows = ["| layer | output shape | parameters | why |", "|---|---|---|---|"]
    for r in step3_network.layer_table(config):
        rows.append(f"| {r.name} ({r.kind}) | {r.output_shape} | {r.params:,} | {r.arithmetic} |")
    return "\n".join(rows)


def learned_check(hp: step4_training.Hyperparameters) -> str:
    """Code that says whether the network learned, with a comment on this learning rate."""
    problem = step4_training.rate_problem(hp)
    lines = [
        "# Guessing gets one test digit in ten right, with a loss of -log(0.1) = 2.30: a network",
        "# near those numbers learned nothing (or diverged, if the loss is far higher).",
    ]
    if problem:
        said = f"This experiment: {problem[0].lower()}{problem[1:]}"
        lines += textwrap.wrap(said, 96, initial_indent="# ", subsequent_indent="# ")
    lines += [
        "if accuracy <= 0.2:",
        '    print("The network did not learn: its accuracy is what guessing gets.")',
    ]
    return "\n".join(lines)


def steps(settings: Settings) -> list[tuple[str, str]]:
    """(markdown, code) for each step of the lesson, for this experiment."""
    net, hp = settings.network, settings.hp
    optimizer = step4_training.OPTIMIZERS[hp.optimizer].__name__
    network_code = step3_network.keras_code(net).split("\n")[3:]  # without its two imports
    total = step3_network.total_parameters(net)
    return [
        (
            "# A CNN for handwritten digits, with Keras\n\n"
            "Exported from the CNN lesson app: this experiment, step by step. It looks for "
            "MNIST in this order: a `.npz` file given as an argument, `$CNN_LESSON_MNIST`, "
            "`mnist.npz` beside this file, `assets/mnist.npz` (the app's folder), Keras' own "
            "download cache (`~/.keras/datasets/mnist.npz`); only if none is there does Keras "
            "download it, which needs the internet.",
            "import os\nimport sys\n\nimport keras\nimport numpy as np\nfrom keras import layers",
        ),
        (
            f"## {lesson.heading(1)}\n\n" + explanation("p1_data", "intro"),
            f"""SEED = {hp.seed}  # same seed, same images, starting weights and order
TRAIN_IMAGES = int(os.environ.get("{IMAGES_VARIABLE}", {hp.train_images}))
# A notebook has no __file__: it runs in its own folder.
HERE = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
PLACES = [arg for arg in sys.argv[1:] if arg.endswith(".npz")] + [
    os.environ.get("CNN_LESSON_MNIST", ""),
    os.path.join(HERE, "mnist.npz"),
    "assets/mnist.npz",
    os.path.expanduser("~/.keras/datasets/mnist.npz"),
]
PATH = next((place for place in PLACES if place and os.path.isfile(place)), None)
if PATH:
    with np.load(PATH) as mnist:
        x_train, y_train = mnist["x_train"], mnist["y_train"]
        x_test, y_test = mnist["x_test"], mnist["y_test"]
else:  # Keras downloads it once: that needs the internet
    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as err:
        sys.exit(
            f"MNIST is in none of {{[place for place in PLACES if place]}} and could not be "
            f"downloaded ({{err}}). Put mnist.npz beside this file, or give its path."
        )
# A random subset of the training images, the same one the app used for this seed.
order = np.random.default_rng(SEED).permutation(len(x_train))[:TRAIN_IMAGES]
x_train, y_train = x_train[order], y_train[order]
print(x_train.shape, y_train.shape, x_test.shape, y_test.shape)""",
        ),
        (
            explanation("p1_data", "preprocess"),
            """x_train = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255  # (N, 28, 28, 1)
x_test = x_test.reshape(-1, 28, 28, 1).astype("float32") / 255""",
        ),
        (
            f"## {lesson.heading(2)}\n\n" + explanation("p2_onehot", "intro"),
            """y_train = keras.utils.to_categorical(y_train, 10)  # (N, 10)
y_test = keras.utils.to_categorical(y_test, 10)
print(y_train[0])""",
        ),
        (
            f"## {lesson.heading(3)}\n\nEvery layer's output shape and parameters, worked out "
            f"by hand ({total:,} parameters in all):\n\n" + network_table(net),
            "keras.utils.set_random_seed(SEED)  # the same starting weights as the app\n"
            + "\n".join(network_code).rstrip()
            + '\nprint(f"parameters: {model.count_params():,}")',
        ),
        (
            f"## {lesson.heading(4)}\n\n" + explanation("p4_train", "compile"),
            f"""model.compile(
    loss="categorical_crossentropy",
    optimizer=keras.optimizers.{optimizer}(learning_rate={hp.learning_rate:g}),
    metrics=["accuracy"],
)""",
        ),
        *augmentation_steps(settings),
        (
            explanation("p4_train", "results"),
            """loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test loss: {loss:.4f}")
print(f"test accuracy: {accuracy:.4f}")
print(f"5 digits in a row right: {accuracy**5:.1%}")  # accuracy to the power 5
"""
            + learned_check(hp),
        ),
    ]


def fit_code(hp: step4_training.Hyperparameters) -> str:
    """model.fit with these hyperparameters; with augmentation, on a tf.data pipeline."""
    epochs = f'EPOCHS = int(os.environ.get("{EPOCHS_VARIABLE}", {hp.epochs}))\n'
    if not hp.augmentation:
        return (
            epochs
            + f"""history = model.fit(
    x_train,
    y_train,
    batch_size={hp.batch_size},
    epochs=EPOCHS,
    validation_split={hp.validation_split:g},  # the last {hp.validation_split:.0%} validates
    shuffle=True,
)"""
        )
    share = f"{hp.validation_split:g})  # the last {hp.validation_split:.0%} validates"
    return (
        epochs
        + f"""n_val = round(len(x_train) * {share}
n_fit = len(x_train) - n_val
train = (
    tf.data.Dataset.from_tensor_slices((x_train[:n_fit], y_train[:n_fit]))
    .shuffle(n_fit, seed=SEED)
    .batch({hp.batch_size})
    .map(lambda x, y: (augmentation(x, training=True), y))  # new changes every epoch
    .prefetch(tf.data.AUTOTUNE)
)
history = model.fit(
    train,
    epochs=EPOCHS,
    validation_data=(x_train[n_fit:], y_train[n_fit:]) if n_val else None,
)"""
    )


def augmentation_steps(settings: Settings) -> list[tuple[str, str]]:
    """Augmentation (if chosen) and the fit step."""
    hp = settings.hp
    fit = (
        explanation("p4_train", "hyperparameters"),
        fit_code(hp),
    )
    if not hp.augmentation:
        return [fit]
    augment = (
        explanation("p4_train", "augmentation"),
        "import tensorflow as tf\n" + step4_augmentation.keras_code(hp.augmentation),
    )
    return [augment, fit]


def _comment(markdown: str) -> str:
    """The first line of a step's explanation, as a comment heading."""
    first = markdown.split("\n", 1)[0].lstrip("# ").strip()
    return f"# --- {first} " + "-" * max(3, 92 - len(first))


def script(settings: Settings) -> str:
    """A runnable Python script: `python cnn_experiment.py [mnist.npz]`."""
    parts = steps(settings)
    intro = (
        '"""A CNN for handwritten digits, exported from the CNN lesson app.\n\n'
        "Run: python cnn_experiment.py [path/to/mnist.npz]\n"
        f"Quick check: {IMAGES_VARIABLE}=1000 {EPOCHS_VARIABLE}=1 python cnn_experiment.py\n"
        '"""'
    )
    body = [parts[0][1]] + [f"{_comment(md)}\n{code}" for md, code in parts[1:]]
    return intro + "\n\n" + "\n\n".join(body) + "\n"


def notebook(settings: Settings) -> nbformat.NotebookNode:
    """A Jupyter notebook: the app's explanations as markdown cells, the steps as code cells."""
    nb = nbformat.v4.new_notebook()
    for md, code in steps(settings):
        nb.cells.append(nbformat.v4.new_markdown_cell(md))
        nb.cells.append(nbformat.v4.new_code_cell(code))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


def notebook_text(settings: Settings) -> str:
    """The notebook as the text of an .ipynb file."""
    return nbformat.writes(notebook(settings))
