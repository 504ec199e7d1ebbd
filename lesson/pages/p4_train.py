"""Page 4: compile and train the learner's network live, evaluate it, compare the runs."""

import functools

import streamlit as st

import lesson
from lesson.parts import access, classroom, session, workspace
from lesson.parts.common import LEARNER_MODEL, LEARNER_MODEL_NAME, adopt, mnist, prose, show_code
from lesson.tools import exercises as ex

PAGE = "p4_train"

st.title(lesson.title(4))
prose(PAGE, "intro")
m = mnist()
with st.spinner("Loading Keras…"):  # the first page that needs it pays its import once
    from lesson import step3_network, step4_augmentation, step4_robustness, step4_training
    from lesson.machinery import workers
    from lesson.parts import hyperparameters, robustness, run_display  # these import Keras too
    from lesson.tools import export, settings
workers.warm()  # the training processes start while the learner reads: none waits for them
classroom.setup()  # the experiment in the link, the teacher's locks, presets

config = st.session_state.get(session.NETWORK, step3_network.LESSON)
runs: list = workspace.runs()  # the workspace's runs: stored ones and the one training now
current = runs[-1] if runs else None
active = current is not None and not current.finished
away = workspace.elsewhere(current)  # queued or training in another app process
hyperparameters.start_at(classroom.current().hp)  # the widgets start at the learner's experiment

# --- Compile --------------------------------------------------------------------------------------
optimizer = st.session_state[hyperparameters.KEYS["optimizer"]]  # the one compile will use
prose(PAGE, "compile", optimizer=optimizer, rule=hyperparameters.RULES[optimizer],
      learning_rate=f"{st.session_state[hyperparameters.KEYS['learning_rate']]:g}")  # fmt: skip
show_code(step4_training.compile_model, label="Show the code: compile")

# --- Fit: the hyperparameters ---------------------------------------------------------------------
prose(PAGE, "hyperparameters")
st.markdown(
    f"Network: **{step3_network.describe(config)}**, "
    f"{step3_network.total_parameters(config):,} parameters (change it on the Build page)."
)
hyperparameters.presets(config, disabled=active)
hyperparameters.widgets(disabled=active)
prose(PAGE, "augmentation")
hyperparameters.augmentation(m, disabled=active)
a = step4_augmentation
show_code(a.augmenter, a.RandomTurnZoomShift, a.RandomStrokeWidth,
          label="Show the code: augmentation")  # fmt: skip
hp = hyperparameters.chosen()
classroom.remember(config, hp)  # the URL is this experiment
run_display.buttons(m, config, active, away)

# --- Training, live -------------------------------------------------------------------------------
run_display.watch(current, active, away)  # an idle page finds a run another tab started
run_display.live(runs, active, away)  # queued, its progress, its curves growing
prose(PAGE, "live")
show_code(*step4_training.FIT_CODE, label="Show the code: fit, with live curves")

# --- Evaluate -------------------------------------------------------------------------------------
# `active`, not `current.finished` again: a run that ends during this script run shows its
# results on the next (the live fragment starts it), never beside a Stop button drawn above.
if current is not None and not active and away is None:
    adopt(current)
    access.announce(access.run_news(current), "train", once=current.name)
    run_display.ending(current)
    if current.test:
        prose(PAGE, "results")
        run_display.scores(current.test)
        show_code(step4_training.evaluate, label="Show the code: evaluate")
    if st.session_state.get(LEARNER_MODEL) is current.model and current.usable:
        st.caption(
            f"The other pages can now use **{st.session_state[LEARNER_MODEL_NAME]}**.",
        )

# --- The runs compared ----------------------------------------------------------------------------
done = [run for run in runs if run.finished and run.batches]
if done:
    prose(PAGE, "compare")
    run_display.compared(done)

# --- See the difference: robustness ---------------------------------------------------------------
if done:
    prose(PAGE, "robustness")
    if robustness.check(done):
        show_code(step4_robustness.changed, step4_robustness.affine,
                  label="Show the code: the changed images")  # fmt: skip

# --- Take it home ---------------------------------------------------------------------------------
prose(PAGE, "export")
experiment = settings.Settings(config, hp)
downloads = st.container(horizontal=True)
downloads.download_button(
    "Python script (.py)",
    functools.partial(export.script, experiment),  # written when clicked, not at every run
    file_name="cnn_experiment.py",
    mime="text/x-python",
    icon=":material/download:",
    key="train_export_script",
    on_click="ignore",  # a download changes nothing on the page: no rerun
)
downloads.download_button(
    "Jupyter notebook (.ipynb)",
    functools.partial(export.notebook_text, experiment),
    file_name="cnn_experiment.ipynb",
    mime="application/x-ipynb+json",
    icon=":material/download:",
    key="train_export_notebook",
    on_click="ignore",  # a download changes nothing on the page: no rerun
)
show_code(export.steps, label="Show the code that writes the script")
shown = round(current.test["accuracy"], 4) if current is not None and current.test else None
classroom.exercises("train", ex.train(0.9898 if shown != 0.9898 else 0.97, hp))  # not on show
