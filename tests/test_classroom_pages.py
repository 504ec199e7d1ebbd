"""Classroom features under AppTest: the link's experiment, presets, exercises and progress."""

from streamlit.testing.v1 import AppTest

from tests.pages import INSTRUCTOR_KEY, app, assert_clean


def answer(at: AppTest, key: str, text: str) -> AppTest:
    at.text_input(key=f"ex_{key}").input(text).run()
    assert_clean(at)
    return at


def test_right_and_wrong_answers_on_the_data_page_and_the_progress_mark():
    at = answer(app(), "data-pixels", "28")
    assert len(at.success) == 0
    assert "Hint: Look at the shape" in at.warning[0].body
    assert "784" not in at.warning[0].body  # a hint, not the answer
    answer(at, "data-pixels", "784")
    assert [s.body for s in at.success] == ["Right!"]
    assert "data" not in at.session_state["pages_solved"]  # one of two
    answer(at, "data-images", "60,000")
    assert len(at.success) == 2
    assert at.session_state["pages_solved"] == {"data"}
    answer(at, "data-images", "6000")  # a wrong answer takes the mark away again
    assert at.session_state["pages_solved"] == set()


def test_shapes_are_accepted_in_the_usual_formats_and_the_answer_follows_the_network():
    at = app("p3_build.py")
    for text in ("12x12x6", "(12, 12, 6)", "12 × 12 × 6", "(None, 12, 12, 6)"):  # 5×5 filters
        answer(at, "build-pool-shape", text)
        assert at.success, text
    answer(at, "build-conv-params", "156")
    assert len(at.success) == 2
    at.text_input(key="build_filters_1_text").input("8").run()  # the network changes
    assert len(at.success) == 0 and "Hint:" in at.warning[0].body
    answer(at, "build-conv-params", "208 parameters")  # (5 × 5 + 1) × 8
    assert len(at.success) == 1


def test_the_link_sets_the_experiment_and_says_what_it_ignored():
    query = {"filters": "4,8", "kernel_size": "5", "epochs": "many", "colour": "red",
             "batch_size": "128"}  # fmt: skip
    at = app("p3_build.py", query)
    assert at.session_state["build_filters_1"] == 4 and at.session_state["build_kernel"] == 5
    note = at.warning[0].body
    assert "`epochs`: 'many' is not a number" in note and "`colour`" in note
    assert at.metric[0].value == f"{(5 * 5 * 4 + 4) + (5 * 5 * 4 * 8 + 8) + 128 * 129 + 1290:,}"
    at.switch_page("lesson/pages/p4_train.py").run()
    assert at.session_state["train_batch_size"] == 128
    assert at.session_state["train_epochs"] == 3  # the default, as the note said
    assert at.query_params["batch_size"] == "128" and at.query_params["filters"] == "4,8,32"


def test_a_preset_changes_both_pages_and_the_url():
    at = app("p3_build.py")
    at.sidebar.selectbox(key="classroom_preset").select("No convolution").run()
    assert not at.exception
    assert at.session_state["build_blocks"] == 0
    assert at.query_params["conv_blocks"] == "0"
    assert "Flatten and dense layers only" in at.sidebar.caption[0].value
    at.sidebar.selectbox(key="classroom_preset").select("Learning rate too high").run()
    at.switch_page("lesson/pages/p4_train.py").run()
    assert at.session_state["train_optimizer"] == "sgd"
    assert at.session_state["train_learning_rate"] == 10.0


def test_instructor_mode_reveals_answers_and_locked_settings_stay_fixed(instructor_key):
    query = {"instructor": INSTRUCTOR_KEY, "lock": "epochs,kernel_size", "epochs": "7"}
    at = app("p4_train.py", query)
    assert "Locked for the class: epochs 7; kernel size 3" in at.caption[0].value
    assert "instructor" not in at.sidebar.code[0].value  # the link for the class
    assert not [c for c in at.caption if c.value.startswith("Answer:")]
    at.sidebar.toggle(key="classroom_reveal").set_value(True).run()
    answers = [c.value for c in at.caption if c.value.startswith("Answer:")]
    assert answers[0] == "Answer: **844 (the last batch may be smaller)**"
    at.button(key="train_recipe").click().run()  # 10 epochs, but the teacher said 7
    assert at.session_state["train_epochs"] == 7
    assert at.session_state["train_batch_size"] == 32
    at.sidebar.multiselect(key="classroom_lock_pick").unselect("epochs").run()  # unlock
    at.button(key="train_recipe").click().run()
    assert at.session_state["train_epochs"] == 10
    assert at.query_params["lock"] == "kernel_size"


def test_under_a_lock_the_quick_run_and_recipe_buttons_say_what_they_keep():
    """They promised 10 epochs and batch 32 while the lock kept epochs at 7 (issue 18)."""
    at = app("p4_train.py", {"lock": "epochs,kernel_size", "epochs": "7"})
    assert "Locked, so both buttons keep epochs 7." in [c.value.split(": ", 1)[-1] for c in
                                                        at.caption]  # fmt: skip
    at.button(key="train_recipe").click().run()
    assert at.session_state["train_epochs"] == 7
    plain = app("p4_train.py")
    assert not [c for c in plain.caption if "Locked, so" in c.value]
