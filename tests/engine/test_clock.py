"""The simulated clock: durations as learners type them, and time that only moves forward."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ecrsim.engine.clock import DEFAULT_START, Clock, DurationError, parse_duration, parse_timestamp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", timedelta(minutes=90)),
        ("13h", timedelta(hours=13)),
        ("2d", timedelta(days=2)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("45s", timedelta(seconds=45)),
        (" 1h30m ", timedelta(hours=1, minutes=30)),
        ("-2h", timedelta(hours=-2)),
    ],
)
def test_durations_parse_as_typed(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "13", "h", "13x", "1.5h", "1h 30m", "12h-1m", "--1h"])
def test_bad_durations_say_how_to_write_one(text: str) -> None:
    with pytest.raises(DurationError, match=r"use a number and a unit, e\.g\. 90m, 13h, 2d or 1d12h"):
        parse_duration(text)


def test_advance_moves_the_clock_and_returns_the_new_time() -> None:
    clock = Clock()
    assert clock.now == DEFAULT_START == datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    assert clock.advance("11h59m") == DEFAULT_START + timedelta(hours=11, minutes=59)
    assert clock.advance(timedelta(minutes=2)) == DEFAULT_START + timedelta(hours=12, minutes=1)


def test_the_clock_never_moves_backward() -> None:
    clock = Clock()
    with pytest.raises(DurationError, match="only moves forward"):
        clock.advance("-1h")
    assert clock.now == DEFAULT_START


def test_set_normalizes_to_utc() -> None:
    clock = Clock()
    clock.set(datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))))
    assert clock.now == datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)
    assert clock.now.tzinfo == timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-05T09:00:00Z", DEFAULT_START),
        ("2026-01-05T10:00:00+01:00", DEFAULT_START),
        ("2026-01-05T09:00:00", DEFAULT_START),
    ],
)
def test_timestamps_parse_to_aware_utc(text: str, expected: datetime) -> None:
    assert parse_timestamp(text) == expected
    assert parse_timestamp(text).tzinfo == timezone.utc
