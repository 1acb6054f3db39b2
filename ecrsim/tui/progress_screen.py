"""The Progress screen: where the learner stands, as `ecrsim stats` draws it, and the way into review and
exams from the command palette.

The numbers come from the scenarios layer (stats.compute); this screen only loads them off the UI thread
and shows them. `StudyCommands` puts Review, Exam and Progress in the palette, so the app reaches the
study screens without a key of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ecrsim.tui.commands import EntryProvider
from ecrsim.tui.handback import hand_back
from ecrsim.tui.on_top import ClosesFromTop
from ecrsim.tui.title_header import Header

if TYPE_CHECKING:
    from ecrsim.tui.app import EcrsimApp
    from ecrsim.tui.commands import PaletteEntry


class ProgressScreen(ClosesFromTop, Screen[None]):
    app: EcrsimApp  # type: ignore[assignment]

    # A line of the table never wraps (a wrapped "accuracy" reads as another row): too narrow a terminal
    # scrolls it sideways instead.
    DEFAULT_CSS = """
    #progress-scroll { overflow-x: auto; }
    #progress-body { width: auto; padding: 1 1; text-wrap: nowrap; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Back", id="progress.back"),
        Binding("f5", "review", "Review", id="progress.review"),
        Binding("f6", "exam", "Exam", id="progress.exam"),
    ]

    def __init__(self, *, now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        super().__init__()
        self.now = now  # the real date: what is due and the streak depend on it; tests pass a fixed one

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="progress-scroll"):
            yield Static(Text("Counting…", style="dim"), id="progress-body")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Progress"
        self.load()

    def on_screen_resume(self) -> None:
        self.load()  # a review or exam since may have changed it

    @work(thread=True, exclusive=True, group="progress")
    def load(self) -> None:
        from ecrsim.scenarios.cards import load_pack
        from ecrsim.scenarios.stats import compute, render
        from ecrsim.scenarios.study_store import StudyStore

        now = self.now()
        pack = load_pack(self.app.pack_dir)
        store = StudyStore.load()
        lines = render(compute(pack, self.app.progress, store, now))
        hand_back(self, self._show, lines, [*pack.problems, *store.warnings])

    def _show(self, lines: list[str], warnings: list[str]) -> None:
        text = Text()
        for line in lines:
            style = "bold" if line.endswith(":") and not line.startswith(" ") else ""
            text.append(line + "\n", style=style)
        text.rstrip()
        self.query_one("#progress-body", Static).update(text)
        for warning in warnings:
            self.notify(warning, title="Progress", severity="warning", timeout=10)

    def action_review(self) -> None:
        open_review(self.app)

    def action_exam(self) -> None:
        open_exam(self.app)


def open_progress(app: EcrsimApp) -> None:
    app.push_screen(ProgressScreen())


def open_review(app: EcrsimApp) -> None:
    from ecrsim.tui.review_screen import ReviewScreen

    app.push_screen(ReviewScreen())


def open_exam(app: EcrsimApp) -> None:
    """Ask for the exam's options first (as `ecrsim exam` takes them), then sit it."""
    from ecrsim.tui.exam_start import ExamOptions, ExamStart

    def start(options: ExamOptions | None) -> None:
        from ecrsim.tui.exam_screen import ExamScreen

        if options is not None:
            app.push_screen(
                ExamScreen(
                    options.questions, minutes=options.minutes, domain=options.domain, seed=options.seed
                )
            )

    app.push_screen(ExamStart(), start)


class StudyCommands(EntryProvider):
    """Command-palette entries for the study screens."""

    def _entries(self) -> Iterator[PaletteEntry]:
        app: EcrsimApp = self.app  # type: ignore[assignment]
        yield ("Review", "Spaced review of the questions and tasks that are due", lambda: open_review(app))
        yield (
            "Exam",
            "Questions in the SAA-C03 domain weights, timed, scored at the end",
            lambda: open_exam(app),
        )
        yield (
            "Progress",
            "Done and due by domain and topic, accuracy, streak, weakest topics",
            lambda: open_progress(app),
        )
