"""The experiment exported as plain Keras: the script runs, the notebook is valid and runs."""

import os
import subprocess
import sys
from dataclasses import replace

import nbformat

from lesson import export, model, settings
from lesson.settings import DEFAULT, Settings
from tests.support import ROOT

QUICK_CHECK = {export.IMAGES_VARIABLE: "300", export.EPOCHS_VARIABLE: "1"}
NO_CONV = next(p for p in settings.PRESETS if p.name == "No convolution").settings


def test_the_script_runs_headless_and_prints_the_apps_parameter_count(tmp_path):
    experiment = Settings(replace(model.LESSON, filters=(4, 8, 32)), replace(DEFAULT.hp, seed=5))
    path = tmp_path / "cnn_experiment.py"
    path.write_text(export.script(experiment), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(path), str(ROOT / "assets" / "mnist.npz")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # the data comes from the argument, not the folder
        env={**os.environ, **QUICK_CHECK},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    total = model.total_parameters(experiment.network)
    assert f"parameters: {total:,}" in done.stdout
    assert "(300, 28, 28) (300,) (10000, 28, 28) (10000,)" in done.stdout
    accuracy = float(done.stdout.split("test accuracy: ")[1].split()[0])
    assert 0 <= accuracy <= 1


def test_the_script_reads_like_the_lesson_and_keeps_the_hyperparameters():
    text = export.script(settings.PRESETS[3].settings)  # learning rate too high
    steps = ["Step 1 · The data", "Step 2 ·", "Step 3 · One-hot", "Step 4 · The network",
             "Step 5 · Compile", "Step 6 · Fit", "Step 7 · Evaluate"]  # fmt: skip
    positions = [text.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "keras.optimizers.SGD(learning_rate=10)" in text
    assert "SEED = 1" in text
    compile(text, "cnn_experiment.py", "exec")  # valid Python
    assert max(len(line) for line in text.splitlines()) <= 100


def test_the_notebook_validates_and_its_cells_run_in_order(monkeypatch):
    nb = nbformat.reads(export.notebook_text(NO_CONV), as_version=4)
    nbformat.validate(nb)
    kinds = [cell.cell_type for cell in nb.cells]
    assert kinds == ["markdown", "code"] * 8
    assert "one-hot label" in nb.cells[6].source  # the app's own explanation
    assert "| dense (Dense) | (None, 128) | 100,480 |" in nb.cells[8].source
    for name, value in QUICK_CHECK.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CNN_LESSON_MNIST", str(ROOT / "assets" / "mnist.npz"))
    namespace: dict = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, "<cell>", "exec"), namespace)
    assert namespace["model"].count_params() == model.total_parameters(NO_CONV.network)
    assert namespace["x_train"].shape == (300, 28, 28, 1)
    assert 0 <= namespace["accuracy"] <= 1


def test_an_augmented_experiment_exports_its_augmentation_and_runs(tmp_path):
    experiment = Settings(model.LESSON, replace(DEFAULT.hp, augmentation=0.6))
    text = export.script(experiment)
    steps = ["Step 5 · Compile", "Data augmentation", "RandomRotation", "Step 6 · Fit"]
    assert [text.index(s) for s in steps] == sorted(text.index(s) for s in steps)
    assert "RandomStrokeWidth(0.48, seed=SEED + 3)" in text
    assert max(len(line) for line in text.splitlines()) <= 100
    path = tmp_path / "cnn_experiment.py"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(path), str(ROOT / "assets" / "mnist.npz")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, **QUICK_CHECK},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "parameters: 53,558" in done.stdout  # augmentation adds no parameters
    nb = nbformat.reads(export.notebook_text(experiment), as_version=4)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code"] * 9
