"""No exercise, and no text on its page, gives its answer away: a test per page."""

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages import INSTRUCTOR_KEY, app

PAGES = [None, "p2_onehot.py", "p3_build.py", "p4_train.py", "p5_draw.py",
         "p6_inside.py", "p7_mistakes.py"]  # fmt: skip
# Pages whose answers must not show on them. The others' are read off the page by design (the
# data page's image count from the shape) or are lone digits (the Mistakes page's:
# tests/test_exercises.py checks its questions' independence instead).
WORKED_OUT = {"p2_onehot.py", "p3_build.py", "p4_train.py", "p6_inside.py", "p5_draw.py"}
# Networks whose own shapes once answered the Build and Inside questions (issue 35): 'same'
# padding keeps the size whatever the kernel; a 3×3 pool rounds 26 and 24 down to the same 8.
NETWORKS = {
    "k7-same": {"kernel_size": "7", "padding": "same"},
    "pool3": {"pool_size": "3"},
    "no-conv": {"conv_blocks": "0"},
}


def page_text(at: AppTest) -> str:
    """Everything the page writes: prose, captions, code, tables, metrics, labels."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.code]
    parts += [str(t.value) for t in at.table] + [m.value for m in at.metric]
    parts += [d.value.to_string() for d in at.dataframe if hasattr(d.value, "to_string")]
    return "\n".join(parts)


def finished_run():
    """A finished run as the Train page keeps it (the pre-trained model, made-up curves)."""
    from lesson import step3_network
    from lesson.machinery import runs
    from lesson.step1_data import load_mnist, mnist_path

    run = runs.TrainingRun("run 1", load_mnist(str(mnist_path())))
    run.status, run.model, run.seconds = (
        "done",
        step3_network.load_trained(step3_network.pretrained_path()),
        9.0,
    )
    run.batches = [{"epoch": e / 4, "loss": 1 / (e + 1), "accuracy": 0.9} for e in range(1, 13)]
    run.epochs = [{"epoch": e, "seconds": e * 3.0, "loss": 0.1, "accuracy": 0.97,
                   "val_loss": 0.1, "val_accuracy": 0.97} for e in (1, 2, 3)]  # fmt: skip
    run.test = {"loss": 0.03, "accuracy": 0.9898, "error_rate": 0.0102, "five_in_a_row": 0.95}
    run.parameters = run.model.count_params()
    return run


def norm(text: str) -> str:
    """Text with "12 × 12 × 6" and "12×12×6" alike, and no markdown bold."""
    return re.sub(r"\s*[×x]\s*(?=\d)", "×", text.replace("**", ""))


@pytest.mark.parametrize("page", list(PAGES), ids=[p or "p1_data.py" for p in PAGES])
def test_no_exercise_gives_another_away_and_the_page_shows_no_answer(page, instructor_key):
    """Mistakes' second question named the first's answer; the Build page's table showed both
    of its answers; a finished run's "5 in a row" was the Train page's answer (issue 18)."""
    # On the Train page, after a run, whose "5 in a row" the page shows.
    state = {"workspace_runs": {1: finished_run()}} if page == "p4_train.py" else None
    assert_no_giveaway(app(page, {"instructor": INSTRUCTOR_KEY}, state), page)


@pytest.mark.parametrize("network", NETWORKS.values(), ids=NETWORKS.keys())
@pytest.mark.parametrize("page", ["p3_build.py", "p6_inside.py"])
def test_no_answer_shows_for_networks_whose_shapes_once_gave_it_away(page, network, instructor_key):
    """With kernel_size=7&padding=same, "5×5 instead of 7×7" left the first pooling layer's
    shape as the shape flow showed it; the Inside page's twin likewise (issue 35)."""
    from lesson.tools import settings

    config = settings.from_query(network)[0].network
    state = None
    if page == "p6_inside.py" and config.conv_blocks:  # the page shows this network's maps
        from lesson import step3_network

        state = {"learner_model": step3_network.build_model(config),
                 "learner_model_name": "your model"}  # fmt: skip
    at = app(page, {"instructor": INSTRUCTOR_KEY, **network}, state)
    assert_no_giveaway(at, page)


def assert_no_giveaway(at: AppTest, page: str) -> None:
    """No question names another's answer; on a worked-out page, the page shows none."""
    text = norm(page_text(at))  # before the answers are revealed
    at.sidebar.toggle(key="classroom_reveal").set_value(True).run()
    assert not at.exception
    asked = [t.label for t in at.text_input if t.key.startswith("ex_")]
    answers = [
        c.value.removeprefix("Answer: ") for c in at.caption if c.value.startswith("Answer:")
    ]
    assert asked and len(answers) == len(asked)
    for i, answer in enumerate(answers):
        head = norm(answer).split(" (")[0]  # "12×12×6", "156", "95.0%", "[0, 0, 1, …]"
        pattern = rf"(?<![\d.,]){re.escape(head)}(?![\d.,]*\d)"
        if len(head) > 1:  # a lone digit is everywhere: the unit tests check those questions
            others = norm(" ".join(q for j, q in enumerate(asked) if j != i))
            assert not re.search(pattern, others), (head, "in another question")
        if page in WORKED_OUT:
            assert not re.search(pattern, text), (head, "shown on the page")
