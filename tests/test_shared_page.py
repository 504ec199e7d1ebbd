"""The Train page says when a run shares its training: with classmates now, or from before."""

import time
from types import SimpleNamespace

from lesson import step4_training
from lesson.machinery import experiments, runs, workers
from tests.pages import app, control, markdown_text, tiny

PAGE = "p4_train.py"


def press_train(seed: str):
    """A new learner's session on the Train page: a tiny run with `seed`, Train pressed."""
    at = app(PAGE)
    tiny(at, epochs=3)
    control(at, "train_seed_text").set_value(seed).run()
    at.button(key="train_start").click().run()
    return at, at.session_state["runs"][-1]


def test_classmates_who_ran_the_same_experiment_are_told_it_trained_once(monkeypatch):
    monkeypatch.setenv(workers.WORKERS_VARIABLE, "0")  # in threads: no worker to start
    monkeypatch.setattr(workers, "_POOL", None)
    first, a = press_train("9173")
    second, b = press_train("9173")
    own, c = press_train("9174")  # another seed: its own run, no sentence
    for run in (a, b, c):
        run.join(400)
        assert run.status == "done", (run.status, run.message)
    assert a.training is b.training and c.training is not a.training
    for at in (first, second, own):
        at.run()
    for at in (first, second):
        text = markdown_text(at)
        assert "1 classmate ran exactly this experiment" in text, text
        assert "it trained once for both of you" in text
        assert "Change the seed and it is your own run." in text
    assert "ran exactly this experiment" not in markdown_text(own)
    assert a.batches == b.batches and a.test == b.test
    # Later, another learner presses Train for it: the kept result, at once.
    later, d = press_train("9173")
    d.join(120)
    later.run()
    assert d.status == "done" and d.reused is not None and d.test == a.test
    text = markdown_text(later)
    assert "This exact experiment was trained before" in text
    assert "2 runs" in text and "before yours used it" in text
    assert experiments.live() == 0


def test_a_waiting_run_says_when_it_should_start_once_the_speed_is_measured(mnist):
    hp = step4_training.Hyperparameters(epochs=1, train_images=1_000, validation_split=0.2)
    full = runs.Limiter(1)
    full._running.append(SimpleNamespace(name="another learner's run", hp=hp))
    queued = runs.TrainingRun("run 1", mnist, hp, limiter=full, pool=runs.IN_THREADS).start()
    try:
        deadline = time.monotonic() + 60
        while queued.queue_position() != 1:
            assert time.monotonic() < deadline, f"still {queued.status}, not in line"
            time.sleep(0.05)
        at = app(PAGE, state={"workspace_runs": {1: queued}})
        at.session_state["workspace_runs"] = {1: queued}
        at.run()
        said = at.info[0].value
        assert "waiting in line" in said and "It starts by itself." in said  # nothing measured
        full._speeds = [0.05]  # 800 image-epochs: 40 s for the run ahead
        at.run()
        said = at.info[0].value
        assert "It starts by itself, in about 40 s (from this server's measured speed)" in said
    finally:
        queued.stop()
        queued.join(10)
