"""The Mistakes page's views: the test set's answers, the confusion matrix and its cells,
accuracy per digit, the most confident mistakes, and where the network looks (saliency)."""

import functools
import hashlib
from pathlib import Path

import numpy as np
import streamlit as st

from lesson import step1_data, step5_prediction, step7_mistakes
from lesson.parts import clickable, mistakes_charts, pictures, session
from lesson.parts.boxes import number_box
from lesson.parts.common import PRETRAINED_NAME, chart, mnist
from lesson.tools import words

EVAL_KEY = "mistakes_eval"  # the learner's model and its test probabilities, computed once
SALIENCY_KEY = "mistakes_saliency"  # the same model's last saliency maps, by image and kind
LOOK_KEY = "mistakes_look"  # the test image looked at closely
FILTERS_PAGE = "lesson/pages/p6_inside.py"
GALLERY = 12


@st.cache_data(show_spinner="Running the pre-trained model on the 10,000 test images…")
def pretrained_probabilities(path: str, _net) -> np.ndarray:
    """The pre-trained model's probabilities for every test image: kept beside its file, or
    worked out once per server."""
    from lesson.tools import pretrain

    kept = pretrain.test_probabilities(Path(path))
    if kept is not None:
        return kept
    return step7_mistakes.test_probabilities(_net, step1_data.preprocess(mnist().x_test))


def test_probabilities(net, name: str) -> np.ndarray:
    """(10000, 10) probabilities, computed once per model and kept (shared or in the session)."""
    if name == PRETRAINED_NAME:
        from lesson import step3_network

        return pretrained_probabilities(str(step3_network.pretrained_path()), net)
    saved = st.session_state.get(EVAL_KEY)
    # The name says which run and how many epochs: a model trained further is evaluated again.
    if saved is None or saved["model"] is not net or saved["name"] != name:
        with st.spinner("Running your model on the 10,000 test images…"):
            probs = step7_mistakes.test_probabilities(net, step1_data.preprocess(mnist().x_test))
        saved = st.session_state[EVAL_KEY] = {"model": net, "name": name, "probs": probs}
    return saved["probs"]


def saliency(net, image: np.ndarray, of: str) -> tuple[int, np.ndarray, float]:
    """The winning digit, its saliency map (the gradient of its `of`) and its probability."""
    digit, gradient = step7_mistakes.saliency(net, image, of)
    return digit, gradient, float(step5_prediction.probabilities(net, image)[0, digit])


@st.cache_resource(max_entries=64, show_spinner=False)
def pretrained_saliency(path: str, digest: bytes, of: str, _net, _image) -> tuple:
    """The pre-trained model's saliency maps, shared: a class looks at the same test images."""
    return saliency(_net, _image, of)


def looked_at(net, name: str, image: np.ndarray, of: str) -> tuple[int, np.ndarray, float]:
    """The winning digit, its saliency map and probability: worked out once per model and image."""
    digest = hashlib.blake2b(image.tobytes(), digest_size=16).digest()
    if name == PRETRAINED_NAME:
        from lesson import step3_network

        return pretrained_saliency(str(step3_network.pretrained_path()), digest, of, net, image)
    kept = st.session_state.setdefault(SALIENCY_KEY, {})  # a page run repeats the same question
    if kept.get("model") is not net or kept.get("name") != name:
        kept.clear()
        kept.update(model=net, name=name, maps={})
    key = (digest, of)
    if key not in kept["maps"]:
        kept["maps"] = dict(list(kept["maps"].items())[-15:])  # the last 16, this one included
        kept["maps"][key] = saliency(net, image, of)
    return kept["maps"][key]


def look_at(key: str) -> None:
    """A picked image of a gallery becomes the one looked at closely."""
    if st.session_state.get(key) is not None:
        st.session_state[LOOK_KEY] = st.session_state[key]


def gallery(m, indices: np.ndarray, captions: list[str], key: str) -> None:
    """Test images, enlarged, with captions, and a row of buttons to look closer at one."""
    big = [pictures.digit_url(m.x_test[i], 84) for i in indices]  # 84×84, encoded once
    alt = [f"Test image {i}, a handwritten {m.y_test[i]}" for i in indices]
    st.image(big, caption=captions, width=84, alt=alt)
    st.pills(
        "Look closer at", [int(i) for i in indices], format_func=lambda i: f"#{i}",
        key=key, on_change=functools.partial(look_at, key), required=True,
    )  # fmt: skip


def confusion(matrix: np.ndarray) -> None:
    """The confusion matrix: click a cell to choose its true and predicted digit; as a table too."""
    worst = step7_mistakes.most_common_mistake(matrix)
    st.session_state.setdefault("mistakes_true", worst[0])
    st.session_state.setdefault("mistakes_pred", worst[1])
    true_digit = int(st.session_state["mistakes_true"])
    pred_digit = int(st.session_state["mistakes_pred"])

    fig = mistakes_charts.confusion_figure(matrix, true_digit, pred_digit)
    st.plotly_chart(
        fig, key="mistakes_matrix", selection_mode="points",
        # The clickable map's own handler: a clicked cell chooses the true and predicted digit.
        on_select=functools.partial(clickable.take_click, "mistakes_matrix", "mistakes_true",
                                    "mistakes_pred"),
        config={"displaylogo": False},
    )  # fmt: skip
    mistakes = matrix.sum() - np.trace(matrix)
    st.caption(
        f"A 10 × 10 grid of counts; rows are the true digit, columns the predicted one. "
        f"{np.trace(matrix):,} images lie on the diagonal (right), {mistakes:,} off it; the most "
        f"common mistake is {words.a_digit(worst[0])} read as {words.a_digit(worst[1])} "
        f"({words.plural(int(matrix[worst]), 'time')})."
    )
    with st.expander("The confusion matrix as a table"):
        st.dataframe(
            {"true digit": list(range(10)), **{f"predicted {d}": matrix[:, d] for d in range(10)}},
            hide_index=True,
        )


def cell(m, probs: np.ndarray, predicted: np.ndarray) -> None:
    """The chosen cell's digits, how many test images it holds and the first of them."""
    c1, c2 = st.columns(2)
    true_digit = c1.selectbox("True digit", list(range(10)), key="mistakes_true")
    pred_digit = c2.selectbox("Predicted digit", list(range(10)), key="mistakes_pred")
    cell = np.flatnonzero((m.y_test == true_digit) & (predicted == pred_digit))
    verb = "right" if true_digit == pred_digit else "wrong"
    st.markdown(
        f"**{len(cell)}** test image{'' if len(cell) == 1 else 's'} of a **{true_digit}** "
        f"{'was' if len(cell) == 1 else 'were'} predicted as **{pred_digit}** "
        f"({verb}). " + (f"The first {GALLERY}:" if len(cell) > GALLERY else "")
    )
    if len(cell):
        shown = cell[:GALLERY]
        gallery(
            m, shown, [f"#{i} · {probs[i, pred_digit]:.0%}" for i in shown],
            f"mistakes_cell_pick_{true_digit}_{pred_digit}",
        )  # fmt: skip


def accuracy_per_digit(matrix: np.ndarray) -> None:
    """Accuracy per digit, as a bar chart and a table."""
    per_digit = step7_mistakes.per_digit_accuracy(matrix)
    fig = mistakes_charts.per_digit_figure(per_digit)
    hard, easy = int(per_digit.argmin()), int(per_digit.argmax())
    chart(
        fig,
        f"Bar chart of accuracy per digit: lowest {hard} ({per_digit[hard]:.1%}), highest {easy} "
        f"({per_digit[easy]:.1%}).",
    )
    with st.expander("Accuracy per digit as a table"):
        st.dataframe(
            {
                "digit": list(range(10)),
                "test images": matrix.sum(axis=1),
                "right": np.diag(matrix),
                "accuracy": [f"{a:.2%}" for a in per_digit],
            },
            hide_index=True,
        )


def confident(m, probs: np.ndarray, predicted: np.ndarray) -> None:
    """The mistakes the network was surest of, as a gallery to look closer at."""
    worst_ones = step7_mistakes.confident_mistakes(probs, m.y_test, GALLERY)
    if len(worst_ones) == 0:
        st.success("No mistakes at all on the test set.")
    else:
        gallery(
            m,
            worst_ones,
            [f"#{i}: a {m.y_test[i]}, read as {predicted[i]} ({probs[i, predicted[i]]:.0%})"
             for i in worst_ones],
            "mistakes_confident_pick",
        )  # fmt: skip
        st.session_state.setdefault(LOOK_KEY, int(worst_ones[0]))


def where_it_looks(m, net, net_name: str) -> None:
    """One image (a test image or the last drawing), its answer and its saliency map."""
    st.session_state.setdefault(LOOK_KEY, 0)
    drawing = st.session_state.get(session.LAST_DRAWING)
    c1, c2 = st.columns([1, 1], vertical_alignment="bottom")
    index = number_box(c1, "Test image", 0, len(m.y_test) - 1, LOOK_KEY)
    kinds = {"score": "its score (before softmax)", "probability": "its probability"}
    if not step7_mistakes.ends_in_softmax(net):
        kinds = {"probability": "its probability"}
    st.session_state.setdefault("mistakes_of", next(iter(kinds)))
    if st.session_state["mistakes_of"] not in kinds:
        st.session_state["mistakes_of"] = next(iter(kinds))
    of = c2.segmented_control("Gradient of the winning digit's", list(kinds), key="mistakes_of",
                              format_func=kinds.get, required=True)  # fmt: skip
    mine = st.toggle(
        "Use my last drawing instead", key="mistakes_drawing", disabled=drawing is None,
        help="Draw a digit on the Draw page first." if drawing is None else None,
    )  # fmt: skip
    if mine and drawing is not None:
        image = np.asarray(drawing, dtype="float32").reshape(28, 28)
        what, truth = "your last drawing", None
    else:
        image = m.x_test[index].astype("float32") / 255  # (28, 28) in 0..1
        what, truth = f"test image {index}", int(m.y_test[index])
    digit, gradient, sure = looked_at(net, net_name, image, of)
    if truth is None:
        st.markdown(
            f"{net_name.split(' (')[0]} reads your last drawing as a **{digit}** ({sure:.1%})."
        )
    else:
        verdict = "right" if digit == truth else "wrong"
        st.markdown(
            f"Test image **{index}** is a **{truth}**; {net_name.split(' (')[0]} reads it as a "
            f"**{digit}** ({sure:.1%}, {verdict})."
        )
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{what.capitalize()}" + (f": a {truth}**" if truth is not None else "**"))
        picture = pictures.grid_picture(image, px=9)  # about the size of the saliency map beside it
        st.html(pictures.picture_html(picture, f"{what.capitalize()}, 28×28 grey pixels."))
    with right:
        fig = mistakes_charts.saliency_figure(gradient, of, digit)
        strongest = np.argsort(-np.abs(gradient).ravel())[:20]
        rows, cols = np.unravel_index(strongest, gradient.shape)
        on_ink = float((image.ravel()[strongest] > 0.2).mean())
        chart(
            fig,
            f"Heatmap of the gradient for each pixel, blue raises the {of} of {digit}, red lowers "
            f"it. The 20 strongest pixels lie in {words.span(rows.min(), rows.max(), 'row')}, "
            f"{words.span(cols.min(), cols.max(), 'column')}; {on_ink:.0%} of them are on the ink.",
        )
    if st.button("Open this digit in the feature-map view", icon=":material/filter_alt:",
                 key="mistakes_open"):  # fmt: skip
        st.session_state[session.INSIDE_SOURCE] = "drawing" if truth is None else "test"
        st.session_state[session.INSIDE_INDEX] = int(index)
        if session.MISTAKES_MODEL in st.session_state:  # the same model there (beside yours)
            st.session_state[session.INSIDE_MODEL] = st.session_state[session.MISTAKES_MODEL]
        st.switch_page(FILTERS_PAGE)
