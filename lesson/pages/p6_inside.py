"""Page 6: the filters a network learned, the feature maps of one digit, one value by hand."""

import streamlit as st

import lesson
from lesson.parts import classroom, facts, session
from lesson.parts.common import mnist, model_picker, prose
from lesson.tools import exercises as ex

PAGE = "p6_inside"

st.title(lesson.title(6))
prose(PAGE, "intro")
m = mnist()
with st.spinner("Loading Keras…"):
    from lesson import step6_inside
    from lesson.parts import feature_maps, filters  # these import Keras too

net, net_name = model_picker(session.INSIDE_MODEL)
convs = step6_inside.conv_layers(net)

# --- filters ------------------------------------------------------------------------------
if not convs:
    feature_maps.without_convolution(m, net, net_name)
    classroom.exercises("inside", ex.filters(classroom.current().network))
    st.stop()
prose(PAGE, "filters", k=facts.first_conv(net).window)
filters.section(net)  # a fragment: the epoch slider redraws only the filters

# --- feature maps of one digit, one value by hand -----------------------------------------
feature_maps.one_digit(m, net, net_name)  # a fragment: another digit reruns from here down
classroom.exercises("inside", ex.filters(classroom.current().network))
