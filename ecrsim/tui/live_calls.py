"""The Live calls panel: serve this world to the learner's own aws CLI, boto3 and docker, and watch.

Start serves the world the terminal beside it shows (`ecrsim endpoint`'s core, on 127.0.0.1:4566, or any
free port when that one is taken) and writes the profile files; each request from a real client is listed
as it arrives (principal, operation, verdict), with the explanation of the one chosen.

One at a time with the learner's own commands: a request's thread holds `world_lock` while the request runs
on the UI's thread (where the panels read the world), and the learner's command thread holds it too
(`exclusively`). The UI's thread never waits for it, so a slow command never freezes the UI.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from rich.text import Text
from textual import on
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Static
from textual.widgets.option_list import Option

from ecrsim.engine.arn import parse_arn
from ecrsim.tui.option_list import OptionList

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from ecrsim.endpoint.app import Record
    from ecrsim.endpoint.http import Request, Response
    from ecrsim.endpoint.server import EndpointServer
    from ecrsim.tui.session import Session

T = TypeVar("T")
PORT = 4566
IDLE = "Serve this world to your own aws CLI, boto3 and docker: press Start."


class LiveCalls(Vertical):
    class Served(Message):
        """A real client's request changed (or read) the world: the screen redraws it."""

    def __init__(self, session: Session, **kwargs: object) -> None:
        """`session` is read when Start is pressed and at every request: its world, who acts, where."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.session = session
        self.world_lock = threading.Lock()
        self.records: list[Record] = []
        self.server: EndpointServer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="live-bar"):
            yield Button("Start", id="live-start", compact=True)
            yield Static(IDLE, id="live-status")
        yield OptionList(id="live-calls")
        with VerticalScroll(id="live-scroll"):
            yield Static("", id="live-text")

    @on(Button.Pressed, "#live-start")
    def start(self) -> None:
        if self.server is not None:
            return
        from ecrsim.endpoint.app import Endpoint
        from ecrsim.endpoint.keys import home_account
        from ecrsim.endpoint.profiles import write_profiles
        from ecrsim.endpoint.server import EndpointServer
        from ecrsim.scenarios.progress import data_dir

        session = self.session
        world, region = session.world, session.region
        endpoint = Endpoint(
            lambda: session.world,
            region=region,
            registry_id=home_account(world, session.profile),
            address="",
            listener=self._heard,
        )
        app = self.app

        def dispatch(request: Request) -> Response:
            with self.world_lock:
                return app.call_from_thread(endpoint.handle, request)

        for port in (PORT, 0):
            try:
                self.server = EndpointServer("127.0.0.1", port, endpoint, dispatch)
                break
            except OSError:
                continue
        if self.server is None:
            self.query_one("#live-status", Static).update("Could not listen on 127.0.0.1.")
            return
        url = f"http://127.0.0.1:{self.server.port}"
        endpoint.address = f"127.0.0.1:{self.server.port}"
        try:
            env = write_profiles(
                world, data_dir() / "endpoint", url=url, region=region, profile=session.profile
            )
            where = f"source {env}"
        except OSError as error:
            where = f"(profile files not written: {error.strerror or error})"
        self.server.start()
        self.query_one("#live-start", Button).disabled = True
        self.query_one("#live-status", Static).update(Text(f"Listening on {url}   {where}"))

    def exclusively(self, work: Callable[[], T]) -> T:
        """Run a learner's command (on its own thread) with no request of a real client in between."""
        with self.world_lock:
            return work()

    def _heard(self, record: Record) -> None:
        """A request ended (on the UI's thread): list it, show it, and have the screen redraw the world."""
        self.records.append(record)
        calls = self.query_one("#live-calls", OptionList)
        calls.add_option(Option(Text(_label(record)), id=str(len(self.records) - 1)))
        calls.highlighted = len(self.records) - 1
        self.post_message(self.Served())

    @on(OptionList.OptionHighlighted, "#live-calls")
    def _chosen(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is None:
            return
        record = self.records[int(event.option.id)]
        lines = [record.line(), *record.explanation] if record.explanation else [record.line()]
        self.query_one("#live-text", Static).update(Text("\n".join(lines)))

    def on_unmount(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def _label(record: Record) -> str:
    arn = parse_arn(record.principal)
    principal = arn.resource if arn is not None else record.principal
    return f"{record.time.strftime('%H:%M:%S')} {principal} {record.operation} {record.verdict}"
