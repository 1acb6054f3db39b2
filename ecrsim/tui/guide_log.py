"""The guide's scrolling log: narration, questions and tasks, one under another.

It takes focus (F2, Escape from the terminal), and while it or anything in it has focus the number keys
answer the open question and the footer says so ("1-9 Answer"). Anywhere else, a number is just a number:
in the terminal it is typed at the prompt.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll

from ecrsim.tui.focus import focus_first
from ecrsim.tui.question_view import MAX_KEYED_CHOICES, QuestionView


class GuideLog(VerticalScroll):
    # priority: these, not the question's own (hidden) number keys, are what the footer shows while the
    # choices have focus; they answer the same way.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "pick(1)", "Answer", id="guide.answer", key_display="1-9", priority=True),
        *(
            Binding(str(n), f"pick({n})", f"Choice {n}", id=f"guide.pick_{n}", show=False, priority=True)
            for n in range(2, MAX_KEYED_CHOICES + 1)
        ),
    ]

    def open_question(self) -> QuestionView | None:
        """The question waiting for an answer, if the newest step is one."""
        steps = self.query(".step")
        last = steps.last() if steps else None
        return last if isinstance(last, QuestionView) and not last.answered else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The number keys (and the footer's "1-9 Answer") only while a question waits."""
        if action == "pick":
            return self.open_question() is not None
        return True

    def action_pick(self, number: int) -> None:
        question = self.open_question()
        if question is not None:
            question.action_pick(number)

    def focus_here(self) -> None:
        """Focus the open question's choices, else the log itself (to scroll it with the keys)."""
        question = self.open_question()
        if question is not None:
            focus_first(question, ".question-choices")
        else:
            self.focus()
