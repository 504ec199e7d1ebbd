"""Page 5: draw a digit, see it become an MNIST digit, and watch the network read it."""

import streamlit as st

import lesson
from lesson import step5_drawing
from lesson.parts import classroom, drawing, facts, session
from lesson.parts.canvas import LAYOUT_CSS
from lesson.parts.common import mnist, model_picker, prose, show_code
from lesson.tools import exercises as ex

PAGE = "p5_draw"
LAST_DRAWING = session.LAST_DRAWING

st.title(lesson.title(5))
prose(PAGE, "intro")
m = mnist()
with st.spinner("Loading Keras…"):
    from lesson import step5_prediction
    from lesson.parts import prediction  # imports Keras too
net, net_name = model_picker("draw_model")

# --- where the digit comes from ------------------------------------------------------------
source = st.segmented_control(
    "Where the digit comes from",
    list(drawing.SOURCES),
    format_func=drawing.SOURCES.get,
    default="draw",
    required=True,
    key="draw_source",
)
st.html(LAYOUT_CSS)
left, right = st.container(key="draw_layout").columns([2, 3], gap="large")
with left:
    stages, truth, nothing = drawing.digit(source, m)  # the canvas, grid, test digit or upload

# --- the prediction ------------------------------------------------------------------------
with right:
    if stages is None:
        st.info(nothing, icon=":material/draw:")
        classroom.exercises("draw", ex.draw())
        st.stop()
    st.session_state[LAST_DRAWING] = stages.digit
    probs, top, second = prediction.answer(net, net_name, stages, truth, source)
    prose(PAGE, "prediction")

# --- the stages -----------------------------------------------------------------------------
prose(PAGE, "stages")
prediction.stages_shown(stages)
prediction.nearest(m, net, stages, probs, top, second)
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
prediction.feature_maps(net, stages.digit)
show_code(
    step5_prediction.probabilities,
    step5_prediction.answer,
    step5_prediction.feature_maps,
    label="Show the code: the network",
)
classroom.exercises("draw", ex.draw())
