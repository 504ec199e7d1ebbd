"""Page 3: build the network, and see why every shape and parameter count is what it is."""

import streamlit as st

import lesson
from lesson.parts import classroom, facts, session
from lesson.parts.common import prose, show_code
from lesson.tools import exercises as ex
from lesson.tools import words

PAGE = "p3_build"
NETWORK = session.NETWORK

st.title(lesson.title(3))
prose(PAGE, "intro")
with st.spinner("Loading Keras…"):  # the first page that needs it pays its import once
    from lesson import step3_network
    from lesson.parts import network  # imports Keras too
classroom.setup()  # the experiment in the link, the teacher's locks, presets

# --- the controls ------------------------------------------------------------------------------
last_valid = network.start()  # the controls start from the stored network
prose(PAGE, "controls")
asked = network.controls()
if problem := step3_network.check_network(asked):
    config = last_valid
    st.error(
        f"**This network cannot be built.** {problem}\n\n"
        "Everything below still shows your last network that works.",
        icon=":material/block:",
    )
else:
    config = st.session_state[NETWORK] = asked
classroom.remember(config, classroom.current().hp)  # the URL is this experiment
rows = step3_network.layer_table(config)
total = sum(layer.params for layer in rows)
network.count(config, total)  # the count, a sentence, the reset button

# --- the shape flow, as a picture --------------------------------------------------------------
prose(PAGE, "flow")
network.shape_flow(rows)

# --- the table ---------------------------------------------------------------------------------
prose(PAGE, "table")
network.table(rows, total)
show_code(step3_network.check_network, step3_network.layer_table, step3_network.count_by_hand)
prose(PAGE, "keras")
if st.toggle("Ask Keras: build it and print `model.summary()`", key="build_ask_keras"):
    network.keras_check(config, total)
    show_code(step3_network.build_model, step3_network.summary_text)

# --- parameter sharing -------------------------------------------------------------------------
k = config.kernel_size
prose(PAGE, "sharing", k=k, weights=words.plural(k * k, "weight"))
if not config.conv_blocks:
    prose(PAGE, "no-conv")
else:
    network.sharing(config, rows)
    plain = step3_network.layer_table(step3_network.without_convolution(config))
    prose(PAGE, "whole", **facts.compared(rows, plain, config))
    network.compared(rows, plain)

# --- the code ----------------------------------------------------------------------------------
prose(PAGE, "code")
st.code(step3_network.keras_code(config), language="python")
show_code(step3_network.keras_code, label="Show the code that writes this code")
classroom.exercises("build", ex.build(config))
