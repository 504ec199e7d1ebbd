"""Checked exercises: questions whose answers are worked out from the lesson, not typed in.

Each page asks one or two. `check` accepts the usual ways of writing an answer ("13x13x6",
"(13, 13, 6)", "13 × 13 × 6"; "53,558", "60k"; "95.1 %", "95,1 %", "0.951" or "95 percent";
"844 batches", "the 7", "784 (28 × 28 pixels)": the app's own revealed form); a wrong answer
gets a hint, and text that is no answer at all says so, with an example of the answer's kind.
"""

import math
import re
from dataclasses import dataclass

import numpy as np

from lesson.tools import words

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
    # How far a share may be off: half a percentage point for a measured, rounded one; an exact
    # one (100 % − 93.7 %) only as far as the answer shown rounds.
    tolerance: float = 0.005


_NUMBERS = re.compile(r"-?\d+(?:\.\d+)?")  # in a shape or one-hot label: 13, 0.0, 1.0
_DECIMAL_COMMAS = re.compile(r"^\d+,\d+(\s+\d+,\d+)*$")  # "0,0 0,0 1,0": decimal commas
_GROUPED = re.compile(r"^\d{1,3}([,._\s\u00a0\u202f'’](\d{3}))+$")  # 53,558, 60.000, 1 000 000
_PLAIN = re.compile(r"^(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$")
# Words a learner may write before a number ("about 95 %", "~95%") and after it.
_BEFORE = re.compile(
    r"^((~|≈|about|around|roughly|approx\.?|approximately|circa|ca\.|the|an?|digit|number)\s*)+"
)
_AFTERTHOUGHT = re.compile(r"(?<=\S)\s*\([^()]*\)\s*$")  # "784 (28 × 28 pixels)", "0 (5 times)"
# "60k", "60 thousand", "1.2 million": a multiplier after the number, then maybe a word.
_MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6}
_MULTIPLIER = re.compile(r"^(k|thousand|m|million)\b\s*")
_PERCENT = re.compile(r"\s*(%|percent|per\s*cent|pct)\.?$")
_NUMBER_THEN_WORDS = re.compile(r"^([-+]?[\d.,_\s\u00a0\u202f'’]*\d(?:e[-+]?\d+)?)\s*([^\d]*)$")


def _readings(text: str) -> set[float]:
    """Every value a written number can mean: '53,558' -> 53558; '0,95' -> 0.95 (a decimal
    comma); '1,000' -> 1000 or 1.0, since both ways of writing are common. Empty: no number."""
    text = text.strip()
    sign = -1.0 if text.startswith("-") else 1.0
    text = text.lstrip("+-").strip()
    found = set()
    if _GROUPED.match(text):  # thousands separators
        found.add(float(re.sub(r"\D", "", text)))
    if text.count(",") == 1 and "." not in text and _PLAIN.match(text.replace(",", ".")):
        found.add(float(text.replace(",", ".")))  # a decimal comma
    last = max(text.rfind(","), text.rfind("."))
    if "," in text and "." in text:  # 1.234,5 or 1,234.5: the last mark is the decimal one
        whole, decimals = re.sub(r"\D", "", text[:last]), text[last + 1 :]
        if decimals.isdigit() and _GROUPED.match(text[:last]):
            found.add(float(f"{whole}.{decimals}"))
    if _PLAIN.match(text):
        found.add(float(text))
    return {sign * v for v in found if math.isfinite(v)}


def _number(text: str) -> float | None:
    """'53,558', '53 558', '1e3' -> a float; None if it is not one number."""
    values = _readings(text)
    return min(values) if len(values) == 1 else None


def read(text: str) -> tuple[set[float], bool] | None:
    """The values an answer can mean and whether it is a percentage; None if it is no number.

    A word or unit after the number is allowed ("844 batches", "95 percent"), and "about" or
    "~" before it; a second number is not ("5 or 6").
    """
    text = _BEFORE.sub("", (text or "").strip().lower())
    text = _AFTERTHOUGHT.sub("", text)  # what the number is, in brackets after it
    percent = bool(_PERCENT.search(text))
    text = _PERCENT.sub("", text).strip()
    match = _NUMBER_THEN_WORDS.match(text)
    if not match:
        return None
    times, after = 1.0, match.group(2)
    if multiplier := _MULTIPLIER.match(after):
        times, after = _MULTIPLIERS[multiplier[1]], after[multiplier.end() :]
    if after and not re.fullmatch(r"[(]?[^\W\d_][\w\s().,'’-]*", after):
        return None
    values = {v * times for v in _readings(match.group(1))}
    return (values, percent) if values else None


def _numbers(text: str) -> tuple[float, ...]:
    """The numbers of a shape or a one-hot label: "13x13x6", "[0.0, 1.0, …]", "0,0 1,0 …"."""
    token = text.strip("[]() ")
    if _DECIMAL_COMMAS.match(token) and "." not in token:
        token = token.replace(",", ".")
    return tuple(float(n) for n in _NUMBERS.findall(token))


def _advice(exercise: Exercise) -> str:
    """How to write an answer of this exercise's kind, with an example of that kind."""
    if exercise.kind == "share":
        return "write just the number, like 12.5, 12,5 or 12.5 %"
    if exercise.kind == "shape":
        n = len(exercise.value)
        return f"write {n} numbers, like {_times((5, 5, 3)[:n])}"
    if exercise.kind == "digits":
        return f"write {len(exercise.value)} numbers, one per digit 0 to 9"
    return f"write just the number, like {7 if exercise.value < 10 else '1,234'}"


def feedback(exercise: Exercise, text: str) -> tuple[bool, str]:
    """Is `text` a right answer, and if not, what to say: the hint, or why it cannot be read."""
    text = (text or "").strip().lower()
    if not text:
        return False, ""
    if exercise.kind in ("shape", "digits"):
        found = _numbers(text)
        want = len(exercise.value)
        if exercise.kind == "digits" and len(found) == 1 and len(text.strip("[]() ")) == want:
            found = tuple(int(d) for d in text.strip("[]() "))  # "0000010000": ten digits
        if not found:
            return False, f"I cannot read numbers in “{text[:40]}”: {_advice(exercise)}."
        token = text.strip("[]() ")
        if exercise.kind == "digits" and len(found) == 1 and set(token) <= {"0", "1"}:
            return False, (
                f"“{token}” is {len(token)} digits: write all {want} numbers, one per digit 0 to 9."
            )
        if exercise.kind == "digits" and len(found) != want:
            return False, (
                f"That is {len(found)} number{'s' if len(found) != 1 else ''}; the question "
                f"asks for {want}, one per digit 0 to 9."
            )
        if found == tuple(exercise.value):
            return True, ""
        return False, exercise.hint
    reading = read(text)
    if reading is None:
        return False, f"I cannot read “{text[:40]}” as one number: {_advice(exercise)}."
    values, percent = reading
    for number in values:
        if exercise.kind == "share":  # a share of 1: "0.951", "95.1 %" or "95.1"
            if percent or number > 1:
                number /= 100
            if abs(number - exercise.value) <= exercise.tolerance + 1e-12:
                return True, ""
        elif not percent and math.isclose(number, exercise.value, abs_tol=1e-9):
            return True, ""
    return False, exercise.hint


def check(exercise: Exercise, text: str) -> bool:
    """Is `text` a right answer? Spaces, brackets, ×/x, thousands separators, a decimal comma
    and a unit after the number do not matter."""
    return feedback(exercise, text)[0]


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
            "How many training images does x_train hold (the Train page later keeps some "
            "of them aside to validate)?",
            "number",
            n,
            f"{n:,}",
            "It is the first number of the shape of `x_train`: count them all.",
        ),
    ]


def onehot(label: int, image: int = 0) -> list[Exercise]:
    """Page 2: write a one-hot label (of an image whose label the page does not show at first)."""
    vector = tuple(int(i == label) for i in range(10))
    which = "the first training image" if image == 0 else f"training image {image}"
    return [
        Exercise(
            "onehot-first",
            f"The label of {which} is **{label}**. Write its one-hot label (ten numbers).",
            "digits",
            vector,
            "[" + ", ".join(map(str, vector)) + "]",
            "Ten numbers, one per digit 0 to 9, counted from 0: a 1 at the label's position, "
            "0 everywhere else.",
        )
    ]


def _other_kernel(config):
    """The learner's network with another kernel size: the page shows the learner's own
    shapes and counts, so a question about this one must be worked out, not read off."""
    from dataclasses import replace

    from lesson import step3_network

    k = config.kernel_size
    for other in (k + 2, k - 2, k + 1, k - 1, 5, 3):
        variant = replace(config, kernel_size=other)
        if other != k and 1 <= other <= 7 and step3_network.check_network(variant) is None:
            return variant
    return replace(config, kernel_size=k)


def _changes(config):
    """Networks one step from the learner's, each with the words that say the step: other
    kernels first, then the other padding, then another pool size and number of filters."""
    from dataclasses import replace

    from lesson import step3_network

    k, p, n = config.kernel_size, config.pool_size, config.filters[0]
    steps = [
        (replace(config, kernel_size=other), f"had filters of {other}×{other} instead of {k}×{k}")
        for other in (k + 2, k - 2, k + 1, k - 1, 5, 3)
        if other != k and 1 <= other <= 7
    ]
    other = "valid" if config.padding == "same" else "same"
    steps.append((replace(config, padding=other),
                  f"used '{other}' padding instead of '{config.padding}'"))  # fmt: skip
    steps += [
        (replace(config, pool_size=q), f"were followed by a {q}×{q} pool instead of {p}×{p}")
        for q in (p + 1, p - 1)
        if q >= 1
    ]
    steps += [
        (replace(config, filters=(m, *config.filters[1:])), f"had {m} filters instead of {n}")
        for m in (n * 2, n + 1)
    ]
    return [(v, why) for v, why in steps if step3_network.check_network(v) is None]


def _altering(config, answer):
    """A step from the learner's network that changes `answer(network)` to a value the page
    does not show (no layer of the learner's network has that shape), and its words."""
    from lesson import step3_network

    shown = {row.shape for row in step3_network.layer_table(config)}
    for variant, why in _changes(config):
        if (value := answer(variant)) != answer(config) and value not in shown:
            return variant, why
    return _changes(config)[0]


def _first_pool(config) -> tuple[int, ...]:
    from lesson import step3_network

    return next(r for r in step3_network.layer_table(config) if r.kind == "MaxPooling2D").shape


def _first_conv(config) -> tuple[int, ...]:
    from lesson import step3_network

    return step3_network.layer_table(config)[0].shape


def build(config) -> list[Exercise]:
    """Page 3: a shape and a parameter count of a network one step from the learner's."""
    from dataclasses import replace

    from lesson import step3_network  # Keras: only the pages that build networks pay for it

    if config.conv_blocks:
        pooled, change = _altering(config, _first_pool)
        variant = _other_kernel(config)
        conv = step3_network.layer_table(variant)[0]
        k, k2 = config.kernel_size, variant.kernel_size
        return [
            Exercise(
                "build-pool-shape",
                f"If your first Conv2D layer {change}, everything else as now, what would the "
                "output shape of the first pooling layer be (height × width × feature maps)?",
                "shape",
                _first_pool(pooled),
                _times(_first_pool(pooled)),
                "With 'valid' padding a Conv2D output is kernel size − 1 smaller than its input "
                "('same' keeps the size); pooling then divides height and width by the pool "
                "size and rounds down; the feature maps stay.",
            ),
            Exercise(
                "build-conv-params",
                f"If your first Conv2D layer had filters of {k2}×{k2} instead of {k}×{k}, how many "
                "parameters would that layer learn?",
                "number",
                conv.params,
                f"{conv.params:,}",
                "Each filter has kernel × kernel weights for every input channel (1 here), "
                "plus one bias; multiply by the number of filters.",
            ),
        ]
    units = config.dense_units * 2 if config.dense_units <= 256 else config.dense_units // 2
    dense = next(r for r in step3_network.layer_table(replace(config, dense_units=units)) if
                 r.kind == "Dense")  # fmt: skip
    return [
        Exercise(
            "build-dense-params",
            f"Your network has no convolution. If its hidden Dense layer had {units} units "
            f"instead of {config.dense_units}, how many parameters would that one layer learn "
            "(its weights and biases, not the whole network's)?",
            "number",
            dense.params,
            f"{dense.params:,}",
            "Every unit has one weight for each of the 784 pixels, plus one bias.",
        )
    ]


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


# The draw question's top probability: the page shows its bars in whole percents.
DRAW_TOP = 0.937


def draw() -> list[Exercise]:
    """Page 5: what the softmax leaves for the other digits (worked out, not read off the bars)."""
    rest = 1 - DRAW_TOP
    return [
        Exercise(
            "draw-rest",
            f"The network gives a drawing {DRAW_TOP:.1%} for a 7. What do its probabilities for "
            "the other nine digits add up to?",
            "share",
            rest,
            f"{rest:.1%} (100% − {DRAW_TOP:.1%})",
            "The last layer is a softmax: its ten probabilities always add up to the same "
            "total, whatever you draw.",
            tolerance=0.0005,  # exact: 6.3 %, not 6 % or 7 %
        )
    ]


def filters(config) -> list[Exercise]:
    """Page 6: how many feature maps, and how big, for another kernel than the one shown."""
    from lesson import step3_network

    base = config if config.conv_blocks else step3_network.LESSON
    variant, change = _altering(base, _first_conv)
    conv = step3_network.layer_table(variant)[0]
    whose = "your network's" if config.conv_blocks else "the lesson's"
    return [
        Exercise(
            "filters-maps",
            f"{whose.capitalize()} first Conv2D layer makes one feature map per filter. If it "
            f"{change}, what shape would its output be for one digit (height × width × feature "
            "maps)?",
            "shape",
            conv.shape,
            _times(conv.shape),
            "One feature map per filter. With 'valid' padding a k×k filter fits 28 − k + 1 "
            "times across; with 'same' the size stays 28.",
        )
    ]


# The digits asked about in "which digit does it take a … for?", in a fixed order: the question
# must not depend on the answer to "which digit does it get wrong most often?".
ASKED_ABOUT = (9, 4, 7, 3, 5, 2, 8, 6, 1, 0)


def mistakes(matrix: np.ndarray) -> list[Exercise]:
    """Page 7: the digit the network gets wrong most often, and what it takes one digit for."""
    wrong = matrix.sum(axis=1) - np.diag(matrix)  # per true digit
    digit = int(np.argmax(wrong))
    from lesson import step7_mistakes

    off = matrix - np.diag(np.diag(matrix))
    worst = step7_mistakes.most_common_mistake(matrix)  # the page's caption names this cell
    asked = next(
        (d for d in ASKED_ABOUT if d != worst[0] and (off[d] == off[d].max()).sum() == 1),
        ASKED_ABOUT[0],
    )  # a row whose largest mistake is one digit, not a tie
    taken_for = int(np.argmax(off[asked]))
    return [
        Exercise(
            "mistakes-most",
            "Which digit does this model get wrong most often (the most test images of it "
            "read as another digit)?",
            "number",
            digit,
            f"{digit} ({words.plural(int(wrong[digit]), 'test image')} wrong)",
            "In the confusion matrix each row is a true digit: add up each row's cells off "
            "the diagonal and find the largest total.",
        ),
        Exercise(
            "mistakes-for",
            f"Which digit does this model most often take a {asked} for?",
            "number",
            taken_for,
            f"{taken_for} ({words.plural(int(matrix[asked, taken_for]), 'time')})",
            f"Find the largest cell in row {asked} of the confusion matrix, off the diagonal.",
        ),
    ]
