"""Numbers and words the pages' prose states, worked out from the network on show.

The prose beside a page has {placeholders}; these fill them, so the text is true for the
learner's own network (kernel, filters, activation, pooling), not only for the lesson's.
"""

import numpy as np

from lesson.tools import words

# What "apply <activation>" does to a number, for the by-hand sentence.
ACTIVATIONS = {
    "relu": "ReLU (negative numbers become 0)",
    "tanh": "tanh (it squeezes every number between −1 and 1)",
    "sigmoid": "the sigmoid (it squeezes every number between 0 and 1)",
    "elu": "ELU (negative numbers bend towards −1, the others stay)",
    "linear": "the linear activation (it changes nothing)",
}


def layers(net) -> list:
    """The network's conv and pooling layers with their sizes (imports Keras: pages call this
    after their "Loading Keras…" spinner)."""
    from lesson import step3_network

    return step3_network.map_layers(net)


def first_conv(net):
    """The network's first Conv2D layer and its sizes."""
    return next(layer for layer in layers(net) if layer.kind == "Conv2D")


def deeper(net) -> dict:
    """The numbers of the second convolution, for the 'deeper' sentence."""
    second = [layer for layer in layers(net) if layer.kind == "Conv2D"][1]
    k, n, channels = second.window, second.channels, second.channels_in
    return {
        "maps": words.plural(channels, "feature map"),
        "each": f"each of its {n:,} filters" if n > 1 else "its one filter",
        "k": k,
        "filters": f"{n:,}",
        "channels": f"{channels:,}",
        "kk": k * k,
        "weights": f"{n * channels * k * k:,}",
        "biases": words.plural(n, "bias", "biases"),
        "params": f"{second.params:,}",
    }


def by_hand(net) -> dict:
    """The first convolution's kernel and activation, for the by-hand sentences."""
    conv = first_conv(net)
    k, kk = conv.window, conv.window * conv.window
    if kk == 1:  # one weight: nothing to add up
        patch, products = "1 × 1 patch (one pixel)", "one product"
        multiply = "Multiply the pixel by the filter's one weight"
    else:
        patch = f"{k} × {k} patch"
        products = f"{words.spelled(kk)} products"
        multiply = f"Multiply each pixel by the weight in the same place, add the {products}"
        products += " and their sum"
    act = ACTIVATIONS.get(conv.activation, conv.activation)
    return {"patch": patch, "multiply": multiply, "products": products, "activation": act}


def pool(net) -> dict:
    """The window and sizes of the pooling layer after the first convolution (it must have one)."""
    shown = layers(net)
    pool = shown[shown.index(first_conv(net)) + 1]
    p, a, b = pool.window, pool.size_in, pool.size
    if p == 1:
        shrink = (
            "A 1 × 1 window holds one value, so every value is kept: "
            f"a {a} × {a} map stays {b} × {b}."
        )
    else:
        shrink = f"The windows do not overlap, so a {a} × {a} map becomes {b} × {b}."
        if left := a - b * p:  # the windows that do not fit whole are dropped
            rows = "row and column" if left == 1 else f"{left} rows and columns"
            shrink = shrink[:-1] + f": the last {rows} fit no whole window and are dropped."
    return {"p": p, "shrink": shrink}


# What a p×p pool does to the height and width of the maps, in words.
SHRINKS = {
    2: "halving the size",
    3: "cutting the size to a third",
    4: "cutting the size to a quarter",
}


def features(shown: list) -> dict:
    """What this network's pooling does and whether its maps shrink, for the 'features' text."""
    pools = sorted({layer.window for layer in shown if layer.kind == "MaxPooling2D"})
    keeps = "Each pooling layer keeps the strongest response in every"
    if not pools:
        pooling = ""
    elif pools == [1]:
        pooling = "Each pooling layer here has a 1×1 window, so it keeps every value: same size. "
    elif len(pools) == 1:
        p = pools[0]
        pooling = f"{keeps} {p}×{p} patch, {SHRINKS.get(p, f'dividing the size by {p}')}. "
    else:  # never from the Build page: its blocks share one pool size
        pooling = f"{keeps} window ({', '.join(f'{p}×{p}' for p in pools)}). "
    smaller = bool(shown) and shown[-1].size < shown[0].size
    return {"pooling": pooling, "deeper": f"Deeper feature maps are{' smaller and' * smaller}"}


def what_it_did(layer, fmap: np.ndarray, convs: list) -> str:
    """One sentence on what a conv or pooling layer did to its input."""
    h_in, w_in, c_in = layer.input.shape[1:]
    h, w, c = fmap.shape
    if layer in convs:
        kh, kw = layer.kernel_size
        act = getattr(layer.activation, "__name__", "its activation")
        zeros = float((fmap == 0).mean())
        tail = (
            f" {act} set the negative values to 0 ({zeros:.0%} of them)." if act == "relu" else ""
        )
        return (
            f"{c} filters of {kh}×{kw}×{c_in} slid over its {h_in}×{w_in}×{c_in} input, one "
            f"number per position and filter: {h}×{w}×{c}.{tail}"
        )
    ph, pw = layer.pool_size
    if (ph, pw) == (1, 1):  # a window of one value: pooling changes nothing
        return (
            f"Kept the largest value of each 1×1 window, that is every value: {h_in}×{w_in} "
            f"stays {h}×{w}, still {c} feature maps."
        )
    return (
        f"Kept the largest value of each {ph}×{pw} window: {h_in}×{w_in} became {h}×{w}, still "
        f"{c} feature maps. The patterns survive; their exact position matters less."
    )
