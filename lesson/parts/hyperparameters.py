"""The Train page's controls: the hyperparameter widgets, the presets and augmentation's gallery."""

import streamlit as st

from lesson import step4_augmentation, step4_training
from lesson.machinery.runs import measured_seconds
from lesson.parts import classroom
from lesson.parts.boxes import number_box
from lesson.parts.common import now
from lesson.tools import limits

# Hyperparameter -> widget key; the widgets start at the quick run.
KEYS = {"epochs": "train_epochs", "batch_size": "train_batch_size", "optimizer": "train_optimizer",
        "learning_rate": "train_learning_rate", "validation_split": "train_validation_split",
        "train_images": "train_images", "seed": "train_seed"}  # fmt: skip
AUGMENT, STRENGTH = "train_augment", "train_augmentation"  # the switch and its strength
EPOCHS = range(limits.EPOCH_RANGE[0], limits.EPOCH_RANGE[1] + 1)  # as links and presets allow
# How each optimizer of training.OPTIMIZERS changes a parameter, for the compile step's text.
RULES = {
    "adam": "gradient descent that adapts its step size for every parameter on its own",
    "sgd": "plain gradient descent: each parameter moves against its gradient, the learning "
    "rate times the gradient",
    "rmsprop": "gradient descent that divides each parameter's step by the recent size of its "
    "gradients",
}


def use(hp) -> None:
    """Set every hyperparameter widget to `hp`."""
    for name, key in KEYS.items():
        st.session_state[key] = getattr(hp, name)
    st.session_state[AUGMENT] = hp.augmentation > 0
    st.session_state[STRENGTH] = hp.augmentation or 0.5


def chosen() -> step4_training.Hyperparameters:
    """The hyperparameters on screen; no augmentation while its switch is off."""
    strength = st.session_state[STRENGTH] if st.session_state[AUGMENT] else 0.0
    return step4_training.Hyperparameters(
        **{name: st.session_state[key] for name, key in KEYS.items()}, augmentation=strength
    )


def start_at(hp) -> None:
    """The widgets start at `hp` (the learner's experiment); a value already set stays."""
    for name, key in KEYS.items():
        st.session_state.setdefault(key, getattr(hp, name))
    st.session_state.setdefault(AUGMENT, hp.augmentation > 0)
    st.session_state.setdefault(STRENGTH, hp.augmentation or 0.5)


def presets(config, disabled: bool) -> None:
    """The quick run and the lesson's recipe, as buttons that set every widget."""
    # The quick run's time as this server measured it for this network; no number until it has.
    quick_seconds = measured_seconds(config, step4_training.QUICK)
    row = st.container(horizontal=True)  # buttons as wide as their labels; wraps
    row.button(
        "Quick run" + (f" (≈ {quick_seconds:.0f} s here)" if quick_seconds else ""),
        on_click=use,
        args=(step4_training.QUICK,),
        icon=":material/bolt:",
        disabled=disabled,
        key="train_quick",
        help="3 epochs, batch 64: enough for about 98 % in class",
    )
    row.button(
        "The lesson's recipe",
        on_click=use,
        args=(step4_training.RECIPE,),
        icon=":material/menu_book:",
        disabled=disabled,
        key="train_recipe",
        help="10 epochs, batch 32, adam, all 60,000 images: the notebook's model.fit",
    )
    if kept := classroom.kept_by_lock(step4_training.QUICK, step4_training.RECIPE):
        st.caption(f":material/lock: Locked, so both buttons keep {kept}.")


def widgets(disabled: bool) -> None:
    """Epochs, batch size, optimizer, learning rate, images, validation and seed, in 3 columns."""
    c1, c2, c3 = st.columns(3)
    c1.slider(
        "Epochs",
        *limits.EPOCH_RANGE,
        now(KEYS["epochs"], EPOCHS),
        key=KEYS["epochs"],
        disabled=disabled,
    )
    c1.select_slider(
        "Batch size",
        limits.BATCH_SIZES,
        now(KEYS["batch_size"], limits.BATCH_SIZES),
        key=KEYS["batch_size"],
        disabled=disabled,
    )
    c2.segmented_control(
        "Optimizer",
        list(step4_training.OPTIMIZERS),
        default=now(KEYS["optimizer"], step4_training.OPTIMIZERS),
        required=True,
        key=KEYS["optimizer"],
        disabled=disabled,
    )  # required: a second click on the chosen one keeps it (no rerun writing the key)
    c2.select_slider(
        "Learning rate",
        limits.LEARNING_RATES,
        now(KEYS["learning_rate"], limits.LEARNING_RATES),
        format_func=lambda v: f"{v:g}",
        key=KEYS["learning_rate"],
        disabled=disabled,
        help="adam's usual value is 0.001; try 10 with sgd to see a network that learns nothing",
    )
    c3.select_slider(
        "Training images",
        limits.TRAIN_IMAGES,
        now(KEYS["train_images"], limits.TRAIN_IMAGES),
        format_func=lambda v: f"{v:,}",
        key=KEYS["train_images"],
        disabled=disabled,
        help="a random subset, for quick demos",
    )
    c3.slider(
        "Kept for validation",
        limits.VALIDATION_SPLITS[0],
        limits.VALIDATION_SPLITS[-1],
        now(KEYS["validation_split"], limits.VALIDATION_SPLITS),
        step=0.05,
        format="%.2f",
        key=KEYS["validation_split"],
        disabled=disabled,
    )
    number_box(c3, "Random seed", *limits.SEED_RANGE, KEYS["seed"], disabled=disabled)


@st.cache_data(show_spinner=False, max_entries=64)
def variants(image, strength: float, draw: int):
    """Random variants of a training image: 0..1 arrays (the same for the same draw)."""
    return step4_augmentation.variants(image, strength, 5, seed=draw)


def another_draw() -> None:
    """The gallery shows another image and new random variants."""
    st.session_state.train_augment_draw = st.session_state.get("train_augment_draw", 0) + 1


def augmentation(m, disabled: bool) -> None:
    """The switch with its strength, and a training image beside random variants of it."""
    a1, a2 = st.columns([1, 2])
    a1.toggle(
        "Augment the training images",
        bool(now(AUGMENT)),
        key=AUGMENT,
        disabled=disabled,
        wrap=True,
    )
    a1.select_slider(
        "Strength",
        limits.AUGMENTATIONS[1:],
        now(STRENGTH, limits.AUGMENTATIONS[1:]),
        key=STRENGTH,
        disabled=disabled,  # set it before switching on, too (a greyed label is hard to read)
        help="1: turned up to ±20°, shifted up to ±3 pixels, zoomed ±20 %, strokes ±0.8 pixel; "
        "used when augmentation is switched on",
    )
    a1.button("Other variants", icon=":material/casino:", key="train_augment_again",
              on_click=another_draw)  # fmt: skip
    strength = st.session_state[STRENGTH] if st.session_state[AUGMENT] else 0.5
    draw = st.session_state.get("train_augment_draw", 0)
    index = draw % 100  # one of the first 100 training images, a new one on each press
    pictures = variants(m.x_train[index], strength, draw)
    with a2:
        st.image(
            [m.x_train[index]] + [p for p in pictures],
            caption=[f"x_train[{index}], a {m.y_train[index]}"]
            + [f"variant {i + 1}" for i in range(len(pictures))],
            width=84,
            clamp=True,
            alt=[f"Training image {index}, a handwritten {m.y_train[index]}"]
            + [f"Random variant {i + 1} of training image {index}" for i in range(len(pictures))],
        )
        a = step4_augmentation
        st.caption(
            f"The same training image and {len(pictures)} random variants at strength "
            f"{strength:g}: turned up to ±{a.MAX_DEGREES * strength:.0f}°, shifted up to "
            f"±{a.MAX_SHIFT * 28 * strength:.1f} pixels, zoomed up to "
            f"±{a.MAX_ZOOM * strength:.0%}, strokes thicker or thinner."
        )
