"""The class store keeps what a teacher needs: a closed class's board, a clear that can be
undone, and each learner's runs counted in the class they were trained in."""

import pytest

from lesson.machinery import classes
from tests.test_classes import EXPERIMENT, RESULTS, learner


def run(store, ws, number: int, accuracy: float) -> None:
    results = {**RESULTS, "test": {"accuracy": accuracy, "loss": 0.1}}
    store.save_run(ws, number, status="done", message="", experiment=EXPERIMENT, results=results)


def test_a_closed_class_keeps_its_board_and_stays_listed_marked_closed(store):
    info = classes.open_class(store, "Period 3")
    newer = classes.open_class(store, "Period 4")
    ada = learner(store)
    classes.join(store, ada.id, info.code, "Ada")
    assert classes.post_run(store, ada.id, 1, EXPERIMENT, RESULTS, "done") == "posted"
    classes.close_class(store, info.id)
    listed = classes.all_classes(store)
    assert [(c.id, c.is_open) for c in listed] == [(newer.id, True), (info.id, False)]
    assert [p.number for p in classes.board(store, info.id)] == [1]  # its runs stay
    assert classes.find_class(store, info.code) is None  # only its code stops working
    late = learner(store)
    with pytest.raises(classes.ClassError, match="no open class"):
        classes.join(store, late.id, info.code, "Late")


def test_clear_hides_the_posts_and_undo_brings_back_the_last_clear_only(store):
    info = classes.open_class(store, "Class")
    ada = learner(store)
    classes.join(store, ada.id, info.code, "Ada")
    classes.post_run(store, ada.id, 1, EXPERIMENT, RESULTS, "done", now=1000.0)
    classes.post_run(store, ada.id, 2, EXPERIMENT, RESULTS, "done", now=1100.0)
    assert classes.last_clear(store, info.id) is None
    assert classes.clear(store, info.id, now=2000.0) == 2
    assert classes.board(store, info.id) == []
    classes.post_run(store, ada.id, 3, EXPERIMENT, RESULTS, "done", now=2100.0)
    assert classes.clear(store, info.id, now=3000.0) == 1
    assert classes.last_clear(store, info.id) == (3000.0, 1)
    assert classes.undo_clear(store, info.id) == 1  # the last clear: run 3 only
    assert [p.number for p in classes.board(store, info.id)] == [3]
    assert classes.last_clear(store, info.id) == (2000.0, 2)  # an earlier clear can follow
    assert classes.undo_clear(store, info.id) == 2
    assert [p.number for p in classes.board(store, info.id)] == [1, 2, 3]
    assert classes.undo_clear(store, info.id) == 0 and classes.last_clear(store, info.id) is None
    # A cleared run is not posted twice; Forget me takes cleared posts too.
    classes.clear(store, info.id)
    assert classes.post_run(store, ada.id, 1, EXPERIMENT, RESULTS, "done") == "already posted"
    store.delete_workspace(ada.id)
    assert classes.undo_clear(store, info.id) == 0 and classes.board(store, info.id) == []


def test_runs_count_in_the_class_they_were_trained_in(store):
    first = classes.open_class(store, "Monday")
    second = classes.open_class(store, "Tuesday")
    ada = learner(store, accuracy=0.99, runs=1)  # run 1: before any class
    classes.join(store, ada.id, first.code, "Ada")
    run(store, ada, 2, 0.90)
    run(store, ada, 3, 0.91)
    classes.join(store, ada.id, second.code, "Ada")
    run(store, ada, 4, 0.80)
    [monday] = classes.progress(store, first.id)
    [tuesday] = classes.progress(store, second.id)
    assert (monday.runs, monday.best_accuracy) == (2, 0.91)
    assert (tuesday.runs, tuesday.best_accuracy) == (1, 0.80)
    classes.close_class(store, second.id)
    run(store, ada, 5, 0.95)  # after the class closed: not the class's
    [tuesday] = classes.progress(store, second.id)
    assert (tuesday.runs, tuesday.best_accuracy) == (1, 0.80)
