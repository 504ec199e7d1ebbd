"""The CNN lesson's core: Keras and numpy code in the order the notebook teaches it.

Nothing in this package (outside ``lesson.pages``) imports Streamlit.
"""

import os

# Quieter TensorFlow start-up: the lesson's output should not drown in C++ log lines.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
