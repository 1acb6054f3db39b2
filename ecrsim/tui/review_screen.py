"""The Review screen: the cards that are due, one at a time, each in the world it was written for.

A question is the scenario screen's own QuestionView, its choices shuffled by the card's due time, after
the facts of its world; a task is a TaskView beside a terminal. Marking, checks and scheduling all come from
the scenarios layer (the walk's Question.judge and TaskAttempt.judge, StudyStore.record);
the rating comes from how the attempt went, so the learner never rates a card by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ecrsim.tui.focus import focus_first
from ecrsim.tui.handback import hand_back
from ecrsim.tui.off_thread import in_thread
from ecrsim.tui.on_top import ClosesFromTop
from ecrsim.tui.question_view import QuestionView
from ecrsim.tui.task_view import TaskView
from ecrsim.tui.terminal import Terminal
from ecrsim.tui.title_header import Header

if TYPE_CHECKING:
    from ecrsim.scenarios.cards import Pack, PackCard, Stop
    from ecrsim.scenarios.questions import Shuffle
    from ecrsim.scenarios.review import Attempt
    from ecrsim.scenarios.runner import Runner
    from ecrsim.scenarios.study_store import StudyStore
    from ecrsim.tui.app import EcrsimApp


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class ReviewScreen(ClosesFromTop, Screen[None]):
    app: EcrsimApp  # type: ignore[assignment]

    DEFAULT_CSS = """
    #review-status { height: 1; padding: 0 1; background: $primary; }
    #review-card { width: 1fr; padding: 0 1; }
    #review-terminal { width: 1fr; }
    .review-context { color: $text-muted; margin-bottom: 1; }
    .review-rating { margin-top: 1; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Back", id="review.back"),
        Binding("f5", "hint", "Hint", id="review.hint"),
        Binding("f6", "solution", "Solution", id="review.solution"),
        Binding("f7", "next", "Next card", id="review.next"),
    ]

    def __init__(
        self, *, now: Callable[[], datetime] = _utc_now, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.now = now
        self.clock = clock
        self.pack: Pack | None = None
        self.store: StudyStore | None = None
        self.due: list[PackCard] = []
        self.position = -1
        self.runner: Runner | None = None
        self.stop: Stop | None = None  # the card's question or task, in its world
        self.shuffle: Shuffle | None = None  # the order the card's choices are shown in
        self.started = 0.0
        self.rated = False
        self.reviewed = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Finding the cards that are due…", id="review-status")
        with Horizontal(id="review-workspace"):
            yield VerticalScroll(id="review-card")
            terminal = Terminal(id="review-terminal")
            terminal.display = False
            yield terminal
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Review"
        self.load()

    @work(thread=True, exclusive=True, group="review")
    def load(self) -> None:
        from ecrsim.scenarios.cards import load_pack
        from ecrsim.scenarios.study_store import StudyStore

        now = self.now()
        pack = load_pack(self.app.pack_dir)
        store = StudyStore.load()
        due = sorted(
            (c for c in pack.cards if c.key in store.cards and store.cards[c.key].is_due(now)),
            key=lambda c: store.cards[c.key].due,
        )
        hand_back(self, self._loaded, pack, store, due)

    async def _loaded(self, pack: Pack, store: StudyStore, due: list[PackCard]) -> None:
        self.pack, self.store, self.due = pack, store, due
        self._warn()
        await self.show_next()

    # -- cards --------------------------------------------------------------------------------------------
    async def show_next(self) -> None:
        """Replace the card shown by the next one due. The old card's widgets are gone before the new ones
        mount: both cards' views carry the same ids."""
        from ecrsim.scenarios.cards import context, stop_at
        from ecrsim.scenarios.problems import ScenarioProblems
        from ecrsim.scenarios.questions import Shuffle
        from ecrsim.scenarios.walker import Asked

        assert self.pack is not None
        self.position += 1
        card_area = self.query_one("#review-card", VerticalScroll)
        await card_area.remove_children()
        terminal = self.query_one(Terminal)
        terminal.display = False
        if self.position >= len(self.due):
            self._done()
            return
        card = self.due[self.position]
        item = self.pack.scenarios[card.scenario_id]
        try:
            self.stop = stop_at(item, card.step)
        except ScenarioProblems:
            self.notify(f"{card.scenario_id} cannot start; run `ecrsim check` on it", severity="warning")
            await self.show_next()
            return
        self.runner = self.stop.runner
        self.rated = False
        self._status(
            f"Card {self.position + 1} of {len(self.due)}: {card.kind} {card.number} of {card.title}"
        )
        lines = context(item.scenario, card.step)
        stop = self.stop
        if isinstance(stop, Asked):  # the facts of its world the question depends on
            lines += ["", "The world at this point:", *(f"  {f}" for f in stop.question.facts(stop.runner))]
        card_area.mount(Static(Text("\n".join(lines)), classes="review-context"))
        if isinstance(stop, Asked):
            seed = (
                int(self.store.cards[card.key].due.timestamp()) if self.app.shuffle and self.store else None
            )
            self.shuffle = Shuffle.of(len(stop.question.choices), seed, card.key)
            view: QuestionView | TaskView = QuestionView(
                stop.question.text,
                self.shuffle.texts(stop.question),
                multiple=stop.question.multiple,
                id="review-question",
            )
            await card_area.mount(view)
            self.call_after_refresh(focus_first, view, ".question-choices")
        else:
            view = TaskView(stop.task.text, stop.task.hints, stop.task.solution, id="review-task")
            await card_area.mount(view)
            terminal.display = True
            terminal.clear()
            terminal.set_prompt(self.runner.shell.prompt())
            self.call_after_refresh(terminal.focus_input)
        self.started = self.clock()

    def _card(self) -> PackCard | None:
        return self.due[self.position] if 0 <= self.position < len(self.due) else None

    @on(QuestionView.Answered)
    def _answered(self, event: QuestionView.Answered) -> None:
        from ecrsim.scenarios.review import Attempt
        from ecrsim.scenarios.walker import Asked

        stop, shuffle = self.stop, self.shuffle
        assert isinstance(stop, Asked) and shuffle is not None
        judgement = stop.question.judge(stop.runner)
        chosen = shuffle.file_numbers(event.choices)
        correct = judgement.correct(chosen)
        self.query_one("#review-question", QuestionView).show_verdict(
            correct=correct,
            right=shuffle.shown_numbers(judgement.right),
            explain=stop.question.explain,
            detail=judgement.happened(chosen, shuffle),
            reasons=judgement.reasons(shuffle),
        )
        self._rate(Attempt("question", correct, seconds=self.clock() - self.started))

    @on(Terminal.Submitted)
    async def _command(self, event: Terminal.Submitted) -> None:
        from ecrsim.scenarios.review import Attempt
        from ecrsim.scenarios.walker import TaskSet

        card, stop = self._card(), self.stop
        if card is None or self.runner is None or not isinstance(stop, TaskSet):
            return
        terminal = self.query_one(Terminal)
        terminal.show_command(self.runner.shell.prompt(), event.line)
        runner = self.runner
        with terminal.running():
            ran = await in_thread(lambda: runner.run(event.line))
        terminal.show_output(ran.stdout, ran.stderr)
        terminal.set_prompt(self.runner.shell.prompt())
        view = self._task_view()
        if view is None:  # a question card: the terminal is not the way to answer it
            return
        verdict = stop.attempt.judge(self.runner)
        view.show_goals(verdict.goals)
        if not view.done and verdict.checks_hold and not verdict.solved:
            view.show_problem(verdict.problems()[-1])
        if not view.done and verdict.solved:
            view.show_success()
            self._rate(
                Attempt(
                    "task",
                    True,
                    hints=view.hints_shown,
                    solution_shown=view.solution_shown,
                    seconds=self.clock() - self.started,
                )
            )

    def _rate(self, attempt: Attempt) -> None:
        from ecrsim.scenarios.review import describe_interval

        card = self._card()
        if self.rated or card is None or self.store is None:
            return
        self.rated = True
        self.reviewed += 1
        now = self.now()
        state = self.store.record(card.key, attempt, now)
        text = f"Rated {attempt.rating.name}; next review {describe_interval(state.due, now)}.  F7: next card"
        if state.is_leech:
            text += (
                "\nA leech: failed again and again. Replay the scenario that teaches it: "
                f"{card.title} ({card.scenario_id})"
            )
        self.query_one("#review-card", VerticalScroll).mount(Static(text, classes="review-rating"))
        self._warn()

    # -- actions ------------------------------------------------------------------------------------------
    def _task_view(self) -> TaskView | None:
        views = self.query("#review-task").results(TaskView)
        return next(iter(views), None)

    def action_hint(self) -> None:
        view = self._task_view()
        if view is None or view.done:
            self.notify("Hints are for tasks.", severity="warning")
        elif not view.next_hint():
            self.notify("No more hints. F6 shows the solution.")

    def action_solution(self) -> None:
        from ecrsim.scenarios.review import Attempt

        view = self._task_view()
        if view is None or view.done:
            self.notify("There is no open task.", severity="warning")
            return
        view.show_solution()
        self._rate(Attempt("task", False, solution_shown=True))  # a shown solution is Again, whatever follows

    async def action_next(self) -> None:
        if self.pack is not None and self.position < len(self.due):
            await self.show_next()

    def _done(self) -> None:
        if not self.due:
            self._status("Nothing is due for review.")
            message = "Nothing is due. Play scenarios to meet more questions and tasks; they join the review."
        else:
            self._status(f"Review done: {self.reviewed} of {len(self.due)} cards rated.")
            message = "Review done. Escape returns."
        self.query_one("#review-card", VerticalScroll).mount(Static(message))

    def _status(self, text: str) -> None:
        self.query_one("#review-status", Static).update(text)

    def _warn(self) -> None:
        if self.store is None:
            return
        while self.store.warnings:
            self.notify(self.store.warnings.pop(0), title="Review", severity="warning", timeout=10)
