"""Runs that differ never look alike: the network's few words name every setting that differs
from the lesson's, and the runs table says what differs among the runs (issue 35)."""

from dataclasses import fields, replace

import pytest

from lesson import step3_network, step4_training
from lesson.machinery import classes
from lesson.step3_network import LESSON
from lesson.tools import settings
from tests.pages import app, markdown_text
from tests.test_words import fake_run

# Each setting the learner can change, changed alone, and the words that must name it.
CHANGED = [
    (replace(LESSON, activation="tanh"), "tanh"),
    (replace(LESSON, padding="same"), "'same' padding"),
    (replace(LESSON, pool_size=3), "pool 3×3"),
    (replace(LESSON, conv_dropout=0.1), "dropout 0.1"),
    (replace(LESSON, dense_dropout=0.3), "dense 128 (dropout 0.3)"),
    (replace(LESSON, kernel_size=5), "5×5"),
    (replace(LESSON, filters=(8, 16, 32)), "8, 16 filters"),
    (replace(LESSON, dense_units=64), "dense 64"),
    (replace(LESSON, conv_blocks=1), "1 conv block"),
]


@pytest.mark.parametrize(("config", "said"), CHANGED, ids=[s for _, s in CHANGED])
def test_every_setting_that_differs_is_named_in_the_app_and_on_the_board(config, said):
    """Runs differing only in activation, padding, pool size or dropout read alike."""
    words = step3_network.describe(config)
    assert said in words and words != step3_network.describe(LESSON)
    board = classes.network_summary(settings.to_query(settings.Settings(config), full=True))
    assert said.replace(" conv block", "").replace("8, 16 filters", "conv 8-16") in board


def test_the_words_of_networks_differing_in_one_setting_all_differ():
    every = [c for c, _ in CHANGED] + [
        LESSON,
        replace(LESSON, conv_blocks=0),
        replace(LESSON, conv_blocks=0, dense_dropout=0.0),
    ]
    assert len({step3_network.describe(c) for c in every}) == len(every)
    query = [settings.to_query(settings.Settings(c), full=True) for c in every]
    assert len({classes.network_summary(q) for q in query}) == len(every)


def test_several_changes_are_all_named_and_unused_filters_are_not():
    config = replace(LESSON, activation="elu", padding="same", pool_size=3, conv_dropout=0.0)
    assert step3_network.describe(config) == (
        "2 conv blocks (6, 16 filters, 3×3, elu, 'same' padding, pool 3×3, dropout 0), dense 128"
    )
    assert step3_network.describe(replace(LESSON, filters=(6, 16, 64))) == "the lesson's network"
    no_conv = replace(LESSON, conv_blocks=0, activation="tanh", dense_dropout=0.0)
    assert step3_network.describe(no_conv) == "no convolution, dense 128 (dropout 0)"


def test_the_boards_lesson_defaults_are_the_lessons():
    lesson = settings.to_query(settings.DEFAULT, full=True)
    assert {key: lesson[key] for key in classes.LESSON_EXTRAS} == classes.LESSON_EXTRAS
    assert lesson["dense_dropout"] == "0.5"
    assert classes.network_summary(lesson) == "conv 6-16, 3×3, dense 128"


def test_what_differs_among_runs():
    quick = step4_training.QUICK
    runs = [
        settings.Settings(LESSON, quick),
        settings.Settings(replace(LESSON, activation="tanh"), quick),
        settings.Settings(replace(LESSON, activation="tanh"), replace(quick, learning_rate=0.01)),
    ]
    assert settings.differences(runs) == [
        "activation relu, learning rate 0.001",
        "activation tanh, learning rate 0.001",
        "activation tanh, learning rate 0.01",
    ]
    assert settings.differences(runs[:1] * 2) == ["–", "–"]
    # The filters of blocks not in use differ in no network.
    unused = settings.Settings(replace(LESSON, filters=(6, 16, 64)), quick)
    assert settings.differences([runs[0], unused]) == ["–", "–"]
    assert set(settings.LABELS) == {f.name for f in fields(settings.Settings().network)} | {
        f.name for f in fields(quick)
    }


def test_the_train_page_names_the_differing_settings_of_its_runs():
    first = fake_run("done", 0.97, 1)
    second = fake_run("done", 0.96, 1)
    second.name, second.config = "run 2", replace(LESSON, padding="same", pool_size=3)
    at = app(query={"activation": "sigmoid"})
    at.session_state["workspace_runs"] = {1: first, 2: second}
    at.switch_page("lesson/pages/p4_train.py").run()
    assert not at.exception
    assert "Network: **2 conv blocks (6, 16 filters, 3×3, sigmoid), dense 128**" in markdown_text(
        at
    )
    table = next(d.value for d in at.dataframe if "what differs" in d.value.columns)
    assert list(table["what differs"]) == ["padding valid, pool 2", "padding same, pool 3"]
    assert list(table["network"]) == [
        "the lesson's network",
        "2 conv blocks (6, 16 filters, 3×3, 'same' padding, pool 3×3), dense 128",
    ]
