"""A light Streamlit client that speaks the app's websocket protocol, for load tests and the bench.

It does what a browser tab does, minus the drawing: opens a session, runs pages, sets widgets,
clicks buttons and answers fragment auto-reruns, and times how long each answer takes.
"""

import asyncio
import collections
import gc
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

EARLY = ForwardMsg.FINISHED_EARLY_FOR_RERUN  # a run cut short: another run follows it


@dataclass
class Widget:
    """A widget seen in the page's last run."""

    kind: str  # "button", "slider", ...
    id: str
    label: str
    proto: object = None


@dataclass
class Session:
    """One learner's browser tab, without the browser."""

    url: str
    local_addr: tuple | None = None  # e.g. ("127.0.0.12", 0): a different learner's address
    query: str = ""  # the page's query string, e.g. "epochs=3&seed=1", sent with every run
    cookie: str = ""  # the Cookie header a browser would send, e.g. the workspace's
    first_page: str = ""  # the url path the tab opens (as /train in the address bar); "": /
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page script hash
    widgets: dict[str, Widget] = field(default_factory=dict)  # label -> widget
    texts: list[str] = field(default_factory=list)  # markdown and headings of the last run
    alerts: list[str] = field(default_factory=list)  # st.info/warning/error seen, in order
    metrics: dict[str, str] = field(default_factory=dict)  # st.metric label -> value, last run
    progress: str = ""  # the text of the last progress bar drawn, e.g. "run 1: epoch 2 of 3 · …"
    poll: bool = True  # answer fragment auto-reruns by itself (False: the caller does, timed)
    errors: list[str] = field(default_factory=list)  # exception elements seen
    received: int = 0  # messages from the server, all runs
    page_hash: str = ""
    _states: dict[str, WidgetState] = field(default_factory=dict)
    _finished: asyncio.Event = field(default_factory=asyncio.Event)
    _fragments: dict[str, float] = field(default_factory=dict)  # fragment id -> interval
    _run_status: int | None = None
    _one_run: asyncio.Lock = field(default_factory=asyncio.Lock)  # one request in flight
    _runs_started: int = 0  # whole runs the server began, also ones it began by itself
    _runs_begun: int = 0  # runs of any kind (whole or fragment) the server began
    _fragment_run: bool = False  # the run the server began last is a fragment's
    # The last messages each way, (seconds, what), for a failure's message.
    trace: collections.deque = field(default_factory=lambda: collections.deque(maxlen=40))

    async def connect(self, timeout: float = 60) -> float:
        """Open the websocket and wait for the first run of the default page: its seconds, from
        opening the connection to the end of that run (a returning learner's page comes after).

        `timeout` bounds that first run (a cold server's first page imports Keras).
        """
        start = time.perf_counter()
        ws_url = self.url.replace("http", "ws", 1) + "/_stcore/stream"
        headers = {"Cookie": self.cookie} if self.cookie else None
        self.ws = await websockets.connect(
            ws_url, subprotocols=["streamlit"], max_size=None, local_addr=self.local_addr,
            additional_headers=headers,
        )  # fmt: skip
        self._reader = asyncio.create_task(self._read())
        self._poller = asyncio.create_task(self._poll_fragments() if self.poll else _idle())
        await self.rerun(timeout=timeout)
        first = time.perf_counter() - start
        # The first page may send a returning learner to their last one.
        await self._settle(timeout=max(120, timeout))
        return first

    async def _settle(self, quiet: float = 0.5, timeout: float = 120) -> None:
        """Wait until no run that the server began by itself (st.switch_page) is in flight."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            started = self._runs_started
            await asyncio.sleep(quiet)
            # A fragment's run in flight (the Train page's polling, every 0.5 s while a run
            # trains) is quiet enough: one run at a time per session, so no whole run is. Waiting
            # for none in flight phase-locked with the poller under load and never ended.
            if self._runs_started == started and (self._finished.is_set() or self._fragment_run):
                return
            try:
                await asyncio.wait_for(self._finished.wait(), deadline - time.monotonic())
            except TimeoutError:
                raise TimeoutError(f"no quiet moment in {timeout} s: {self.story()}") from None

    def story(self) -> str:
        """The last messages each way, one per line, for a failure's message."""
        start = self.trace[0][0] if self.trace else 0
        return "\n".join(f"{t - start:8.3f} {what}" for t, what in self.trace)

    @property
    def fragments(self) -> dict[str, float]:
        """The page's auto-rerunning fragments: id -> interval in seconds."""
        return dict(self._fragments)

    async def close(self) -> None:
        """Close the tab."""
        self._poller.cancel()
        await self.ws.close()
        self._reader.cancel()

    async def rerun(
        self, path: str | None = None, fragment_id: str = "", timeout=60, state=None
    ) -> float:
        """Ask for a run (of another page when `path` is given); seconds until it finished.

        One request at a time, as the time of each answer is what is measured: a page switch
        waits for a fragment run in flight (a browser would interrupt it; the wait is not timed).
        `state` (a click or a new value) joins the widget states only once the lock is held: a
        fragment run in flight forgets clicks when it ends, and would forget this one.
        """
        async with self._one_run:
            if fragment_id and fragment_id not in self._fragments:
                return 0.0  # the page changed since: that fragment is gone
            if state is not None:
                self._states[state.id] = state
            return await self._rerun(path, fragment_id, timeout)

    async def _rerun(self, path: str | None, fragment_id: str, timeout) -> float:
        if path is not None:
            self.page_hash = self.pages[path]
            self._states.clear()
            self._fragments.clear()
        msg = BackMsg()
        cs = msg.rerun_script
        cs.page_script_hash = self.page_hash
        if not self.page_hash:  # the tab's first run: the page is named by its address
            cs.page_name = self.first_page
        cs.query_string = self.query
        cs.fragment_id = fragment_id
        cs.is_auto_rerun = bool(fragment_id)
        cs.widget_states.widgets.extend(self._states.values())
        if not fragment_id:
            self.widgets.clear()
            self.texts.clear()
            self.metrics.clear()
        self._finished.clear()
        begun = self._runs_begun
        start = time.perf_counter()
        self.trace.append((time.monotonic(), f"-> rerun {path=} {fragment_id=}"))
        await self.ws.send(msg.SerializeToString())
        deadline = time.monotonic() + timeout
        while True:  # the answer is the end of a run that began after the request
            try:
                await asyncio.wait_for(self._finished.wait(), deadline - time.monotonic())
            except TimeoutError:
                raise TimeoutError(f"no answer in {timeout} s: {self.story()}") from None
            if self._runs_begun > begun and self._run_status != EARLY:
                break
            # The end of a run the server had begun by itself (st.rerun), or of one that a
            # newer request cut short: the run that answers this request is still to come.
            self._finished.clear()
        for wid in [w for w, s in self._states.items() if s.WhichOneof("value") == "trigger_value"]:
            del self._states[wid]  # a click is true for one run only
        return time.perf_counter() - start

    async def click(self, label: str, timeout: float = 60) -> float:
        """Press a button."""
        state = WidgetState(id=self.widgets[label].id, trigger_value=True)
        return await self.rerun(state=state, timeout=timeout)

    async def set(self, label: str, value) -> float:
        """Change a widget's value (numbers, text, the index of a selectbox, radio or
        select_slider)."""
        w = self.widgets[label]
        if w.kind == "slider" and w.proto.options:  # a select_slider: the option as shown
            shown = w.proto.options[value] if isinstance(value, int) else str(value)
            state = WidgetState(id=w.id, string_array_value={"data": [shown]})
        elif w.kind == "slider":
            state = WidgetState(id=w.id, double_array_value={"data": [float(value)]})
        elif w.kind == "number_input" and isinstance(value, int):
            state = WidgetState(id=w.id, int_value=value)
        elif w.kind == "number_input":
            state = WidgetState(id=w.id, double_value=float(value))
        elif w.kind in ("selectbox", "radio"):
            state = WidgetState(id=w.id, int_value=int(value))
        elif w.kind == "checkbox" or w.kind == "toggle":
            state = WidgetState(id=w.id, bool_value=bool(value))
        else:
            state = WidgetState(id=w.id, string_value=str(value))
        return await self.rerun(state=state)

    async def _read(self) -> None:
        try:
            await self._read_all()
        except websockets.ConnectionClosed:
            self.trace.append((time.monotonic(), "<- the connection broke"))

    async def _read_all(self) -> None:
        async for raw in self.ws:
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            self.received += 1
            kind = msg.WhichOneof("type")
            if kind in ("new_session", "script_finished", "auto_rerun", "stop_auto_rerun"):
                self.trace.append((time.monotonic(), f"<- {kind} {_brief(msg, kind)}"))
            if kind == "new_session":
                self._runs_begun += 1
                self._fragment_run = bool(msg.metadata.run.fragment_ids)
                self._finished.clear()
            if kind == "new_session" and not msg.metadata.run.fragment_ids:
                self.widgets.clear()  # a whole run, also one the server started (st.rerun)
                self.texts.clear()
                self.metrics.clear()
                self._runs_started += 1
                # As a browser does: the run announces its fragments again. Streamlit drops,
                # without an answer, a rerun of a fragment that a whole run has replaced.
                self._fragments.clear()
            if kind == "new_session":
                for p in msg.new_session.app_pages:
                    self.pages[p.url_pathname] = p.page_script_hash
                self.page_hash = self.page_hash or msg.new_session.page_script_hash
            elif kind == "navigation":
                for p in msg.navigation.app_pages:
                    self.pages[p.url_pathname] = p.page_script_hash
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._element(msg.delta.new_element)
            elif kind == "auto_rerun":
                self._fragments[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
            elif kind == "script_finished":
                self._run_status = msg.script_finished
                self._finished.set()

    def _element(self, element) -> None:
        kind = element.WhichOneof("type")
        body = getattr(element, kind)
        if kind == "exception":
            self.errors.append(body.message)
        elif kind in ("markdown", "heading"):
            self.texts.append(body.body)
        elif kind == "alert":
            self.alerts.append(body.body)
        elif kind == "metric":
            self.metrics[body.label] = body.body
        elif kind == "progress":
            self.progress = body.text
        elif hasattr(body, "id") and hasattr(body, "label") and body.id:
            self.widgets[body.label] = Widget(kind, body.id, body.label, body)

    async def _poll_fragments(self) -> None:
        """Answer `st.fragment(run_every=...)` as a browser does, one fragment at a time."""
        while True:
            await asyncio.sleep(min(self._fragments.values(), default=0.5))
            for fragment_id in list(self._fragments):
                if not self._one_run.locked():
                    try:
                        await self.rerun(fragment_id=fragment_id)
                    except (TimeoutError, websockets.ConnectionClosed):
                        return


def _brief(msg: ForwardMsg, kind: str) -> object:
    """What a traced message says: the run's fragments, how it ended, or which fragment."""
    if kind == "new_session":
        return list(msg.metadata.run.fragment_ids)
    if kind == "script_finished":
        return ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
    if kind == "auto_rerun":
        return msg.auto_rerun.fragment_id
    return list(msg.stop_auto_rerun.fragment_ids)


async def _idle() -> None:
    """The poller of a session whose caller answers its fragments itself."""
    await asyncio.Event().wait()


def run_sync(coro):
    """asyncio.run in a thread of its own: works even where a loop already runs (Playwright)."""
    import concurrent.futures

    def run_then_collect():
        try:
            return asyncio.run(coro)
        finally:
            # Finalizers of what the run left (a task's exception nobody read logs a traceback,
            # which calls ast.parse) run here, not inside some later ast.parse: a parse nested
            # in another raises "AST constructor recursion depth mismatch" (CPython gh-106905).
            gc.collect()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(run_then_collect).result()
