"""The session-state keys that more than one page (or app.py) reads, each defined once."""

NETWORK = "network_config"  # the learner's NetworkConfig: Build writes it, Train reads it
HYPERPARAMETERS = "hyperparameters"  # the experiment's Hyperparameters (a link, a preset)
RUNS = "runs"  # the workspace's runs, oldest first, as the last page run listed them
ADOPTED = "train_adopted"  # the name of the run whose model is "your model"
LAST_DRAWING = "last_drawing"  # float32 (28, 28) 0..1: the Draw page's last digit
SOLVED = "exercises_solved"  # keys of the exercises answered right in this workspace
ANSWERS = "exercise_answers"  # exercise key -> the learner's last answer
PAGES_SOLVED = "pages_solved"  # url paths of the pages whose exercises are all right
NAVIGATION = "navigation"  # (PAGES_SOLVED when built, app.py's st.Page list)
# The Inside page's choices, which the Mistakes page sets to open a digit there
INSIDE_SOURCE = "inside_source"  # where the digit comes from: "test" or "drawing"
INSIDE_INDEX = "inside_index"  # the test image's number
INSIDE_MODEL = "inside_model"  # "pretrained" or "mine"
MISTAKES_MODEL = "mistakes_model"  # the Mistakes page's model choice, handed on to Inside
