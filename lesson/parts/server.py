"""`cnn-lesson serve`: Streamlit's own `run` on the app's script, with the app's settings,
after TensorFlow, MNIST and the pre-trained model are loaded into the pages' caches."""

import logging
import os
import sys
import tomllib

from lesson import paths


def streamlit_settings(path=paths.STREAMLIT_CONFIG) -> dict[str, str]:
    """The app's Streamlit settings as STREAMLIT_SECTION_KEY variables (theme, file watcher)."""
    with open(path, "rb") as file:
        config = tomllib.load(file)
    settings = {}
    for section, options in config.items():
        for key, value in options.items():
            name = "".join(f"_{c}" if c.isupper() else c.upper() for c in key)
            text = str(value).lower() if isinstance(value, bool) else str(value)
            settings[f"STREAMLIT_{section.upper()}_{name}"] = text
    return settings


def warm_up() -> None:
    """Import TensorFlow, read MNIST and load the model now, so the first visitor waits for none."""
    from lesson import step1_data, step3_network
    from lesson.parts import common  # the pages' own caches, filled before the server starts

    # Outside a page run Streamlit warns of a missing script-run context, harmlessly here.
    context = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    context.disabled = True
    try:
        common.import_keras()
        common._mnist(str(step1_data.mnist_path()))
        common._pretrained(str(step3_network.pretrained_path()))
    except (step1_data.DataFileError, step3_network.ModelFileError) as err:
        # The server starts all the same: the pages say what is wrong, and how to fix it.
        print(f"warning: {err}", file=sys.stderr, flush=True)
    finally:
        context.disabled = False


def serve(options: list[str]) -> int:
    """`streamlit run` on the app's script with `options`, after the warm-up."""
    from streamlit.web import cli as streamlit_cli

    # The app's settings unless the operator's environment or options say otherwise (options
    # beat variables); a .streamlit/config.toml in the working folder is read as well.
    for name, value in streamlit_settings().items():
        os.environ.setdefault(name, value)
    if not {"-h", "--help"} & set(options):
        print("Loading TensorFlow, MNIST and the pre-trained model…", flush=True)
        warm_up()
    sys.argv = ["cnn-lesson serve", "run", str(paths.APP), *options]
    try:
        streamlit_cli.main(prog_name="cnn-lesson serve")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0
