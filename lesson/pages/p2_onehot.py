"""Page 2: one-hot labels, and the cross-entropy loss that needs them."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import lesson
from lesson.parts import classroom
from lesson.parts.boxes import number_box
from lesson.parts.common import chart, mnist, prose, show_code, table
from lesson.tools import exercises as ex

PAGE = "p2_onehot"
HIGHLIGHT = ":blue-background[:blue[**1**]]"  # each 1 stands out: it says which digit

st.title(lesson.title(2))
prose(PAGE, "intro")
m = mnist()
with st.spinner("Loading Keras…"):  # the first page that needs it pays its import once
    from lesson import step2_labels


def highlighted(rows: np.ndarray, head: str, names: list, digits: np.ndarray | None = None) -> str:
    """A table of one-hot rows with each 1 highlighted, optionally with the digits beside it."""
    table_rows = []
    for i, (name, row) in enumerate(zip(names, rows.astype(int), strict=True)):
        first = {head: name} if digits is None else {head: name, "digit": digits[i]}
        table_rows.append(first | {str(d): HIGHLIGHT if v == 1 else "0" for d, v in enumerate(row)})
    return table(table_rows)


# --- y_train[a:b] beside Y_train[a:b] ------------------------------------------------------
prose(PAGE, "table")
start = number_box(st, "First training image", 0, len(m.y_train) - 10, "onehot_start", 0)
y = m.y_train[start : start + 10]
Y = step2_labels.one_hot(y)  # (10,) -> (10, 10)
st.markdown(
    f"`y_train[{start}:{start + 10}]` (the **digit** column) beside "
    f"`Y_train[{start}:{start + 10}]` (columns **0** to **9**)"
)
st.markdown(highlighted(Y, "training image", list(range(start, start + 10)), digits=y))
show_code(step2_labels.one_hot)

# --- pick a digit --------------------------------------------------------------------------
prose(PAGE, "pick")
digit = st.pills("Digit", list(range(10)), default=5, required=True, key="onehot_digit")
vector = step2_labels.one_hot(np.array([digit]))[0]
st.markdown(highlighted(vector[None, :], "one-hot label of", [digit]))
st.markdown(
    f"The 1 is at position **{digit}** of the ten (counting from 0); "
    f"`{digit}` becomes `{vector.astype(int).tolist()}`."
)

# --- why, and the worked example -----------------------------------------------------------
prose(PAGE, "why")
prose(PAGE, "example")
c1, c2 = st.columns(2)
true_digit = c1.selectbox("True digit", list(range(10)), index=7, key="ce_digit")
confidence = c2.slider(
    "Probability given to the true digit", 0.01, 0.99, 0.90, 0.01, key="ce_confidence"
)
target = step2_labels.one_hot(np.array([true_digit]))[0]
p = step2_labels.prediction_with_confidence(true_digit, confidence)
loss = step2_labels.cross_entropy(target, p)
terms = target * np.log(p)
st.markdown(
    table(
        [
            {
                "digit": d,
                "one-hot label": int(target[d]),
                "predicted probability": f"{p[d]:.3f}",
                "label × log(probability)": f"{terms[d] + 0.0:.3f}",
            }
            for d in range(10)
        ],
        right=("digit", "one-hot label", "predicted probability", "label × log(probability)"),
    )
)
st.metric("Cross-entropy loss", f"{loss:.3f}", help="−log(probability given to the true digit)")

wrong = (true_digit + 1) % 10
right_loss = step2_labels.cross_entropy(
    target, step2_labels.prediction_with_confidence(true_digit, 0.95)
)
wrong_loss = step2_labels.cross_entropy(
    target, step2_labels.prediction_with_confidence(wrong, 0.95)
)
st.markdown(
    f"- **Confidently right** (95 % on {true_digit}): loss = −log(0.95) = **{right_loss:.3f}**\n"
    f"- **Confidently wrong** (95 % on {wrong}, so {0.05 / 9:.4f} on {true_digit}): "
    f"loss = −log({0.05 / 9:.4f}) = **{wrong_loss:.3f}**, about "
    f"{wrong_loss / right_loss:.0f} times larger."
)
ps = np.linspace(0.01, 1.0, 100)
fig = go.Figure(go.Scatter(x=ps, y=-np.log(ps), mode="lines", name="−log(p)", line_color="#0072b2"))
fig.add_trace(
    go.Scatter(
        x=[confidence],
        y=[loss],
        mode="markers",
        name="your example",
        marker={"size": 14, "color": "#d55e00"},
    )
)
fig.update_layout(
    title="Cross-entropy loss against the probability given to the true digit",
    xaxis_title="probability given to the true digit",
    yaxis_title="loss",
    height=380,
)
chart(
    fig,
    f"Line chart of −log(p): the loss falls from 4.6 at p = 0.01 to 0 at p = 1; "
    f"your example, p = {confidence:.2f}, has loss {loss:.3f}.",
)
show_code(step2_labels.prediction_with_confidence, step2_labels.cross_entropy)
# Ask about a label the page does not show at first (its table, the digit 5, the example's 7).
shown = {*m.y_train[:10].tolist(), 5, 7}
image = next(i for i, label in enumerate(m.y_train) if int(label) not in shown)
classroom.exercises("one-hot", ex.onehot(int(m.y_train[image]), image))
