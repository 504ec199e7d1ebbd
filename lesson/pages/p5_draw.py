"""Page 5: draw a digit, see it become an MNIST digit, and watch the network read it."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import lesson
from lesson import step5_drawing
from lesson.parts import access, classroom, facts, pictures, session
from lesson.parts.boxes import number_box
from lesson.parts.canvas import CANVAS, LAYOUT_CSS, TOOLBAR_BELOW
from lesson.parts.common import chart, mnist, model_picker, pretrained_model, prose, show_code
from lesson.tools import exercises as ex
from lesson.tools import words
from lesson.tools.words import a_digit, percent

PAGE = "p5_draw"
LAST_DRAWING = session.LAST_DRAWING
SOURCES = {
    "draw": "Draw",
    "grid": "Pixel grid (keyboard)",
    "test": "Pick a test digit",
    "upload": "Upload an image",
}
BLUE, ORANGE, GREY = "#0072b2", "#e69f00", "#c8c8c8"

st.title(lesson.title(5))
prose(PAGE, "intro")
m = mnist()
with st.spinner("Loading Keras…"):
    import keras

    from lesson import step3_network, step5_prediction, step5_unfamiliar
net, net_name = model_picker("draw_model")


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


def clear_canvas() -> None:
    """A new key mounts a fresh, empty canvas (runs before the page, so no second rerun)."""
    st.session_state.canvas_generation = st.session_state.get("canvas_generation", 0) + 1


def random_test_image(count: int) -> None:
    """Jump to a random test image."""
    st.session_state.draw_test_index = int(np.random.default_rng().integers(count))


# --- where the digit comes from ------------------------------------------------------------
# What to do about a digit too small to read, for each source.
BIGGER = {
    "draw": "Draw the digit bigger, filling most of the square.",
    "grid": "Ink more pixels: a digit about 20 pixels tall, its lines one or two pixels wide.",
    "upload": "Use a larger image of the digit.",
}

source = st.segmented_control(
    "Where the digit comes from",
    list(SOURCES),
    format_func=SOURCES.get,
    default="draw",
    required=True,
    key="draw_source",
)
st.html(LAYOUT_CSS)
left, right = st.container(key="draw_layout").columns([2, 3], gap="large")
stages, truth = None, None
with left:
    if source == "draw":
        prose(PAGE, "draw")
        from streamlit_drawable_canvas import st_canvas

        pen = st.session_state.get("draw_pen", 20)
        generation = st.session_state.get("canvas_generation", 0)
        st.html(TOOLBAR_BELOW, unsafe_allow_javascript=True)
        result = st_canvas(
            stroke_width=pen,
            stroke_color="#FFFFFF",
            background_color="#000000",
            width=CANVAS,
            height=CANVAS,
            drawing_mode="freedraw",
            return_image_data=True,
            key=f"draw_canvas_{generation}",  # a new key is a fresh, empty canvas
        )
        st.space("small")  # room for the canvas's toolbar, just below the square
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        c1.slider(
            "Pen width", 6, 40, 20, key="draw_pen", help="In canvas pixels; 20 is MNIST-like."
        )
        c2.button("Clear", icon=":material/delete:", key="draw_clear", on_click=clear_canvas)
        if result.image_data is not None:
            stages = step5_drawing.mnist_stages(result.image_data, ink="light")  # white on black
        nothing = "The canvas is empty: draw a digit in the black square."
    elif source == "grid":
        prose(PAGE, "grid")
        grid = access.pixel_grid("draw_grid")
        if grid is not None:
            stages = step5_drawing.mnist_stages(grid, ink="light")  # white on black, as the canvas
        nothing = "The grid is empty: ink a few pixels of a digit."
    elif source == "test":
        prose(PAGE, "test")
        index = number_box(st, "Test image", 0, len(m.x_test) - 1, "draw_test_index", 0)
        st.button(
            "Random test image",
            icon=":material/shuffle:",
            key="draw_random",
            on_click=random_test_image,
            args=(len(m.x_test),),
        )
        truth = int(m.y_test[index])
        st.image(
            pictures.digit_picture(m.x_test[index], 168), caption=f"x_test[{index}], label {truth}",
            alt=f"Test image {index}, a handwritten {truth}",
        )  # fmt: skip
        stages = step5_drawing.mnist_stages(m.x_test[index], ink="light")
        nothing = "This test image is blank."
    else:
        prose(PAGE, "upload")
        upload = st.file_uploader(
            "A PNG or JPG of one digit",
            type=["png", "jpg", "jpeg"],
            max_upload_size=step5_drawing.MAX_BYTES // 1_000_000,
            key="draw_upload",
        )
        nothing = "Upload an image of a digit to see what the network makes of it."
        if upload is not None:
            try:
                image = step5_drawing.load_image(upload.getvalue())
                stages = step5_drawing.mnist_stages(image, ink="auto")
                st.image(
                    pictures.digit_picture(step5_drawing.as_grey(image), 168), caption=upload.name,
                    alt=f"Your image {upload.name} in grey",
                )  # fmt: skip
                nothing = f"No digit found in {upload.name}: it looks blank. Try another image."
            except step5_drawing.ImageFileError as err:
                st.error(f"{err}".replace("The upload", upload.name), icon=":material/error:")
                nothing = "Choose another image."

# --- the prediction ------------------------------------------------------------------------
with right:
    if stages is None:
        st.info(nothing, icon=":material/draw:")
        classroom.exercises("draw", ex.draw())
        st.stop()
    st.session_state[LAST_DRAWING] = stages.digit
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
    prose(PAGE, "prediction")

# --- the stages -----------------------------------------------------------------------------
prose(PAGE, "stages")
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
    st.caption("Your image had dark ink on light paper, so it was inverted first: MNIST is light.")
if max(crop_h, crop_w) < 0.15 * min(grey_h, grey_w):
    st.caption(
        "Your drawing is very small: stage 3 blows it up to 20 pixels, so the network sees it "
        "as big as any other digit."
    )
# Why this answer: the prepared digit beside the training images most like it of each choice.
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
    f"The nearest pixel by pixel among {step5_unfamiliar.REFERENCE:,} training images, after your "
    "drawing went through the stages above; #: the image's number in x_train."
)
show_code(
    step5_drawing.mnist_stages,
    step5_drawing.light_on_dark,
    step5_drawing.crop_to_ink,
    step5_drawing.fit_in_box,
    step5_drawing.centre_by_mass,
    step5_drawing.scale_to_unit,
    label="Show the code: the preprocessing",
)

# --- what the network sees -----------------------------------------------------------------
prose(PAGE, "features", **facts.features(facts.layers(net)))
maps = step5_prediction.feature_maps(net, stages.digit)
if not maps:
    st.info("This network has no convolution layers, so it makes no feature maps.")
for name, fm in maps:
    h, w, c = fm.shape
    kind = "convolution" if isinstance(net.get_layer(name), keras.layers.Conv2D) else "pooling"
    silent = int((np.abs(fm).max(axis=(0, 1)) == 0).sum())
    st.markdown(
        f"**`{name}`** ({kind}) → shape `{fm.shape}`: {words.plural(c, 'feature map')} of {h}×{w}"
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
show_code(
    step5_prediction.probabilities,
    step5_prediction.answer,
    step5_prediction.feature_maps,
    label="Show the code: the network",
)
classroom.exercises("draw", ex.draw())
