"""A task: the goal, hints revealed one at a time, the solution on request, and the moment of success.

Whether the task is done is decided by the scenarios layer's checks after each command; this view only
shows what it is told.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from ecrsim.tui.question_view import inline_code

if TYPE_CHECKING:
    from ecrsim.scenarios.tasks import Goal


class TaskView(Vertical):
    def __init__(self, goal: str, hints: list[str], solution: list[str], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.goal = goal
        self.hints = hints
        self.solution = solution
        self.hints_shown = 0
        self.solution_shown = False
        self.done = False

    def compose(self) -> ComposeResult:
        goal = Text("Task: ", style="bold yellow")
        goal.append_text(inline_code(self.goal, style="bold"))
        yield Static(goal, classes="task-goal")
        yield Static(self._help_line(), classes="task-help")
        for part in ("task-goals", "task-hints", "task-solution", "task-problem", "task-status"):
            placeholder = Static(classes=part)
            placeholder.display = False  # shown when there is something to show
            yield placeholder

    def _help_line(self) -> Text:
        left = len(self.hints) - self.hints_shown
        hint = f"F5 hint ({left} left)" if left else "no more hints"
        return Text(f"Type commands in the terminal.  {hint} · F6 solution", style="dim")

    def next_hint(self) -> bool:
        """Reveal one more hint; False when there is none left."""
        if self.hints_shown >= len(self.hints):
            return False
        self.hints_shown += 1
        text = Text()
        for n, hint in enumerate(self.hints[: self.hints_shown], 1):
            text.append(f"Hint {n}: ", style="bold cyan")
            text.append(" ".join(hint.split()) + "\n")
        text.rstrip()
        self._reveal(".task-hints", text)
        self.query_one(".task-help", Static).update(self._help_line())
        return True

    def show_solution(self) -> None:
        self.solution_shown = True
        text = Text("Solution:\n", style="bold magenta")
        for command in self.solution:
            text.append(f"  $ {command}\n", style="")
        text.rstrip()
        self._reveal(".task-solution", text)

    def show_goals(self, goals: Sequence[Goal]) -> None:
        """The goal view: each check, met or not (what must stay refused is marked so)."""
        text = Text("Goal:", style="bold")
        for goal in goals:
            text.append("\n ")
            text.append("✓ " if goal.met else "· ", style="green" if goal.met else "dim")
            text.append_text(inline_code(goal.label + (" (must stay refused)" if goal.refusal else "")))
        self._reveal(".task-goals", text)

    def show_problem(self, problem: str | None) -> None:
        """Why the task is not done although every check holds (the least-privilege verdict); None hides."""
        part = self.query_one(".task-problem", Static)
        part.display = problem is not None
        if problem is not None:
            part.update(inline_code(problem, style="bold yellow"))

    def show_success(self) -> None:
        self.done = True
        self.show_problem(None)
        self._reveal(".task-status", Text("★ Task complete! Every check holds.  F7 goes on.", style="bold"))
        self.query_one(".task-status").add_class("-success")

    def undo_success(self) -> None:
        """The world went back (undo) to before the task was complete: it is open again."""
        self.done = False
        status = self.query_one(".task-status", Static)
        status.display = False
        status.remove_class("-success")

    def _reveal(self, selector: str, content: Text) -> None:
        part = self.query_one(selector, Static)
        part.update(content)
        part.display = True
