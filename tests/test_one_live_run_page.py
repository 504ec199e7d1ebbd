"""The Train page and a run of its workspace that another app process trains (AppTest)."""

from lesson import step3_network, step4_training
from lesson.machinery import store as storage
from lesson.machinery import workspaces
from tests.pages import app, assert_clean

HP = step4_training.Hyperparameters(epochs=3, train_images=1_000)
EPOCH = {"epoch": 1, "loss": 0.9, "accuracy": 0.7, "val_loss": 0.8, "val_accuracy": 0.75}
RESULTS = {"epochs": [EPOCH], "batches": [], "steps_per_epoch": 16, "parameters": 53558}
TEST = {"accuracy": 0.9, "loss": 0.3, "error_rate": 0.1, "five_in_a_row": 0.59}


def test_a_run_of_another_process_shows_and_no_second_run_starts():
    ada = app("p4_train.py")  # drawn before the run: its Train button is pressable
    ws = ada.session_state["workspace"]
    assert not ada.button(key="train_start").disabled
    other = storage.Store(storage.shared().url)  # another app process on the same database
    try:
        experiment = workspaces.experiment_of(step3_network.LESSON, HP)
        assert other.begin_run(ws, 1, experiment) == 1  # another tab, served by that process
        # This tab's press, from a page drawn before that run: refused, in words.
        ada.button(key="train_start").click().run()
        assert_clean(ada)
        said = [i.value for i in ada.info]
        busy = "A run of your workspace is already training (perhaps in another tab)"
        assert any(busy in s for s in said), said
        assert [r.number for r in other.list_runs(ws.id)] == [1]
        # The page shows that run: its progress as saved, and Train it cannot press.
        other.save_run(ws, 1, status="running", message="", experiment=experiment,
                       results=RESULTS)  # fmt: skip
        ada.run()
        assert_clean(ada)
        progress = list(ada.get("progress"))
        assert progress, "waited for the run's progress bar; the page showed none"
        assert "run 1: epoch 2 of 3 (training in another app process)" in progress[0].proto.text
        assert any("run 1 of your workspace is training" in i.value for i in ada.info)
        assert ada.button(key="train_start").disabled
        assert not [w for w in ada.warning if "interrupted" in w.value.lower()]
        # The other process finishes it: the page shows it as done, and Train works again.
        done = {**RESULTS, "test": TEST}
        other.save_run(ws, 1, status="done", message="", experiment=experiment, results=done)
        ada.run()
        assert_clean(ada)
        assert not ada.button(key="train_start").disabled
        assert not list(ada.get("progress"))
        assert any("run 1 finished" in s.value for s in ada.success)
    finally:
        other.close()
