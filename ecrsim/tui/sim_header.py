"""The one-line header of a scenario or the sandbox: where we are, simulated time, profile and Region.

The time is the world's simulated clock, never the real one: a classroom replays identically.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static


class SimHeader(Static):
    def show(self, *, title: str, now: datetime, profile: str, region: str) -> None:
        text = Text(" ")
        text.append(title, style="bold")
        text.append("  │  ")
        text.append(f"{now:%Y-%m-%d %H:%M} UTC", style="bold")
        text.append("  │  profile ")
        text.append(profile, style="bold")
        text.append("  │  ")
        text.append(region, style="bold")
        self.update(text)
