"""The class store: classes with a join code, their members, and the runs members post.

An instructor opens a class; a learner joins it with its code and a display name; every run
the learner finishes or stops afterwards is posted to the class's board (a few per minute at
most). The tables are in lesson/machinery/store.py (schema version 2).
"""

import math
import re
import secrets
import time
import unicodedata
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from lesson.machinery import store as storage
from lesson.machinery.store import classes, cleared, members, posts, runs, workspaces
from lesson.tools import words

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a projector
CODE_LENGTH = 6
NAME_LENGTH = 24  # characters of a display name
PASTE_LENGTH = 200  # characters the name box takes: a longer name is cut to NAME_LENGTH, said
CLASS_NAME_LENGTH = 60
POSTS_PER_MINUTE = 4  # per learner and class: a flood is refused, the board stays readable
POSTS_PER_LEARNER = 60  # per class, in all
REPEAT_WINDOW = 60.0  # seconds: "Open a class" again with the same name is the same click
ADJECTIVES = (
    "Brave", "Calm", "Clever", "Curious", "Eager", "Gentle", "Happy", "Keen", "Lively", "Lucky",
    "Patient", "Quick", "Quiet", "Steady", "Swift", "Wise",
)  # fmt: skip
ANIMALS = (
    "Badger", "Beaver", "Crane", "Dolphin", "Falcon", "Fox", "Hedgehog", "Heron", "Koala",
    "Lynx", "Otter", "Owl", "Panda", "Puffin", "Robin", "Seal", "Tortoise", "Wombat",
)  # fmt: skip


class ClassError(ValueError):
    """A class action that cannot be done; the message says why, in words."""


@dataclass
class ClassInfo:
    id: str
    name: str
    code: str
    created: float
    closed: float | None
    names_hidden: bool
    challenge: dict | None

    @property
    def is_open(self) -> bool:
        return self.closed is None


@dataclass
class Post:
    id: int
    workspace_id: str
    name: str  # the member's display name
    number: int
    posted: float
    experiment: dict
    results: dict


@dataclass
class Progress:
    workspace_id: str
    name: str
    pages_solved: list[str]
    runs: int
    best_accuracy: float | None
    last_active: float


def clean_name(text, limit: int = NAME_LENGTH) -> str:
    """A display name as stored: printable text on one line, at most `limit` characters.

    Markup is not stripped here (a name is text, shown escaped everywhere); control and
    formatting characters (bidi overrides, zero-width) go, since they can disguise a name.
    """
    if not isinstance(text, str):
        return ""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in unicodedata.normalize("NFKC", text)
        if ch.isspace() or unicodedata.category(ch)[0] not in "CZ"
    )
    return re.sub(r"\s+", " ", kept).strip()[:limit].strip()


def animal_name() -> str:
    """An anonymous name such as "Curious Otter"."""
    return f"{secrets.choice(ADJECTIVES)} {secrets.choice(ANIMALS)}"


def clean_code(text) -> str:
    """A join code as typed (any case, spaces, dashes) in its stored form."""
    if not isinstance(text, str):
        return ""
    return re.sub(r"[\s-]", "", text).upper()[:16]


def _info(row) -> ClassInfo:
    return ClassInfo(
        row.id, row.name, row.code, row.created, row.closed, bool(row.names_hidden),
        row.challenge,
    )  # fmt: skip


def open_class(store: storage.Store, name: str) -> ClassInfo:
    """A new open class with a fresh join code."""
    name = clean_name(name, CLASS_NAME_LENGTH) or "Our class"

    def work(conn):
        for _ in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            taken = conn.execute(sa.select(classes.c.id).where(classes.c.code == code)).first()
            if not taken:
                break
        info = ClassInfo(uuid.uuid4().hex, name, code, time.time(), None, False, None)
        conn.execute(
            classes.insert().values(
                id=info.id, name=info.name, code=info.code, created=info.created,
                names_hidden=False,
            )
        )  # fmt: skip
        return info

    return store._run(work)


def get_class(store: storage.Store, class_id: str) -> ClassInfo | None:
    def work(conn):
        row = conn.execute(sa.select(classes).where(classes.c.id == class_id)).first()
        return _info(row) if row else None

    return store._run(work)


def find_class(store: storage.Store, code) -> ClassInfo | None:
    """The open class of a join code; None for a wrong code or a closed class."""
    code = clean_code(code)
    if len(code) != CODE_LENGTH or set(code) - set(CODE_ALPHABET):
        return None

    def work(conn):
        row = conn.execute(
            sa.select(classes).where(classes.c.code == code, classes.c.closed.is_(None))
        ).first()
        return _info(row) if row else None

    return store._run(work)


def open_classes(store: storage.Store) -> list[ClassInfo]:
    """Every open class, newest first (two instructors may each run one)."""
    return store._run(
        lambda conn: [
            _info(row)
            for row in conn.execute(
                sa.select(classes)
                .where(classes.c.closed.is_(None))
                .order_by(classes.c.created.desc())
            )
        ]
    )


def all_classes(store: storage.Store) -> list[ClassInfo]:
    """Every class, open ones first, newest first within each: a closed class keeps its board."""
    return store._run(
        lambda conn: [
            _info(row)
            for row in conn.execute(
                sa.select(classes).order_by(classes.c.closed.is_not(None), classes.c.created.desc())
            )
        ]
    )


def _update(store: storage.Store, class_id: str, **values) -> None:
    store._run(
        lambda conn: conn.execute(classes.update().where(classes.c.id == class_id).values(**values))
    )


def close_class(store: storage.Store, class_id: str) -> None:
    """Close a class: its code stops working and nothing more is posted; the board stays."""
    _update(store, class_id, closed=time.time())


def hide_names(store: storage.Store, class_id: str, hidden: bool) -> None:
    _update(store, class_id, names_hidden=bool(hidden))


def set_challenge(store: storage.Store, class_id: str, challenge: dict | None) -> None:
    """The class's challenge: {"text": words, "experiment": link values, "lock": names}."""
    _update(store, class_id, challenge=storage.plain(challenge) if challenge else None)


def join(store: storage.Store, workspace_id: str, code, name) -> ClassInfo:
    """Make the workspace a member of the class of `code` (again: a new name)."""
    info = find_class(store, code)
    if info is None:
        raise ClassError("There is no open class with that code. Check it with your teacher.")
    name = clean_name(name) or animal_name()

    def work(conn):
        if not conn.execute(
            sa.select(workspaces.c.id).where(workspaces.c.id == workspace_id)
        ).first():  # fmt: skip
            raise ClassError("Your workspace is not saved yet; try again in a moment.")
        key = [members.c.class_id == info.id, members.c.workspace_id == workspace_id]
        if conn.execute(sa.select(members.c.name).where(*key)).first():
            conn.execute(members.update().where(*key).values(name=name))
        else:
            conn.execute(
                members.insert().values(
                    class_id=info.id, workspace_id=workspace_id, name=name, joined=time.time()
                )
            )

    store._run(work)
    return info


def leave(store: storage.Store, workspace_id: str, class_id: str) -> None:
    """The learner leaves a class; what they posted stays until the instructor removes it."""
    store._run(
        lambda conn: conn.execute(
            members.delete().where(
                members.c.class_id == class_id, members.c.workspace_id == workspace_id
            )
        )
    )


def membership(store: storage.Store, workspace_id: str) -> tuple[ClassInfo, str] | None:
    """The open class this workspace joined last, and its display name there."""

    def work(conn):
        row = conn.execute(
            sa.select(classes, members.c.name.label("member_name"))
            .join(members, members.c.class_id == classes.c.id)
            .where(members.c.workspace_id == workspace_id, classes.c.closed.is_(None))
            .order_by(members.c.joined.desc())
        ).first()
        return (_info(row), row.member_name) if row else None

    return store._run(work)


def summary_of(results: dict, status: str) -> dict:
    """What a board shows of a run's results (no curves): scores, size, time, status."""
    test = results.get("test") or {}
    return storage.plain(
        {
            "accuracy": test.get("accuracy"),
            "loss": test.get("loss"),
            "parameters": results.get("parameters"),
            "seconds": results.get("seconds"),
            "status": status,
        }
    )


def post_run(
    store: storage.Store,
    workspace_id: str,
    number: int,
    experiment: dict,
    results: dict,
    status: str,
    now: float | None = None,
) -> str:
    """Post a finished or stopped run to the learner's class: "posted", or why not."""
    now = time.time() if now is None else now
    joined = membership(store, workspace_id)
    if joined is None:
        return "not in a class"
    info = joined[0]

    def work(conn):
        mine = [posts.c.class_id == info.id, posts.c.workspace_id == workspace_id]
        if conn.execute(sa.select(posts.c.id).where(*mine, posts.c.number == number)).first():
            return "already posted"
        mine.append(_shown())  # a cleared board has room again
        recent = conn.execute(
            sa.select(sa.func.count()).where(*mine, posts.c.posted > now - 60)
        ).scalar()
        total = conn.execute(sa.select(sa.func.count()).where(*mine)).scalar()
        if recent >= POSTS_PER_MINUTE or total >= POSTS_PER_LEARNER:
            return "too many posts"
        conn.execute(
            posts.insert().values(
                class_id=info.id, workspace_id=workspace_id, number=number, posted=now,
                experiment=storage.plain(experiment), results=summary_of(results, status),
            )
        )  # fmt: skip
        return "posted"

    return store._run(work)


def next_post(store: storage.Store, workspace_id: str, now: float | None = None) -> float | None:
    """When the learner's next run can be posted to their class (`now` if it can now); None if
    never: they posted the most a class takes from one learner, or they are in no class."""
    now = time.time() if now is None else now
    joined = membership(store, workspace_id)
    if joined is None:
        return None

    def work(conn):
        mine = [posts.c.class_id == joined[0].id, posts.c.workspace_id == workspace_id, _shown()]
        if conn.execute(sa.select(sa.func.count()).where(*mine)).scalar() >= POSTS_PER_LEARNER:
            return None
        recent = conn.execute(
            sa.select(posts.c.posted)
            .where(*mine, posts.c.posted > now - 60)
            .order_by(posts.c.posted.desc())
        ).scalars().all()  # fmt: skip
        # Posting is refused while POSTS_PER_MINUTE posts are less than a minute old.
        return now if len(recent) < POSTS_PER_MINUTE else recent[POSTS_PER_MINUTE - 1] + 60

    return store._run(work)


def not_posted_words(
    name: str, posted: str | None, again: float | None = None, now: float | None = None
) -> str | None:
    """The sentence a learner reads when their run `name` was not posted to the class board.

    `posted` is what post_run said (or "not posted: why" when the store failed), `again` what
    next_post said; None when there is nothing to say (posted, or in no class).
    """
    if posted in (None, "posted", "already posted", "not in a class"):
        return None
    head = f"{name.capitalize()} was not posted to the class board"
    if posted == "too many posts":
        if again is None:
            return (
                f"{head}: you have posted {POSTS_PER_LEARNER} runs to this class, the most it "
                "takes from one learner. Your runs are still saved in your workspace."
            )
        wait = math.ceil(again - (time.time() if now is None else now))
        when = "now" if wait <= 0 else f"in {words.plural(wait, 'second')}"
        return (
            f"{head}: the board takes at most {POSTS_PER_MINUTE} runs a minute from each "
            f"learner, so that it stays readable. You can post again {when}: runs you finish "
            "from then on are posted as before."
        )
    why = posted.removeprefix("not posted: ")
    return f"{head} ({why}), so it will not appear there. It is still saved in your workspace."


def _shown():
    """A condition on posts: not hidden by a "Clear the board"."""
    return posts.c.id.not_in(sa.select(cleared.c.post_id))


def board(store: storage.Store, class_id: str) -> list[Post]:
    """Every run posted to a class and not cleared, oldest first, with the poster's name."""

    def work(conn):
        rows = conn.execute(
            sa.select(posts, members.c.name)
            .join(
                members,
                (members.c.class_id == posts.c.class_id)
                & (members.c.workspace_id == posts.c.workspace_id),
                isouter=True,
            )
            .where(posts.c.class_id == class_id, _shown())
            .order_by(posts.c.posted, posts.c.id)
        )
        return [
            Post(r.id, r.workspace_id, r.name or "(left the class)", r.number, r.posted,
                 r.experiment, r.results)
            for r in rows
        ]  # fmt: skip

    return store._run(work)


def remove_post(store: storage.Store, class_id: str, post_id: int) -> None:
    store._run(
        lambda conn: conn.execute(
            posts.delete().where(posts.c.class_id == class_id, posts.c.id == post_id)
        )
    )


def clear(store: storage.Store, class_id: str, now: float | None = None) -> int:
    """Hide every post on the class's board (kept, so that "Undo clear" can show them again).

    Returns how many were hidden; members stay.
    """
    now = time.time() if now is None else now

    def work(conn):
        ids = conn.execute(
            sa.select(posts.c.id).where(posts.c.class_id == class_id, _shown())
        ).scalars().all()  # fmt: skip
        if ids:
            conn.execute(
                cleared.insert(),
                [{"post_id": i, "class_id": class_id, "cleared": now} for i in ids],
            )
        return len(ids)

    return store._run(work)


def last_clear(store: storage.Store, class_id: str) -> tuple[float, int] | None:
    """When the board was last cleared and how many posts that hid; None if never (or undone)."""

    def work(conn):
        when = conn.execute(
            sa.select(sa.func.max(cleared.c.cleared)).where(cleared.c.class_id == class_id)
        ).scalar()
        if when is None:
            return None
        count = conn.execute(
            sa.select(sa.func.count()).where(
                cleared.c.class_id == class_id, cleared.c.cleared == when
            )
        ).scalar()
        return when, count

    return store._run(work)


def undo_clear(store: storage.Store, class_id: str) -> int:
    """Show again the posts the latest clear hid; how many came back."""

    def work(conn):
        when = conn.execute(
            sa.select(sa.func.max(cleared.c.cleared)).where(cleared.c.class_id == class_id)
        ).scalar()
        if when is None:
            return 0
        return conn.execute(
            cleared.delete().where(cleared.c.class_id == class_id, cleared.c.cleared == when)
        ).rowcount

    return store._run(work)


def progress(store: storage.Store, class_id: str, workspace_id: str | None = None) -> list:
    """Each member's progress (or only `workspace_id`'s): pages solved, and the runs trained
    while in this class (from joining it until joining another class or its close)."""

    def work(conn):
        closed = conn.execute(
            sa.select(classes.c.closed).where(classes.c.id == class_id)
        ).scalar()  # fmt: skip
        query = (
            sa.select(
                members.c.workspace_id, members.c.name, members.c.joined, workspaces.c.state,
                workspaces.c.touched,
            )
            .join(workspaces, workspaces.c.id == members.c.workspace_id)
            .where(members.c.class_id == class_id)
            .order_by(members.c.joined)
        )  # fmt: skip
        if workspace_id is not None:
            query = query.where(members.c.workspace_id == workspace_id)
        table = []
        for row in conn.execute(query).all():
            later = conn.execute(
                sa.select(sa.func.min(members.c.joined)).where(
                    members.c.workspace_id == row.workspace_id, members.c.joined > row.joined
                )
            ).scalar()  # the learner's next class, if they joined one
            ends = [t for t in (later, closed) if t is not None]
            window = [runs.c.workspace_id == row.workspace_id, runs.c.created >= row.joined]
            if ends:
                window.append(runs.c.created < min(ends))
            results = conn.execute(sa.select(runs.c.results).where(*window)).scalars().all()
            scores = [(r.get("test") or {}).get("accuracy") for r in results if isinstance(r, dict)]
            scores = [s for s in scores if isinstance(s, int | float)]
            state = row.state or {}
            table.append(
                Progress(
                    row.workspace_id, row.name, list(state.get("pages_solved", [])),
                    len(results), max(scores) if scores else None, row.touched,
                )
            )  # fmt: skip
        return table

    return store._run(work)


# --- the board, as rows and words (the page draws them) ------------------------------------


# The lesson's network settings that a summary names only when a run changed them, as a link
# writes them (step3_network.LESSON's; tests/test_runs_told_apart.py checks they agree).
LESSON_EXTRAS = {"activation": "relu", "padding": "valid", "pool_size": "2", "conv_dropout": "0.25"}


def network_summary(experiment: dict) -> str:
    """A network in a few words: "conv 6-16, 3×3, dense 128", with every other setting that
    differs from the lesson's: "conv 6-16, 3×3, tanh, pool 3×3, dense 128 (dropout 0.3)"."""
    try:
        blocks = int(experiment.get("conv_blocks", 2))
        filters = str(experiment.get("filters", "")).split(",")[:blocks]
        kernel = experiment.get("kernel_size", "3")
        dense = experiment.get("dense_units", "128")
    except (TypeError, ValueError):
        return "?"
    extras = ""
    for key, lesson in LESSON_EXTRAS.items():
        value = str(experiment.get(key, lesson))
        if value != lesson:
            extras += {"padding": f", '{value}' padding", "pool_size": f", pool {value}×{value}",
                       "conv_dropout": f", dropout {value}"}.get(key, f", {value}")  # fmt: skip
    convs = f"conv {'-'.join(filters)}, {kernel}×{kernel}{extras}, " if blocks else "no conv, "
    dropout = str(experiment.get("dense_dropout", "0.5"))
    return f"{convs}dense {dense}" + (f" (dropout {dropout})" if dropout != "0.5" else "")


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def aliases(store: storage.Store, class_id: str) -> dict[str, str]:
    """Names for a class whose names are hidden: "Learner 1", "Learner 2"… in joining order."""
    ids = store._run(
        lambda conn: conn.execute(
            sa.select(members.c.workspace_id)
            .where(members.c.class_id == class_id)
            .order_by(members.c.joined, members.c.workspace_id)
        ).scalars().all()
    )  # fmt: skip
    return {workspace_id: f"Learner {n}" for n, workspace_id in enumerate(ids, start=1)}


def rows(posts: list[Post], hidden: dict[str, str] | None = None) -> list[dict]:
    """One row per posted run, in posting order; with `hidden` (aliases), no real names."""
    table = []
    for post in posts:
        name = post.name if hidden is None else hidden.get(post.workspace_id, "A learner")
        e, r = post.experiment, post.results
        table.append(
            {
                "id": post.id, "who": name, "run": post.number,
                "network": network_summary(e), "parameters": r.get("parameters"),
                "epochs": _number(e.get("epochs")), "batch_size": _number(e.get("batch_size")),
                "learning_rate": _number(e.get("learning_rate")),
                "optimizer": str(e.get("optimizer", "?")),
                "train_images": _number(e.get("train_images")),
                "seconds": r.get("seconds"), "accuracy": r.get("accuracy"),
                "status": r.get("status", ""), "posted": post.posted, "experiment": e,
            }
        )  # fmt: skip
    return table


def best(table: list[dict]) -> dict | None:
    """The row with the highest test accuracy (the earliest if tied)."""
    scored = [row for row in table if isinstance(row["accuracy"], int | float)]
    return max(scored, key=lambda row: (row["accuracy"], -row["posted"])) if scored else None


def trend_text(table: list[dict], x: str, label: str) -> str:
    """A chart's text equivalent: the best test accuracy at each value of `x`, by optimizer."""
    points: dict[tuple, float] = {}
    for row in table:
        if isinstance(row["accuracy"], int | float) and row[x] is not None:
            key = (row["optimizer"], row[x])
            points[key] = max(points.get(key, 0.0), row["accuracy"])
    if not points:
        return (
            f"No posted run has a test accuracy yet, so there is nothing to plot against {label}."
        )
    parts = []
    for optimizer in sorted({o for o, _ in points}):
        values = sorted((v, a) for (o, v), a in points.items() if o == optimizer)
        parts.append(
            f"{optimizer}: " + ", ".join(f"{v:g} → {a:.1%}" for v, a in values)
        )  # fmt: skip
    return f"Best test accuracy by {label}. " + "; ".join(parts) + "."
