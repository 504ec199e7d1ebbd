"""Classify image files as the Draw page does: python -m lesson.tools.predict IMAGE [IMAGE ...].

Prints one JSON object per image: {"file": ..., "digit": ..., "probabilities": [10 numbers]}.
A file that cannot be read gets "digit": null and an "error", also on stderr; the others are
still classified, and the exit status is 1.
"""

import argparse
import json
import statistics
import sys
import time

import numpy as np

from lesson import quiet, step5_drawing

CANVAS = 280  # the drawing page's canvas, pixels a side


def classify(model, image) -> dict:
    """The digit and its 10 probabilities for one image (path, bytes, PIL image or array)."""
    from lesson import step5_prediction

    if not isinstance(image, np.ndarray) and not hasattr(image, "mode"):
        image = step5_drawing.load_image(image)
    digit = step5_drawing.to_mnist(image, ink="auto")
    if digit is None:
        raise step5_drawing.ImageFileError("No digit found: the image is blank.")
    probs = step5_prediction.probabilities(model, digit)[0]  # (10,)
    return {"digit": int(probs.argmax()), "probabilities": [round(float(p), 6) for p in probs]}


def synthetic_canvas() -> np.ndarray:
    """A 7 as the canvas sends it: (280, 280, 4) RGBA, white ink on black, opaque."""
    canvas = np.zeros((CANVAS, CANVAS, 4), np.uint8)
    canvas[..., 3] = 255
    canvas[50:70, 70:210, :3] = 255  # the bar
    for row in range(70, 250):  # the stem, slanting down to the left
        col = 210 - (row - 70) * 80 // 180
        canvas[row, col - 20 : col, :3] = 255
    return canvas


def measure(model, runs: int = 50) -> dict:
    """Median milliseconds from the canvas's image data to probabilities, and to feature maps."""
    from lesson import step5_prediction

    canvas = synthetic_canvas()

    def median_ms(step) -> float:
        step()  # the first call builds things once: not what a learner waits for each stroke
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            step()
            times.append((time.perf_counter() - start) * 1000)
        return round(statistics.median(times), 2)

    digit = step5_drawing.to_mnist(canvas, ink="light")
    return {
        "canvas_predict_ms": median_ms(
            lambda: step5_prediction.probabilities(
                model, step5_drawing.to_mnist(canvas, ink="light")
            )
        ),
        "canvas_feature_maps_ms": median_ms(lambda: step5_prediction.feature_maps(model, digit)),
    }


def main(argv: list[str] | None = None) -> int:
    """Classify each image; 0 if all were classified, 1 if any failed, 2 if the model failed."""
    parser = argparse.ArgumentParser(
        prog="cnn-lesson predict",
        description="Classify images of handwritten digits with the lesson's CNN, "
        "preprocessed like the drawing page (any size, dark on light or light on dark).",
    )
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="PNG, JPG, ... files")
    parser.add_argument("--model", help="a .keras model file (default: the pre-trained model)")
    args = parser.parse_args(argv)

    from lesson import step3_network

    try:
        net = step3_network.load_trained(args.model or step3_network.pretrained_path())
    except step3_network.ModelFileError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    failed = 0
    for path in args.images:
        try:
            line = {"file": path, **classify(net, path)}
        except step5_drawing.ImageFileError as err:
            failed += 1
            print(f"error: {err}", file=sys.stderr)
            line = {"file": path, "digit": None, "probabilities": None, "error": str(err)}
        print(json.dumps(line), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    quiet.install()  # TensorFlow's start-up notes would bury the errors that matter
    sys.exit(main())
