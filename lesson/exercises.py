"""Checked exercises: questions whose answers are worked out from the lesson, not typed in.

Each page asks one or two. `check` accepts the usual ways of writing an answer ("13x13x6",
"(13, 13, 6)", "13 × 13 × 6"; "53,558"; "95.1 %" or "0.951"); a wrong answer gets a hint.
"""

import math
import re
from dataclasses import dataclass

import numpy as np

KINDS = ("number", "shape", "share", "digits")


@dataclass(frozen=True)
class Exercise:
    """One question, its answer and a hint that helps without giving the answer away."""

    key: str  # unique in the app, e.g. "build-pool-shape"
    question: str
    kind: str  # how an answer is read: one of KINDS
    value: float | tuple[int, ...]
    answer: str  # the answer as the app shows it when revealed
    hint: str


_INTS = re.compile(r"-?\d+")
_NUMBER = re.compile(r"^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$")


def _number(text: str) -> float | None:
    """'53,558', '53 558', '1e3' -> a float; None if it is not one number."""
    text = re.sub(r"(?<=\d)[,_\s\u00a0\u202f'](?=\d{3})", "", text.strip())
    return float(text) if _NUMBER.match(text) else None


def check(exercise: Exercise, text: str) -> bool:
    """Is `text` a right answer? Spaces, brackets, ×/x and thousands separators do not matter."""
    text = (text or "").strip().lower()
    if not text:
        return False
    if exercise.kind in ("shape", "digits"):
        found = tuple(int(n) for n in _INTS.findall(text))
        if exercise.kind == "digits" and len(found) == 1 and len(exercise.value) > 1:
            found = tuple(int(d) for d in str(found[0]).zfill(len(exercise.value)))  # "0001..."
        return found == tuple(exercise.value)
    percent = text.endswith("%")
    number = _number(text.rstrip("%").strip())
    if number is None or not math.isfinite(number):
        return False
    if exercise.kind == "share":  # a share of 1: "0.951", "95.1 %" or "95.1"
        if percent or number > 1:
            number /= 100
        return abs(number - exercise.value) <= 0.005  # half a percentage point
    return math.isclose(number, exercise.value, abs_tol=1e-9)


def _times(shape) -> str:
    return " × ".join(str(n) for n in shape)


# --- the questions of each page, from the learner's numbers ------------------------------------


def data(x_train_shape: tuple[int, ...]) -> list[Exercise]:
    """Page 1: how big the data is."""
    n, h, w = x_train_shape
    return [
        Exercise(
            "data-pixels",
            "How many numbers describe one MNIST image?",
            "number",
            h * w,
            f"{h * w:,} ({h} × {w} pixels)",
            "Look at the shape of `x_train`: every image has a height and a width in pixels.",
        ),
        Exercise(
            "data-images",
            "How many images can the network train on?",
            "number",
            n,
            f"{n:,}",
            "It is the first number of the shape of `x_train`.",
        ),
    ]


def onehot(first_label: int) -> list[Exercise]:
    """Page 2: write a one-hot label."""
    vector = tuple(int(i == first_label) for i in range(10))
    return [
        Exercise(
            "onehot-first",
            f"The first training label is **{first_label}**. Write its one-hot label "
            "(ten numbers).",
            "digits",
            vector,
            "[" + ", ".join(map(str, vector)) + "]",
            "Ten numbers, one per digit 0 to 9, counted from 0: a 1 at the label's position, "
            "0 everywhere else.",
        )
    ]


def build(config) -> list[Exercise]:
    """Page 3: a shape and a parameter count of the learner's network."""
    from lesson import model  # Keras: only the pages that build networks pay for it

    rows = model.layer_table(config)
    pool = next((r for r in rows if r.kind == "MaxPooling2D"), None)
    out = []
    if pool is not None:
        conv = rows[0]
        out.append(
            Exercise(
                "build-pool-shape",
                "In your network, what is the output shape of the first pooling layer "
                "(height × width × feature maps)?",
                "shape",
                pool.shape,
                _times(pool.shape),
                f"Start from the first Conv2D's output, {_times(conv.shape)}: pooling divides "
                "height and width by the pool size and rounds down; the feature maps stay.",
            )
        )
        out.append(
            Exercise(
                "build-conv-params",
                "How many parameters does the first Conv2D layer of your network learn?",
                "number",
                conv.params,
                f"{conv.params:,}",
                "Each filter has kernel × kernel weights for every input channel (1 here), "
                "plus one bias; multiply by the number of filters.",
            )
        )
    else:
        dense = next(r for r in rows if r.kind == "Dense")
        out.append(
            Exercise(
                "build-dense-params",
                "Your network has no convolution. How many parameters does its hidden Dense "
                "layer learn?",
                "number",
                dense.params,
                f"{dense.params:,}",
                "Every unit has one weight for each of the 784 pixels, plus one bias.",
            )
        )
    return out


def train(accuracy: float, hp) -> list[Exercise]:
    """Page 4: batches in an epoch, and what accuracy⁵ means."""
    n_val = round(hp.train_images * hp.validation_split)
    batches = math.ceil((hp.train_images - n_val) / hp.batch_size)
    return [
        Exercise(
            "train-batches",
            f"With {hp.train_images:,} training images, {hp.validation_split:.0%} kept for "
            f"validation and batches of {hp.batch_size}, how many batches make one epoch?",
            "number",
            batches,
            f"{batches:,} (the last batch may be smaller)",
            "Take away the validation images first, then divide by the batch size and round up.",
        ),
        Exercise(
            "train-five",
            f"A network reads digits with {accuracy:.2%} accuracy. What is the chance that it "
            "reads a 5-digit postcode with no mistake?",
            "share",
            accuracy**5,
            f"{accuracy**5:.1%} (accuracy⁵)",
            "All five digits must be right, and each is right with that accuracy, on its own.",
        ),
    ]


def draw() -> list[Exercise]:
    """Page 5: what the last layer answers."""
    return [
        Exercise(
            "draw-sum",
            "Whatever you draw, what do the network's 10 probabilities add up to?",
            "share",
            1.0,
            "1 (100 %): softmax makes them a share each",
            "The last layer is a softmax: look at the bars for any drawing and add them up.",
        )
    ]


def filters(config) -> list[Exercise]:
    """Page 6: how many feature maps, and how big."""
    from lesson import model

    rows = model.layer_table(config if config.conv_blocks else model.LESSON)
    conv = rows[0]
    whose = "your network's" if config.conv_blocks else "the lesson's"
    return [
        Exercise(
            "filters-maps",
            f"{whose.capitalize()} first Conv2D layer makes one feature map per filter. What "
            "shape is its output for one digit (height × width × feature maps)?",
            "shape",
            conv.shape,
            _times(conv.shape),
            "One feature map per filter. With 'valid' padding a k×k filter fits 28 − k + 1 "
            "times across; with 'same' the size stays 28.",
        )
    ]


def mistakes(matrix: np.ndarray) -> list[Exercise]:
    """Page 7: the digit the network gets wrong most often, from the confusion matrix."""
    wrong = matrix.sum(axis=1) - np.diag(matrix)  # per true digit
    digit = int(np.argmax(wrong))
    off = matrix[digit].copy()
    off[digit] = -1
    taken_for = int(np.argmax(off))
    return [
        Exercise(
            "mistakes-most",
            "Which digit does this model get wrong most often (the most test images of it "
            "read as another digit)?",
            "number",
            digit,
            f"{digit} ({int(wrong[digit])} test images wrong)",
            "In the confusion matrix each row is a true digit: add up each row's cells off "
            "the diagonal and find the largest total.",
        ),
        Exercise(
            "mistakes-for",
            f"And which digit does it mistake {digit} for most often?",
            "number",
            taken_for,
            f"{taken_for} ({int(matrix[digit, taken_for])} times)",
            f"Find the largest cell in row {digit} of the confusion matrix, off the diagonal.",
        ),
    ]
