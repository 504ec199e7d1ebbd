"""Numbers in words, as a person writes them (issue 18: "1 epochs", "one in 1", "0 conv blocks
( filters, 3×3)", "0 whole epoch(s) and part of the next")."""

from dataclasses import replace

import pytest

from lesson import step3_network, step4_training
from lesson.machinery import runs
from lesson.tools import words
from tests.pages import app, markdown_text


def test_plurals_shares_and_stops():
    assert words.plural(1, "epoch") == "1 epoch" and words.plural(3, "epoch") == "3 epochs"
    assert words.plural(1, "run") == "1 run" and words.plural(10_000, "image") == "10,000 images"
    assert words.one_in(0.0102) == "one in 98" and words.one_in(0.5) == "one in 2"
    assert words.one_in(0.8865) == "most of them" and words.one_in(0.99) == "nearly all of them"
    assert words.one_in(0.0) == "none of them"
    assert words.stopped_after(0) == "part of its first epoch"
    assert words.stopped_after(1) == "1 whole epoch and part of the next"
    assert words.a_digit(8) == "an 8" and words.a_digit(7) == "a 7" and words.a_digit(0) == "a 0"
    assert words.percent(0.9996) == "over 99.9 %" and words.percent(0.999) == "99.9%"
    assert words.shape_text((26, 26, 6)) == "26×26×6" and words.shape_text((10,)) == "10"


@pytest.mark.parametrize(
    ("config", "said"),
    [
        (step3_network.LESSON, "the lesson's network"),
        (replace(step3_network.LESSON, conv_blocks=0), "no convolution, dense 128"),
        (replace(step3_network.LESSON, conv_blocks=1, filters=(1,), kernel_size=4),
         "1 conv block (1 filter, 4×4), dense 128"),
        (replace(step3_network.LESSON, filters=(8, 16, 32)),
         "2 conv blocks (8, 16 filters, 3×3), dense 128"),
    ],
)  # fmt: skip
def test_a_network_in_a_few_words(config, said):
    assert step3_network.describe(config) == said


def fake_run(status: str, accuracy: float, whole_epochs: int):
    from lesson.step1_data import load_mnist

    run = runs.TrainingRun("run 1", load_mnist(), replace(step4_training.QUICK, epochs=1))
    run.status, run.model, run.seconds = status, step3_network.build_model(), 3.0
    run.message = "You stopped the run." if status == "stopped" else ""
    run.batches = [{"epoch": 0.5, "loss": 1.0, "accuracy": accuracy}]
    run.epochs = [{"epoch": 1, "seconds": 3.0, "loss": 1.0, "accuracy": accuracy,
                   "val_loss": 1.0, "val_accuracy": accuracy}] * whole_epochs  # fmt: skip
    run.test = {"loss": 1.9, "accuracy": accuracy, "error_rate": 1 - accuracy,
                "five_in_a_row": accuracy**5}  # fmt: skip
    return run


def page_words(at) -> str:
    parts = [m.value for m in at.markdown] + [w.value for w in at.warning]
    return "\n".join(parts + [s.value for s in at.success] + [e.value for e in at.error])


def test_the_train_page_writes_its_numbers_as_a_person_would():
    at = app()
    at.session_state["workspace_runs"] = {1: fake_run("done", 0.2135, 1)}
    at.switch_page("lesson/pages/p4_train.py").run()
    said = page_words(at)
    assert "run 1 finished 1 epoch in 3 s." in said and "1 epochs" not in said
    assert "7,865 digits wrong, most of them." in said and "one in 1" not in said
    at.session_state["workspace_runs"] = {1: fake_run("stopped", 0.9, 0)}
    at.run()
    said = page_words(at)
    assert "part of its first epoch" in said and "epoch(s)" not in said


def test_the_one_hot_page_says_one_hot_labels():
    at = app("p2_onehot.py")
    assert "one-hot targets" not in markdown_text(at)
