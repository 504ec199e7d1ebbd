"""The learner's workspace in the pages: found by a cookie, restored into the session, saved.

The store (lesson/machinery/store.py) is the source of truth; `st.session_state` holds the live
objects rebuilt from it. When the database cannot be used, the lesson goes on from memory and
a banner says that work is not being saved; saving resumes by itself when it can.
"""

import json
import math
import time

import streamlit as st

from lesson.machinery import store as storage
from lesson.machinery.workspaces import TRAININGS, RestoredRun
from lesson.parts import session

COOKIE = "cnn_lesson_workspace"
LINK_KEY = "workspace"  # /#workspace=TOKEN: "Continue elsewhere" (?workspace=TOKEN, older links)
CONTINUED = "continued"  # ?continued: the browser has just taken a link's token as its cookie
WORKSPACE = "workspace"  # session key: the storage.Workspace
SAVE_ERROR = "workspace_save_error"  # why saving fails now, or absent
UNSAVED = "workspace_unsaved"  # state parts that could not be saved yet
RUNS = "workspace_runs"  # run number -> TrainingRun or RestoredRun
NOTES = "workspace_notes"  # what the learner should know about their workspace, once
COOKIE_WRITTEN = "workspace_cookie_written"
PAGE_RESTORED = "workspace_page_restored"
# State parts (workspace.state keys)
EXPERIMENT, ANSWERS, SOLVED, PAGES, PAGE, ADOPTED = (
    "experiment", "answers", "solved", "pages_solved", "page", "adopted",
)  # fmt: skip


def store() -> storage.Store:
    return storage.shared()


def _failed(err: storage.StoreError) -> None:
    st.session_state[SAVE_ERROR] = str(err)


def _open() -> storage.Workspace:
    """The browser's workspace: from a "Continue elsewhere" link, the cookie, or a new one."""
    notes = st.session_state.setdefault(NOTES, [])
    in_query = st.query_params.get(LINK_KEY)  # an older link, the token in the query
    linked = bool(in_query) or CONTINUED in st.query_params
    for key in (LINK_KEY, CONTINUED):
        if key in st.query_params:
            del st.query_params[key]  # the token never stays in the address bar
    token = in_query or st.context.cookies.get(COOKIE)
    try:
        ws = store().open_workspace(token) if token else None
        if ws is None:
            if linked:
                notes.append(
                    "That workspace link is not valid any more (it may have been deleted or "
                    "expired, or mistyped): your work starts in a new workspace."
                )
            elif token:
                notes.append(
                    "Your earlier workspace was not found (it may have been removed after "
                    f"{store().retention_days:g} days unused): your work starts afresh."
                )
            ws = store().create_workspace()
        elif linked:
            notes.append("Welcome back: this browser now continues your workspace.")
        st.session_state.pop(SAVE_ERROR, None)
    except storage.StoreError as err:
        _failed(err)
        # Work from memory under a new token; it is written as soon as the store is back.
        ws = storage.Workspace(storage.uuid.uuid4().hex, storage.new_token())
    return ws


def _restore(ws: storage.Workspace) -> None:
    """Put what the workspace holds into this session (the pages read it from there)."""
    state = ws.state
    st.session_state[session.SOLVED] = set(state.get(SOLVED, []))
    st.session_state[session.PAGES_SOLVED] = set(state.get(PAGES, []))
    st.session_state[session.ANSWERS] = dict(state.get(ANSWERS, {}))
    if state.get(ADOPTED):
        st.session_state[session.ADOPTED] = state[ADOPTED]


def open_workspace() -> storage.Workspace:
    """Find (or make) this browser's workspace once per session; later calls return it."""
    ws = st.session_state.get(WORKSPACE)
    if ws is None:
        ws = st.session_state[WORKSPACE] = _open()
        _restore(ws)
    TRAININGS.seen(ws.id)
    return ws


def keep_cookie() -> None:
    """Once per page run (app.py): let the browser keep this workspace's token."""
    ws = open_workspace()
    # Always there, often empty: an element that came and went would shift every element after
    # it, and Streamlit would mount them afresh (the canvas would lose its strokes).
    with st.sidebar.container(key="workspace_cookie"):
        first = not st.session_state.get(LINK_READ)  # a page load: it may carry a link
        write = (
            st.session_state.get(COOKIE_WRITTEN) != ws.token
            and st.context.cookies.get(COOKIE) != ws.token
        )
        if first or write:
            _cookie_script(ws.token if write else None)
            st.session_state[LINK_READ] = True


LINK_READ = "workspace_link_read"


def _cookie_script(token: str | None) -> None:
    """Keep `token` in the browser for a year, unless the address carries a link's token.

    A link's token sits after "#", which browsers never send (so no server or proxy logs it):
    the page takes that token as its cookie instead and opens again without it.
    """
    age = 365 * 86400
    write = f"document.cookie = `{COOKIE}=${{t}}; path=/; max-age={age}; samesite=lax`"
    script = f"""(() => {{
  const link = location.hash.match(/^#{LINK_KEY}=([A-Za-z0-9_-]{{16,64}})$/);
  if (link) {{ const t = link[1]; {write}; location.replace(location.pathname + "?{CONTINUED}"); }}
  else if ({json.dumps(token)}) {{ const t = {json.dumps(token)}; {write}; }}
}})();"""
    st.html(
        f"<script>{script}</script><style>.st-key-workspace_cookie {{display: none}}</style>",
        unsafe_allow_javascript=True,
    )
    if token:
        st.session_state[COOKIE_WRITTEN] = token


def save(**parts) -> None:
    """Save parts of the workspace's state; on failure keep them to try again next time."""
    ws = st.session_state.get(WORKSPACE)
    if ws is None:
        return
    pending = {**st.session_state.get(UNSAVED, {}), **parts}
    try:
        store().save_workspace(ws, **pending)
        st.session_state.pop(UNSAVED, None)
        st.session_state.pop(SAVE_ERROR, None)
    except storage.StoreError as err:
        ws.state.update(pending)
        st.session_state[UNSAVED] = pending
        _failed(err)


def state() -> dict:
    """What the workspace holds (as last read or written by this session)."""
    ws = st.session_state.get(WORKSPACE)
    return ws.state if ws is not None else {}


def remember_page(url_path: str, pages: dict) -> None:
    """Save the page the learner is on; a new visit to the first page goes back to it."""
    first_visit = not st.session_state.get(PAGE_RESTORED)
    st.session_state[PAGE_RESTORED] = True
    saved = state().get(PAGE)
    if first_visit and url_path == "" and saved and saved in pages and not st.query_params:
        st.switch_page(pages[saved])
    if saved != url_path:
        save(**{PAGE: url_path})


# --- runs --------------------------------------------------------------------------------


def runs() -> list:
    """Every run of the workspace, oldest first: live ones from this process, the rest stored."""
    ws = st.session_state.get(WORKSPACE)
    known: dict = st.session_state.setdefault(RUNS, {})
    if ws is None:
        return [known[n] for n in sorted(known)]
    TRAININGS.seen(ws.id)
    live = TRAININGS.live(ws.id)
    try:
        stored = store().list_runs(ws.id)
    except storage.StoreError as err:
        _failed(err)
        stored = None
    if stored is not None:
        for row in stored:
            have = known.get(row.number)
            if have is None or (isinstance(have, RestoredRun) and _changed(have.row, row)):
                known[row.number] = RestoredRun(store(), ws.id, row)
        numbers = {row.number for row in stored}
        for number, run in list(known.items()):  # resave what a failure kept from the store
            saver = getattr(run, "saver", None)
            if saver is not None and run.finished and not (saver.saved_final and number in numbers):
                saver(run, "finished")
            if saver is not None and saver.error:
                st.session_state[SAVE_ERROR] = saver.error
    if live is not None:
        known[live.number] = live
    listed = st.session_state[session.RUNS] = [known[n] for n in sorted(known)]  # pages read it
    return listed


def _changed(had: storage.StoredRun, row: storage.StoredRun) -> bool:
    """A stored run has news: saved again, or a tab asked to stop it."""
    return (had.updated, had.stop_requested) != (row.updated, row.stop_requested)


WATCH_EVERY = 2.0  # seconds: how soon an idle Train page shows a run another tab started


def elsewhere(run):
    """`run` if the store has it queued or training in another app process, else None."""
    row = getattr(run, "row", None)  # a RestoredRun: read from the store, not trained here
    return run if row is not None and row.status in storage.LIVE else None


def live_number() -> int | None:
    """The number of the workspace's run that is queued or training now, in any app process.

    Raises StoreError when only the database could tell and it cannot be used now.
    """
    ws = st.session_state.get(WORKSPACE)
    if ws is None:
        return None
    if (live := TRAININGS.live(ws.id)) is not None:
        return live.number
    return store().live_run(ws.id)


def watching() -> None:
    """Someone is looking at the workspace's runs (a polling fragment calls this)."""
    if (ws := st.session_state.get(WORKSPACE)) is not None:
        TRAININGS.seen(ws.id)


def stop_run() -> None:
    """Stop the workspace's run that is training, whichever tab (or app process) started it."""
    ws = st.session_state.get(WORKSPACE)
    live = TRAININGS.live(ws.id) if ws is not None else None
    known = st.session_state.get(RUNS, {})
    for run in [live, *known.values()]:
        if run is not None and not run.finished:
            run.stop()
    away = elsewhere(known[max(known)]) if known else None
    if live is None and away is not None:  # another process trains it: it reads the request
        try:
            store().request_stop(ws.id, away.number)
        except storage.StoreError as err:
            _failed(err)


def start_run(mnist, hp, config):
    """Train a new run for the workspace; None if one is already training (another tab)."""
    ws = open_workspace()
    have = runs()
    number = max((run.number for run in have), default=0) + 1
    run = TRAININGS.start(store(), ws, number, mnist, hp, config, keep=_adopted_number())
    if run is not None:  # its number is the store's: another process may have taken one
        st.session_state[RUNS][run.number] = run
        if run.saver.error:
            st.session_state[SAVE_ERROR] = run.saver.error
    return run


def _adopted_number() -> int | None:
    adopted = state().get(ADOPTED) or ""
    return int(adopted.split()[-1]) if adopted.startswith("run ") else None


def adopted(name: str) -> None:
    """The run called `name` is now the learner's model on every page."""
    save(**{ADOPTED: name})


# --- the sidebar -------------------------------------------------------------------------


def _forget() -> None:
    """Delete the workspace (runs, models, answers) and start an empty one."""
    ws = st.session_state.get(WORKSPACE)
    if ws is not None:
        TRAININGS.stop(ws.id, "You deleted your workspace.", forget=True)
        try:
            store().delete_workspace(ws.id)
        except storage.StoreError as err:
            _failed(err)
            st.session_state.setdefault(NOTES, []).append(
                f"Your workspace could not be deleted now ({err}). Try again in a minute."
            )
            return
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state[NOTES] = ["Your workspace was deleted. This is a new, empty one."]
    try:
        st.session_state[WORKSPACE] = store().create_workspace()
    except storage.StoreError as err:
        _failed(err)
        st.session_state[WORKSPACE] = storage.Workspace(
            storage.uuid.uuid4().hex, storage.new_token()
        )


def banner() -> None:
    """Above the page: what the learner should know about their workspace, and save failures.

    One container, always there, so the page's own elements keep their places (see above).
    """
    box = st.container()
    for note in st.session_state.pop(NOTES, []):
        box.info(note, icon=":material/info:")
    if error := st.session_state.get(SAVE_ERROR):
        box.warning(
            f"**Your work is not being saved:** {error}. The lesson keeps working; what you do "
            "now is kept in this tab and saved when the database is back.",
            icon=":material/cloud_off:",
        )


def sidebar() -> None:
    """At the sidebar's foot: one quiet line that work is saved, and the workspace's tools."""
    ws = st.session_state.get(WORKSPACE)
    if ws is None:
        return
    with st.sidebar:
        if not st.session_state.get(SAVE_ERROR):
            st.caption(":material/cloud_done: Your work is saved on this server.")
        with st.expander("Continue elsewhere", icon=":material/devices:"):
            base = (st.context.url or "").split("?")[0].rstrip("/")
            base = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
            st.caption(
                "Open this private link on another browser to continue your work there. "
                "Anyone with it can see and change your work: keep it to yourself."
            )
            st.code(f"{base}/#{LINK_KEY}={ws.token}", language=None, wrap_lines=True)
        with st.expander("Forget me", icon=":material/delete:"):
            st.caption(
                "Deletes your runs, models and answers from this server. It cannot be undone."
            )
            sure = st.checkbox("Yes, delete my work", key="workspace_forget_sure")
            st.button(
                "Delete my workspace",
                on_click=_forget,
                disabled=not sure,
                key="workspace_forget",
                icon=":material/delete_forever:",
            )


def touch_every(seconds: float = 60.0) -> None:
    """Mark the workspace as used (for the retention time), at most once a minute."""
    last = st.session_state.get("workspace_touched", -math.inf)
    if time.monotonic() - last > seconds:
        st.session_state["workspace_touched"] = time.monotonic()
        save()
