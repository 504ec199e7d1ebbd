"""The Train page's advice for a run that did not learn names the learner's network (issue 35
item 7): a 1-unit dense layer is called too narrow, not only the settings blamed."""

from tests.pages import app, tiny, train_to_the_end


def test_a_run_that_did_not_learn_is_told_the_cause_in_its_network():
    at = app("p4_train.py", query={"dense_units": "1", "learning_rate": "1e-05"})
    tiny(at)
    run = train_to_the_end(at, timeout=180)
    assert run.config.dense_units == 1 and run.test["accuracy"] <= 0.2, run.test
    said = next(e.value for e in at.error if "did not learn" in e.value)
    assert "The hidden Dense layer has only 1 unit" in said, said
    assert "so small that the weights hardly move" in said, said
    assert "smaller learning rate" not in said
