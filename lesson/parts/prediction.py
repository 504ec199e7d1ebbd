"""How the Draw page shows the network's answer: its doubts, the stages, the nearest training
images and the feature maps of the digit."""

import keras
import numpy as np
import plotly.graph_objects as go
import streamlit as st

from lesson import step3_network, step5_drawing, step5_prediction, step5_unfamiliar
from lesson.parts import access, pictures
from lesson.parts.common import chart, mnist, pretrained_model, prose
from lesson.tools import words
from lesson.tools.words import a_digit, percent

PAGE = "p5_draw"  # whose prose tells what the checks doubt
BLUE, ORANGE, GREY = "#0072b2", "#e69f00", "#c8c8c8"
# What to do about a digit too small to read, for each source.
BIGGER = {
    "draw": "Draw the digit bigger, filling most of the square.",
    "grid": "Ink more pixels: a digit about 20 pixels tall, its lines one or two pixels wide.",
    "upload": "Use a larger image of the digit.",
}


@st.cache_resource(show_spinner=False)
def _pretrained_judge(_net, path: str):
    """The pre-trained model's unfamiliar-input limits, worked out once per process."""
    m = mnist()
    return step5_unfamiliar.Judge(_net, m.x_train, m.y_train)


def judge_for(model) -> "step5_unfamiliar.Judge":
    """This model's limits: shared for the pre-trained model, kept in the session for yours."""
    if model is pretrained_model():
        return _pretrained_judge(model, str(step3_network.pretrained_path()))
    kept = st.session_state.get("draw_judge")
    if kept is None or kept[0] is not model:
        m = mnist()
        st.session_state.draw_judge = (model, step5_unfamiliar.Judge(model, m.x_train, m.y_train))
    return st.session_state.draw_judge[1]


def answer(net, net_name: str, stages, truth: int | None, source: str) -> tuple:
    """The network's answer for the digit, what it doubts and its ten probabilities, as a chart.

    Returns (probabilities, answer, runner-up).
    """
    probs = step5_prediction.probabilities(net, stages.digit)[0]  # (10,)
    top, second, close, sureness = step5_prediction.answer(probs)
    st.subheader(
        f"{a_digit(top).capitalize()} or {a_digit(second)}?"
        if close
        else f"It reads {a_digit(top)}"
    )
    with st.spinner("Comparing it with the training images…"):
        judged = judge_for(net).judge([stages])[0]
    # Never "sure" for an input the checks doubt: the network is sure only among ten digits.
    access.announce(
        f"The network reads {a_digit(top)}, "
        + (f"{percent(probs[top])}, but it may not be a digit it knows"
           if judged.unfamiliar else f"{percent(probs[top])} sure")
        + (f"; {a_digit(second)} gets {percent(probs[second])}." if close else "."),
        "draw", once=str(hash(stages.digit.tobytes())),
    )  # fmt: skip
    sentence = f"**{percent(probs[top])}** for {top}" + (
        f", **{percent(probs[second])}** for {second}." if close else "."
    )
    if step5_drawing.too_small(stages):
        crop_h, crop_w = stages.cropped.shape
        st.warning(
            f"**Don't trust this answer.** The network says {top} ({percent(probs[top])}), but the "
            f"ink is only {crop_h}×{crop_w} pixels: far too few to hold a digit (MNIST's are "
            "drawn about 20 pixels tall). Stage 3 below blows it up to 20 pixels, so the network "
            f"reads a few big blocks. {BIGGER.get(source, BIGGER['upload'])}",
            icon=":material/help:",
        )
    elif judged.unfamiliar:
        st.warning(
            f"**This may not be a digit the network knows.** It says {top} "
            f"({percent(probs[top])}), but the network must pick one of ten digits, even for "
            "things that are not digits. Why the doubt:\n"
            + "".join(f"\n- {reason}" for reason in judged.why(top)),
            icon=":material/help:",
        )
    elif sureness != "not sure":
        st.markdown(f"The network is {sureness}: {sentence}")
        st.caption(
            f"Sure among the ten digits, not sure it is a digit: it is as sure of most letters "
            f"and doodles (with the pre-trained network, the checks below doubt only "
            f"{percent(step5_unfamiliar.DOUBTED_DRAWN)} of those drawn with a mouse)."
        )
    else:
        st.warning(
            f"**The network is not sure at all.** Its best guess, {top}, gets only "
            f"{percent(probs[top])}: this does not look much like any digit it learned.",
            icon=":material/help:",
        )
    if truth is not None:
        verdict = "right" if top == truth else "wrong"
        st.markdown(f"The label says **{truth}**: the network is **{verdict}**.")
    st.caption(f"Answered by {net_name}.")
    with st.expander("Is it a digit the network knows? How the app checks", icon=":material/rule:"):
        prose(PAGE, "unfamiliar", alarms=percent(step5_unfamiliar.FALSE_ALARMS),
              doubted=percent(step5_unfamiliar.DOUBTED_DRAWN))  # fmt: skip
        st.table(judged.table())
    colours = [GREY] * 10
    colours[top] = BLUE
    if close:
        colours[second] = ORANGE
    fig = go.Figure(
        go.Bar(
            x=list(range(10)),
            y=probs,
            marker_color=colours,
            text=[f"{p:.0%}" for p in probs],
            textposition="outside",
            hovertemplate="digit %{x}: %{y:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        title="The network's probability for each digit",
        xaxis={"title": "digit", "dtick": 1},
        yaxis={"title": "probability", "range": [0, 1.12], "tickformat": ".0%"},
        height=330,
    )
    chart(
        fig,
        "Bar chart of the ten probabilities: "
        + ", ".join(f"{d}: {probs[d]:.1%}" for d in range(10))
        + ".",
    )
    return probs, top, second


def stages_shown(stages) -> None:
    """The five stages that make a drawing an MNIST digit, with what to know about them."""
    grey_h, grey_w = stages.grey.shape
    crop_h, crop_w = stages.cropped.shape
    fit_h, fit_w = stages.fitted.shape
    stage_captions = [
        f"1 · grey{', inverted' if stages.inverted else ''}, {grey_h}×{grey_w}",
        f"2 · cropped to the ink, {crop_h}×{crop_w}",
        f"3 · fitted in 20×20: {fit_h}×{fit_w}",
        "4 · centre of mass at the centre of 28×28",
        "5 · scaled to 0–1: the network's input",
    ]
    st.image(
        [pictures.digit_picture(s) for s in stages[:5]], caption=stage_captions, width=120,
        alt=[f"The digit after step {c}" for c in stage_captions],
    )  # fmt: skip
    if stages.inverted:
        st.caption(
            "Your image had dark ink on light paper, so it was inverted first: MNIST is light."
        )
    if max(crop_h, crop_w) < 0.15 * min(grey_h, grey_w):
        st.caption(
            "Your drawing is very small: stage 3 blows it up to 20 pixels, so the network sees it "
            "as big as any other digit."
        )
    # Why this answer: the prepared digit beside the training images most like it of each choice.


def nearest(m, net, stages, probs, top: int, second: int) -> None:
    """Why this answer: the digit beside the training images most like it, of each choice."""
    judge = judge_for(net)
    st.markdown(
        f"**Yours beside the training images most like it** of the network's answer, {top}, and of "
        f"its runner-up, {second}: does yours look more like one row or the other?"
    )
    for digit, role in ((top, "the answer"), (second, "the runner-up")):
        near = judge.nearest_of(stages.digit, digit)
        st.caption(f"Training {digit}s, {role} ({percent(probs[digit])}):")
        st.image(
            [pictures.digit_picture(d, 84) for d in [stages.digit, *m.x_train[near]]],
            caption=["yours"] + [f"#{i}" for i in near],
            width=84,
            alt=["Your digit, prepared as MNIST"]
            + [f"Training image {i}, a handwritten {digit}" for i in near],
        )
    st.caption(
        f"The nearest pixel by pixel among {step5_unfamiliar.REFERENCE:,} training images, after "
        "your drawing went through the stages above; #: the image's number in x_train."
    )


def feature_maps(net, digit) -> None:
    """Every feature map the network makes of the digit, layer by layer, with what it shows."""
    maps = step5_prediction.feature_maps(net, digit)
    if not maps:
        st.info("This network has no convolution layers, so it makes no feature maps.")
    for name, fm in maps:
        h, w, c = fm.shape
        kind = "convolution" if isinstance(net.get_layer(name), keras.layers.Conv2D) else "pooling"
        silent = int((np.abs(fm).max(axis=(0, 1)) == 0).sum())
        st.markdown(
            f"**`{name}`** ({kind}) → shape `{fm.shape}`: "
            f"{words.plural(c, 'feature map')} of {h}×{w}"
        )
        strongest = int(fm.max(axis=(0, 1)).argmax())
        colours = (
            "blue is positive, red negative, white 0"  # tanh, elu, linear: responses below 0
            if fm.min() < 0
            else "yellow is the layer's strongest response, dark purple 0"
        )
        alt = (
            f"{words.plural(c, 'feature map')} of {h}×{w}"
            + (f", filters 1–{c} left to right, row by row" if c > 1 else "")
            + f"; {colours}. "
            f"The strongest response is {fm.max():.2f}, in map {strongest + 1}"
            + (f"; {words.plural(silent, 'map')} all 0: nothing found there." if silent else ".")
        )
        picture = pictures.maps_picture(fm.transpose(2, 0, 1), [f"map {j + 1}" for j in range(c)])
        st.html(pictures.picture_html(picture, alt))  # the Inside page's renderer: one for both
        st.caption(alt)
