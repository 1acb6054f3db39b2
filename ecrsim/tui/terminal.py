"""The terminal panel: a prompt line with history and tab completion above output as the real tools print.

The panel knows nothing of the shell: it posts `Terminal.Submitted` with the line typed, and whoever runs
it calls `show_result`. Completion candidates come from a callable, so the shell's own completion is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, RichLog

Completer = Callable[[str], list[str]]


class CommandInput(Input):
    """An Input with shell-like history (up/down) and completion (tab), that takes a burst of keys at once.

    A paste from a terminal without bracketed paste arrives as one key per character. Textual's Input
    inserts each one: it re-measures the whole line and posts a `Changed` holding a new copy of the value
    per key, behind the keys still queued, so a 28 KB paste took a minute and 300 MB. Here printable keys
    are gathered and inserted together once the keys already queued have been read (benchmarks/paste.py).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Earlier command", id="terminal.history_back", show=False),
        Binding("down", "history(1)", "Later command", id="terminal.history_forward", show=False),
        Binding("tab", "complete", "Complete", id="terminal.complete", show=False),
    ]

    def __init__(self, completer: Completer | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.completer = completer
        self.history: list[str] = []
        self._position = 0  # index into history; len(history) means the line being typed
        self._draft = ""
        self._typed: list[str] = []  # printable keys not yet inserted

    # Textual calls each class's own `_on_key`/`_on_paste` in turn, down the MRO, unless one prevents the
    # default: these run before Input's.
    def _on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character is not None:
            event.stop()
            event.prevent_default()  # Input's would insert it now
            self._restart_blink()
            self._typed.append(event.character)
            if len(self._typed) == 1:
                self.call_after_refresh(self.flush_typed)
        else:
            self.flush_typed()  # a key that edits or submits acts on everything typed before it

    def _on_paste(self, event: events.Paste) -> None:
        self.flush_typed()

    def flush_typed(self) -> None:
        """Insert the keys gathered so far, as Textual inserts one (over the selection, if any)."""
        if not self._typed:
            return
        text, self._typed = "".join(self._typed), []
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)

    def remember(self, line: str) -> None:
        if line.strip() and (not self.history or self.history[-1] != line):
            self.history.append(line)
        self._position = len(self.history)
        self._draft = ""

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._position == len(self.history):
            self._draft = self.value
        self._position = max(0, min(len(self.history), self._position + step))
        self.value = self._draft if self._position == len(self.history) else self.history[self._position]
        self.cursor_position = len(self.value)

    def action_complete(self) -> None:
        """Complete the last word of the line; with nothing typed, tab moves focus on as usual.

        The completer returns candidates for the last word (as the shell's `completions` does): one is
        filled in, several are extended to their common prefix, and otherwise listed.
        """
        if not self.value.strip() or self.completer is None:
            self.screen.focus_next()
            return
        candidates = self.completer(self.value)
        if not candidates:
            self.app.bell()
            return
        head = self.value[: len(self.value) - len(self.value.split(" ")[-1])]
        word = self.value[len(head) :]
        common = _common_prefix(candidates)
        if len(candidates) == 1:
            ending = "" if candidates[0].endswith(("/", "=", ":")) else " "
            self.value = head + candidates[0] + ending
        elif len(common) > len(word):
            self.value = head + common
        else:
            self.notify("  ".join(candidates[:40]), title="Completions", markup=False)
        self.cursor_position = len(self.value)


def _common_prefix(values: list[str]) -> str:
    first, last = min(values), max(values)
    size = 0
    while size < len(first) and first[size] == last[size]:
        size += 1
    return first[:size]


class Terminal(Vertical):
    ALLOW_MAXIMIZE = True  # F11 on the scenario screen

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Guide", id="terminal.leave"),
    ]

    class Submitted(Message):
        def __init__(self, line: str) -> None:
            super().__init__()
            self.line = line

    class Left(Message):
        """Escape in the terminal: the screen moves focus to its guide."""

    def __init__(
        self, completer: Completer | None = None, *, escape_leaves: bool = False, **kwargs: object
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._completer = completer
        self.escape_leaves = escape_leaves  # else escape means what the screen makes it mean
        self.commands: list[
            str
        ] = []  # every command shown, the scenario's and the learner's: a rescue script

    def compose(self) -> ComposeResult:
        yield RichLog(id="terminal-output", wrap=True, markup=False, highlight=False, min_width=20)
        yield CommandInput(
            self._completer, id="terminal-input", placeholder="type a command, e.g. aws ecr help"
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.escape_leaves if action == "leave" else True

    def action_leave(self) -> None:
        self.post_message(self.Left())

    def set_prompt(self, prompt: str) -> None:
        self.query_one(CommandInput).border_title = prompt

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        command_input = self.query_one(CommandInput)
        line = event.value
        command_input.remember(line)
        command_input.value = ""
        if line.strip():
            self.post_message(self.Submitted(line))

    @contextmanager
    def running(self) -> Iterator[None]:
        """Say on the prompt's frame that a command is running, for as long as it runs."""
        command_input = self.query_one(CommandInput)
        command_input.border_subtitle = "running… (ctrl+q quits)"
        try:
            yield
        finally:
            command_input.border_subtitle = ""

    def show_command(self, prompt: str, line: str) -> None:
        self.commands.append(line)
        text = Text(f"{prompt} ", style="bold green")
        text.append(line, style="bold")
        self.query_one(RichLog).write(text)

    def show_output(self, stdout: str, stderr: str) -> None:
        output = self.query_one(RichLog)
        if stdout:
            output.write(Text(stdout.rstrip("\n")))
        if stderr:
            output.write(Text(stderr.rstrip("\n"), style="bold red"))

    def show_note(self, note: str, style: str = "italic cyan") -> None:
        self.query_one(RichLog).write(Text(note, style=style))

    def clear(self) -> None:
        self.query_one(RichLog).clear()

    def focus_input(self) -> None:
        self.query_one(CommandInput).focus()
