"""Spaced review: every question and task of the pack is a card, scheduled by FSRS (the `fsrs` package).

The learner never rates a card by hand: the rating comes from how the attempt went (wrong or solution shown
= Again, right after hints or a wrong try = Hard, right = Good, right at the first try and quickly = Easy).
Review runs on real dates while every scenario world keeps its simulated clock, so the time of a review is
always passed in (`now`): nothing here reads the clock, and tests schedule deterministically.

FSRS's interval fuzz is off: it exists to spread a large deck's reviews over neighbouring days, our deck
is a few dozen cards, and without it a schedule can be reproduced and explained.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from fsrs import Card, Rating, Scheduler

Kind = Literal["question", "task"]

# "Quickly": a question read and answered within half a minute, a task solved within two.
QUICK_SECONDS: dict[Kind, float] = {"question": 30.0, "task": 120.0}
# A leech is a card failed again and again: at least LEECH_FAILS Again among its last LEECH_WINDOW reviews.
LEECH_WINDOW = 5
LEECH_FAILS = 3

SCHEDULER = Scheduler(enable_fuzzing=False)


def card_key(scenario_id: str, step: int) -> str:
    """A card is a step of a scenario; steps are identified by their index, as in progress.py."""
    return f"{scenario_id}#{step}"


def split_key(key: str) -> tuple[str, int]:
    scenario_id, _, step = key.rpartition("#")
    return scenario_id, int(step)


@dataclass(frozen=True)
class Attempt:
    """How one try at a card went, as the player, review, exam or UI observed it."""

    kind: Kind
    correct: bool
    first_try: bool = True  # questions: the first answer submitted was the one judged
    hints: int = 0
    solution_shown: bool = False
    seconds: float | None = None  # None when nobody timed it (e.g. imported from progress)

    @property
    def rating(self) -> Rating:
        if not self.correct or self.solution_shown:
            return Rating.Again
        if self.hints or not self.first_try:
            return Rating.Hard
        if self.seconds is not None and self.seconds <= QUICK_SECONDS[self.kind]:
            return Rating.Easy
        return Rating.Good


@dataclass
class CardState:
    """One card's FSRS memory state and its review history (time, rating), oldest first."""

    card: Card
    history: list[tuple[datetime, Rating]] = field(default_factory=list)

    @classmethod
    def new(cls, key: str, now: datetime) -> CardState:
        # fsrs would derive the id from the wall clock (and sleep 1 ms); a digest of the key is stable.
        card_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:6], "big")
        return cls(Card(card_id=card_id, due=now))

    @property
    def due(self) -> datetime:
        return self.card.due

    @property
    def reviews(self) -> int:
        return len(self.history)

    @property
    def right(self) -> int:
        return sum(rating != Rating.Again for _, rating in self.history)

    @property
    def last_rating(self) -> Rating | None:
        return self.history[-1][1] if self.history else None

    @property
    def is_leech(self) -> bool:
        recent = [rating for _, rating in self.history[-LEECH_WINDOW:]]
        return recent.count(Rating.Again) >= LEECH_FAILS

    @property
    def learned(self) -> bool:
        """Answered right the last time, so it counts as done."""
        return self.last_rating not in (None, Rating.Again)

    def is_due(self, now: datetime) -> bool:
        return self.due <= now


def review(state: CardState, attempt: Attempt, now: datetime) -> CardState:
    """The card after this attempt at `now` (timezone-aware UTC, as fsrs requires)."""
    card, _log = SCHEDULER.review_card(state.card, attempt.rating, review_datetime=now)
    return CardState(card, [*state.history, (now, attempt.rating)])


def describe_interval(due: datetime, now: datetime) -> str:
    """`in 10 minutes`, `in 3 days`: when a card comes back, in words a learner reads at a glance."""
    gap = max(due - now, timedelta(0))
    minutes = round(gap.total_seconds() / 60)
    if minutes < 60:
        return f"in {minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(minutes / 60)
    if hours < 24:
        return f"in {hours} hour{'s' if hours != 1 else ''}"
    days = round(hours / 24)
    return f"in {days} day{'s' if days != 1 else ''}"
