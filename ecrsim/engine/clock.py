"""The simulated clock: the only source of time in a world.

Nothing in ecrsim reads the real clock, so a scenario replays identically: tokens expire, lifecycle rules
fire and timestamps print exactly as they did the last time the same commands ran.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from ecrsim.errors import EcrsimError

DEFAULT_START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)

_DURATION = r"(\d+)([dhms])"  # compiled on first use (re caches it): most sessions never move the clock
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_SPAN_SECONDS = int((datetime.max - datetime.min).total_seconds())  # every duration a datetime can move


class DurationError(EcrsimError):
    """Text that is not a duration `sim advance` or a scenario can use; the message is fit to show."""


class DurationTooLong(DurationError):
    """A duration no datetime can move by (past the simulated clock's year 9999)."""


def parse_duration(text: str) -> timedelta:
    """`90m`, `13h`, `2d`, `1d12h`, `45s` -> timedelta; a leading `-` makes it negative.

    Raises DurationError (DurationTooLong for a span no datetime holds) with a message fit to show.
    """
    body = text.strip()
    sign = -1 if body.startswith("-") else 1
    if body[:1] in ("+", "-"):
        body = body[1:]
    parts = re.findall(_DURATION, body)
    if not body or "".join(number + unit for number, unit in parts) != body:
        raise DurationError(f"invalid duration '{text}': use a number and a unit, e.g. 90m, 13h, 2d or 1d12h")
    # A number too long to read (Python refuses 4,300 digits) or a span no datetime holds.
    if any(len(number.lstrip("0")) > 15 for number, _ in parts):
        raise DurationTooLong(f"invalid duration '{text}': longer than the simulated clock's years 1 to 9999")
    seconds = sum(int(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    if seconds > _SPAN_SECONDS:
        raise DurationTooLong(f"invalid duration '{text}': longer than the simulated clock's years 1 to 9999")
    return timedelta(seconds=sign * seconds)


def parse_timestamp(text: str) -> datetime:
    """ISO 8601 (`2026-01-05T09:00:00Z`) -> aware UTC datetime; naive values are taken as UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


class Clock:
    """A UTC clock that moves only when told to."""

    def __init__(self, now: datetime = DEFAULT_START) -> None:
        self.now = now

    def set(self, when: datetime) -> None:
        self.now = when.astimezone(timezone.utc)

    def advance(self, by: timedelta | str) -> datetime:
        delta = parse_duration(by) if isinstance(by, str) else by
        if delta < timedelta(0):
            raise DurationError("the simulated clock only moves forward")
        self.now += delta
        return self.now
