"""Make the bundled pre-trained model: python -m lesson.tools.pretrain.

The lesson's network (53,558 parameters), trained on augmented images: every epoch each
training image is turned, shifted, zoomed and made thicker or thinner at random
(lesson.step4_augmentation), the last 4 epochs see the images as they are, and the learning rate
falls smoothly to near zero by the last epoch. About 11 minutes on 2 shared cores.
The gain over the lesson's plain recipe comes from the data alone: same network, same images.
"""

import argparse
import hashlib
import json
import time
from pathlib import Path

from lesson import quiet

if __name__ == "__main__":  # a command: quiet before TensorFlow is imported
    quiet.install()

import keras
import numpy as np

from lesson import step1_data, step3_network, step4_augmentation, step4_training, step7_mistakes

PRETRAINED_PATH = step3_network.PRETRAINED_PATH
SEED = 123  # the notebook's np.random.seed(123)
EPOCHS = 40
BATCH_SIZE = 32
STRENGTH = 0.5  # augmentation strength: ±10°, ±5 % shift, ±10 % zoom, strokes ±0.4 pixel
LEARNING_RATE = 2e-3  # at the start; it falls along a cosine to 1 % of that
CLEAN_EPOCHS = 4  # the last epochs train on the images unchanged


def pretrain(
    path: Path = PRETRAINED_PATH,
    epochs: int = EPOCHS,
    strength: float = STRENGTH,
    batch_size: int = BATCH_SIZE,
    clean_epochs: int = CLEAN_EPOCHS,
    learning_rate: float = LEARNING_RATE,
) -> dict:
    """Train the lesson's network on augmented images and save it; return its test figures."""
    keras.utils.set_random_seed(SEED)  # same seed, same starting weights, same result
    m = step1_data.load_mnist()
    net = step3_network.build_model(step3_network.LESSON)
    steps = -(-len(m.x_train) // batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, epochs * steps, alpha=0.01)
    net.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate=schedule),
        metrics=["accuracy"],
        steps_per_execution=step4_training.STEPS_PER_EXECUTION,
    )
    augment = step4_augmentation.augmenter(strength, SEED) if strength else None
    start = time.perf_counter()
    net.fit(
        step4_training.batches(m.x_train, m.y_train, batch_size, seed=SEED, augment=augment),
        epochs=epochs - clean_epochs,
        verbose=2,
    )
    if clean_epochs:  # the last epochs on the images as they are, at the smallest steps
        net.fit(
            step4_training.batches(m.x_train, m.y_train, batch_size, seed=SEED + 1),
            epochs=clean_epochs,
            verbose=2,
        )
    seconds = time.perf_counter() - start
    test = step4_training.evaluate(net, m.x_test, m.y_test)
    net.save(path)
    save_test_probabilities(path, net)
    return {"path": str(path), "test_loss": round(test["loss"], 4),
            "test_accuracy": round(test["accuracy"], 4), "epochs": epochs,
            "augmentation": strength, "clean_epochs": clean_epochs,
            "train_seconds": round(seconds, 1), "parameters": net.count_params()}  # fmt: skip


def probabilities_path(path: Path) -> Path:
    """Where a model's probabilities for the 10,000 test images are kept, beside the model."""
    return path.with_name(f"{path.stem}-test-probabilities.npz")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_test_probabilities(path: Path, net: keras.Model) -> None:
    """Keep the saved model's probabilities for the test images, with the model file's hash."""
    # The Mistakes page needs them; worked out by the server they held both cores for ~0.7 s
    # at a class's first visit, while every learner's answer waited.
    x = step1_data.preprocess(step1_data.load_mnist().x_test)
    probs = step7_mistakes.test_probabilities(net, x).astype("float32")
    np.savez_compressed(probabilities_path(path), probabilities=probs, model=_digest(path))


def test_probabilities(path: Path) -> np.ndarray | None:
    """The kept probabilities of the model at `path`, or None if none were kept for that file."""
    kept = probabilities_path(path)
    try:
        with np.load(kept) as saved:
            if str(saved["model"]) != _digest(path):  # another model now: work them out again
                return None
            probs = saved["probabilities"]
    except (OSError, KeyError, ValueError):
        return None
    return probs if probs.shape == (10_000, 10) else None


def main(argv: list[str] | None = None) -> None:
    """Command line entry point: `cnn-lesson pretrain` or `python -m lesson.tools.pretrain`."""
    ap = argparse.ArgumentParser(prog="cnn-lesson pretrain", description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=PRETRAINED_PATH)
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--augmentation", type=float, default=STRENGTH, help="0 = none")
    ap.add_argument("--clean-epochs", type=int, default=CLEAN_EPOCHS)
    ap.add_argument("--learning-rate", type=float, default=LEARNING_RATE)
    args = ap.parse_args(argv)
    figures = pretrain(args.out, args.epochs, args.augmentation, BATCH_SIZE, args.clean_epochs,
                       args.learning_rate)  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
