"""The Train page under AppTest: its controls, a tiny run, its results and the runs compared."""

import time

from lesson import step4_training
from lesson.machinery import runs
from tests.pages import app, control, defaults, markdown_text, tiny, train_to_the_end

PAGE = "p4_train.py"


def test_the_page_explains_compile_and_starts_at_the_quick_run():
    at = app(PAGE)
    assert at.title[0].value == "4 · Train"
    text = markdown_text(at)
    for words in ("categorical cross-entropy", "adam", "accuracy", "53,558 parameters"):
        assert words in text
    quick = step4_training.QUICK
    assert at.slider(key="train_epochs").value == quick.epochs
    assert at.select_slider(key="train_batch_size").value == quick.batch_size
    assert at.select_slider(key="train_learning_rate").value == quick.learning_rate
    assert at.session_state["train_seed"] == quick.seed
    assert at.text_input(key="train_seed_text").value == str(quick.seed)
    assert "No run yet" in at.info[0].value


def test_the_lessons_recipe_in_one_click_and_back():
    at = app(PAGE)
    at.button(key="train_recipe").click().run()
    assert at.slider(key="train_epochs").value == 10
    assert at.select_slider(key="train_batch_size").value == 32
    assert at.select_slider(key="train_images").value == 60_000
    assert at.slider(key="train_validation_split").value == 0.0
    at.button(key="train_quick").click().run()
    assert at.slider(key="train_epochs").value == step4_training.QUICK.epochs
    assert not at.exception


def test_a_tiny_run_gives_results_the_learners_model_and_a_comparison():
    at = app(PAGE)
    tiny(at)
    run = train_to_the_end(at)
    assert run.status == "done" and len(run.snapshots) == 2
    labels = [m.label for m in at.metric]
    assert labels == ["Test loss", "Test accuracy", "Error rate", "5 in a row right"]
    text = markdown_text(at)
    assert "1 − accuracy" in text and "accuracy⁵" in text
    assert at.session_state["learner_model"] is run.model
    assert "run 1" in at.session_state["learner_model_name"]
    table = at.dataframe[-1].value
    assert list(table["run"]) == ["run 1"] and table["parameters"].iloc[0] == 53_558
    # A second run with a bigger batch: both in the table, curves overlaid
    at.select_slider(key="train_batch_size").set_value(64).run()
    train_to_the_end(at)
    table = at.dataframe[-1].value
    assert list(table["run"]) == ["run 1", "run 2"]
    assert list(table["batch size"]) == [32, 64]
    assert "run 2" in at.session_state["learner_model_name"]
    assert any("run 1: training loss" in c.value and "run 2" in c.value for c in at.caption)


def test_stop_from_the_page_keeps_the_model():
    at = app(PAGE)
    tiny(at, epochs=20)
    at.button(key="train_start").click().run()
    run = at.session_state["runs"][-1]
    deadline = time.monotonic() + 60
    while not run.batches and time.monotonic() < deadline:
        time.sleep(0.1)
    at.run()
    at.button(key="train_stop").click().run()
    run.join(30)
    at.run()
    assert not at.exception
    assert run.status == "stopped" and at.session_state["learner_model"] is run.model
    assert "You stopped the run" in at.warning[0].value


def test_a_queued_run_says_where_it_waits_and_an_exploded_one_explains(mnist):
    at = app(PAGE)
    full = runs.Limiter(1)
    full._running.append("another learner")
    queued = runs.TrainingRun("run 1", mnist, limiter=full).start()
    at.session_state["workspace_runs"] = {1: queued}
    at.run()
    assert "waiting in line" in at.info[0].value and "number 1" in at.info[0].value
    queued.stop()
    queued.join(5)
    hp = step4_training.Hyperparameters(epochs=1, train_images=1_000, learning_rate=1e6)
    exploded = runs.TrainingRun("run 2", mnist, hp, limiter=runs.Limiter(1)).start()
    exploded.join(60)
    at.session_state["workspace_runs"] = {1: queued, 2: exploded}
    at.run()
    assert not at.exception
    assert "exploded" in at.error[0].value


def test_the_learning_rate_too_high_preset_is_said_to_have_learned_nothing():
    """sgd at 10: the loss settles near 2.3 and accuracy near chance; the page said "finished"
    in green (issue 18). Now the status, the runs table and the preset's words say so."""
    at = app(PAGE)
    at.sidebar.selectbox(key="classroom_preset").select("Learning rate too high").run()
    assert "never falls below 2.3" in at.sidebar.caption[0].value
    at.select_slider(key="train_images").set_value(2_000)
    at.slider(key="train_epochs").set_value(1).run()
    run = train_to_the_end(at)
    assert run.status == "done" and run.test["accuracy"] < 0.2  # what the preset promises
    assert min(p["loss"] for p in run.batches) > 2.0
    assert run.batches[0]["loss"] > 2.5  # the first updates overshoot: up, not down
    said = at.error[0].value
    assert said.startswith("run 1 finished 1 epoch in") and "did not learn" in said
    assert "far too large for sgd" in said and "10 or 100 times smaller" in said
    assert at.dataframe[0].value["status"].tolist() == ["done, but did not learn"]


def test_every_control_shows_its_current_value_if_the_browser_draws_it_anew():
    """Each hyperparameter control's default is its value now, not its first option."""
    at = app(PAGE)
    chosen = [("train_epochs", 7), ("train_batch_size", 128), ("train_optimizer", "sgd"),
              ("train_learning_rate", 0.01), ("train_images", 10_000),
              ("train_validation_split", 0.2), ("train_seed_text", "42"), ("train_augment", True),
              ("train_augmentation", 0.7)]  # fmt: skip
    for key, value in chosen:
        control(at, key).set_value(value).run()
    at.run()  # a run that changes nothing: no value is sent again, only the defaults
    now = defaults(at, "train_")
    assert all(value == default for value, default in now.values()), now
    assert now["train_epochs"] == (7.0, 7.0) and now["train_optimizer"] == ([1], [1]), now
    assert now["train_seed_text"] == ("42", "42") and now["train_augment"] == (True, True), now
