"""The bench's --check: each figure against its target, a shortfall fails the run."""

import json

from lesson.tools import bench


def test_a_figure_over_its_target_is_short_and_one_within_is_not():
    figures = {"predict_ms": 4.0, "canvas_predict_ms": 12.5, "cores": 2}
    lines, short = bench.shortfalls(figures)
    assert short == ["SHORT canvas_predict_ms = 12.5 (target <= 10.0)"]
    assert lines == ["ok    predict_ms = 4.0 (target <= 5.0)", *short]  # cores has no target


def test_a_lower_bound_and_figures_nested_by_group_and_strength():
    figures = {"browser": {"player_frames_per_s": 9.5, "player_positions_per_s": 20.0},
               "augmentation": {"0.5": {"wall_ratio": 1.2}, "1": {"wall_ratio": 1.6}}}  # fmt: skip
    _, short = bench.shortfalls(figures)
    assert short == [
        "SHORT browser.player_frames_per_s = 9.5 (target >= 10.0)",
        "SHORT augmentation.1.wall_ratio = 1.6 (target <= 1.5)",
    ]


def test_a_figure_that_measured_nothing_is_short():
    _, short = bench.shortfalls({"board_post_visible_max_s": None})
    assert short == ["SHORT board_post_visible_max_s = None (target <= 5.0)"]


def test_check_exits_non_zero_on_a_shortfall_and_zero_without(monkeypatch, capsys):
    monkeypatch.setattr(bench, "machine_speed", lambda: {"predict_ms": 7.0})
    assert bench.main(["--machine", "--check"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out) == {"predict_ms": 7.0} and "1 figure(s) short" in err
    monkeypatch.setattr(bench, "machine_speed", lambda: {"predict_ms": 1.0})
    assert bench.main(["--machine", "--check"]) == 0
    assert bench.main(["--machine"]) == 0  # without --check, figures only


def test_every_target_names_a_figure_the_bench_can_print():
    import inspect

    from lesson.tools import bench_live, predict
    from tests.load import answers

    targets = inspect.getsource(bench).split("TARGETS = {", 1)[1].split("\n}", 1)[0]
    source = inspect.getsource(bench).replace(targets, "")
    source += inspect.getsource(bench_live) + inspect.getsource(predict)
    source += inspect.getsource(answers)  # run by bench_live in a subprocess
    for name, (op, target) in bench.TARGETS.items():
        assert op in ("<=", ">=") and target > 0, name
        assert f'"{name}"' in source, f"no figure {name} is measured"
