"""For the class: the experiment in the link, presets, locked controls and checked exercises."""

from urllib.parse import urlencode

import streamlit as st

from lesson.parts import access, session, workspace
from lesson.tools import exercises as ex

NETWORK, HYPERPARAMETERS = session.NETWORK, session.HYPERPARAMETERS
SOLVED = session.SOLVED
ANSWERS = session.ANSWERS
PAGES_SOLVED = session.PAGES_SOLVED
LOCK, INSTRUCTOR, REVEAL = "classroom_lock", "classroom_instructor", "classroom_reveal"
REVEAL_ON = "classroom_reveal_on"  # the switch's state across pages (the widget's goes with it)
WRITTEN, IGNORED, FIXED = "classroom_written", "classroom_ignored", "classroom_fixed"
WRITTEN_OPTIONS = "classroom_written_options"  # what this app last wrote, not a new link
# Every experiment this session wrote into its URL: a rerun can carry one of them back from the
# browser after the learner has moved on (the URL lags behind quick changes); that is no new link.
WRITTEN_BEFORE = "classroom_written_before"
# The class's challenge (lesson/parts/board.py), apart from any link's: its locks and values win
# over every link, preset and `lock=` while it runs, and its end gives back what it took.
CHALLENGE_LOCK, CHALLENGE_FIXED = "classroom_challenge_lock", "classroom_challenge_fixed"
BEFORE_CHALLENGE = "before_challenge"  # workspace state: {"id", "lock", "experiment"} before it
# The widgets that show each setting (Build and Train pages).
WIDGETS = {
    "conv_blocks": ["build_blocks"],
    "filters": ["build_filters_1", "build_filters_2", "build_filters_3"],
    "kernel_size": ["build_kernel"],
    "activation": ["build_activation"],
    "padding": ["build_padding"],
    "pool_size": ["build_pool"],
    "conv_dropout": ["build_conv_dropout"],
    "dense_units": ["build_units"],
    "dense_dropout": ["build_dense_dropout"],
    **{name: [f"train_{name}"] for name in ("epochs", "batch_size", "optimizer")},
    **{name: [f"train_{name}"] for name in ("learning_rate", "validation_split", "seed")},
    "train_images": ["train_images"],
    "augmentation": ["train_augment", "train_augmentation"],
}


def _query() -> dict[str, tuple[str, ...]]:
    """The page's query parameters, every value of a repeated key kept."""
    return {key: tuple(st.query_params.get_all(key)) for key in st.query_params}


def read_options() -> None:
    """Remember the locks of the link for the whole session (the key: lesson/parts/instructor)."""
    written = st.session_state.get(WRITTEN_OPTIONS, {})
    query = {k: v for k, v in _query().items() if written.get(k) != v}  # new in the URL
    if "lock" in query:
        from lesson.tools import settings

        names, unknown = settings.parse_lock(",".join(query["lock"]))
        st.session_state[LOCK] = names
        if unknown:
            st.session_state.setdefault(IGNORED, []).append(
                f"`lock`: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not a "
                "setting of this app"
            )


def current():
    """The learner's experiment: their network and hyperparameters (the defaults if unset)."""
    from lesson.tools import settings

    if NETWORK not in st.session_state and (saved := workspace.state().get("experiment")):
        restored, _ = settings.from_query(saved)  # the workspace's last experiment
        st.session_state[NETWORK], st.session_state[HYPERPARAMETERS] = restored.network, restored.hp
    return settings.Settings(
        st.session_state.get(NETWORK, settings.DEFAULT.network),
        st.session_state.get(HYPERPARAMETERS, settings.DEFAULT.hp),
    )


def held() -> tuple[list[str], object]:
    """The locked setting names and the values they keep: the challenge's, else the link's."""
    if st.session_state.get(CHALLENGE_FIXED) is not None:
        return list(st.session_state.get(CHALLENGE_LOCK, [])), st.session_state[CHALLENGE_FIXED]
    return list(st.session_state.get(LOCK, [])), st.session_state.get(FIXED)


def with_values(experiment, source, names):
    """`experiment` with the settings `names` taken from `source`."""
    from dataclasses import replace

    net = {k: getattr(source.network, k) for k in names if hasattr(source.network, k)}
    hp = {k: getattr(source.hp, k) for k in names if hasattr(source.hp, k)}
    return type(experiment)(replace(experiment.network, **net), replace(experiment.hp, **hp))


def holding(experiment):
    """`experiment` as the locks allow it: what they fix keeps the teacher's value."""
    locked, fixed = held()
    return with_values(experiment, fixed, locked) if fixed is not None and locked else experiment


def _store(experiment, only: list[str] | None = None) -> None:
    """Make `experiment` the learner's; the controls of `only` (default: all) start from it."""
    experiment = holding(experiment)  # the teacher's values win
    st.session_state[NETWORK] = experiment.network
    st.session_state[HYPERPARAMETERS] = experiment.hp
    for name in WIDGETS if only is None else only:
        for key in WIDGETS[name]:
            st.session_state.pop(key, None)


def start_challenge(challenge: dict) -> None:
    """A challenge fixes what it locks, nothing else; the learner's values of those are kept."""
    from lesson.tools import settings

    fixed, _ = settings.from_query(challenge.get("experiment", {}))
    names = [name for name in challenge.get("lock", []) if name in settings.KEYS]
    saved = workspace.state().get(BEFORE_CHALLENGE) or {}
    if saved.get("id") != challenge.get("id"):  # a new challenge, not the same after a reload
        mine = _before(current())  # a challenge that replaces another: what was there before it
        workspace.save(**{BEFORE_CHALLENGE: {
            "id": challenge.get("id"), "lock": names,
            "experiment": settings.to_query(mine, full=True),
        }})  # fmt: skip
    was = saved.get("lock", [])
    st.session_state[CHALLENGE_FIXED], st.session_state[CHALLENGE_LOCK] = fixed, names
    _store(current(), only=sorted({*names, *was} & set(WIDGETS)))


def _before(now):
    """`now` with the learner's own values of what the last challenge locked (saved with it)."""
    from lesson.tools import settings

    saved = workspace.state().get(BEFORE_CHALLENGE) or {}
    if not saved.get("experiment"):
        return now
    return with_values(now, settings.from_query(saved["experiment"])[0], saved.get("lock", []))


def end_challenge() -> None:
    """The challenge ended: the settings it locked are the learner's own again."""
    st.session_state.pop(CHALLENGE_LOCK, None)
    st.session_state.pop(CHALLENGE_FIXED, None)
    names = (workspace.state().get(BEFORE_CHALLENGE) or {}).get("lock", [])
    _store(_before(current()), only=[n for n in names if n in WIDGETS])
    if workspace.state().get(BEFORE_CHALLENGE):
        workspace.save(**{BEFORE_CHALLENGE: None})


def _pick_locks() -> None:
    """The instructor chose what to lock: the values on screen now are the ones kept."""
    st.session_state[LOCK] = list(st.session_state["classroom_lock_pick"])
    st.session_state[FIXED] = current()


def _apply_preset() -> None:
    from lesson.tools import settings

    chosen = st.session_state.get("classroom_preset")
    preset = next((p for p in settings.PRESETS if p.name == chosen), None)
    if preset is not None:
        _store(preset.settings)


def setup() -> None:
    """Before a page's controls: the link's experiment, the teacher's locks, the presets."""
    from lesson.tools import settings

    read_options()
    query = _query()
    experiment = {k: v for k, v in query.items() if k not in settings.OPTIONS}
    if experiment and experiment not in st.session_state.get(WRITTEN_BEFORE, []):
        link, ignored = settings.from_query({k: list(v) for k, v in experiment.items()})
        st.session_state.setdefault(IGNORED, []).extend(ignored)
        st.session_state[FIXED] = link
        _store(link)
        st.session_state[WRITTEN] = experiment
        st.session_state.setdefault(WRITTEN_BEFORE, []).append(experiment)  # applied once
    elif "lock" in query and FIXED not in st.session_state:
        st.session_state[FIXED] = current()
    locked, fixed = held()
    if locked and fixed is not None:
        _store(current(), only=locked)  # every run: nothing changes what the teacher fixed
        hidden = ", ".join(f".st-key-{key}" for name in locked for key in WIDGETS[name])
        inside = ", ".join(f".st-key-{key} *" for name in locked for key in WIDGETS[name])
        # A column whose every control is locked goes too, so the others close the gap (a
        # number box is a container: its text box and note are inside it).
        empty = (
            '[data-testid="stColumn"]:has([data-testid="stElementContainer"])'
            f':not(:has([data-testid="stElementContainer"]:not({hidden}, {inside})))'
        )
        st.html(f"<style>{hidden}, {empty} {{display: none !important}}</style>")
        now = current()
        values = [f"{name.replace('_', ' ')} {_show(now, name)}" for name in locked]
        who = (
            "Locked for the class: " if st.session_state.get(INSTRUCTOR) else "Your teacher fixed "
        )
        st.caption(":material/lock: " + who + "; ".join(values) + ".")
    if notes := st.session_state.pop(IGNORED, None):
        st.warning(
            "**Some settings in the link were ignored**; the defaults are used instead:\n\n"
            + "\n".join(f"- {note}" for note in notes),
            icon=":material/link_off:",
        )
    with st.sidebar:
        if st.session_state.get(INSTRUCTOR):  # as TF Playground's classroom panel
            st.markdown("**For the class**")
            st.session_state.setdefault("classroom_lock_pick", list(locked))
            st.multiselect(
                "Lock (and hide) these settings",
                settings.KEYS,
                key="classroom_lock_pick",
                format_func=lambda name: name.replace("_", " "),
                on_change=_pick_locks,
                help="They keep their values now; the link below carries them to the class.",
            )
        st.markdown("**Presets**")
        chosen = st.selectbox(
            "Start from a preset",
            [p.name for p in settings.PRESETS],
            index=None,
            placeholder="Choose a preset…",
            key="classroom_preset",
            on_change=_apply_preset,
        )
        for p in settings.PRESETS:
            if p.name == chosen:
                st.caption(p.shows)


def kept_by_lock(*presets) -> str:
    """The locked hyperparameters that `presets` would change, with the values they keep."""
    (locked, _), now = held(), current()
    kept = [
        name
        for name in locked
        if hasattr(now.hp, name) and any(getattr(p, name) != getattr(now.hp, name) for p in presets)
    ]
    return "; ".join(f"{name.replace('_', ' ')} {_show(now, name)}" for name in kept)


def _show(experiment, name: str) -> str:
    """One setting's value as the caption shows it."""
    part = experiment.network if hasattr(experiment.network, name) else experiment.hp
    value = getattr(part, name)
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def remember(network, hp) -> None:
    """After a page's controls: keep the experiment and write it into the page's URL."""
    from lesson.tools import settings

    st.session_state[NETWORK], st.session_state[HYPERPARAMETERS] = network, hp
    full = settings.to_query(settings.Settings(network, hp), full=True)
    if workspace.state().get("experiment") != full:
        workspace.save(experiment=full)
    query = settings.to_query(settings.Settings(network, hp))
    options = {}
    if locked := st.session_state.get(LOCK):
        options["lock"] = ",".join(locked)
    st.session_state[WRITTEN] = {k: (v,) for k, v in query.items()}
    before = st.session_state.setdefault(WRITTEN_BEFORE, [])
    if st.session_state[WRITTEN] not in before:
        before[:] = [*before[-49:], st.session_state[WRITTEN]]  # the last 50 are enough
    st.session_state[WRITTEN_OPTIONS] = {k: (v,) for k, v in options.items()}
    if {k: (v,) for k, v in {**query, **options}.items()} != _query():
        st.query_params.from_dict({**query, **options})
    with st.sidebar:
        st.markdown("**Share this experiment**")
        shared = {**query, **options}
        base = (st.context.url or "").split("?")[0]
        st.code(base + ("?" + urlencode(shared) if shared else ""), language=None, wrap_lines=True)
        st.caption("Anyone opening this link gets this network and these hyperparameters.")


# --- exercises ---------------------------------------------------------------------------------


def _checked(exercise: ex.Exercise, page: str, keys: list[str]) -> None:
    """On each answer: remember what is right, so the navigation can show a ✓ at once."""
    solved = st.session_state.setdefault(SOLVED, set())
    answer = st.session_state.get(f"ex_{exercise.key}", "")
    if ex.check(exercise, answer):
        solved.add(exercise.key)
    else:
        solved.discard(exercise.key)
    pages = st.session_state.setdefault(PAGES_SOLVED, set())
    (pages.add if all(k in solved for k in keys) else pages.discard)(page)
    answers = st.session_state.setdefault(ANSWERS, {})
    saved = workspace.state()
    if answers.get(exercise.key) != answer or set(saved.get("solved", [])) != solved:
        answers[exercise.key] = answer
        workspace.save(answers=answers, solved=sorted(solved), pages_solved=sorted(pages))


def _keep_reveal() -> None:
    st.session_state[REVEAL_ON] = st.session_state[REVEAL]


def exercises(page: str, items: list[ex.Exercise]) -> None:
    """One or two questions at the end of a page: checked, a hint when wrong."""
    read_options()
    reveal = False
    if st.session_state.get(INSTRUCTOR):
        st.session_state[REVEAL] = st.session_state.get(REVEAL_ON, False)  # on until switched off
        reveal = st.sidebar.toggle("Reveal answers", key=REVEAL, on_change=_keep_reveal)
    keys = [e.key for e in items]
    st.divider()
    st.subheader("Check yourself", anchor=False)
    answers = st.session_state.get(ANSWERS, {})
    for exercise in items:
        if f"ex_{exercise.key}" not in st.session_state and exercise.key in answers:
            st.session_state[f"ex_{exercise.key}"] = answers[exercise.key]  # from the workspace
        answer = st.text_input(
            exercise.question,
            key=f"ex_{exercise.key}",
            on_change=_checked,
            args=(exercise, page, keys),
            placeholder="Your answer, then Enter",
        )
        if answer:
            _checked(exercise, page, keys)  # the network may have changed since
            right, why = ex.feedback(exercise, answer)
            if right:
                st.success("Right!", icon=":material/check_circle:")
            elif why == exercise.hint:
                st.warning(f"Not yet. Hint: {exercise.hint}", icon=":material/lightbulb:")
            else:  # not an answer to this question at all: say what to write
                st.info(why, icon=":material/edit_note:")
            said = "Not yet. Hint: " + why if why == exercise.hint else why
            access.announce(
                "Right!" if right else said, f"ex_{exercise.key}", once=f"{answer}:{right}"
            )
        if reveal:
            st.caption(f"Answer: **{exercise.answer}**")
