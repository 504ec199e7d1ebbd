"""The CNN lesson's core: Keras and numpy code, one module per step, in the lesson's order.

    step1_data.py           1 · The data: load MNIST, reshape to (N, 28, 28, 1), scale to 0..1
    step2_labels.py         2 · One-hot labels
    step3_network.py        3 · Build the network, and count its parameters by hand
    step4_training.py       4 · Train: compile, fit (with live curves), evaluate
    step4_augmentation.py       data augmentation, used by fit
    step4_robustness.py         test images shifted, turned, scaled: is the network robust?
    step5_drawing.py        5 · Draw a digit: any picture made to look like an MNIST digit
    step5_prediction.py         the probabilities and feature maps of one image
    step5_unfamiliar.py         honest answers: does the input look like a digit at all?
    step6_inside.py         6 · Filters & feature maps: the filters, one value by hand
    step7_mistakes.py       7 · Mistakes: the confusion matrix, confident mistakes, saliency

    cli.py                  the command: cnn-lesson [serve] | predict | bench | pretrain
    paths.py, quiet.py      where the bundled files are; TensorFlow's start-up notes kept quiet

    tools/                  beside the lesson: links and presets, limits, exercises, the
                            export, and the commands bench, pretrain and predict
    machinery/              the server: the store, workspaces, training workers, classes
    pages/                  the Streamlit pages, one per entry of the navigation, in its order
    parts/                  what the pages are built from: prose, charts, the workspace, the
                            class, the players (nothing imports Streamlit outside pages/, parts/)

STEPS is the one numbering: the pages' titles, their prose and the export use it.
"""

from lesson import quiet

quiet.environment()  # before anything imports TensorFlow: its log level, Keras' backend

STEPS = {  # number -> title: step N lives in lesson/stepN_*.py and on page N
    1: "The data",
    2: "One-hot labels",
    3: "Build the network",
    4: "Train",
    5: "Draw a digit",
    6: "Filters & feature maps",
    7: "Mistakes",
}


def title(number: int) -> str:
    """A step's page title, e.g. "4 · Train"."""
    return f"{number} · {STEPS[number]}"


def heading(number: int) -> str:
    """A step's heading in prose and in the exported notebook, e.g. "Step 4 · Train"."""
    return f"Step {number} · {STEPS[number]}"
