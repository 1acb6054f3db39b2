"""The briefing a scenario opens with: what it is about, before any terminal or world is shown."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Center, VerticalScroll
from textual.widgets import Button, Static

from ecrsim.tui.catalog import Entry


class Briefing(VerticalScroll):
    def __init__(self, entry: Entry, references: list[str], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.entry = entry
        self.references = references

    def compose(self) -> ComposeResult:
        entry = self.entry
        text = Text()
        text.append(entry.title + "\n\n", style="bold")
        text.append(entry.summary + "\n\n")
        text.append("Exam domain  ", style="dim")
        text.append(entry.domain_name + "\n", style="cyan")
        text.append("Difficulty   ", style="dim")
        text.append("●" * entry.difficulty + "○" * (3 - entry.difficulty) + "\n", style="yellow")
        text.append("Topics       ", style="dim")
        text.append(", ".join(entry.topics) + "\n")
        text.append("To do        ", style="dim")
        text.append(f"{entry.questions} question(s), {entry.tasks} task(s)\n")
        if self.references:
            text.append("\nRead more\n", style="dim")
            for reference in self.references:
                text.append(f"  {reference}\n", style="underline")
        text.rstrip()
        yield Static(text, id="briefing-text")
        with Center():
            yield Button("Start  (Enter)", id="briefing-start", variant="primary")

    def on_mount(self) -> None:
        for start in self.query("#briefing-start"):  # none if the screen closed before it mounted
            start.focus()
