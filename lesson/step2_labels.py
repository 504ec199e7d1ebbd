"""Step 3 of the lesson: one-hot labels, and why categorical cross-entropy wants them."""

import numpy as np
from keras.utils import to_categorical

NUM_CLASSES = 10  # the digits 0..9: one output of the network per digit


def one_hot(y: np.ndarray) -> np.ndarray:
    """Turn digit labels into one-hot labels: 5 -> [0 0 0 0 0 1 0 0 0 0]."""
    return to_categorical(y, NUM_CLASSES)  # (N,) -> (N, 10) float


def softmax(scores: np.ndarray) -> np.ndarray:
    """Turn 10 raw scores into 10 probabilities that sum to 1."""
    e = np.exp(scores - scores.max())  # subtracting the max keeps exp from overflowing
    return e / e.sum()


def cross_entropy(target: np.ndarray, probabilities: np.ndarray) -> float:
    """Categorical cross-entropy of one prediction: -sum(target * log(probabilities))."""
    p = np.clip(probabilities, 1e-7, 1.0)  # Keras clips too, so log(0) never happens
    return float(-np.sum(target * np.log(p)))


def prediction_with_confidence(digit: int, confidence: float) -> np.ndarray:
    """10 probabilities that give `confidence` to `digit` and share the rest evenly."""
    p = np.full(NUM_CLASSES, (1.0 - confidence) / (NUM_CLASSES - 1))
    p[digit] = confidence
    return p
