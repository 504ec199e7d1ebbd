"""Letters and doodles drawn as with a mouse, and the ten digits drawn the same way: the set the
"does this look like a digit" check is measured on (tests/test_not_digits.py, docs/notes/i35a.md).

Every capital letter is here except the six that are a digit's twin when drawn by hand, which
the network may rightly read as that digit: B (an 8), G (a 6), I (a 1), O (a 0), S (a 5) and
Z (a 2). A, H and R are here: drawn quickly they look a little like a 4 or an 8, but no MNIST
writer draws a 4 with a crossbar and two legs. Each template is drawn at several sizes, places,
slants, turns and pen widths with a fixed seed, densified as a mouse reports a moving pen and
rasterized as the canvas paints (tests/strokes.py).
"""

import math

import numpy as np

from tests import strokes

arc = strokes._arc
SEED = 35
TWINS = {"B": 8, "G": 6, "I": 1, "O": 0, "S": 5, "Z": 2}  # letters left out: the digit they are

_P = [(0.2, 0.02), *arc(0.2, 0.27, 0.62, 0.25, -90, 90, 14), (0.2, 0.52)]
LETTERS = {
    "A": [[(0.1, 0.98), (0.5, 0.02), (0.9, 0.98)], [(0.28, 0.62), (0.72, 0.62)]],
    "C": [arc(0.55, 0.5, 0.42, 0.48, -40, -320, 30)],
    "D": [[(0.18, 0.98), (0.18, 0.02)], [(0.18, 0.02), *arc(0.18, 0.5, 0.7, 0.48, -90, 90, 24)]],
    **{name: strokes.LETTERS[name] for name in "EFKMNWX"},
    "H": [[(0.15, 0.02), (0.15, 0.98)], [(0.85, 0.02), (0.85, 0.98)], [(0.15, 0.5), (0.85, 0.5)]],
    "J": [
        [(0.3, 0.02), (0.92, 0.02)],
        [(0.66, 0.02), (0.66, 0.68), *arc(0.4, 0.68, 0.26, 0.28, 0, 180, 14)],
    ],
    "L": [[(0.2, 0.02), (0.2, 0.98), (0.85, 0.98)]],
    "P": [[(0.2, 0.98), (0.2, 0.02)], _P],
    "Q": [arc(0.5, 0.48, 0.4, 0.46, -90, 275, 40), [(0.55, 0.7), (0.94, 0.98)]],
    "R": [[(0.2, 0.98), (0.2, 0.02)], _P, [(0.36, 0.52), (0.86, 0.98)]],
    "T": [[(0.06, 0.03), (0.94, 0.03)], [(0.5, 0.03), (0.5, 0.98)]],
    "U": [[(0.15, 0.02), (0.15, 0.62), *arc(0.5, 0.62, 0.35, 0.36, 180, 0, 16), (0.85, 0.02)]],
    "V": [[(0.1, 0.02), (0.5, 0.98), (0.9, 0.02)]],
    "Y": [[(0.1, 0.02), (0.5, 0.48), (0.9, 0.02)], [(0.5, 0.48), (0.5, 0.98)]],
}
LETTERS = dict(sorted(LETTERS.items()))

_STAR = [
    (0.5 + 0.48 * math.cos(math.radians(-90 + 144 * k)),
     0.52 + 0.48 * math.sin(math.radians(-90 + 144 * k)))
    for k in range(6)
]  # fmt: skip
DOODLES = {
    "smiley": [
        arc(0.5, 0.5, 0.48, 0.48, 0, 360, 40),
        [(0.34, 0.32), (0.35, 0.38)],
        [(0.66, 0.32), (0.65, 0.38)],
        arc(0.5, 0.52, 0.26, 0.22, 20, 160, 14),
    ],
    "face": [
        arc(0.5, 0.5, 0.4, 0.48, 0, 360, 40),
        arc(0.34, 0.36, 0.07, 0.07, 0, 360, 10),
        arc(0.66, 0.36, 0.07, 0.07, 0, 360, 10),
        [(0.5, 0.45), (0.46, 0.6), (0.53, 0.6)],
        [(0.32, 0.74), (0.68, 0.74)],
    ],
    "house": [
        [(0.15, 0.45), (0.15, 0.98), (0.85, 0.98), (0.85, 0.45)],
        [(0.06, 0.52), (0.5, 0.02), (0.94, 0.52)],
        [(0.42, 0.98), (0.42, 0.7), (0.58, 0.7), (0.58, 0.98)],
    ],
    "star": [_STAR],
    "arrow right": [[(0.02, 0.5), (0.98, 0.5)], [(0.7, 0.22), (0.98, 0.5), (0.7, 0.78)]],
    "arrow up": [[(0.5, 0.98), (0.5, 0.02)], [(0.22, 0.3), (0.5, 0.02), (0.78, 0.3)]],
}
PENS = (12, 20, 30)  # the canvas's pen: 6 to 40, 20 by default


def drawn(templates: dict, per: int, seed: int = SEED) -> list[dict]:
    """`per` varied drawings of each template: {"name", "strokes", "pen"}, sizes and pens mixed.

    A template is a list of strokes, or a list of such lists (ways to draw it, taken in turn).
    """
    out = []
    for t, (name, shape) in enumerate(templates.items()):
        ways = shape if isinstance(shape[0][0][0], list | tuple) else [shape]
        rng = np.random.default_rng([seed, t])
        for i in range(per):
            size = float((110, 150, 190, 230, 260)[i % 5])
            pen = PENS[i % len(PENS)]
            margin = 6 + pen // 2
            room = strokes.CANVAS - size - 2 * margin
            x, y = margin + rng.uniform(0, 1, 2) * max(room, 0)
            placed = strokes.place(
                ways[i % len(ways)], size, float(x), float(y), float(rng.uniform(-0.2, 0.3)),
                float(rng.uniform(-10, 10)), float(rng.uniform(0.8, 1.1)),
            )  # fmt: skip
            out.append({
                "name": name,
                "strokes": [strokes.densify(s) for s in placed],
                "pen": pen,
            })  # fmt: skip
    return out


def letters(per: int = 12) -> list[dict]:
    """The letters that are no digit's twin, `per` drawings of each."""
    return drawn(LETTERS, per)


def doodles(per: int = 12) -> list[dict]:
    """Faces, a house, a star and arrows, `per` drawings of each."""
    return drawn(DOODLES, per)


def digits(per: int = 12) -> list[dict]:
    """The ten digits drawn the same way (each way of tests/strokes.py in turn), `per` of each."""
    return [
        {**d, "digit": int(d["name"])}
        for d in drawn({str(k): v for k, v in strokes.DIGITS.items()}, per)
    ]


def image(drawing: dict) -> np.ndarray:
    """A drawing painted as the canvas paints it: (280, 280), 0..255."""
    return strokes.rasterize(drawing["strokes"], pen=drawing["pen"])


def measure() -> None:
    """Print the share doubted per drawing and group, and what the network reads each as."""
    import collections

    from lesson import step1_data, step3_network, step5_drawing, step5_unfamiliar

    mnist = step1_data.load_mnist()
    net = step3_network.load_trained(step3_network.pretrained_path())
    judge = step5_unfamiliar.Judge(net, mnist.x_train, mnist.y_train)
    for group, drawings in (("letters", letters()), ("doodles", doodles()), ("digits", digits())):
        stages = [step5_drawing.mnist_stages(image(d), ink="light") for d in drawings]
        read = judge._probabilities(np.stack([s.digit for s in stages])).argmax(axis=1)
        rows = collections.defaultdict(list)
        for d, r, v in zip(drawings, read, judge.judge(stages), strict=True):
            rows[d["name"]].append((v.unfamiliar, int(r)))
        flags = [f for name in rows for f, _ in rows[name]]
        print(f"{group}: {np.mean(flags):.1%} doubted ({sum(flags)} of {len(flags)})")
        for name, found in rows.items():
            most = collections.Counter(r for _, r in found).most_common(1)[0][0]
            print(f"  {name}: {np.mean([f for f, _ in found]):.0%} doubted, mostly read {most}")


if __name__ == "__main__":
    measure()
