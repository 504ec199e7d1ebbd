"""`pip install .` gives a working app: the wheel, installed into a new virtual environment,
runs `cnn-lesson predict` and `cnn-lesson serve` from a folder far from the checkout."""

import os
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lesson import quiet
from tests.support import ROOT, free_port

# What the wheel is built from: the checkout's tracked top level, without tests and CI.
WAIT = 300  # seconds for the server to answer: the warm-up imports TensorFlow on a busy machine
SOURCES = [
    "lesson", "assets", "app.py", ".streamlit", "setup.py", "pyproject.toml", "README.md",
    "MANIFEST.in", "CHANGELOG.md", "docs",
]  # fmt: skip


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the venv's bin folder, a folder outside the checkout) with the wheel installed."""
    base = tmp_path_factory.mktemp("package")
    source = base / "source"  # a copy: building in the checkout would leave build/ behind
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            source.mkdir(exist_ok=True)
            shutil.copy(ROOT / name, source / name)
    # The wheel is built from the source distribution, as pip does from a release's tarball.
    build = "from setuptools import build_meta; print(build_meta.build_sdist('../sdist'))"
    sdist = base / "sdist" / run([sys.executable, "-c", build], cwd=source).stdout.split()[-1]
    with tarfile.open(sdist) as archive:
        archive.extractall(base / "unpacked", filter="data")
    unpacked = next((base / "unpacked").iterdir())
    # No build isolation and --no-deps: nothing is downloaded; the heavy dependencies come
    # from the system's site-packages through the venv.
    wheel = ["wheel", str(unpacked), "--no-deps", "--no-build-isolation", "-w", str(base / "dist")]
    run([sys.executable, "-m", "pip", *wheel, "-q"])
    wheel = next((base / "dist").glob("cnn_lesson-*.whl"))
    run([sys.executable, "-m", "venv", "--system-site-packages", str(base / "venv")])
    bin_folder = base / "venv" / "bin"
    run([str(bin_folder / "python"), "-m", "pip", "install", "--no-deps", "-q", str(wheel)])
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    return bin_folder, elsewhere


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command; on failure say which and what it wrote."""
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{cmd} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
    return done


def environment(tmp_path) -> dict:
    """The test's environment without anything that points into the checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "CNN_LESSON_MNIST", "CNN_LESSON_MODEL")
    }
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the command quiets TensorFlow by itself
    return {**env, "CNN_LESSON_DATA": str(tmp_path / "data"), "CNN_LESSON_WORKERS": "0"}


def noise(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if quiet.noise(line) or "cuda" in line.lower()]


def test_the_installed_package_is_found_and_carries_its_data(installed, tmp_path):
    bin_folder, elsewhere = installed
    code = "import lesson.paths as p; print(p.PACKAGE, p.INSTALLED, p.ASSETS, p.APP)"
    done = run([str(bin_folder / "python"), "-c", code], cwd=elsewhere, env=environment(tmp_path))
    package, flag, assets, app = done.stdout.split()
    venv = str(bin_folder.parent)
    assert package.startswith(venv) and flag == "True", done.stdout  # not the checkout's lesson/
    assert assets.startswith(venv) and app.startswith(venv), done.stdout
    # The pages' prose and the parts' scripts and styles, read beside their modules.
    lesson = ROOT / "lesson"
    kinds = (".md", ".js", ".css")
    beside = [p.relative_to(lesson) for p in lesson.rglob("*") if p.suffix in kinds]
    assert {p.parts[0] for p in beside} == {"pages", "parts"}, beside
    left_out = [str(p) for p in beside if not (Path(package) / p).is_file()]
    assert left_out == [], f"the wheel leaves out {left_out}"


def test_cnn_lesson_predict_reads_a_digit_from_another_folder(installed, tmp_path):
    bin_folder, elsewhere = installed
    with np.load(ROOT / "assets" / "mnist.npz") as mnist:  # test image 0 is a 7
        seven, label = mnist["x_test"][0], int(mnist["y_test"][0])
    Image.fromarray(255 - seven).resize((140, 140)).save(elsewhere / "digit.png")  # dark on light
    done = run(
        [str(bin_folder / "cnn-lesson"), "predict", "digit.png"],
        cwd=elsewhere,
        env=environment(tmp_path),
    )
    assert f'"digit": {label}' in done.stdout, done.stdout
    assert noise(done.stderr) == [], done.stderr


def test_cnn_lesson_serve_answers_on_its_port_after_the_warm_up(installed, tmp_path):
    bin_folder, elsewhere = installed
    port = free_port()
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    with open(out, "w") as stdout, open(err, "w") as stderr:
        server = subprocess.Popen(
            [
                str(bin_folder / "cnn-lesson"),
                "serve",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
            ],
            cwd=elsewhere,
            env=environment(tmp_path),
            stdout=stdout,
            stderr=stderr,
        )
    try:
        page, deadline = None, time.monotonic() + WAIT
        while page is None and server.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                    page = answer.read().decode()
            except OSError:
                time.sleep(0.5)
        printed = out.read_text()
        assert page is not None, (
            f"waited {WAIT} s for the page on port {port}; the server "
            f"{'ended' if server.poll() is not None else 'ran'}:\n{printed}\n{err.read_text()}"
        )
        assert "<title>Streamlit</title>" in page or "stApp" in page or "<div id=" in page, page
        # The link comes after the warm-up: the first visitor waits for no import.
        assert printed.index("Loading TensorFlow") < printed.index(f":{port}"), printed
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    assert noise(err.read_text()) == [], err.read_text()


def test_python_m_lesson_is_the_same_command(installed, tmp_path):
    bin_folder, elsewhere = installed
    done = run(
        [str(bin_folder / "python"), "-m", "lesson", "--help"],
        cwd=elsewhere,
        env=environment(tmp_path),
    )
    for command in ("serve", "predict", "bench", "pretrain"):
        assert f"cnn-lesson {command}" in done.stdout or f"[{command}]" in done.stdout
    done = run(
        [str(bin_folder / "cnn-lesson"), "bench", "--help"],
        cwd=elsewhere,
        env=environment(tmp_path),
    )
    assert "--store" in done.stdout


def test_the_installed_app_runs_its_pages(installed, tmp_path):
    """The installed app.py finds its pages inside the package (AppTest, in the venv)."""
    bin_folder, elsewhere = installed
    code = (
        "from streamlit.testing.v1 import AppTest\n"
        "from lesson import paths\n"
        "at = AppTest.from_file(str(paths.APP), default_timeout=300).run()\n"
        "print(repr(at.title[0].value), len(at.exception))\n"
        "at.switch_page(str(paths.PACKAGE / 'pages' / 'p2_onehot.py')).run()\n"
        "print(repr(at.title[0].value), len(at.exception))\n"
    )
    done = run([str(bin_folder / "python"), "-c", code], cwd=elsewhere, env=environment(tmp_path))
    assert done.stdout.splitlines() == ["'1 · The data' 0", "'2 · One-hot labels' 0"], done
