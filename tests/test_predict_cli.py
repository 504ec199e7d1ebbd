"""python -m lesson.tools.predict: image files classified with the drawing page's preprocessing."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from lesson import step1_data
from lesson.tools import predict
from tests.support import ROOT

COUNT = 8  # test digits saved as image files


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """PNGs of the first test digits (one saved dark on light, as a JPG), and a bad file."""
    folder = tmp_path_factory.mktemp("digits")
    x = step1_data.load_mnist().x_test[:COUNT]
    paths = []
    for i, digit in enumerate(x):
        path = folder / f"digit{i}.png"
        Image.fromarray(digit).save(path)
        paths.append(path)
    inverted = folder / "digit0-on-paper.jpg"
    Image.fromarray(255 - x[0]).resize((280, 280)).save(inverted, quality=95)
    bad = folder / "notes.png"
    bad.write_text("not an image at all")
    return paths, inverted, bad


def expected_digits(net, count: int = COUNT) -> list[int]:
    """What the model says on the arrays themselves, x_test / 255."""
    from lesson import step5_prediction

    x = step1_data.load_mnist().x_test[:count] / 255
    return [int(d) for d in step5_prediction.probabilities(net, x).argmax(axis=1)]


def test_the_cli_gives_the_models_answers_and_reports_a_bad_file(files, net):
    paths, inverted, bad = files
    args = [str(paths[0]), str(bad), *map(str, paths[1:]), str(inverted)]
    run = subprocess.run(
        [sys.executable, "-m", "lesson.tools.predict", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert run.returncode == 1  # one file failed
    assert [line["file"] for line in lines] == args  # one line per image, in order
    bad_line = lines.pop(1)
    assert bad_line["digit"] is None and "not an image" in bad_line["error"]
    assert f"error: {bad}" in run.stderr
    expected = expected_digits(net)
    assert [line["digit"] for line in lines] == [*expected, expected[0]]
    for line in lines:
        assert len(line["probabilities"]) == 10
        assert sum(line["probabilities"]) == pytest.approx(1, abs=1e-4)
        assert line["digit"] == int(np.argmax(line["probabilities"]))


def test_all_good_files_exit_zero(files, net, capsys):
    paths, _, _ = files
    assert predict.main([str(p) for p in paths[:3]]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["digit"] for line in lines] == expected_digits(net, 3)
    assert set(lines[0]) == {"file", "digit", "probabilities"}


def test_blank_missing_and_empty_files_fail_one_by_one(files, tmp_path, capsys):
    paths, _, _ = files
    blank = tmp_path / "blank.png"
    Image.new("L", (100, 100), 255).save(blank)
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    args = [str(blank), str(tmp_path / "missing.png"), str(empty), str(paths[0])]
    assert predict.main(args) == 1
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert "blank" in lines[0]["error"]
    assert "cannot be read" in lines[1]["error"]
    assert "0 bytes" in lines[2]["error"]
    assert lines[3]["digit"] is not None and "error" not in lines[3]
    assert err.count("error:") == 3


def test_model_option(files, tmp_path, capsys):
    paths, _, _ = files
    assert predict.main(["--model", str(tmp_path / "none.keras"), str(paths[0])]) == 2
    assert "missing" in capsys.readouterr().err
    from lesson import step3_network

    assert predict.main(["--model", str(step3_network.pretrained_path()), str(paths[0])]) == 0


def test_measure_returns_both_timings(net):
    timings = predict.measure(net, runs=5)
    assert set(timings) == {"canvas_predict_ms", "canvas_feature_maps_ms"}
    assert all(isinstance(v, float) and v > 0 for v in timings.values())


def test_the_synthetic_canvas_is_a_seven(net):
    from lesson import step5_drawing, step5_prediction

    digit = step5_drawing.to_mnist(predict.synthetic_canvas(), ink="light")
    assert step5_prediction.probabilities(net, digit).argmax() == 7
