"""Throwaway check (not a test): the quick run, trained in two worker processes at once, equal?

    PYTHONPATH=$PWD python docs/notes/i33b_determinism.py [--intra N] [--epochs 3] [--images 60000]

--intra sets TF_NUM_INTRAOP_THREADS for the workers (the app's default is 1, lesson/machinery/
workers.py). Prints whether weights, curves and test scores are identical, and the largest
weight difference.
"""

import argparse
import os
import threading
import time

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--intra", type=int, default=1)
ap.add_argument("--epochs", type=int, default=3)
ap.add_argument("--images", type=int, default=60_000)
ap.add_argument("--seed", type=int, default=1)
args = ap.parse_args()
os.environ["TF_NUM_INTRAOP_THREADS"] = str(args.intra)

from lesson import step1_data, step4_training  # noqa: E402
from lesson.machinery import runs, workers  # noqa: E402

hp = step4_training.Hyperparameters(epochs=args.epochs, train_images=args.images, seed=args.seed)
mnist = step1_data.load_mnist()
pools = [workers.Pool(1), workers.Pool(1)]
done = [None, None]


def train(i):
    run = runs.TrainingRun(f"r{i}", mnist, hp, limiter=runs.Limiter(1), pool=pools[i])
    run.start().join()
    done[i] = run


start = time.time()
threads = [threading.Thread(target=train, args=(i,)) for i in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for p in pools:
    p.shutdown()
a, b = done
assert a.status == b.status == "done", (a.status, a.message, b.status, b.message)
diff = max(float(np.max(np.abs(x - y))) for x, y in zip(a.weights(), b.weights(), strict=True))
same_w = all(np.array_equal(x, y) for x, y in zip(a.weights(), b.weights(), strict=True))
strip = lambda run: [{k: v for k, v in e.items() if k != "seconds"} for e in run.epochs]  # noqa: E731
print(
    {
        "intra_op_threads": args.intra,
        "epochs": args.epochs,
        "images": args.images,
        "weights_identical": same_w,
        "largest_weight_difference": diff,
        "batch_curves_identical": a.batches == b.batches,
        "epoch_curves_identical": str(strip(a)) == str(strip(b)),
        "test_identical": a.test == b.test,
        "test_accuracy": (a.test["accuracy"], b.test["accuracy"]),
        "wall_s": round(time.time() - start, 1),
        "load": os.getloadavg()[0],
    }
)
