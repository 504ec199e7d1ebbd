"""The store: every learner's workspace in a database, SQLite by default, PostgreSQL by URL.

A workspace holds what one learner made: their settings, answers and progress (`state`, JSON),
and their runs (curves, scores, filter snapshots and the trained weights). A browser finds its
workspace again with a token; only the token's SHA-256 is stored, never the token itself.

The schema (version 2), small on purpose:

    store_version  version
    workspaces     id, token_hash, created, touched, state
    runs           workspace_id, number, status, message, experiment, results,
                   snapshots, weights, models_dropped, owner, created, updated,
                   stop_requested     (added when missing; older versions ignore it)
    classes        id, name, code, created, closed, names_hidden, challenge      (version 2)
    members        class_id, workspace_id, name, joined                          (version 2)
    posts          id, class_id, workspace_id, number, posted, experiment, results (version 2)
    cleared        post_id, class_id, cleared     (posts a "Clear the board" hid, for its undo)
    experiments    key, experiment, results, snapshots, weights, runs, created, used
                   (added when missing; older versions ignore it)

Version 1 databases are brought forward by creating the class tables (lesson/machinery/classes).

Every public method raises `StoreError`, with a message in words, when the database cannot
be used; the caller keeps working from memory and says that work is not being saved.
"""

import hashlib
import io
import math
import os
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from lesson import paths

SCHEMA_VERSION = 2
DATA_VARIABLE = "CNN_LESSON_DATA"  # the folder of the SQLite file
URL_VARIABLE = "CNN_LESSON_DATABASE_URL"  # e.g. postgresql+psycopg://user@host/db
RETENTION_VARIABLE = "CNN_LESSON_RETENTION_DAYS"
DATA_FOLDER = paths.DATA_FOLDER  # .data/ beside app.py in a checkout; installed: the user's
RETENTION_DAYS = 30  # a workspace nobody opened for this long is deleted
MODELS_KEPT = 10  # runs per workspace that keep their trained weights (and the learner's model)
STALE_AFTER = 30.0  # seconds: a training run not heard from for this long was interrupted
RETRY_AFTER = 5.0  # seconds: after a failure, calls fail at once until then (no page waits)
TOKEN_BYTES = 24  # 192 random bits
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
PROCESS = uuid.uuid4().hex  # this server process, as the owner of the runs it trains

metadata = sa.MetaData()
store_version = sa.Table("store_version", metadata, sa.Column("version", sa.Integer))
workspaces = sa.Table(
    "workspaces",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created", sa.Float, nullable=False),  # seconds since 1970
    sa.Column("touched", sa.Float, nullable=False, index=True),
    sa.Column("state", sa.JSON, nullable=False),
)
runs = sa.Table(
    "runs",
    metadata,
    sa.Column(
        "workspace_id",
        sa.String(32),
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("number", sa.Integer, primary_key=True),  # run 1, run 2, ...
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("message", sa.Text, nullable=False, default=""),
    sa.Column("experiment", sa.JSON, nullable=False),  # network and hyperparameters, as a link
    sa.Column("results", sa.JSON, nullable=False),  # curves, scores, time, parameters
    sa.Column("snapshots", sa.LargeBinary),  # .npz: every conv layer's filters per epoch
    sa.Column("weights", sa.LargeBinary),  # .npz: the trained model's weights, or NULL
    sa.Column("model_dropped", sa.Boolean, nullable=False, default=False),
    sa.Column("owner", sa.String(32), nullable=False),  # the server process that trains it
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
    # When a tab asked to stop the live run, or NULL: a tab served by another app process
    # stops it so; the process that trains it reads this every second (`stop_requested`).
    sa.Column("stop_requested", sa.Float),
)
classes = sa.Table(
    "classes",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("code", sa.String(8), nullable=False, unique=True),  # the join code
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("closed", sa.Float),  # when the instructor closed it, or NULL
    sa.Column("names_hidden", sa.Boolean, nullable=False, default=False),
    sa.Column("challenge", sa.JSON),  # {"text", "experiment", "lock"} or NULL
)
members = sa.Table(
    "members",
    metadata,
    sa.Column(
        "class_id",
        sa.String(32),
        sa.ForeignKey("classes.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "workspace_id",
        sa.String(32),
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("name", sa.String(40), nullable=False),  # the display name, cleaned
    sa.Column("joined", sa.Float, nullable=False),
)
posts = sa.Table(
    "posts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "class_id",
        sa.String(32),
        sa.ForeignKey("classes.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "workspace_id",
        sa.String(32),
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("number", sa.Integer, nullable=False),  # the learner's run number
    sa.Column("posted", sa.Float, nullable=False),
    sa.Column("experiment", sa.JSON, nullable=False),
    sa.Column("results", sa.JSON, nullable=False),  # test scores, parameters, seconds, status
    sa.UniqueConstraint("class_id", "workspace_id", "number"),
)
# Added after version 2 as a new table (created if missing, nothing altered): an older app
# ignores it, and a cleared post it reads shows again.
cleared = sa.Table(
    "cleared",
    metadata,
    sa.Column(
        "post_id", sa.Integer, sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("class_id", sa.String(32), nullable=False, index=True),
    sa.Column("cleared", sa.Float, nullable=False),  # when: the latest clear can be undone
)
# A finished experiment, kept so that the same experiment is never trained again: its key
# (lesson/machinery/experiments.py) is a hash of everything that decides the result. It holds
# no learner's data: the runs that used it are copies in their own workspaces.
experiments = sa.Table(
    "experiments",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("experiment", sa.JSON, nullable=False),  # network and hyperparameters, as a link
    sa.Column("results", sa.JSON, nullable=False),  # curves, test scores, seconds, parameters
    sa.Column("snapshots", sa.LargeBinary),  # .npz: every conv layer's filters per epoch
    sa.Column("weights", sa.LargeBinary),  # .npz: the final weights (the latest, training)
    sa.Column("runs", sa.Integer, nullable=False),  # how many runs have used it
    # "done", or "training": under way in the process `owner`, which writes it after each
    # epoch and every few seconds (`updated`), so other processes follow it epoch by epoch.
    sa.Column("status", sa.String(16), nullable=False, default="done"),
    sa.Column("owner", sa.String(32)),
    sa.Column("updated", sa.Float),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("used", sa.Float, nullable=False, index=True),  # last given to a run
)
EXPERIMENTS_KEPT_VARIABLE = "CNN_LESSON_EXPERIMENTS_KEPT"
EXPERIMENTS_KEPT = 500  # finished experiments kept (the least recently used go first)
LIVE = ("queued", "running")  # statuses of a run that is still being trained
INTERRUPTED = "The server stopped while this run was training."
# One live run per workspace, kept by the database itself for every process: a second row
# marked as training is refused (a partial unique index; SQLite and PostgreSQL both have them).
one_live_run = sa.Index(
    "runs_one_live_per_workspace",
    runs.c.workspace_id,
    unique=True,
    sqlite_where=runs.c.status.in_(LIVE),
    postgresql_where=runs.c.status.in_(LIVE),
)


class _Refused(Exception):
    """Inside a transaction: the workspace has a live run (rolled back, not a failure)."""


class StoreError(RuntimeError):
    """The database cannot be used right now; the message says why, in words."""


@dataclass
class Workspace:
    """One learner's workspace: its id, the token its browser holds, and its state."""

    id: str
    token: str
    state: dict = field(default_factory=dict)


@dataclass
class StoredRun:
    """One run as the store keeps it; the weights and snapshots are read only when asked."""

    number: int
    status: str
    message: str
    experiment: dict
    results: dict
    has_weights: bool
    model_dropped: bool
    owner: str
    updated: float
    stop_requested: float | None = None  # when a tab asked to stop it (while it was live)


def new_token() -> str:
    """An unguessable token for a workspace: 192 random bits, 32 URL-safe characters."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def valid_token(token) -> bool:
    """Could `token` be one of ours? (Anything else is refused before the database is asked.)"""
    return isinstance(token, str) and bool(_TOKEN.match(token))


def plain(value):
    """`value` as strict JSON allows: NaN and infinities (no validation set, say) become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def pack(arrays: list[np.ndarray]) -> bytes:
    """Arrays as the bytes of an .npz file, in order."""
    buffer = io.BytesIO()
    np.savez(buffer, *arrays)
    return buffer.getvalue()


def unpack(blob: bytes) -> list[np.ndarray]:
    """The arrays `pack` stored, in order."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
        return [npz[f"arr_{i}"] for i in range(len(npz.files))]


def _ensure_workspace(conn, ws: Workspace, now: float) -> None:
    """The workspace's row, written if it is not there yet (a run may be saved first)."""
    if conn.execute(sa.select(workspaces.c.id).where(workspaces.c.id == ws.id)).first() is None:
        conn.execute(
            workspaces.insert().values(
                id=ws.id, token_hash=token_hash(ws.token), created=now, touched=now,
                state=ws.state,
            )
        )  # fmt: skip


def database_url() -> str:
    """$CNN_LESSON_DATABASE_URL, or an SQLite file in $CNN_LESSON_DATA (default .data/)."""
    if url := os.environ.get(URL_VARIABLE):
        return url
    folder = Path(os.environ.get(DATA_VARIABLE) or DATA_FOLDER)
    return f"sqlite:///{folder / 'lesson.db'}"


def sqlite_file(url: str) -> Path | None:
    """The file an SQLite URL names (its `file:` URI form too), or None in memory."""
    parsed = sa.make_url(url)
    database = parsed.database or ""
    if parsed.query.get("uri") == "true":  # sqlite:///file:PATH?mode=ro&uri=true
        database = database.removeprefix("file:")
    return Path(database) if database not in ("", ":memory:") else None


def retention_days() -> float:
    """$CNN_LESSON_RETENTION_DAYS (default 30); 0 keeps workspaces for ever."""
    try:
        return max(0.0, float(os.environ.get(RETENTION_VARIABLE, RETENTION_DAYS)))
    except ValueError:
        return RETENTION_DAYS


def experiments_kept() -> int:
    """$CNN_LESSON_EXPERIMENTS_KEPT (default 500): finished experiments kept for reuse."""
    try:
        return max(0, int(os.environ.get(EXPERIMENTS_KEPT_VARIABLE, EXPERIMENTS_KEPT)))
    except ValueError:
        return EXPERIMENTS_KEPT


@dataclass
class KeptExperiment:
    """A finished experiment as kept: its results, filters and final weights."""

    key: str
    experiment: dict
    results: dict
    snapshots: bytes | None
    weights: bytes
    runs: int  # runs that used it before this one
    created: float
    status: str = "done"  # or "training", in the process `owner`, last written at `updated`
    owner: str | None = None
    updated: float | None = None

    @property
    def stale(self) -> bool:
        """A training nobody has written for `STALE_AFTER` seconds: its process is gone."""
        return self.status == "training" and (self.updated or 0) < time.time() - STALE_AFTER


def _kept(row) -> KeptExperiment:
    return KeptExperiment(row.key, row.experiment, row.results, row.snapshots, row.weights,
                          row.runs, row.created, row.status, row.owner, row.updated)  # fmt: skip


def _words(err: Exception) -> str:
    """A database error in a few words, never with a password or a token in it."""
    if isinstance(err, StoreError):
        return str(err)
    original = getattr(err, "orig", None) or err
    text = str(original).strip().splitlines()[0] if str(original).strip() else type(err).__name__
    text = re.sub(r"://[^@/\s]*@", "://…@", text)  # no user:password from a URL
    if "readonly" in text or "read-only" in text:
        return "the database file is read-only"
    if "disk is full" in text or "database or disk is full" in text:
        return "the disk is full"
    if "not a database" in text or "malformed" in text:
        return "the database file is damaged"
    if "unable to open database" in text:
        return "the database file cannot be opened"
    if isinstance(err, sa.exc.OperationalError):
        return f"the database cannot be reached ({text[:120]})"
    return text[:160]


def _columns(conn, table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(conn).get_columns(table)}


class Store:
    """The workspaces of one app (every method is safe to call from any thread)."""

    def __init__(self, url: str | None = None, retention: float | None = None):
        self.url = url or database_url()
        self.retention_days = retention_days() if retention is None else retention
        self._lock = threading.Lock()
        self._engine: sa.Engine | None = None
        self._failed: tuple[float, str] | None = None  # (when, why) of the last failure
        self.retry_after = RETRY_AFTER
        self._sqlite_file: Path | None = None
        self._stops = True  # the runs table has stop_requested (not so in an old read-only one)
        if self.url.startswith("sqlite"):
            self._sqlite_file = sqlite_file(self.url)

    # --- the connection ------------------------------------------------------------------

    def _connect(self) -> sa.Engine:
        """The engine, made and the schema created on first use (and again after a failure)."""
        with self._lock:
            gone = self._sqlite_file is not None and not self._sqlite_file.exists()
            if gone and self._engine is not None:  # deleted under us: start a new file
                self._engine.dispose()
                self._engine = None
            if self._engine is None:
                self._engine = self._open()
            return self._engine

    def _open(self) -> sa.Engine:
        if self._sqlite_file is not None:
            self._sqlite_file.parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(self.url, connect_args={"timeout": 30})

            @sa.event.listens_for(engine, "connect")
            def _pragmas(connection, _record):  # WAL: readers and one writer overlap
                cursor = connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.close()

        else:
            connect_args = {"connect_timeout": 5} if self.url.startswith("postgresql") else {}
            engine = sa.create_engine(
                self.url, pool_pre_ping=True, pool_size=5, max_overflow=20,
                connect_args=connect_args,
            )  # fmt: skip
        try:
            with engine.begin() as conn:
                metadata.create_all(conn)
                version = conn.execute(sa.select(store_version.c.version)).scalar()
                if version is None:
                    conn.execute(store_version.insert().values(version=SCHEMA_VERSION))
                elif version < SCHEMA_VERSION:  # create_all made the new tables: say so
                    conn.execute(store_version.update().values(version=SCHEMA_VERSION))
                if version is not None and version > SCHEMA_VERSION:
                    raise StoreError(
                        f"the database was written by a newer version of the app "
                        f"(schema {version}; this one reads {SCHEMA_VERSION})"
                    )
        except Exception:
            engine.dispose()
            raise
        for upgrade in (self._keep_one_live_run, self._add_stop_requested):
            try:
                with engine.begin() as conn:
                    upgrade(conn)
            except sa.exc.SQLAlchemyError:
                pass  # a read-only database is read as it is: nobody can write to it
        try:
            with engine.connect() as conn:
                self._stops = "stop_requested" in _columns(conn, "runs")
        except sa.exc.SQLAlchemyError:
            engine.dispose()
            raise
        return engine

    @staticmethod
    def _keep_one_live_run(conn) -> None:
        """Make the one-live-run index on a database written before it (added, not a version)."""
        # Older rows may break the rule (a second tab's run, a server that stopped): the newest
        # live run of each workspace stays, the ones before it were interrupted.
        twice = (
            sa.select(runs.c.workspace_id, sa.func.max(runs.c.number).label("last"))
            .where(runs.c.status.in_(LIVE))
            .group_by(runs.c.workspace_id)
            .having(sa.func.count() > 1)
        )
        for row in conn.execute(twice).all():
            conn.execute(
                runs.update()
                .where(
                    runs.c.workspace_id == row.workspace_id,
                    runs.c.status.in_(LIVE),
                    runs.c.number < row.last,
                )
                .values(status="interrupted", message=INTERRUPTED)
            )
        conn.execute(sa.schema.CreateIndex(one_live_run, if_not_exists=True))

    @staticmethod
    def _add_stop_requested(conn) -> None:
        """Add runs.stop_requested to a database written before it (added, not a version)."""
        if "stop_requested" in _columns(conn, "runs"):
            return
        # Two processes may both add it: PostgreSQL says IF NOT EXISTS; on SQLite the second
        # one's "duplicate column" is an error `_open` lets pass (the column is there).
        maybe = " IF NOT EXISTS" if conn.dialect.name == "postgresql" else ""
        conn.execute(sa.text(f"ALTER TABLE runs ADD COLUMN{maybe} stop_requested FLOAT"))

    def _run(self, work):
        """Run `work(connection)` in one transaction; any failure becomes a StoreError."""
        failed = self._failed
        if failed is not None and time.monotonic() - failed[0] < self.retry_after:
            raise StoreError(failed[1])  # a page never waits for a database that just failed
        try:
            engine = self._connect()
            with engine.begin() as conn:
                result = work(conn)
            self._failed = None
            return result
        except (sa.exc.SQLAlchemyError, OSError, ValueError, StoreError) as err:
            with self._lock:  # the next call connects afresh (the server may be back)
                if self._engine is not None:
                    self._engine.dispose()
                    self._engine = None
            self._failed = (time.monotonic(), _words(err))
            if isinstance(err, StoreError):
                raise
            raise StoreError(_words(err)) from err

    def check(self) -> None:
        """Raise StoreError if the database cannot be used now."""
        self._run(lambda conn: conn.execute(sa.select(store_version.c.version)).scalar())

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    # --- workspaces ----------------------------------------------------------------------

    def create_workspace(self, state: dict | None = None) -> Workspace:
        """A new, empty workspace and the token its browser keeps."""
        ws = Workspace(uuid.uuid4().hex, new_token(), dict(state or {}))
        now = time.time()
        self._run(
            lambda conn: conn.execute(
                workspaces.insert().values(
                    id=ws.id, token_hash=token_hash(ws.token), created=now, touched=now,
                    state=ws.state,
                )
            )
        )  # fmt: skip
        return ws

    def open_workspace(self, token) -> Workspace | None:
        """The workspace of `token`, touched now; None if the token is unknown or expired."""
        if not valid_token(token):
            return None

        def work(conn):
            row = conn.execute(
                sa.select(workspaces.c.id, workspaces.c.touched, workspaces.c.state).where(
                    workspaces.c.token_hash == token_hash(token)
                )
            ).first()
            if row is None:
                return None
            if self.retention_days and row.touched < time.time() - self.retention_days * 86400:
                self._delete(conn, row.id)  # expired: as if it were never there
                return None
            conn.execute(
                workspaces.update().where(workspaces.c.id == row.id).values(touched=time.time())
            )
            return Workspace(row.id, token, dict(row.state or {}))

        return self._run(work)

    def save_workspace(self, ws: Workspace, **parts) -> None:
        """Merge `parts` into the workspace's state; re-create the row if it has gone."""
        parts = plain(parts)
        ws.state.update(parts)

        def work(conn):
            row = conn.execute(
                sa.select(workspaces.c.state).where(workspaces.c.id == ws.id).with_for_update()
            ).first()
            now = time.time()
            if row is None:  # e.g. the SQLite file was deleted: write what this browser holds
                conn.execute(
                    workspaces.insert().values(
                        id=ws.id, token_hash=token_hash(ws.token), created=now, touched=now,
                        state=ws.state,
                    )
                )  # fmt: skip
                return
            state = {**(row.state or {}), **parts}
            conn.execute(
                workspaces.update().where(workspaces.c.id == ws.id).values(state=state, touched=now)
            )

        self._run(work)

    def has_workspace(self, workspace_id: str) -> bool:
        return self._run(
            lambda conn: (
                conn.execute(
                    sa.select(workspaces.c.id).where(workspaces.c.id == workspace_id)
                ).first()
                is not None
            )
        )

    def delete_workspace(self, workspace_id: str) -> None:
        """Forget a workspace: its state, runs and models."""
        self._run(lambda conn: self._delete(conn, workspace_id))

    @staticmethod
    def _delete(conn, workspace_id: str) -> None:
        mine = sa.select(posts.c.id).where(posts.c.workspace_id == workspace_id)
        conn.execute(cleared.delete().where(cleared.c.post_id.in_(mine)))
        conn.execute(posts.delete().where(posts.c.workspace_id == workspace_id))
        conn.execute(members.delete().where(members.c.workspace_id == workspace_id))
        conn.execute(runs.delete().where(runs.c.workspace_id == workspace_id))
        conn.execute(workspaces.delete().where(workspaces.c.id == workspace_id))

    def purge(self) -> int:
        """Delete the workspaces nobody opened within the retention time; how many went."""
        if not self.retention_days:
            return 0

        def work(conn):
            old = sa.select(workspaces.c.id).where(
                workspaces.c.touched < time.time() - self.retention_days * 86400
            )
            ids = [row.id for row in conn.execute(old)]
            for workspace_id in ids:
                self._delete(conn, workspace_id)
            self._prune_experiments(conn)  # kept experiments go by the same clock
            return len(ids)

        return self._run(work)

    # --- experiments -----------------------------------------------------------------------

    def keep_experiment(self, key: str, experiment: dict, results: dict,
                        snapshots: bytes | None, weights: bytes, runs: int) -> None:  # fmt: skip
        """Keep a finished experiment (once: a second process finishing it adds its runs)."""
        now = time.time()

        def work(conn):
            have = conn.execute(
                sa.select(experiments.c.runs, experiments.c.status)
                .where(experiments.c.key == key)
                .with_for_update()
            ).first()
            values = {"experiment": plain(experiment), "results": plain(results),
                      "snapshots": snapshots, "weights": weights, "status": "done",
                      "owner": PROCESS, "updated": now, "used": now}  # fmt: skip
            if have is not None:
                if have.status == "done":  # kept already: count the runs
                    values = {"used": now}
                conn.execute(
                    experiments.update()
                    .where(experiments.c.key == key)
                    .values(runs=have.runs + runs, **values)
                )
                return
            conn.execute(experiments.insert().values(key=key, runs=runs, created=now, **values))
            self._prune_experiments(conn)

        self._run(work)

    def progress_experiment(self, key: str, experiment: dict, results: dict,
                            snapshots: bytes | None, weights: bytes | None) -> None:  # fmt: skip
        """Write how far this process's training of `key` is (unless another one owns it)."""
        now = time.time()
        values = {"experiment": plain(experiment), "results": plain(results),
                  "snapshots": snapshots, "weights": weights, "status": "training",
                  "owner": PROCESS, "updated": now, "used": now}  # fmt: skip

        def work(conn):
            row = conn.execute(
                sa.select(experiments.c.status, experiments.c.owner, experiments.c.updated)
                .where(experiments.c.key == key)
                .with_for_update()
            ).first()
            if row is None:
                conn.execute(experiments.insert().values(key=key, runs=0, created=now, **values))
            elif row.status == "training" and (
                row.owner == PROCESS or (row.updated or 0) < now - STALE_AFTER
            ):
                conn.execute(experiments.update().where(experiments.c.key == key).values(**values))

        self._run(work)

    def drop_training(self, key: str) -> None:
        """Forget this process's training of `key` (it stopped or failed: nothing to keep)."""
        self._run(
            lambda conn: conn.execute(
                experiments.delete().where(
                    experiments.c.key == key,
                    experiments.c.status == "training",
                    experiments.c.owner == PROCESS,
                )
            )
        )

    def peek_experiment(self, key: str) -> KeptExperiment | None:
        """The experiment kept (or training) for `key` as it is now, without counting a run."""

        def work(conn):
            row = conn.execute(sa.select(experiments).where(experiments.c.key == key)).first()
            return None if row is None else _kept(row)

        return self._run(work)

    def use_experiment(self, key: str) -> KeptExperiment | None:
        """A kept experiment for one more run (counted), or None if none is kept for `key`.

        One under way in some process is returned as it is ("training"), not counted.
        """

        def work(conn):
            row = conn.execute(
                sa.select(experiments).where(experiments.c.key == key).with_for_update()
            ).first()
            if row is None:
                return None
            if row.status == "training":
                return _kept(row)
            if self.retention_days and row.used < time.time() - self.retention_days * 86400:
                conn.execute(experiments.delete().where(experiments.c.key == key))
                return None
            conn.execute(
                experiments.update()
                .where(experiments.c.key == key)
                .values(runs=row.runs + 1, used=time.time())
            )
            return _kept(row)

        return self._run(work)

    def count_experiments(self) -> int:
        return self._run(
            lambda conn: conn.execute(sa.select(sa.func.count()).select_from(experiments)).scalar()
        )

    def _prune_experiments(self, conn) -> None:
        """Drop experiments unused for the retention time, and all but the newest-used N."""
        if self.retention_days:
            old = time.time() - self.retention_days * 86400
            conn.execute(experiments.delete().where(experiments.c.used < old))
        kept = experiments_kept()
        keep = sa.select(experiments.c.key).order_by(experiments.c.used.desc()).limit(kept)
        conn.execute(experiments.delete().where(experiments.c.key.not_in(keep.scalar_subquery())))

    # --- runs ----------------------------------------------------------------------------

    def save_run(
        self,
        ws: Workspace,
        number: int,
        *,
        status: str,
        message: str,
        experiment: dict,
        results: dict,
        snapshots: bytes | None = None,
        weights: bytes | None = None,
        keep: int | None = None,
    ) -> None:
        """Write one run (its weights too, if given); drop the models of older runs.

        `keep` is the run whose model the learner uses: it keeps its weights however old.
        """
        now = time.time()
        values = {
            "workspace_id": ws.id, "number": number, "status": status, "message": message,
            "experiment": plain(experiment), "results": plain(results), "owner": PROCESS,
            "updated": now,
        }  # fmt: skip
        if snapshots is not None:
            values["snapshots"] = snapshots
        if weights is not None:
            values["weights"] = weights

        def work(conn):
            _ensure_workspace(conn, ws, now)
            exists = conn.execute(
                sa.select(runs.c.number).where(
                    runs.c.workspace_id == ws.id, runs.c.number == number
                )
            ).first()
            if exists:
                conn.execute(
                    runs.update()
                    .where(runs.c.workspace_id == ws.id, runs.c.number == number)
                    .values(**values)
                )
            else:
                conn.execute(runs.insert().values(created=now, model_dropped=False, **values))
            if weights is not None:
                old = [runs.c.workspace_id == ws.id, runs.c.number <= number - MODELS_KEPT]
                if keep is not None:
                    old.append(runs.c.number != keep)
                conn.execute(
                    runs.update()
                    .where(*old, runs.c.weights.is_not(None))
                    .values(weights=None, model_dropped=True)
                )

        self._run(work)

    def begin_run(self, ws: Workspace, number: int, experiment: dict) -> int | None:
        """Record a new run of `ws` as queued, in one transaction; None if it has a live run.

        Its number is `number`, or the next free one if another process took that. The
        database's one-live-run index decides between two processes that start at once. A run
        not heard from for `STALE_AFTER` seconds (its server stopped) blocks nothing.
        """
        now = time.time()

        def work(conn):
            # A write first: on SQLite it takes the write lock before anything is read, so two
            # processes starting at once go one after the other and the second sees the first.
            conn.execute(
                runs.update()
                .where(
                    runs.c.workspace_id == ws.id,
                    runs.c.status.in_(LIVE),
                    runs.c.updated < now - STALE_AFTER,
                )
                .values(status="interrupted", message=INTERRUPTED)
            )
            _ensure_workspace(conn, ws, now)
            mine = runs.c.workspace_id == ws.id
            if conn.execute(sa.select(runs.c.number).where(mine, runs.c.status.in_(LIVE))).first():
                raise _Refused
            last = conn.execute(sa.select(sa.func.max(runs.c.number)).where(mine)).scalar()
            taken = max(number, (last or 0) + 1)
            try:
                conn.execute(
                    runs.insert().values(
                        workspace_id=ws.id, number=taken, status="queued", message="",
                        experiment=plain(experiment), results={}, model_dropped=False,
                        owner=PROCESS, created=now, updated=now,
                    )
                )  # fmt: skip
            except sa.exc.IntegrityError:  # another process's run came first (PostgreSQL)
                raise _Refused from None
            return taken

        try:
            return self._run(work)
        except _Refused:
            return None

    def live_run(self, workspace_id: str) -> int | None:
        """The number of the workspace's run that is queued or training now (any process)."""
        return self._run(
            lambda conn: conn.execute(
                sa.select(runs.c.number).where(
                    runs.c.workspace_id == workspace_id,
                    runs.c.status.in_(LIVE),
                    runs.c.updated >= time.time() - STALE_AFTER,
                )
            ).scalar()
        )

    def request_stop(self, workspace_id: str, number: int) -> bool:
        """Ask whichever process trains run `number` to stop it; False if it is not live.

        The first request's time stays: a second press asks nothing new.
        """
        if not self._stops:
            raise StoreError("this database cannot take a stop request (it is read-only)")

        def work(conn):
            live = (runs.c.workspace_id == workspace_id, runs.c.number == number,
                    runs.c.status.in_(LIVE))  # fmt: skip
            # The write first: on SQLite a read before it could not be followed by a write.
            conn.execute(
                runs.update()
                .where(*live, runs.c.stop_requested.is_(None))
                .values(stop_requested=time.time())
            )
            return conn.execute(sa.select(runs.c.number).where(*live)).first() is not None

        return self._run(work)

    def stop_requested(self, workspace_id: str, number: int) -> bool:
        """Has a tab (in any process) asked to stop run `number`?"""
        if not self._stops:
            return False
        return self._run(
            lambda conn: (
                conn.execute(
                    sa.select(runs.c.stop_requested).where(
                        runs.c.workspace_id == workspace_id, runs.c.number == number
                    )
                ).scalar()
                is not None
            )
        )

    def heartbeat(self, ws: Workspace, number: int) -> None:
        """Say that this process is still training the run."""
        self._run(
            lambda conn: conn.execute(
                runs.update()
                .where(runs.c.workspace_id == ws.id, runs.c.number == number)
                .values(updated=time.time(), owner=PROCESS)
            )
        )

    def list_runs(self, workspace_id: str) -> list[StoredRun]:
        """Every run of a workspace, oldest first, without weights or snapshots.

        A run still marked as training that nobody has heard from for `STALE_AFTER` seconds
        (its server stopped) is marked interrupted here.
        """

        def work(conn):
            lost = (  # marked as training, not heard from for STALE_AFTER seconds
                runs.c.workspace_id == workspace_id,
                runs.c.status.in_(LIVE),
                runs.c.updated < time.time() - STALE_AFTER,
            )
            # Write only when there is such a run: every page run reads this list, and a write
            # each time would take SQLite's write lock.
            if conn.execute(sa.select(runs.c.number).where(*lost).limit(1)).first() is not None:
                conn.execute(
                    runs.update().where(*lost).values(status="interrupted", message=INTERRUPTED)
                )
            rows = conn.execute(
                sa.select(
                    runs.c.number, runs.c.status, runs.c.message, runs.c.experiment,
                    runs.c.results, runs.c.weights.is_not(None).label("has_weights"),
                    runs.c.model_dropped, runs.c.owner, runs.c.updated,
                    runs.c.stop_requested if self._stops else sa.null().label("stop_requested"),
                )
                .where(runs.c.workspace_id == workspace_id)
                .order_by(runs.c.number)
            )  # fmt: skip
            return [StoredRun(**row._mapping) for row in rows]

        return self._run(work)

    def interrupt(self, workspace_id: str, number: int, message: str) -> None:
        """Mark a run that stopped with its server (or process) as interrupted."""
        self._run(
            lambda conn: conn.execute(
                runs.update()
                .where(
                    runs.c.workspace_id == workspace_id,
                    runs.c.number == number,
                    runs.c.status.in_(LIVE),
                )
                .values(status="interrupted", message=message, updated=time.time())
            )
        )

    def _blob(self, workspace_id: str, number: int, column) -> bytes | None:
        return self._run(
            lambda conn: conn.execute(
                sa.select(column).where(
                    runs.c.workspace_id == workspace_id, runs.c.number == number
                )
            ).scalar()
        )

    def weights(self, workspace_id: str, number: int) -> list[np.ndarray] | None:
        """A run's trained weights, or None if it has none (dropped, or never trained)."""
        blob = self._blob(workspace_id, number, runs.c.weights)
        return unpack(blob) if blob else None

    def snapshots(self, workspace_id: str, number: int) -> bytes | None:
        """A run's filter snapshots as stored (see `pack`), or None."""
        return self._blob(workspace_id, number, runs.c.snapshots)

    def size(self, workspace_id: str) -> int:
        """Roughly how many bytes a workspace takes: its state, curves, snapshots and weights."""

        def work(conn):
            state = conn.execute(
                sa.select(workspaces.c.state).where(workspaces.c.id == workspace_id)
            ).scalar()
            total = len(str(state or ""))
            columns = (runs.c.experiment, runs.c.results, runs.c.snapshots, runs.c.weights)
            for row in conn.execute(sa.select(*columns).where(runs.c.workspace_id == workspace_id)):
                total += len(str(row.experiment)) + len(str(row.results))
                total += len(row.snapshots or b"") + len(row.weights or b"")
            return total

        return self._run(work)


_shared: Store | None = None
_shared_lock = threading.Lock()


def shared() -> Store:
    """The store of this server process (made on first use; nothing is connected until then)."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared.url != database_url():
            _shared = Store()
        return _shared
