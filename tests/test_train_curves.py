"""The Train page's curves under AppTest: what the charts draw once a run has ended."""

import json

from tests.pages import app, tiny, train_to_the_end


def test_the_last_epochs_validation_mark_is_drawn_whole_at_the_charts_edge():
    at = app("p4_train.py")
    tiny(at)  # one epoch: its validation mark sits on the x-axis's right end
    train_to_the_end(at, timeout=600)  # generous: a state, not a speed
    figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    curves = [f for f in figures if "while training" in f["layout"]["title"]["text"]]
    assert len(curves) == 2  # loss and accuracy
    for figure in curves:
        right_end = figure["layout"]["xaxis"]["range"][1]
        marks = [t for t in figure["data"] if t["name"].endswith("validation")]
        assert marks and all(max(t["x"]) == right_end for t in marks)
        assert all(t["cliponaxis"] is False for t in marks)  # not cut in half by the plot's edge
