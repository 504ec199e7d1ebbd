"""Every page runs under AppTest with no exception, and its widgets change what it shows."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages import app, markdown_table, markdown_text


def number_rows(at: AppTest) -> list[str]:
    """The code blocks that are only numbers: the pixel rows."""
    return [c.value for c in at.code if set(c.value) <= set("0123456789 ")]


def test_data_page_shows_the_four_arrays_and_the_lessons_row():
    at = app()
    assert at.title[0].value == "1 · The data"
    table = next(m.value for m in at.markdown if m.value.startswith("| array | shape"))
    assert table.splitlines()[2:] == [
        "| `x_train` | (60000, 28, 28) | uint8 | 0 | 255 |",
        "| `y_train` | (60000,) | uint8 | 0 | 9 |",
        "| `x_test` | (10000, 28, 28) | uint8 | 0 | 255 |",
        "| `y_test` | (10000,) | uint8 | 0 | 9 |",
    ]
    row5 = "0 0 0 0 0 0 0 0 0 0 0 0 3 18 18 18 126 136 175 26 166 255 247 127 0 0 0 0"
    assert number_rows(at) == [row5]
    grid = next(c.value for c in at.code if c.value.count("\n") == 27).splitlines()  # 28 rows
    assert [line.split() for line in grid][5] == row5.split()
    assert {len(line) for line in grid} == {28 * 4 - 1}  # aligned: 3 places a number
    counts = markdown_table(at, "digit")
    assert counts[0] == {"digit": "0", "training images": "5,923", "test images": "980"}
    assert len(counts) == 10


def test_data_page_widgets_change_the_numbers():
    at = app()
    before = number_rows(at)
    at.text_input(key="pixel_image_text").input("1").run()
    at.slider(key="pixel_row").set_value(10).run()
    assert not at.exception
    after = number_rows(at)
    assert before != after
    assert "Row 10 of `x_train[1]`" in markdown_text(at)


def test_data_page_gallery_filter_and_reshuffle():
    at = app()
    at.button(key="reshuffle").click().run()
    assert not at.exception
    assert at.session_state["gallery_seed"] == 1


def test_data_page_preprocessing_table():
    at = app()
    steps = markdown_table(at, "step")
    assert [r["shape"] for r in steps] == ["(60000, 28, 28)", *["(60000, 28, 28, 1)"] * 3]
    assert [r["dtype"] for r in steps] == ["uint8", "uint8", "float32", "float32"]
    assert steps[-1]["max"] == "1"
    assert steps[0]["pixel (0, row 5, col 16)"] == "126"
    assert float(steps[-1]["pixel (0, row 5, col 16)"]) == pytest.approx(126 / 255, abs=5e-5)


def test_onehot_page_table_and_loss():
    at = app("p2_onehot.py")
    assert at.title[0].value == "2 · One-hot labels"
    table = markdown_table(at, "training image")
    assert [r["digit"] for r in table] == list("5041921314")
    one = ":blue-background[:blue[**1**]]"  # each 1 highlighted
    assert list(table[0].values()) == ["0", "5", *"00000", one, *"0000"]
    for row in table:
        assert [row[str(d)] for d in range(10)].index(one) == int(row["digit"])
    assert markdown_table(at, "one-hot label of") == [{"one-hot label of": "5", **{
        str(d): one if d == 5 else "0" for d in range(10)}}]  # fmt: skip
    assert markdown_table(at, "digit")[7]["label × log(probability)"] == "-0.105"
    assert at.metric[0].value == "0.105"  # −log(0.90)


def test_onehot_page_widgets_change_what_it_shows():
    at = app("p2_onehot.py")
    at.slider(key="ce_confidence").set_value(0.5).run()
    assert at.metric[0].value == "0.693"  # −log(0.5)
    at.text_input(key="onehot_start_text").input("10").run()
    assert [r["digit"] for r in markdown_table(at, "training image")] == list("3536172869")
    at.selectbox(key="ce_digit").set_value(2).run()
    assert not at.exception
    assert "Confidently wrong** (95 % on 3" in markdown_text(at)


@pytest.mark.parametrize("content", [None, b"garbage"], ids=["missing", "corrupt"])
def test_bad_data_file_gives_a_message_not_a_traceback(tmp_path, monkeypatch, content):
    path = tmp_path / "mnist.npz"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setenv("CNN_LESSON_MNIST", str(path))
    for page in (None, "p2_onehot.py"):
        at = app(page)
        assert "could not be loaded" in at.error[0].value
        assert "assets/mnist.npz" in at.error[0].value


def test_a_run_that_finished_elsewhere_becomes_the_learners_model():
    from types import SimpleNamespace

    from lesson import step3_network

    net = step3_network.load_trained(step3_network.pretrained_path())
    run = SimpleNamespace(name="run 1", finished=True, usable=True, model=net,
                          epochs=[{}, {}], test={"accuracy": 0.97}, snapshots=[])  # fmt: skip
    at = app("p5_draw.py", state={"workspace_runs": {1: run}})  # as the workspace holds it
    assert at.session_state["learner_model"] is net
    assert (
        at.session_state["learner_model_name"]
        == "your model (run 1, 2 epochs, 97.00% test accuracy)"
    )
