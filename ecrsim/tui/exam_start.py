"""The exam's start form: how many questions, how long, which domain, which seed, as `ecrsim exam` takes
them (--questions, --minutes, --domain, --seed), with the same defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static

from ecrsim.tui.on_top import ModalFromTop


@dataclass(frozen=True)
class ExamOptions:
    questions: int = 20
    minutes: float | None = None  # None: the default, per question
    domain: int | None = None  # None: every domain, in the exam's weights
    seed: int | None = None  # None: a new exam


class ExamStart(ModalFromTop[ExamOptions | None]):
    # Each field is one row, its label beside it, so the whole form (buttons included) fits an 80x24
    # terminal; a smaller one scrolls the form, never cuts it.
    DEFAULT_CSS = """
    ExamStart { align: center middle; }
    #exam-start { width: 68; max-width: 100%; height: auto; max-height: 100%; border: thick $primary;
                  background: $surface; padding: 0 1; }
    #exam-start .exam-field { height: auto; }
    #exam-start .exam-field Label { width: 11; padding: 1 1 0 0; }
    #exam-start .exam-field Input, #exam-start .exam-field Select { width: 1fr; }
    #exam-start-error { color: $error; height: auto; }
    #exam-start-buttons { height: auto; }
    #exam-start-buttons Button { margin-right: 2; }
    """
    AUTO_FOCUS = "#exam-questions"  # (a query in on_mount failed when the form closed before it mounted)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="exam_start.cancel"),
    ]

    def compose(self) -> ComposeResult:
        from ecrsim.scenarios.cards import DOMAINS

        with VerticalScroll(id="exam-start"):
            yield Static("[b]A practice exam[/b]: no feedback until the end; F8 flags a question.")
            with Horizontal(classes="exam-field"):
                yield Label("Questions")
                yield Input("20", type="integer", id="exam-questions")
            with Horizontal(classes="exam-field"):
                yield Label("Minutes")
                yield Input(type="number", placeholder="empty: 2 per question", id="exam-minutes")
            with Horizontal(classes="exam-field"):
                yield Label("Domain")
                yield Select(
                    [(f"{n} {name}", n) for n, name in sorted(DOMAINS.items())],
                    prompt="Every domain, in the SAA-C03 weights",
                    id="exam-domain",
                )
            with Horizontal(classes="exam-field"):
                yield Label("Seed")
                yield Input(
                    type="integer", placeholder="empty: a new exam; a seed repeats one", id="exam-seed"
                )
            yield Static(id="exam-start-error")
            with Horizontal(id="exam-start-buttons"):
                yield Button("Start (Enter)", id="exam-start-go", variant="primary")
                yield Button("Cancel (Escape)", id="exam-start-cancel")

    @on(Button.Pressed, "#exam-start-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#exam-start-go")
    def _start(self) -> None:
        options = self._options()
        if options is not None:
            self.dismiss(options)

    def _options(self) -> ExamOptions | None:
        """The options typed, or None after saying what is wrong."""
        error = self.query_one("#exam-start-error", Static)
        questions = self.query_one("#exam-questions", Input).value.strip()
        minutes = self.query_one("#exam-minutes", Input).value.strip()
        seed = self.query_one("#exam-seed", Input).value.strip()
        domain = self.query_one("#exam-domain", Select).value
        try:
            count = int(questions)
            allowed = float(minutes) if minutes else None
            chosen_seed = int(seed) if seed else None
        except ValueError:
            error.update("Questions and seed are whole numbers; minutes a number.")
            return None
        if count < 1 or (allowed is not None and allowed <= 0):
            error.update("Questions and minutes must be more than 0.")
            return None
        return ExamOptions(count, allowed, domain if isinstance(domain, int) else None, chosen_seed)
