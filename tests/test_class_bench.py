"""The class bench (`python -m lesson.tools.bench --class`) runs and reports sane figures.

It times nothing here: a tiny class of two learners with tiny runs, checked for what it
says, not how fast it was (the bench's own figures: docs/notes/i33b.md).
"""

from urllib.parse import parse_qs

import pytest

from lesson.tools import classbench


def settings(query: str) -> dict:
    return {k: v[0] for k, v in parse_qs(query).items()}


def test_each_class_asks_for_its_experiments():
    a, b, c = (classbench.queries(kind, 30) for kind in ("a", "b", "c"))
    assert len(set(a)) == 1 and settings(a[0]) == {
        "epochs": "3", "train_images": "60000", "batch_size": "64", "seed": "1"}  # fmt: skip
    assert sorted({settings(q)["learning_rate"] for q in b}) == sorted(
        f"{r:g}" for r in classbench.RATES
    )
    assert all(settings(q)["seed"] == "1" for q in b) and len(set(b)) == 6
    assert len({settings(q)["seed"] for q in c}) == 30 and len(set(c)) == 30
    tiny = settings(classbench.queries("a", 2, images=1000, epochs=1)[0])
    assert tiny["train_images"] == "1000" and tiny["epochs"] == "1"


@pytest.mark.timeout(1500)
def test_a_tiny_class_trains_and_reports_every_run():
    # One worker (cheaper), at the pages' priority: on a shared machine a worker at nice 10
    # may not even start in time (this test times nothing).
    env = {
        "CNN_LESSON_WORKERS": "1",
        "CNN_LESSON_MAX_TRAININGS": "1",
        "CNN_LESSON_WORKER_NICE": "0",
    }
    figures = classbench.run_class("b", learners=2, images=1000, epochs=1, env=env, timeout=900)
    assert figures["class"] == "b" and figures["learners"] == 2, figures
    assert figures["experiments"] == 2, figures  # two learning rates
    assert figures["statuses"] == {"done": 2} and figures["problems"] == [], figures
    first, median, last = (figures[f"{k}_done_s"] for k in ("first", "median", "last"))
    assert 0 < first <= median <= last, figures
    assert 0 <= figures["clicks_within_s"] <= last, figures
    assert figures["cpu_s"] > 0 and figures["workers"] == 1, figures
    assert figures["training_limit"] == 1 and figures["images"] == 1000, figures
    assert figures["worker_nice"] == 0 and figures["epochs"] == 1, figures
