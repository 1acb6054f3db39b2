"""The one-line header of a scenario or the sandbox: where we are, simulated time, profile and Region.

The time is the world's simulated clock, never the real one: a classroom replays identically. The status
on the right always shows in full; the title takes what width is left.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static


class SimHeader(Horizontal):
    def compose(self) -> ComposeResult:
        yield Static(id="sim-title")
        yield Static(id="sim-status")

    def show(self, *, title: str, now: datetime, profile: str, region: str) -> None:
        self.query_one("#sim-title", Static).update(Text(title, style="bold"))
        status = Text()
        status.append(f"{now:%Y-%m-%d %H:%M} UTC", style="bold")
        status.append("  │  profile ")
        status.append(profile, style="bold")
        status.append("  │  ")
        status.append(region, style="bold")
        self.query_one("#sim-status", Static).update(status)
