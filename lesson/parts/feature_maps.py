"""The Inside page's feature maps of one digit, and one value of them worked out by hand."""

import numpy as np
import streamlit as st

from lesson import step5_prediction, step6_inside
from lesson.parts import clickable, facts, pictures, player, session
from lesson.parts import inside_charts as charts
from lesson.parts.boxes import number_box
from lesson.parts.common import clamped, prose, show_code
from lesson.tools import words

PAGE = "p6_inside"  # whose prose the feature maps tell
# The digit shown; the Mistakes page sets these to open one of its mistakes here.
SOURCE_KEY, IMAGE_KEY = session.INSIDE_SOURCE, session.INSIDE_INDEX
SAME = ":material/check_circle: same as the network"
SOURCES = {"test": "a test image", "drawing": "my last drawing"}


def random_image() -> None:
    """Jump to a random test image."""
    st.session_state[IMAGE_KEY] = int(np.random.default_rng().integers(10_000))
    st.session_state[SOURCE_KEY] = "test"


def without_convolution(m, net, net_name: str) -> None:
    """No convolution, so no filters or feature maps: only what the network reads the digit as."""
    st.info(
        "This network has no convolution layer, so it has no filters and no feature maps: its "
        "first Dense layer looks at all 784 pixels at once. Build a network with at least one "
        "convolution block to see them here.",
        icon=":material/info:",
    )
    if st.session_state.get(SOURCE_KEY) == "drawing" and session.LAST_DRAWING in st.session_state:
        image, what = (
            np.asarray(st.session_state[session.LAST_DRAWING]).reshape(28, 28),
            "your drawing",
        )
    else:  # e.g. a mistake opened from the Mistakes page: say what can be said of it
        index = int(st.session_state.get(IMAGE_KEY, 0))
        image, what = m.x_test[index] / 255, f"test image {index} (label {m.y_test[index]})"
    probs = step5_prediction.probabilities(net, image.astype("float32"))[0]
    guess = int(probs.argmax())
    shown = what.capitalize()
    clickable.picture(shown, pictures.grid_picture(image), f"{shown}, 28×28 pixels.")
    st.markdown(
        f"**{net_name}** reads {what} as a **{guess}** ({probs[guess]:.1%} sure); without "
        "convolution there are no feature maps to show for it."
    )


@st.fragment  # choosing another digit reruns only from here down, not the filters above
def one_digit(m, net, net_name: str) -> None:
    """Pick a digit; show how sure the network is and every feature map it makes of it."""
    convs = step6_inside.conv_layers(net)
    prose(PAGE, "maps", colours=facts.map_colours(facts.layers(net)))
    drawing = st.session_state.get(session.LAST_DRAWING)
    st.session_state.setdefault(SOURCE_KEY, "test")
    st.session_state.setdefault(IMAGE_KEY, 0)
    row = st.container(horizontal=True, vertical_alignment="bottom")  # wraps when narrow
    source = row.segmented_control(
        "Digit", list(SOURCES), format_func=SOURCES.get, required=True, key=SOURCE_KEY
    )
    index = number_box(row, "Test image", 0, len(m.y_test) - 1, IMAGE_KEY)
    row.button("Random", icon=":material/shuffle:", on_click=random_image, key="inside_random")
    if source == "drawing" and drawing is None:
        st.info(
            "No drawing yet: draw a digit on the Draw page, then come back.",
            icon=":material/draw:",
        )
    if source == "drawing" and drawing is not None:
        image = np.asarray(drawing, dtype="float32").reshape(28, 28)
        what = "your last drawing"
    else:
        image = m.x_test[index].astype("float32") / 255  # (28, 28) in 0..1, as the network reads
        what = f"test image {index} (label {m.y_test[index]})"

    probs = step5_prediction.probabilities(net, image)[0]
    maps = step5_prediction.feature_maps(net, image)
    guess = int(probs.argmax())
    left, right = st.columns([1, 2])
    with left:
        clickable.picture(
            what.capitalize(), pictures.grid_picture(image), f"{what.capitalize()}, 28×28 pixels."
        )
    with right:
        st.markdown(f"**{net_name}** reads {what} as a **{guess}** ({probs[guess]:.1%} sure).")
        st.dataframe(
            {"digit": list(range(10)), "probability": np.round(probs, 4)},
            hide_index=True, height=400,
            column_config={"probability": st.column_config.ProgressColumn(min_value=0,
                                                                          max_value=1)},
        )  # fmt: skip

    for i, (name, fmap) in enumerate(maps):
        layer = net.get_layer(name)
        h, w, c = fmap.shape
        st.markdown(f"**{i + 1}. `{name}`: {h}×{w}×{c}.** {facts.what_it_did(layer, fmap, convs)}")
        strongest = int(fmap.max(axis=(0, 1)).argmax())
        clickable.picture(
            f"{name}: {words.plural(c, 'feature map')} of {h}×{w}",
            pictures.maps_picture(fmap.transpose(2, 0, 1), [f"map {j + 1}" for j in range(c)]),
            f"{words.plural(c, 'heatmap')} of {h}×{w}, {facts.caption_colours(fmap)}; the "
            f"strongest is map {strongest + 1} (largest value {fmap.max():.2f}).",
        )
    show_code(step5_prediction.feature_maps, step5_prediction.feature_model)

    # --- one value by hand ----------------------------------------------------------------
    prose(PAGE, "by-hand", **facts.by_hand(net))
    problem = step6_inside.first_conv_problem(net)
    if problem:
        st.info(f"{problem} The by-hand view needs a first Conv2D layer that reads the image.")
        return
    conv_map = maps[0][1]  # (h, w, filters) of the first conv layer
    n = conv_map.shape[2]
    clamped("inside_map", n - 1)
    f = st.selectbox(
        "Feature map", range(n), format_func=lambda j: f"map {j + 1}", key="inside_map"
    )
    conv_by_hand(net, image, what, conv_map, f)
    show_code(step6_inside.conv_pixel)  # outside the fragment: the same code whatever the position
    prose(PAGE, "player", **facts.by_hand(net))
    player.conv_player(step6_inside.conv_frames(net, image, f), f, what, "inside_player")
    show_code(step6_inside.conv_frames, label="Show the code: every position at once")
    problem = step6_inside.first_pool_problem(net)
    if problem:
        st.info(f"{problem} There is no pooling to work out by hand here.", icon=":material/info:")
        return
    prose(PAGE, "pool", **facts.pool(net))
    pool_by_hand(net, conv_map, maps[1][1], f)
    show_code(step6_inside.pool_pixel)
    player.pool_player(step6_inside.pool_frames(net, conv_map, f), f, "inside_pool_player")
    show_code(step6_inside.pool_frames, label="Show the code: every window at once")


@st.fragment  # a click on a position reruns only this part of the page: fast
def conv_by_hand(net, image: np.ndarray, what: str, conv_map: np.ndarray, f: int) -> None:
    """Work out one value of the first layer's feature map `f` with numpy."""
    h, w, _ = conv_map.shape  # (h, w, filters)
    clamped("inside_row", h - 1, 10)
    clamped("inside_col", w - 1, 12)
    c1, c2 = st.columns(2)
    row = c1.slider("Row", 0, h - 1, key="inside_row")
    col = c2.slider("Column", 0, w - 1, key="inside_col")
    pix = step6_inside.conv_pixel(net, image, row, col, f)
    k = pix.filter.shape[0]
    same = step6_inside.conv_layers(net)[0].padding == "same"
    shift = (k - 1) // 2 if same else 0  # the patch starts up-left of the cell

    left, right = st.columns(2)
    with left:
        alt = (
            f"{what.capitalize()}, 28×28 pixels, with the {k}×{k} patch that makes row {row}, "
            f"column {col} of the feature map outlined in orange."
        )
        st.markdown(f"**The input: the {k}×{k} patch under the filter**")
        st.html(
            pictures.picture_html(pictures.grid_picture(image, (row - shift, col - shift, k)), alt)
        )
        st.caption(alt)
    with right:
        mark, version = clickable.marked("inside_conv_click", (row, col))
        fig = charts.cell_map(
            conv_map[:, :, f], f"Feature map {f + 1} of layer 1: click a cell", mark,
            pictures.SEQUENTIAL if conv_map.min() >= 0 else pictures.DIVERGING, version,
        )  # fmt: skip
        clickable.map_chart(
            fig, "inside_conv_click", "inside_row", "inside_col",
            f"Feature map {f + 1} ({h}×{w}); the chosen cell, row {row}, column {col}, is "
            f"outlined: {conv_map[row, col, f]:.3f}.",
        )  # fmt: skip
    first = (row - shift, col - shift)  # the patch's top-left pixel in the image
    st.html(charts.arithmetic_html(pix.patch, pix.filter, pix.products, f, first))
    network = float(conv_map[row, col, f])
    act = "ReLU" if pix.activation == "relu" else pix.activation
    summed = f"sum of the {k * k} products" if k > 1 else "the one product"
    st.markdown(
        f"- {summed} = **{pix.total:.4f}**\n"
        f"- plus the bias {pix.bias:.4f} = **{pix.total + pix.bias:.4f}**\n"
        f"- {act}({pix.total + pix.bias:.4f}) = **{pix.value:.4f}**\n"
        f"- the network's feature map {f + 1} at row {row}, column {col}: **{network:.4f}** "
        + (SAME if abs(network - pix.value) < 1e-4 else "(differs!)")
    )
    with st.expander("The multiplications, written out"):
        terms = " + ".join(
            f"{p:.3f}×({wt:.3f})"
            for p, wt in zip(pix.patch.ravel(), pix.filter.ravel(), strict=True)
        )
        st.code(f"{terms}\n= {pix.total:.4f}", language=None, wrap_lines=True)


@st.fragment  # a click on a pooled cell reruns only this part of the page
def pool_by_hand(net, conv_map: np.ndarray, pooled: np.ndarray, f: int) -> None:
    """Work out one value of the first pooling layer's map `f`: the largest in its window."""
    ph, pw, _ = pooled.shape  # (h', w', filters)
    clamped("inside_pool_row", ph - 1, 5)
    clamped("inside_pool_col", pw - 1, 6)
    c1, c2 = st.columns(2)
    prow = c1.slider("Row of the pooled map", 0, ph - 1, key="inside_pool_row")
    pcol = c2.slider("Column of the pooled map", 0, pw - 1, key="inside_pool_col")
    pool = net.layers[net.layers.index(step6_inside.conv_layers(net)[0]) + 1]
    size, (sh, sw) = pool.pool_size[0], pool.strides
    pp = step6_inside.pool_pixel(net, conv_map, prow, pcol, f)
    z, small = conv_map[:, :, f], pooled[:, :, f]  # (h, w) and (h', w')
    negative, top = float(z.min()) < 0, pictures.symmetric(z)  # one colour scale for both
    look_ = (
        pictures.DIVERGING if negative else pictures.SEQUENTIAL,
        -top if negative else 0.0,
        top,
    )
    rows_ = words.span(prow * sh, prow * sh + size - 1, "row")
    cols_ = words.span(pcol * sw, pcol * sw + size - 1, "column")
    px = 12  # pixels per cell of the feature map; the pooled map's cells are `size` times wider
    left, right = st.columns(2)
    with left:
        clickable.picture(
            f"Feature map {f + 1} of layer 1: the {size}×{size} window",
            pictures.grid_picture(z, (prow * sh, pcol * sw, size), *look_, px=px),
            f"Feature map {f + 1} ({z.shape[0]}×{z.shape[1]}); the pooling window, {rows_}, "
            f"{cols_}, outlined in orange.",
        )
    with right:
        clickable.picture(
            f"After pooling: map {f + 1} ({ph}×{pw})",
            pictures.grid_picture(small, (prow, pcol, 1), *look_, px=px * sw),
            f"Pooled map {f + 1} ({ph}×{pw}), in the same colours; row {prow}, column {pcol} "
            f"is outlined: {pooled[prow, pcol, f]:.3f}.",
        )
    numbers = ", ".join(f"{v:.4f}" for v in pp.window.ravel())
    network = float(pooled[prow, pcol, f])
    st.markdown(
        f"max({numbers}) = **{pp.value:.4f}**; the network's pooled map {f + 1} at row {prow}, "
        f"column {pcol}: **{network:.4f}** "
        + (SAME if abs(network - pp.value) < 1e-5 else "(differs!)")
    )
