"""Make the bundled pre-trained model: python -m lesson.pretrain (the lesson's recipe)."""

import argparse
import json
import time
from pathlib import Path

import keras

from lesson import data, labels, model, training

PRETRAINED_PATH = model.PRETRAINED_PATH
SEED = 123  # the notebook's np.random.seed(123)


def pretrain(path: Path = PRETRAINED_PATH, epochs: int = 10, batch_size: int = 32) -> dict:
    """Train the lesson's network with the lesson's recipe and save it."""
    keras.utils.set_random_seed(SEED)  # same seed, same starting weights, same result
    m = data.load_mnist()
    x_train, x_test = data.preprocess(m.x_train), data.preprocess(m.x_test)
    y_train, y_test = labels.one_hot(m.y_train), labels.one_hot(m.y_test)
    net = training.compile_model(model.build_model(model.LESSON))
    start = time.perf_counter()
    net.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=2)
    seconds = time.perf_counter() - start
    loss, accuracy = net.evaluate(x_test, y_test, verbose=0)
    net.save(path)
    return {"path": str(path), "test_loss": round(loss, 4), "test_accuracy": round(accuracy, 4),
            "train_seconds": round(seconds, 1), "parameters": net.count_params()}  # fmt: skip


def main() -> None:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=PRETRAINED_PATH)
    ap.add_argument("--epochs", type=int, default=10)
    args = ap.parse_args()
    print(json.dumps(pretrain(args.out, args.epochs)))


if __name__ == "__main__":
    main()
