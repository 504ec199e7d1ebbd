"""The Build page's controls, and the views of the network they make: its parameter count, the
shape flow, the layer table, Keras' summary and parameter sharing."""

from dataclasses import replace

import streamlit as st

from lesson import step3_network
from lesson.parts import build_charts, pictures, session
from lesson.parts.boxes import number_box
from lesson.parts.common import LEARNER_MODEL, chart, now
from lesson.tools import limits
from lesson.tools.words import shape_text

NETWORK = session.NETWORK
KERNELS = range(limits.KERNEL_RANGE[0], limits.KERNEL_RANGE[1] + 1)  # as links and presets allow
POOLS = range(limits.POOL_RANGE[0], limits.POOL_RANGE[1] + 1)
MAX_FILTERS, MAX_UNITS, DROPOUTS = limits.FILTERS_RANGE[1], limits.UNITS_RANGE[1], limits.DROPOUTS


def widget_values(config: step3_network.NetworkConfig) -> dict:
    """The value of every control on this page for `config`."""
    filters = (*config.filters, *step3_network.LESSON.filters[len(config.filters) :])[
        : step3_network.MAX_BLOCKS
    ]
    return {
        "build_blocks": config.conv_blocks,
        **{f"build_filters_{i + 1}": min(f, MAX_FILTERS) for i, f in enumerate(filters)},
        "build_kernel": min(max(config.kernel_size, 1), KERNELS[-1]),
        "build_activation": config.activation,
        "build_padding": config.padding,
        "build_pool": min(max(config.pool_size, 1), POOLS[-1]),
        "build_conv_dropout": min(DROPOUTS, key=lambda r: abs(r - config.conv_dropout)),
        "build_units": min(config.dense_units, MAX_UNITS),
        "build_dense_dropout": min(DROPOUTS, key=lambda r: abs(r - config.dense_dropout)),
    }


def reset() -> None:
    """Back to the lesson's network: the controls and the stored network."""
    st.session_state.update(widget_values(step3_network.LESSON))
    st.session_state[NETWORK] = step3_network.LESSON


def start() -> step3_network.NetworkConfig:
    """The controls start from the stored network; it is returned (the lesson's if impossible)."""
    last_valid = st.session_state.get(NETWORK, step3_network.LESSON)
    if step3_network.check_network(last_valid):  # set elsewhere and impossible
        last_valid = step3_network.LESSON  # start from the lesson's
    for key, value in widget_values(last_valid).items():  # controls start from the stored network
        st.session_state.setdefault(key, value)
    return last_valid


def controls() -> step3_network.NetworkConfig:
    """Every control of the network; the network they ask for (perhaps one that cannot be built)."""
    s = st.session_state
    block_counts, activations = range(step3_network.MAX_BLOCKS + 1), step3_network.ACTIVATIONS
    with st.container(border=True):
        top = st.columns([2, 3], gap="medium")
        top[0].segmented_control(
            "Convolution blocks",
            block_counts,
            default=now("build_blocks", block_counts),
            required=True,
            key="build_blocks",
            help="0 leaves only Flatten and the dense layers.",
        )
        blocks = s["build_blocks"]
        with top[1]:
            st.markdown("**Filters in each Conv2D layer**")
            for i, col in enumerate(st.columns(step3_network.MAX_BLOCKS)):
                number_box(
                    col, f"Conv2D {i + 1}" + ("" if i < blocks else " (off)"), 0, MAX_FILTERS,
                    f"build_filters_{i + 1}", disabled=i >= blocks,
                )  # fmt: skip
        row = st.columns(4, gap="medium")
        row[0].select_slider(
            "Kernel size",
            KERNELS,
            now("build_kernel", KERNELS),
            lambda k: f"{k}×{k}",
            key="build_kernel",
            disabled=not blocks,
        )
        row[1].selectbox(
            "Activation",
            activations,
            activations.index(
                now("build_activation", activations) or step3_network.LESSON.activation
            ),
            key="build_activation",
            disabled=not blocks,
        )
        row[2].segmented_control(
            "Padding",
            step3_network.PADDINGS,
            default=now("build_padding", step3_network.PADDINGS),
            required=True,
            key="build_padding",
            disabled=not blocks,
            help="'valid': the filter stays inside the image, which shrinks by kernel size − 1. "
            "'same': zeros around the edge keep the size.",
        )
        row[3].select_slider(
            "Pool size",
            POOLS,
            now("build_pool", POOLS),
            lambda p: f"{p}×{p}",
            key="build_pool",
            disabled=not blocks,
        )
        row = st.columns(4, gap="medium")
        row[0].select_slider(
            "Dropout after the last pooling layer",
            DROPOUTS,
            now("build_conv_dropout", DROPOUTS),
            key="build_conv_dropout",
            disabled=not blocks,
        )
        number_box(row[1], "Units in the hidden dense layer", *limits.UNITS_RANGE, "build_units")
        row[2].select_slider(
            "Dropout after the dense layer",
            DROPOUTS,
            now("build_dense_dropout", DROPOUTS),
            key="build_dense_dropout",
        )

    asked = step3_network.NetworkConfig(
        conv_blocks=blocks,
        filters=tuple(
            int(s[f"build_filters_{i + 1}"] or 0) for i in range(step3_network.MAX_BLOCKS)
        ),
        kernel_size=s["build_kernel"],
        activation=s["build_activation"],
        padding=s["build_padding"],
        pool_size=s["build_pool"],
        conv_dropout=s["build_conv_dropout"],
        dense_units=int(s["build_units"] or 0),  # an emptied box is refused, not a crash
        dense_dropout=s["build_dense_dropout"],
    )
    return asked


def count(config: step3_network.NetworkConfig, total: int) -> None:
    """The parameters to learn, beside the lesson's network's count and the reset button."""
    # One row that wraps when the page is narrow: the count, a sentence, the reset button.
    row = st.container(horizontal=True, vertical_alignment="center", gap="medium")
    left, right, far = (row.container(width=w) for w in ("content", "stretch", "content"))
    left.metric("Parameters to learn", f"{total:,}", border=True, width="content")
    far.button(
        "Reset to the lesson's network",
        icon=":material/restart_alt:",
        on_click=reset,
        key="build_reset",
    )
    lesson_total = step3_network.total_parameters(step3_network.LESSON)
    used = config.block_filters()
    if replace(config, filters=used) == replace(
        step3_network.LESSON, filters=step3_network.LESSON.block_filters()
    ):
        right.markdown("This is the lesson's network.")
    elif total == lesson_total:
        right.markdown(f"As many parameters as the lesson's network ({lesson_total:,}).")
    else:
        more = "more" if total > lesson_total else "fewer"
        right.markdown(
            f"The lesson's network has {lesson_total:,}; yours has "
            f"**{abs(total - lesson_total):,} {more}**."
        )
    mine = st.session_state.get(LEARNER_MODEL)
    if mine is not None and mine.count_params() != total:
        right.caption("Your trained model has a different network: train again to train this one.")


def shape_flow(rows) -> None:
    """The shape of the array after each layer, as a picture and as text."""
    flow_text = " → ".join(
        [
            f"input {shape_text(step3_network.INPUT_SHAPE)}",
            *(f"{r.name} {shape_text(r.shape)}" for r in rows),
        ]
    )
    with st.container(border=True):
        st.markdown("**The shape of the array after each layer, input to output**")
        st.html(
            pictures.shape_flow(
                [
                    ("input", "Input", step3_network.INPUT_SHAPE),
                    *((r.name, r.kind, r.shape) for r in rows),
                ]
            )
        )
        st.caption(
            f"Shape flow: {flow_text}. Squares: height × width, stacked for feature maps "
            "(up to 8 drawn); bars: a row of values. Dotted: dropout."
        )


def table(rows, total: int) -> None:
    """The layers: each output shape, why it is so, its parameters and their arithmetic."""
    st.table(
        [
            {
                "layer (type)": f"{r.name} ({r.kind})",
                "output shape": r.output_shape.replace(" ", "\u00a0"),  # never wrapped
                "why this shape": r.why_shape,
                "parameters": f"{r.params:,}",
                "arithmetic": r.arithmetic,
            }
            for r in rows
        ],
        hide_index=True,
    )
    by_layer = " + ".join(f"{r.params:,}" for r in rows if r.params)
    st.markdown(f"**Total: {by_layer} = {total:,} parameters**")


@st.cache_data(max_entries=100, show_spinner="Keras is building the network…")
def keras_summary(config: step3_network.NetworkConfig) -> tuple[str, int]:
    """Keras' own summary and parameter count; the model itself is thrown away."""
    net = step3_network.build_model(config)
    return step3_network.summary_text(net), net.count_params()


def keras_check(config: step3_network.NetworkConfig, total: int) -> None:
    """Keras' own summary of the network, and whether it counts as many parameters as the table."""
    text, counted = keras_summary(config)
    st.code(text, language=None)
    if counted == total:
        st.success(f"Keras counts {counted:,} parameters, like the table.", icon=":material/check:")
    else:  # never expected: the tests compare both for many networks
        st.warning(f"Keras counts {counted:,}, the table {total:,}.")


def sharing(config: step3_network.NetworkConfig, rows) -> None:
    """The first convolution layer's parameters beside a Dense layer making as many values."""
    values_out, conv_params, dense_params = step3_network.dense_instead_of_conv(config)
    first = rows[0]
    c1, c2 = st.columns(2)
    made = f"{first.name}: {shape_text(first.shape)} = {values_out:,} values"
    c1.metric(made, f"{conv_params:,}")
    c2.metric(f"A Dense layer making {values_out:,} values", f"{dense_params:,}")
    c1.caption(first.arithmetic)
    c2.caption(f"784 pixels × {values_out:,} units + {values_out:,} biases = {dense_params:,}")
    n = config.filters[0]
    each = f"Each of the {n:,} filters" if n > 1 else "The one filter"
    st.markdown(
        f"The Dense layer would need **{dense_params / conv_params:,.0f} times** as many "
        f"parameters. {each} re-uses its "
        f"{config.kernel_size}×{config.kernel_size} weights and its bias at all "
        f"{first.shape[0]}×{first.shape[1]} = {first.shape[0] * first.shape[1]:,} positions."
    )


def compared(rows, plain) -> None:
    """Your network's parameters beside the same network without convolution, layer by layer."""
    fig, totals = build_charts.parameters_figure(rows, plain)
    chart(
        fig,
        "Stacked bars: your network has "
        + ", ".join(f"{r.name} {r.params:,}" for r in rows if r.params)
        + f" = {totals['your network']:,} parameters; without convolution it has "
        + ", ".join(f"{r.name} {r.params:,}" for r in plain if r.params)
        + f" = {totals['without convolution']:,}.",
    )
