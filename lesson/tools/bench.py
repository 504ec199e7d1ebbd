"""How fast the app trains and answers: `python -m lesson.tools.bench` prints one JSON object.

Each entry is one measurement in seconds (`_s`) or milliseconds (`_ms`) on this machine. A flag
per group (--store, --peers, --augmentation, --browser, --answers, --load, --machine; several
at once give one object per group); `--check` then compares each figure with its target
(TARGETS) and exits non-zero on a shortfall. The tests check behaviour only: speed lives here.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time

from lesson import quiet

if __name__ == "__main__":  # a command: quiet before TensorFlow is imported
    quiet.install()

import keras
import numpy as np

from lesson import step1_data, step2_labels, step3_network, step4_training, step5_prediction
from lesson.machinery import runs
from lesson.tools import predict

EPOCHS = 2  # the first epoch also traces the graph; the second is the steady speed


def epoch_seconds_live(
    mnist: step1_data.MNIST, saving: bool = False, epochs: int = EPOCHS
) -> list[float]:
    """Epochs of the lesson's network, batch 32, all 60,000 images, through the app's own run.

    The run trains where the app trains it: in a worker process, or with $CNN_LESSON_WORKERS=0
    in a thread of this one.
    With `saving`, the run is saved into a new SQLite store after every epoch, as in the app.
    """
    hp = step4_training.Hyperparameters(
        epochs=epochs, batch_size=32, validation_split=0.0, seed=123
    )
    listener = None
    if saving:
        from lesson.machinery import store as storage
        from lesson.machinery import workspaces

        store = storage.Store(f"sqlite:///{tempfile.mkdtemp(prefix='cnn-lesson-bench-')}/l.db")
        listener = workspaces.Saver(store, store.create_workspace(), 1)
    run = runs.TrainingRun("bench", mnist, hp, limiter=runs.Limiter(1), listener=listener).start()
    run.join()
    assert run.status == "done", run.message
    ends = [e["seconds"] for e in run.epochs]
    return [b - a for a, b in zip([0.0, *ends], ends, strict=False)]


def augmentation_cost(batch_size: int = 32, repeats: int = 3) -> dict:
    """Wall-clock and CPU seconds of one epoch (60,000 images, app's own run) by strength.

    Strengths take turns, `repeats` times, so a busy moment of the machine hits all alike;
    each figure is a median, with its ratio to the epoch without augmentation. The runs train
    in a thread of this process (no worker), so that its CPU time is theirs.
    """
    mnist = step1_data.load_mnist()
    strengths = (0.0, 0.5, 1.0)
    wall: dict = {s: [] for s in strengths}
    cpu: dict = {s: [] for s in strengths}
    for _ in range(repeats):
        for strength in strengths:
            hp = step4_training.Hyperparameters(
                epochs=1, batch_size=batch_size, validation_split=0.0, seed=123,
                augmentation=strength,
            )  # fmt: skip
            start, start_cpu = time.perf_counter(), time.process_time()
            run = runs.TrainingRun("bench", mnist, hp, limiter=runs.Limiter(1), pool=None)
            run.start().join()
            assert run.status == "done", run.message
            wall[strength].append(time.perf_counter() - start)
            cpu[strength].append(time.process_time() - start_cpu)
    out = {"batch_size": batch_size, "load_average_1min": round(os.getloadavg()[0], 2)}
    for strength in strengths:
        w, c = statistics.median(wall[strength]), statistics.median(cpu[strength])
        out[f"{strength:g}"] = {
            "wall_s": round(w, 2),
            "wall_ratio": round(w / statistics.median(wall[0.0]), 2),
            "cpu_s": round(c, 2),
            "cpu_ratio": round(c / statistics.median(cpu[0.0]), 2),
        }
    return out


class EpochTimer(keras.callbacks.Callback):
    """Seconds per epoch."""

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def epoch_seconds_keras_default(mnist: step1_data.MNIST) -> list[float]:
    """The same epochs with a plain model.fit(batch_size=32) and Keras's defaults."""
    keras.utils.set_random_seed(123)
    net = step3_network.build_model(step3_network.LESSON)
    net.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    timer = EpochTimer()
    x, y = step1_data.preprocess(mnist.x_train), step2_labels.one_hot(mnist.y_train)
    net.fit(x, y, batch_size=32, epochs=EPOCHS, verbose=0, callbacks=[timer])
    return timer.seconds


def epoch_seconds_pytorch(mnist: step1_data.MNIST, epochs: int = EPOCHS) -> list[float]:
    """The peer: the same network in a plain PyTorch CPU loop, batch 32, adam, 2 threads.

    PyTorch is not a dependency of the app: `pip install torch==2.13.0` to measure it.
    """
    import torch
    from torch import nn

    torch.manual_seed(123)
    torch.set_num_threads(os.cpu_count() or 1)
    net = nn.Sequential(
        nn.Conv2d(1, 6, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Dropout(0.25), nn.Flatten(), nn.Linear(400, 128), nn.ReLU(),
        nn.Dropout(0.5), nn.Linear(128, 10),
    )  # fmt: skip
    assert sum(p.numel() for p in net.parameters()) == 53_558
    optimizer = torch.optim.Adam(net.parameters(), lr=0.001)
    loss_of = nn.CrossEntropyLoss()
    x = torch.from_numpy(mnist.x_train).unsqueeze(1)  # uint8 (60000, 1, 28, 28)
    y = torch.from_numpy(mnist.y_train.astype(np.int64))
    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        net.train()
        for batch in torch.randperm(len(x)).split(32):
            optimizer.zero_grad()
            loss = loss_of(net(x[batch].float() / 255), y[batch])
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - start)
    return seconds


def peers(repeats: int = 3, epochs: int = 4) -> dict:
    """`epoch_s_live` beside the PyTorch loop, taking turns: medians of the steady epochs."""
    mnist = step1_data.load_mnist()
    live, torch_loop = [], []
    for _ in range(repeats):  # every epoch but the first (it also traces the graph)
        live.extend(epoch_seconds_live(mnist, epochs=epochs)[1:])
        torch_loop.extend(epoch_seconds_pytorch(mnist, epochs=epochs)[1:])
    a, b = statistics.median(live), statistics.median(torch_loop)
    return {
        "epoch_s_live": round(a, 2),
        "epoch_s_pytorch": round(b, 2),
        "live_over_pytorch": round(a / b, 2),
        "each_live": [round(t, 2) for t in live],
        "each_pytorch": [round(t, 2) for t in torch_loop],
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def median_ms(function, repeats: int = 50) -> float:
    """Median milliseconds of `function()`, after one warm-up call."""
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def machine_speed() -> dict:
    """How fast this machine is in this sitting: numpy's float32 matrix product (GFLOP/s, both
    cores) and a plain Python loop (million steps a second, one core)."""
    a = np.random.default_rng(0).random((1024, 1024), dtype=np.float32)
    a @ a  # warm-up
    best = min(_seconds(lambda: a @ a) for _ in range(10))
    loop = min(_seconds(lambda: sum(range(2_000_000))) for _ in range(5))
    return {
        "matmul_gflops": round(2 * 1024**3 / best / 1e9, 1),
        "python_loop_msteps_per_s": round(2 / loop, 1),
        "cores": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "machine": platform.processor() or platform.machine(),
    }


def _seconds(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def measure() -> dict:
    """Every measurement, by name."""
    from lesson.machinery import workers

    # A worker trains at the same priority as the Keras peer below, so the two compare fairly
    # on a shared machine (in the app it runs at nice 10, below the pages).
    os.environ.setdefault(workers.NICE_VARIABLE, "0")
    mnist = step1_data.load_mnist()
    live = epoch_seconds_live(mnist)
    saved = epoch_seconds_live(mnist, saving=True)
    default = epoch_seconds_keras_default(mnist)
    net = step3_network.load_trained(step3_network.pretrained_path())
    digit = step1_data.preprocess(mnist.x_test[:1])[0, :, :, 0]  # (28, 28)
    return {
        "epoch_s_live": round(live[-1], 2),
        "epoch_s_live_saving": round(saved[-1], 2),  # saved to the store after every epoch
        "epoch_s_keras_default": round(default[-1], 2),
        "live_over_keras_default": round(live[-1] / default[-1], 2),
        "first_epoch_s_live": round(live[0], 2),
        "first_epoch_s_keras_default": round(default[0], 2),
        "predict_ms": round(median_ms(lambda: step5_prediction.probabilities(net, digit)), 2),
        "feature_maps_ms": round(median_ms(lambda: step5_prediction.feature_maps(net, digit)), 2),
        **predict.measure(net),  # canvas image data -> probabilities, and its feature maps
        "cores": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "workers": workers.pool_size(),  # 0: the runs above trained in this process's threads
        "machine": platform.processor() or platform.machine(),
        "numpy": np.__version__,
        "keras": keras.__version__,
    }


def store_figures(url: str | None = None) -> dict:
    """Saving and restoring a learner's work: a finished run of the lesson's recipe, 10 runs."""
    from lesson.machinery import store as storage
    from lesson.machinery import workspaces

    url = url or f"sqlite:///{tempfile.mkdtemp(prefix='cnn-lesson-bench-')}/lesson.db"
    store = storage.Store(url)
    net = step4_training.build(step3_network.LESSON, seed=123)
    hp = step4_training.RECIPE
    steps = 1875  # 60,000 images at batch 32
    run = type("Run", (), {})()  # what the Saver reads of a finished run, at its real size
    run.model, run.config, run.hp, run.status, run.message = (
        net,
        step3_network.LESSON,
        hp,
        "done",
        "",
    )
    run.parameters, run.seconds, run.steps_per_epoch, run.test = 53_558, 40.0, steps, {
        "loss": 0.03, "accuracy": 0.99, "error_rate": 0.01, "five_in_a_row": 0.95}  # fmt: skip
    run.weights = net.get_weights  # what the Saver stores
    run.batches = [{"epoch": i / 10, "loss": 0.1, "accuracy": 0.9} for i in range(1, 101)]
    run.epochs = [{"epoch": e, "seconds": 4.0 * e, "loss": 0.1, "accuracy": 0.97,
                   "val_loss": float("nan"), "val_accuracy": float("nan")}
                  for e in range(1, hp.epochs + 1)]  # fmt: skip
    convs = [w for w in net.weights if len(w.shape) == 4]
    run.snapshots = [[np.array(w) for w in convs] for _ in range(hp.epochs + 1)]
    ws = store.create_workspace()
    number = iter(range(1, 10_000))
    save_ms = median_ms(lambda: workspaces.Saver(store, ws, next(number))(run, "finished"), 20)
    ten = store.create_workspace({"adopted": "run 10"})
    for n in range(1, 11):
        workspaces.Saver(store, ten, n)(run, "finished")

    def restore():  # what a reload reads: the workspace, its runs, the learner's model
        again = store.open_workspace(ten.token)
        listed = store.list_runs(again.id)
        return store.weights(again.id, listed[-1].number)

    one = store.create_workspace()
    workspaces.Saver(store, one, 1)(run, "finished")
    rebuild_ms = median_ms(
        lambda: step4_training.build(step3_network.LESSON, 0).set_weights(restore()), 10
    )
    figures = {
        "database": url.split(":", 1)[0],
        "save_finished_run_ms": round(save_ms, 1),
        "restore_10_runs_ms": round(median_ms(restore, 20), 1),
        "restore_and_rebuild_model_ms": round(rebuild_ms, 1),
        "bytes_per_learner_after_the_recipe": store.size(one.id),
    }
    store.close()
    return figures


# Each figure's target (README): the figure must stay at or under ("<=") or at or over (">=").
TARGETS = {
    "live_over_keras_default": ("<=", 0.6),  # an epoch through the app against model.fit
    "live_over_pytorch": ("<=", 0.8),  # --peers: against a plain PyTorch loop
    "predict_ms": ("<=", 5.0),
    "canvas_predict_ms": ("<=", 10.0),
    "canvas_feature_maps_ms": ("<=", 30.0),
    "save_finished_run_ms": ("<=", 200.0),  # --store
    "restore_10_runs_ms": ("<=", 200.0),
    "wall_ratio": ("<=", 1.5),  # --augmentation, each strength against none
    "first_page_s": ("<=", 3.0),  # --browser: cold server, the data page's first table
    "click_answer_s": ("<=", 0.2),  # a click on the feature map to its by-hand result
    "player_positions_per_s": (">=", 10.0),  # the player at speed 20
    "player_frames_per_s": (">=", 10.0),
    "first_page_cpu_s": ("<=", 0.3),  # --answers: server CPU for a new learner's first page
    "answer_wait_ms": ("<=", 15.0),  # an answer beyond the server's work for it
    "load_first_page_max_s": ("<=", 3.0),  # --load: 30 learners opening the app at once
    "load_page_switch_p95_s": ("<=", 0.5),
    "load_widget_change_p95_s": ("<=", 0.5),
    "board_refresh_p95_s": ("<=", 1.0),  # the class board's answers
    "board_page_open_p95_s": ("<=", 1.0),
    "board_post_visible_max_s": ("<=", 5.0),  # a posted run on the board
}


def shortfalls(figures: dict, where: str = "") -> tuple[list[str], list[str]]:
    """Every figure with a target, checked: (lines to print, the lines of the shortfalls)."""
    lines, short = [], []
    for name, value in figures.items():
        if isinstance(value, dict):
            more, less = shortfalls(value, f"{where}{name}.")
            lines += more
            short += less
        elif name in TARGETS and isinstance(value, int | float):
            op, target = TARGETS[name]
            ok = value <= target if op == "<=" else value >= target
            line = f"{'ok   ' if ok else 'SHORT'} {where}{name} = {value} (target {op} {target})"
            lines.append(line)
            if not ok:
                short.append(line)
        elif name in TARGETS:  # measured nothing (None): say so, it is not met
            line = f"SHORT {where}{name} = {value} (target {' '.join(map(str, TARGETS[name]))})"
            lines.append(line)
            short.append(line)
    return lines, short


def class_figures(args) -> dict:
    """--class: each class's first, median and last run done after the clicks, CPU, trainings."""
    from lesson.tools import classbench

    return classbench.measure(args.classes, args.learners, args.images, args.epochs, args.timeout)


def main(argv: list[str] | None = None) -> int:
    """`cnn-lesson bench` or `python -m lesson.tools.bench`: the figures as JSON; with --check,
    1 on any shortfall."""
    ap = argparse.ArgumentParser(prog="cnn-lesson bench", description=__doc__.splitlines()[0])
    ap.add_argument("--store", action="store_true", help="the store's save and restore")
    ap.add_argument("--store-url", help="a database URL for --store (default: a new SQLite file)")
    ap.add_argument("--augmentation", type=int, metavar="BATCH_SIZE",
                    help="what augmentation costs, at this batch size")  # fmt: skip
    ap.add_argument("--peers", action="store_true",
                    help="epoch_s_live beside a plain PyTorch loop (needs torch)")  # fmt: skip
    ap.add_argument("--browser", action="store_true",
                    help="in Chromium: the first page, a click's answer, the player")  # fmt: skip
    ap.add_argument("--answers", action="store_true",
                    help="one learner's answers: first page's CPU, delay beyond it")  # fmt: skip
    ap.add_argument("--load", type=int, nargs="?", const=30, metavar="SESSIONS",
                    help="the class load test (30 learners) and its board's figures")  # fmt: skip
    ap.add_argument("--nginx", action="store_true", help="--load on two processes behind nginx")
    ap.add_argument("--machine", action="store_true", help="how fast this machine is now")
    ap.add_argument("--class", dest="classes", nargs="?", const="a,b,c", metavar="a,b,c",
                    help="a class presses Train together (lesson/tools/classbench.py): "
                    "a, the same quick run; b, six learning rates; c, different seeds")  # fmt: skip
    ap.add_argument("--learners", type=int, default=30, help="learners per class (--class)")
    ap.add_argument("--images", type=int, default=60_000, help="training images (--class)")
    ap.add_argument("--epochs", type=int, default=3, help="epochs (--class)")
    ap.add_argument("--timeout", type=float, default=1800,
                    help="seconds after the clicks a class may take (--class)")  # fmt: skip
    ap.add_argument("--check", action="store_true",
                    help="compare each figure with its target; exit 1 on a shortfall")  # fmt: skip
    args = ap.parse_args(argv)
    from lesson.tools import bench_live

    groups = {
        "machine": (args.machine, machine_speed),
        "store": (args.store, lambda: store_figures(args.store_url)),
        "augmentation": (args.augmentation, lambda: augmentation_cost(args.augmentation)),
        "peers": (args.peers, peers),
        "browser": (args.browser, bench_live.browser_figures),
        "answers": (args.answers, bench_live.answer_figures),
        "load": (args.load, lambda: bench_live.load_figures(args.load, args.nginx)),
        "class": (args.classes, lambda: class_figures(args)),
    }
    chosen = {name: run for name, (wanted, run) in groups.items() if wanted}
    if not chosen:
        chosen = {"training": measure}
    results = {name: run() for name, run in chosen.items()}
    figures = next(iter(results.values())) if len(results) == 1 else results
    print(json.dumps(figures))
    if not args.check:
        return 0
    lines, short = shortfalls(figures)
    print("\n".join(lines) or "no figure here has a target", file=sys.stderr)
    if short:
        print(f"{len(short)} figure(s) short of the target", file=sys.stderr)
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main())
