"""The experiment exported as plain Keras: the script runs, the notebook is valid and runs."""

import os
import subprocess
import sys
from dataclasses import replace

import nbformat

import lesson
from lesson import step3_network
from lesson.tools import export, settings
from lesson.tools.settings import DEFAULT, Settings
from tests.support import ROOT

QUICK_CHECK = {export.IMAGES_VARIABLE: "300", export.EPOCHS_VARIABLE: "1"}
NO_CONV = next(p for p in settings.PRESETS if p.name == "No convolution").settings


def test_the_script_reads_like_the_lesson_and_keeps_the_hyperparameters():
    text = export.script(settings.PRESETS[3].settings)  # learning rate too high
    steps = [lesson.heading(1), "Preparing the images", lesson.heading(2), lesson.heading(3),
             lesson.heading(4), "model.compile(", "Fit:", "Evaluate"]  # fmt: skip
    assert lesson.heading(4) == "Step 4 · Train"
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
    assert namespace["model"].count_params() == step3_network.total_parameters(NO_CONV.network)
    assert namespace["x_train"].shape == (300, 28, 28, 1)
    assert 0 <= namespace["accuracy"] <= 1


def test_the_script_says_when_the_network_did_not_learn_and_why():
    text = export.script(settings.PRESETS[3].settings)  # sgd at 10
    assert "# This experiment: the learning rate 10 is far too large for sgd" in text
    assert 'print("The network did not learn' in text
    quick = export.script(DEFAULT)
    assert "far too large" not in quick and "if accuracy <= 0.2:" in quick


def test_the_script_finds_mnist_beside_itself_and_says_where_it_looked(tmp_path):
    """Away from the app's folder with no argument it tried to download MNIST and crashed
    offline; its docstring called it experiment.py (issue 18). The data as an argument: below."""
    experiment = Settings(
        replace(step3_network.LESSON, filters=(4, 8, 32)), replace(DEFAULT.hp, seed=5)
    )
    text = export.script(experiment)
    assert "python cnn_experiment.py" in text and "python experiment.py" not in text
    (tmp_path / "cnn_experiment.py").write_text(text, encoding="utf-8")
    env = {**os.environ, **QUICK_CHECK, "HOME": str(tmp_path)}  # no Keras download cache
    env.pop("CNN_LESSON_MNIST", None)
    alone = subprocess.run([sys.executable, "cnn_experiment.py"], capture_output=True, text=True,
                           timeout=300, cwd=tmp_path, env=env)  # fmt: skip
    assert alone.returncode == 1 and "Traceback" not in alone.stderr
    assert (
        "could not be downloaded" in alone.stderr and "mnist.npz beside this file" in alone.stderr
    )
    (tmp_path / "mnist.npz").symlink_to(ROOT / "assets" / "mnist.npz")
    other = tmp_path / "elsewhere"
    other.mkdir()
    script = str(tmp_path / "cnn_experiment.py")
    beside = subprocess.run([sys.executable, script], capture_output=True, text=True,
                            timeout=300, cwd=other, env=env)  # fmt: skip
    assert beside.returncode == 0, beside.stderr[-2000:]
    assert "(300, 28, 28) (300,) (10000, 28, 28) (10000,)" in beside.stdout
    # It runs headless and prints the app's parameter count for the learner's own network.
    total = step3_network.total_parameters(experiment.network)
    assert f"parameters: {total:,}" in beside.stdout
    accuracy = float(beside.stdout.split("test accuracy: ")[1].split()[0])
    assert 0 <= accuracy <= 1


def test_the_notebook_says_where_it_looks_and_looks_beside_itself(tmp_path, monkeypatch):
    nb = nbformat.reads(export.notebook_text(DEFAULT), as_version=4)
    assert "`mnist.npz` beside this file" in nb.cells[0].source
    monkeypatch.delenv("CNN_LESSON_MNIST", raising=False)
    monkeypatch.chdir(tmp_path)  # Jupyter runs a notebook in its own folder
    (tmp_path / "mnist.npz").symlink_to(ROOT / "assets" / "mnist.npz")
    namespace: dict = {}
    exec(compile(nb.cells[1].source + "\n" + nb.cells[3].source, "<cell>", "exec"), namespace)
    assert namespace["PATH"] == str(tmp_path / "mnist.npz")


def test_an_augmented_experiment_exports_its_augmentation_and_runs(tmp_path):
    experiment = Settings(step3_network.LESSON, replace(DEFAULT.hp, augmentation=0.6))
    text = export.script(experiment)
    steps = ["model.compile(", "Data augmentation", "RandomTurnZoomShift", "Fit:"]
    assert [text.index(s) for s in steps] == sorted(text.index(s) for s in steps)
    assert "RandomStrokeWidth(0.48, seed=SEED + 1)" in text
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
