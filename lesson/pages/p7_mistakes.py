"""Page 7: the test-set mistakes, accuracy per digit, and where the network looks."""

import numpy as np
import streamlit as st

import lesson
from lesson.parts import classroom, session
from lesson.parts.common import mnist, model_picker, prose, show_code
from lesson.tools import exercises as ex

PAGE = "p7_mistakes"

st.title(lesson.title(7))
prose(PAGE, "intro")
m = mnist()
with st.spinner("Loading Keras…"):
    from lesson import step7_mistakes
    from lesson.parts import mistakes  # imports Keras too

net, net_name = model_picker(session.MISTAKES_MODEL)
probs = mistakes.test_probabilities(net, net_name)
predicted = probs.argmax(axis=1)
matrix = step7_mistakes.confusion_matrix(m.y_test, predicted)
accuracy = np.trace(matrix) / matrix.sum()
st.metric(
    "Test accuracy", f"{accuracy:.2%}",
    help=f"{np.trace(matrix):,} of {matrix.sum():,} test images right",
)  # fmt: skip

# --- confusion matrix ---------------------------------------------------------------------
prose(PAGE, "matrix")
mistakes.confusion(matrix)  # a click on a cell chooses its digits
mistakes.cell(m, probs, predicted)  # the chosen cell's test images
show_code(step7_mistakes.test_probabilities, step7_mistakes.confusion_matrix)

# --- per-digit accuracy -------------------------------------------------------------------
prose(PAGE, "per-digit")
mistakes.accuracy_per_digit(matrix)
show_code(step7_mistakes.per_digit_accuracy)

# --- most confident mistakes --------------------------------------------------------------
prose(PAGE, "confident")
mistakes.confident(m, probs, predicted)
show_code(step7_mistakes.confident_mistakes)

# --- saliency -----------------------------------------------------------------------------
prose(PAGE, "saliency")
mistakes.where_it_looks(m, net, net_name)
show_code(step7_mistakes.saliency, step7_mistakes.scores)
classroom.exercises("mistakes", ex.mistakes(matrix))
