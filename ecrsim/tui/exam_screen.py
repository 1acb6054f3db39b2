"""The Exam screen: the questions one at a time under a countdown, no feedback until the end, any question
revisited or flagged, then the score by domain and topic with every explanation.

The rules (composition, scoring, the result's lines) are the scenarios layer's exam module, shared with
`ecrsim exam`; this screen owns the clock and the keys. Answering moves on to the next question; F6 goes
back, and answering again replaces the answer.
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
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from ecrsim.tui.confirm import Confirm
from ecrsim.tui.focus import focus_first
from ecrsim.tui.handback import hand_back
from ecrsim.tui.on_top import ClosesFromTop
from ecrsim.tui.question_view import QuestionView
from ecrsim.tui.title_header import Header

if TYPE_CHECKING:
    from ecrsim.scenarios.exam import Exam
    from ecrsim.tui.app import EcrsimApp


class ExamScreen(ClosesFromTop, Screen[None]):
    app: EcrsimApp  # type: ignore[assignment]

    DEFAULT_CSS = """
    #exam-status { height: 1; padding: 0 1; background: $primary; }
    #exam-body { padding: 0 1; }
    .exam-context { color: $text-muted; margin-bottom: 1; }
    .exam-answer { margin-top: 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Leave", id="exam.leave"),
        Binding("f5", "revisit", "Revisit", id="exam.revisit"),  # a flagged or unanswered question
        Binding("f6", "move(-1)", "Previous", id="exam.previous"),
        Binding("f7", "move(1)", "Next", id="exam.next"),
        Binding("f8", "flag", "Flag", id="exam.flag"),
        Binding("f9", "end", "Finish", id="exam.finish"),
    ]

    def __init__(
        self,
        questions: int = 20,
        *,
        minutes: float | None = None,
        domain: int | None = None,
        seed: int | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.count = questions
        self.minutes = minutes
        self.domain = domain
        self.seed = seed if seed is not None else int(now().timestamp()) % 1_000_000
        self.now = now
        self.clock = clock
        self.exam: Exam | None = None
        self.index = 0
        self.deadline = 0.0
        self.finished = False
        self.timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Setting the exam…", id="exam-status")
        yield VerticalScroll(id="exam-body")
        yield Footer(compact=True, show_command_palette=False)  # 80 columns: F9 and F1 must show

    def on_mount(self) -> None:
        self.sub_title = "Exam"
        self.prepare()

    @work(thread=True, exclusive=True, group="exam")
    def prepare(self) -> None:
        from ecrsim.scenarios.cards import load_pack
        from ecrsim.scenarios.exam import MINUTES_PER_QUESTION, Exam, compose, prepare

        pack = load_pack(self.app.pack_dir)
        cards = compose(pack, self.count, self.seed, self.domain)
        questions, problems = prepare(pack, cards, self.seed if self.app.shuffle else None)
        exam = Exam(questions, self.seed, self.minutes or MINUTES_PER_QUESTION * len(questions))
        hand_back(self, self._ready, exam, problems)

    async def _ready(self, exam: Exam, problems: list[str]) -> None:
        if not self.query("#exam-body"):
            return  # the app is closing before the exam was set
        for problem in problems:
            self.notify(problem, title="Left out of the exam", severity="warning", timeout=10)
        if not exam.questions:
            self.query_one("#exam-status", Static).update("The pack has no questions for this exam.")
            return
        self.exam = exam
        self.deadline = self.clock() + exam.minutes * 60
        self.timer = self.set_interval(1, self.tick)
        self.refresh_bindings()
        await self.show(0)

    # -- the sitting --------------------------------------------------------------------------------------
    async def show(self, index: int) -> None:
        """Replace the question shown; the old one is gone before the new one mounts, so a query never
        finds the question left behind."""
        assert self.exam is not None
        self.index = index
        question = self.exam.questions[index]
        body = self.query_one("#exam-body", VerticalScroll)
        await body.remove_children()
        facts = ["", "The world at this point:", *(f"  {fact}" for fact in question.facts)]
        await body.mount(Static(Text("\n".join([*question.context, *facts])), classes="exam-context"))
        view = QuestionView(
            question.question.text,
            question.shuffle.texts(question.question),
            multiple=question.question.multiple,
        )
        await body.mount(view)
        chosen = self.exam.shown_answer(index)
        await body.mount(
            Static(
                f"Your answer: {', '.join(map(str, chosen))}. Answer again to change it." if chosen else "",
                classes="exam-answer",
            )
        )
        self.call_after_refresh(focus_first, view, ".question-choices")
        self.tick()

    def tick(self) -> None:
        if self.exam is None or self.finished:
            return
        left = self.deadline - self.clock()
        if left <= 0:
            self.notify("Time is up.", title="Exam")
            self.action_finish()
            return
        flagged = ", ".join(str(i + 1) for i in sorted(self.exam.flagged)) or "none"
        flag = " · flagged" if self.index in self.exam.flagged else ""
        self.query_one("#exam-status", Static).update(
            f"Question {self.index + 1} of {len(self.exam.questions)}{flag} · "
            f"{len(self.exam.answers)} answered · flagged: {flagged} · "
            f"{int(left // 60)}:{int(left % 60):02d} left · F9 finishes"
        )

    @on(QuestionView.Answered)
    async def _answered(self, event: QuestionView.Answered) -> None:
        if self.exam is None or self.finished:
            return
        if self.deadline - self.clock() <= 0:
            self.tick()  # time is up: the answer does not count
            return
        self.exam.answer(self.index, event.choices)
        if self.index + 1 < len(self.exam.questions):
            await self.show(self.index + 1)
        else:
            await self.show(self.index)
            self.notify(
                "That was the last question. F5 revisits flagged or unanswered ones; F9 finishes.",
                title="Exam",
            )

    async def action_move(self, step: int) -> None:
        if self.exam is not None and not self.finished:
            await self.show(max(0, min(len(self.exam.questions) - 1, self.index + step)))

    def action_flag(self) -> None:
        if self.exam is not None and not self.finished:
            self.exam.toggle_flag(self.index)
            self.tick()

    def _open_questions(self) -> list[int]:
        """The questions still to look at: flagged or unanswered, in order."""
        assert self.exam is not None
        return sorted(set(self.exam.flagged) | set(self.exam.unanswered()))

    async def action_revisit(self) -> None:
        """Go to the next flagged or unanswered question after this one, as the plain exam offers them."""
        if self.exam is None or self.finished:
            return
        waiting = self._open_questions()
        if not waiting:
            self.notify("Every question is answered and none is flagged. F9 finishes.", title="Exam")
            return
        await self.show(next((i for i in waiting if i > self.index), waiting[0]))

    def action_end(self) -> None:
        """Finish, after asking when a question is unanswered or flagged (as the plain exam offers them)."""
        if self.exam is None or self.finished:
            return
        waiting = self._open_questions()
        if not waiting:
            self.action_finish()
            return

        async def chosen(choice: str | None) -> None:
            if choice == "finish":
                self.action_finish()
            elif choice == "revisit" and not self.finished:
                await self.show(waiting[0])

        self.app.push_screen(
            Confirm(
                f"{self.exam.open_questions_line()}\nFinish and score the exam now?",
                [("revisit", f"Revisit question {waiting[0] + 1}"), ("finish", "Finish and score")],
            ),
            chosen,
        )

    def action_finish(self) -> None:
        from ecrsim.scenarios.exam import result_lines
        from ecrsim.scenarios.review import Attempt
        from ecrsim.scenarios.study_store import StudyStore

        if self.exam is None or self.finished:
            return
        self.finished = True
        if self.timer is not None:
            self.timer.stop()
        self.refresh_bindings()
        result = self.exam.result()
        score = result.score
        self.query_one("#exam-status", Static).update(
            f"Score: {score.right} of {score.total} · seed {self.exam.seed} sets this exam again · "
            "Escape leaves"
        )
        body = self.query_one("#exam-body", VerticalScroll)
        body.remove_children()
        body.mount(Static(Text("\n".join(result_lines(result)).strip()), id="exam-result"))
        store = StudyStore.load()
        for item in result.items:
            if item.chosen:
                store.record(item.question.card.key, Attempt("question", item.correct), self.now())
        for warning in store.warnings:
            self.notify(warning, title="Review", severity="warning", timeout=10)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Moving, flagging and finishing mean nothing once the exam is scored: hide them from the footer."""
        if action in ("move", "flag", "end", "revisit"):
            return self.exam is not None and not self.finished
        return True
