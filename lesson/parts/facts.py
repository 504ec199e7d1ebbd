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


# Activations whose outputs stay at 0 or above: their maps read as bright (found) and dark (not).
UNSIGNED = ("relu", "sigmoid")
FOUND = "bright where the filter's pattern was found, dark where it was not"
SIGNED = (
    "its values can be negative, so blue is positive, red negative and white 0: the higher the "
    "value, the better the patch matched the filter's pattern"
)


def map_colours(shown: list) -> str:
    """What a feature map's colours mean for this network: bright/dark, or blue/red where its
    activation lets values go below 0 (tanh, ELU, linear)."""
    acts = {layer.activation for layer in shown if layer.kind == "Conv2D"}
    return FOUND if acts <= set(UNSIGNED) else SIGNED


def caption_colours(fmap: np.ndarray) -> str:
    """The colours of one layer's maps as the picture draws them (pictures.maps_picture)."""
    if float(fmap.min()) < 0:
        return "blue is positive, red negative, white 0"
    return "bright where the filter's pattern was found"


def compared(rows: list, plain: list, config) -> dict:
    """What the Build page says of the network against the same one without convolution: where
    the parameters sit, and whether pooling keeps it small here (with 7×7 'same' it does not)."""
    total, without = sum(r.params for r in rows), sum(r.params for r in plain)
    dense = next(r for r in rows if r.name == "dense").params
    most = "The dense layer after Flatten is where most parameters sit"
    if 2 * dense <= total:  # many filters and little pooling: the convolutions outweigh it
        most = (
            "In your network the dense layer after Flatten holds only "
            f"{dense / total * 100:.0f} % of the parameters"
        )
    flat = next(r for r in rows if r.kind == "Flatten")
    h, w, c = next(r for r in reversed(rows) if r.kind == "MaxPooling2D").shape
    values = f"{h} × {w} × {c} = {flat.shape[0]:,} values"
    p = config.pool_size
    if total < without:
        if p > 1:
            pooling = "pooling is what keeps it small. Its dense layer reads "
        else:
            pooling = "a 1×1 pool shrinks nothing, yet its dense layer reads only "
        return {"most": most, "pooling": f"{pooling}{values}, not the 784 pixels"}
    if p == 1:
        why, fix = "a 1×1 pool shrinks nothing", "A larger pool would shrink it"
    elif config.padding == "same":
        why = f"'same' padding keeps the size, so only the {p}×{p} pooling shrinks the maps"
        fix = "'Valid' padding or a larger pool would shrink it"
    else:
        why = f"the {p}×{p} pooling does not shrink the maps enough for {words.plural(c, 'filter')}"
        fix = "A larger pool or fewer filters would shrink it"
    larger = (
        f"but here convolution makes the network larger, {total:,} parameters against "
        f"{without:,} without it"
    )
    if flat.shape[0] < 784:  # a smaller dense layer, but many filters: the convolutions weigh
        convs = sum(r.params for r in rows if r.kind == "Conv2D")
        pooling = (
            f"{larger}: the dense layer reads only {values}, but the convolutions' own "
            f"{convs:,} parameters outweigh what that saves. Fewer filters would shrink it"
        )
    else:
        than = "more than" if flat.shape[0] > 784 else "as many as"
        pooling = f"{larger}: {why}, and the dense layer reads {values}, {than} the 784 pixels"
        pooling += f". {fix}"
    return {"most": most, "pooling": pooling}


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
    return {
        "pooling": pooling,
        "deeper": f"Deeper feature maps are{' smaller and' * smaller}",
        "colours": map_colours(shown),
    }


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
            f"{words.plural(c, 'filter')} of {kh}×{kw}×{c_in} slid over its {h_in}×{w_in}×{c_in} "
            f"input, one number per position and filter: {h}×{w}×{c}.{tail}"
        )
    ph, pw = layer.pool_size
    if (ph, pw) == (1, 1):  # a window of one value: pooling changes nothing
        return (
            f"Kept the largest value of each 1×1 window, that is every value: {h_in}×{w_in} "
            f"stays {h}×{w}, still {words.plural(c, 'feature map')}."
        )
    return (
        f"Kept the largest value of each {ph}×{pw} window: {h_in}×{w_in} became {h}×{w}, still "
        f"{words.plural(c, 'feature map')}. The patterns survive; their exact position matters "
        "less."
    )
