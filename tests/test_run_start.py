"""The start of a run (issue 35 item 6): the real number of batches from the first moment, a
time estimate from this server's own measured speed (and no number before it has one), and
chart axes that stay where accuracy can be."""

import json
import math
import time
from dataclasses import replace

import numpy as np

from lesson import step3_network, step4_training
from lesson.machinery import runs
from lesson.parts import mistakes_charts
from tests.pages import app, tiny

PAGE = "p4_train.py"
TINY = replace(step4_training.QUICK, epochs=1, train_images=2_000, batch_size=32)


def test_a_run_knows_its_batches_before_the_worker_says_so(mnist):
    run = runs.TrainingRun("run 1", mnist, step4_training.QUICK, pool=runs.IN_THREADS)
    p = run.progress()
    assert run.status == "queued" and p["batches"] == 844  # 54,000 images in batches of 64
    assert p["batch"] == 0 and math.isnan(p["seconds_left"])
    small = runs.TrainingRun("run 2", mnist, TINY, pool=runs.IN_THREADS)
    assert small.progress()["batches"] == 57  # 1,800 images in batches of 32
    assert step4_training.updates(TINY) == 57


def test_the_time_left_comes_from_this_servers_measured_speed(mnist):
    config = replace(step3_network.LESSON, dense_units=24)  # a network no other test trains
    runs._SPEEDS.pop(config, None)
    assert runs.measured_seconds(config, TINY) is None  # not measured: no number
    run = runs.TrainingRun("run 1", mnist, TINY, config, pool=runs.IN_THREADS).start()
    run.join(180)
    assert run.status == "done", (run.status, run.message)
    expected = runs.measured_seconds(config, TINY)
    assert expected is not None and expected > 0, runs._SPEEDS.get(config)
    start, per_image = runs._SPEEDS[config]
    assert start >= 0 and per_image > 0
    # Ten times the images: the estimate grows with the work (the start costs the same).
    more = replace(TINY, train_images=20_000)
    assert runs.measured_seconds(config, more) > expected
    # A second run of that network, just given its slot, before its own first batch: the
    # estimate is the measured one, less the time it has waited (never below a second).
    again = runs.TrainingRun("run 2", mnist, TINY, config, pool=runs.IN_THREADS)
    again.status, again._slot_at = "running", time.monotonic()  # as _train sets them
    left = again.progress()["seconds_left"]
    assert 1.0 <= left <= expected, (left, expected)


def plotly_specs(at) -> list[dict]:
    return [json.loads(e.proto.spec) for e in at.get("plotly_chart")]


def test_the_quick_runs_label_has_a_number_only_once_measured():
    runs._SPEEDS.pop(step3_network.LESSON, None)
    at = app(PAGE)
    assert at.button(key="train_quick").label == "Quick run"
    runs._SPEEDS[step3_network.LESSON] = (3.0, 1e-4)  # as a run of the lesson's network leaves
    try:
        at.run()
        seconds = 3.0 + 1e-4 * 64 * 844 * 3
        assert at.button(key="train_quick").label == f"Quick run (≈ {seconds:.0f} s here)"
    finally:
        runs._SPEEDS.pop(step3_network.LESSON, None)


def test_the_live_charts_keep_accuracy_within_0_to_100_percent():
    at = app(PAGE)
    tiny(at)
    at.button(key="train_start").click().run()
    run = at.session_state["runs"][-1]
    try:
        assert "batch 0 of 1 " not in " ".join(str(e.proto) for e in at.get("progress"))
        specs = plotly_specs(at)
        assert len(specs) == 2, len(specs)  # loss, accuracy: drawn at once, with or without points
        for spec in specs:
            axis = spec["layout"]["yaxis"]
            title = spec["layout"]["title"]["text"]
            if "range" in axis:  # no points yet: the range is set, not Plotly's −1 to 4
                assert axis["range"][0] == 0 and axis["range"][1] in (1, 2.5), (title, axis)
            if title.startswith("Accuracy"):
                if "range" not in axis:
                    assert axis["autorangeoptions"] == {"minallowed": 0, "maxallowed": 1}, axis
            else:
                assert axis.get("rangemode") == "tozero" or "range" in axis, axis
    finally:
        run.stop()
        run.join(120)


def test_the_per_digit_accuracy_axis_ends_at_100_percent():
    per_digit = np.array([0.99, 0.995, 0.98, 0.97, 0.985, 0.975, 0.99, 0.98, 0.96, 0.97])
    fig = mistakes_charts.per_digit_figure(per_digit)
    low, high = fig.layout.yaxis.range
    assert high == 100 and 0 <= low < 96
    assert fig.data[0].textposition == "inside"  # the labels need no room above 100 %
