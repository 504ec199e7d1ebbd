"""Page 1: what mnist.load_data() gives, and the three preprocessing steps."""

import numpy as np
import streamlit as st

import lesson
from lesson import step1_data
from lesson.parts import classroom, data_charts, pictures
from lesson.parts.boxes import number_box
from lesson.parts.common import chart, mnist, prose, show_code, table, warm_up_keras
from lesson.tools import exercises as ex

PAGE = "p1_data"
GALLERY_SIZE = 30


@st.cache_data(max_entries=64, show_spinner=False)
def gallery(seed: int, digit) -> tuple[list[int], list[str]]:
    """`GALLERY_SIZE` random training images (of one digit, or all): numbers and PNG addresses."""
    # Cached: a class reshuffles through the same few galleries, and drawing and encoding 30
    # pictures was a tenth of the server's time when 30 learners opened the app together.
    x, y = mnist().x_train, mnist().y_train
    pool = np.arange(len(y)) if digit in (None, "All") else np.flatnonzero(y == digit)
    picks = np.random.default_rng(seed).choice(pool, size=GALLERY_SIZE, replace=False)
    return picks.tolist(), [pictures.digit_url(x[i], 84) for i in picks]


@st.cache_data(show_spinner=False)
def arrays_table() -> str:
    """The four arrays' shapes, types and ranges: worked out once (min and max read 47 MB)."""
    rows = [
        {"array": f"`{name}`", **step1_data.array_facts(getattr(mnist(), name))}
        for name in step1_data.EXPECTED
    ]
    shown = [r | {"min": f"{r['min']:g}", "max": f"{r['max']:g}"} for r in rows]
    return table(shown, right=("min", "max"))


st.title(lesson.title(1))
prose(PAGE, "intro")
m = mnist()

prose(PAGE, "arrays")
st.markdown(arrays_table())
show_code(step1_data.load_mnist, step1_data.array_facts)

# --- gallery -------------------------------------------------------------------------------
prose(PAGE, "gallery")
row = st.container(horizontal=True, vertical_alignment="bottom")  # wraps when narrow
digit = row.pills(
    "Show only", ["All", *range(10)], default="All", required=True, key="gallery_digit"
)
if row.button("Reshuffle", icon=":material/shuffle:", key="reshuffle"):
    st.session_state.gallery_seed = st.session_state.get("gallery_seed", 0) + 1
picks, big = gallery(st.session_state.get("gallery_seed", 0), digit)
st.image(
    big, caption=[f"#{i}: {m.y_train[i]}" for i in picks], width=84,
    alt=[f"Training image {i}, a handwritten {m.y_train[i]}" for i in picks],
)  # fmt: skip

# --- one image as numbers -----------------------------------------------------------------
prose(PAGE, "pixels")
c1, c2 = st.columns(2)
index = number_box(c1, "Training image", 0, len(m.x_train) - 1, "pixel_image", 0)
row = c2.slider("Row", 0, 27, 5, key="pixel_row")
image = m.x_train[index]
fig = data_charts.pixels_figure(image, index, int(m.y_train[index]), row)
chart(fig, f"Heatmap of the 784 pixel values of training image {index}; row {row} is outlined.")
st.markdown(f"**Row {row} of `x_train[{index}]`:**")
st.code(" ".join(str(v) for v in image[row]), language=None, wrap_lines=True)  # no sideways scroll
with st.expander("The whole grid as numbers"):
    st.code("\n".join(" ".join(f"{v:3d}" for v in r) for r in image), language=None)

# --- counts per digit ---------------------------------------------------------------------
prose(PAGE, "counts")
train_counts, test_counts = step1_data.label_counts(m.y_train), step1_data.label_counts(m.y_test)
fig = data_charts.counts_figure(train_counts, test_counts)
chart(
    fig,
    f"Bar chart: the training set holds {train_counts.min():,}–{train_counts.max():,} images "
    f"of each digit, the test set {test_counts.min():,}–{test_counts.max():,}.",
)
with st.expander("The counts as a table"):
    counts = [
        {"digit": d, "training images": f"{a:,}", "test images": f"{b:,}"}
        for d, (a, b) in enumerate(zip(train_counts, test_counts, strict=True))
    ]
    st.markdown(table(counts, right=("digit", "training images", "test images")))
show_code(step1_data.label_counts)

# --- preprocessing ------------------------------------------------------------------------
prose(PAGE, "preprocess")


@st.cache_data(show_spinner="Running the three steps on all 60,000 images…")
def steps_table() -> list[dict]:
    """Run the preprocessing steps once per process and describe the array after each."""
    x = mnist().x_train
    rows = [("as loaded", x)]
    x = step1_data.reshape_for_cnn(x)
    rows.append(("1. reshape", x))
    x = step1_data.to_float(x)
    rows.append(("2. float32", x))
    x = step1_data.scale(x)
    rows.append(("3. ÷ 255", x))
    return [
        {
            "step": name,
            **step1_data.array_facts(a),
            "pixel (0, row 5, col 16)": float(a[0].flat[5 * 28 + 16]),
        }
        for name, a in rows
    ]


steps = [
    {k: f"{v:.4g}" if isinstance(v, float) else v for k, v in r.items()} for r in steps_table()
]
st.markdown(table(steps, right=("min", "max", "pixel (0, row 5, col 16)")))
show_code(step1_data.reshape_for_cnn, step1_data.to_float, step1_data.scale, step1_data.preprocess)
warm_up_keras()  # after the page has painted: the next pages need Keras
classroom.exercises("data", ex.data(m.x_train.shape))
