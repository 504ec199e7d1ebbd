"""Two learners with different networks train at the same time: each keeps their own network,
runs, curves, model and predictions (two AppTest sessions in one server process)."""

import numpy as np

from lesson import step1_data, step5_prediction
from tests.pages import app


def learner(blocks: int, seed: int):
    """A learner who builds a network with `blocks` conv blocks and starts a tiny run."""
    at = app("p3_build.py")
    at.segmented_control(key="build_blocks").set_value(blocks).run()
    at.switch_page("lesson/pages/p4_train.py").run()
    at.select_slider(key="train_images").set_value(1_000)
    at.text_input(key="train_seed_text").input(str(seed))
    at.slider(key="train_epochs").set_value(2).run()
    at.button(key="train_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_two_learners_training_at_once_keep_everything_their_own():
    a, b = learner(blocks=1, seed=3), learner(blocks=2, seed=4)  # both train now
    run_a, run_b = a.session_state["runs"][-1], b.session_state["runs"][-1]
    assert not run_a.finished or not run_b.finished  # they overlapped
    for at, run in ((a, run_a), (b, run_b)):
        run.join(120)
        at.run()  # the poll that sees the run finished
        assert run.status == "done" and not at.exception
    # Networks, runs and models: each learner's own.
    assert a.session_state["network_config"].conv_blocks == 1 == run_a.config.conv_blocks
    assert b.session_state["network_config"].conv_blocks == 2 == run_b.config.conv_blocks
    assert [r.name for r in a.session_state["runs"]] == ["run 1"]
    assert [r.name for r in b.session_state["runs"]] == ["run 1"]
    assert a.session_state["learner_model"] is run_a.model is not run_b.model
    assert b.session_state["learner_model"] is run_b.model
    assert run_a.model.count_params() != run_b.model.count_params()
    # Curves and the runs table.
    assert run_a.batches != run_b.batches and run_a.epochs != run_b.epochs
    table_a, table_b = a.dataframe[0].value, b.dataframe[0].value
    assert list(table_a["network"]) != list(table_b["network"])
    assert list(table_a["test accuracy"]) == [f"{run_a.test['accuracy']:.2%}"]
    assert list(table_b["test accuracy"]) == [f"{run_b.test['accuracy']:.2%}"]
    # Predictions: each Draw page answers with its own learner's model.
    x = step1_data.preprocess(step1_data.load_mnist().x_test[:5])  # (5, 28, 28, 1)
    for at, run in ((a, run_a), (b, run_b)):
        at.switch_page("lesson/pages/p5_draw.py").run()
        at.segmented_control(key="draw_source").set_value("test").run()
        assert not at.exception, [e.value for e in at.exception]
        caption = " ".join(c.value for c in at.caption)
        assert "your model (run 1" in caption, caption
        assert np.allclose(
            step5_prediction.probabilities(at.session_state["learner_model"], x),
            step5_prediction.probabilities(run.model, x),
        )
    assert not np.allclose(
        step5_prediction.probabilities(run_a.model, x),
        step5_prediction.probabilities(run_b.model, x),
    )
