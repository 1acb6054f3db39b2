"""A multiple-choice question: choices picked by number key or click, then right or wrong and why.

Marking is not done here: the view posts `QuestionView.Answered` and is told the verdict the scenarios
layer worked out from the simulation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from ecrsim.tui.option_list import OptionList, SelectionList

MAX_KEYED_CHOICES = 9
_CODE = re.compile(r"`([^`]+)`")


def inline_code(text: str, style: str = "") -> Text:
    """Markdown's `code` spans as styled text: a choice or question shows no literal backticks."""
    result = Text(style=style)
    last = 0
    for match in _CODE.finditer(text):
        result.append(text[last : match.start()])
        result.append(match.group(1), style="bold cyan")
        last = match.end()
    result.append(text[last:])
    return result


class QuestionView(Vertical):
    """One question. Number keys work whenever the choices (or the view) have focus."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(str(n), f"pick({n})", f"Choice {n}", id=f"question.pick_{n}", show=False)
            for n in range(1, MAX_KEYED_CHOICES + 1)
        ),
        Binding("s", "submit", "Submit answer", id="question.submit", show=False),
    ]

    class Answered(Message):
        def __init__(self, choices: list[int]) -> None:
            super().__init__()
            self.choices = choices  # 1-based

    def __init__(self, question: str, choices: list[str], *, multiple: bool, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.question = question
        self.choices = choices
        self.multiple = multiple
        self.answered = False

    def compose(self) -> ComposeResult:
        yield Static(inline_code(self.question, style="bold"), classes="question-text")
        if self.multiple:
            yield Static("Pick every right choice (number keys, or space), then submit (s).", classes="dim")
            yield SelectionList[int](
                *(Selection(inline_code(f"{n}. {text}"), n) for n, text in enumerate(self.choices, 1)),
                classes="question-choices",
            )
            yield Button("Submit answer", id="question-submit", variant="primary")
        else:
            yield OptionList(
                *(Option(inline_code(f"{n}. {text}"), id=str(n)) for n, text in enumerate(self.choices, 1)),
                classes="question-choices",
            )
        result = Static(classes="question-result")
        result.display = False  # until the verdict
        yield result

    def focus_choices(self) -> None:
        self.query_one(".question-choices").focus()

    def action_pick(self, number: int) -> None:
        if self.answered or number > len(self.choices):
            return
        if self.multiple:
            self.query_one(SelectionList).toggle(number)
        else:
            self._submit([number])

    @on(OptionList.OptionSelected)
    def _option_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None and not self.answered:
            self._submit([int(event.option.id)])

    @on(Button.Pressed, "#question-submit")
    def _submit_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        """Submit the choices ticked (questions with several right answers)."""
        if not self.multiple or self.answered:
            return
        chosen = list(self.query_one(SelectionList).selected)
        if not chosen:
            self.notify("Pick at least one choice first.", severity="warning")
        else:
            self._submit(chosen)

    def _submit(self, choices: list[int]) -> None:
        self.answered = True
        for widget in self.query(".question-choices, #question-submit"):
            widget.disabled = True
        self.post_message(self.Answered(sorted(choices)))

    def show_verdict(
        self,
        *,
        correct: bool,
        right: list[int],
        explain: str | None,
        detail: str | None,
        reasons: Sequence[str] = (),
    ) -> None:
        """Right or wrong, what happened, the author's explanation, then every choice with its reason."""
        text = Text()
        if correct:
            text.append("✓ Right!", style="bold green")
        else:
            answer = ", ".join(str(n) for n in right)
            text.append(f"✗ Not quite. The right answer: {answer}.", style="bold red")
        if detail:
            text.append("\n")
            text.append_text(inline_code(detail, style="dim"))
        if explain:
            text.append("\n\n")
            text.append_text(inline_code(" ".join(explain.split())))
        if reasons:
            text.append("\n\nWhy each choice:", style="bold")
            for line in reasons:
                text.append("\n")
                text.append_text(inline_code(line))
        result = self.query_one(".question-result", Static)
        result.update(text)
        result.display = True
        result.set_class(correct, "-right")
        result.set_class(not correct, "-wrong")
