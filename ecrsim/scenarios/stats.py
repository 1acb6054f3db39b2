"""Where the learner stands: done and due by domain and topic, accuracy, streak, the weakest topics with the
scenarios that teach them, and the leeches.

Computed from the pack, progress (what was done in play) and the review store (every rated attempt);
`now` is passed in (real time: review runs on real dates). `render` draws it for a plain terminal, with
ASCII bars so any console encoding can print them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ecrsim.scenarios.cards import DOMAINS, Pack, PackCard
from ecrsim.scenarios.progress import ProgressStore
from ecrsim.scenarios.review import CardState, card_key
from ecrsim.scenarios.study_store import StudyStore

WEAKEST = 3  # topics shown as weakest
BAR_WIDTH = 20


@dataclass(frozen=True)
class Row:
    """One domain or topic (or the whole pack): its cards, how many are done and due, and the reviews."""

    name: str
    cards: int
    done: int
    due: int
    reviews: int
    right: int

    @property
    def accuracy(self) -> float | None:
        return self.right / self.reviews if self.reviews else None


@dataclass(frozen=True)
class Weak:
    row: Row
    scenarios: tuple[str, ...]  # ids of the scenarios that teach the topic, unfinished first


@dataclass(frozen=True)
class Leech:
    card: PackCard
    state: CardState


@dataclass(frozen=True)
class Stats:
    total: Row
    by_domain: tuple[Row, ...]
    by_topic: tuple[Row, ...]
    streak: int  # days in a row, up to today or yesterday, with at least one review
    weakest: tuple[Weak, ...]
    leeches: tuple[Leech, ...]
    next_due: datetime | None  # the earliest due date of a pack card not due yet


def compute(pack: Pack, progress: ProgressStore, store: StudyStore, now: datetime) -> Stats:
    done = _done_keys(progress) | {key for key, state in store.cards.items() if state.learned}

    def row(name: str, cards: Iterable[PackCard]) -> Row:
        cards = list(cards)
        states = [store.cards[c.key] for c in cards if c.key in store.cards]
        return Row(
            name,
            len(cards),
            sum(c.key in done for c in cards),
            sum(state.is_due(now) for state in states),
            sum(state.reviews for state in states),
            sum(state.right for state in states),
        )

    domains = tuple(
        row(f"{d} {DOMAINS[d]}", (c for c in pack.cards if c.domain == d))
        for d in sorted({c.domain for c in pack.cards})
    )
    topics = sorted({topic for card in pack.cards for topic in card.topics})
    by_topic = tuple(row(topic, (c for c in pack.cards if topic in c.topics)) for topic in topics)
    leeches = tuple(
        Leech(card, store.cards[card.key])
        for card in pack.cards
        if card.key in store.cards and store.cards[card.key].is_leech
    )
    # the pack's cards only: a scenario played from a file outside the pack has reviews `ecrsim review`
    # never shows, and "next one due" must name a card the learner can actually review
    states = [store.cards[card.key] for card in pack.cards if card.key in store.cards]
    later = [state.due for state in states if not state.is_due(now)]
    return Stats(
        row("all", pack.cards),
        domains,
        by_topic,
        streak((at for state in store.cards.values() for at, _ in state.history), now),
        _weakest(pack, progress, by_topic),
        leeches,
        min(later) if later else None,
    )


def streak(times: Iterable[datetime], now: datetime) -> int:
    """Days in a row with a review, counted in the learner's local dates, ending today (or yesterday: a
    streak is not broken until the day is over)."""
    days = {at.astimezone().date() for at in times}
    day: date = now.astimezone().date()
    if day not in days:
        day -= timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def _done_keys(progress: ProgressStore) -> set[str]:
    keys = set()
    for scenario_id, record in progress.scenarios.items():
        keys |= {card_key(scenario_id, step) for step, q in record.questions.items() if q.correct}
        keys |= {card_key(scenario_id, step) for step, t in record.tasks.items() if t.done}
    return keys


def _weakest(pack: Pack, progress: ProgressStore, rows: tuple[Row, ...]) -> tuple[Weak, ...]:
    """The reviewed topics with the lowest accuracy (ties: fewer done), each with the scenarios to play."""
    reviewed = [r for r in rows if r.accuracy is not None and r.accuracy < 1]
    reviewed.sort(key=lambda r: (r.accuracy, r.done / r.cards, r.name))
    weak = []
    for r in reviewed[:WEAKEST]:
        teaching = [item.scenario.id for item in pack.scenarios.values() if r.name in item.scenario.topics]
        teaching.sort(key=lambda sid: progress.record(sid).finished)  # stable: unfinished first, pack order
        weak.append(Weak(r, tuple(teaching)))
    return tuple(weak)


# -- drawing ------------------------------------------------------------------------------------------------


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def percent(fraction: float | None) -> str:
    return "-" if fraction is None else f"{round(fraction * 100)}%"


def render(stats: Stats) -> list[str]:
    total = stats.total
    lines = [
        f"Done {total.done} of {total.cards} questions and tasks {bar(total.done / (total.cards or 1))}",
        f"Due for review now: {total.due}"
        + (f"; next one due {stats.next_due.astimezone():%Y-%m-%d %H:%M}" if stats.next_due else ""),
        f"Accuracy: {percent(total.accuracy)} of {total.reviews} rated attempts",
        f"Streak: {stats.streak} day{'s' if stats.streak != 1 else ''}",
        "",
    ]
    started = tuple(r for r in stats.by_topic if r.done or r.reviews)
    for title, rows in (("By domain (SAA-C03)", stats.by_domain), ("By topic (those started)", started)):
        if not rows:
            continue
        width = max(len(r.name) for r in rows)
        lines.append(f"{title}:")
        for r in rows:
            lines.append(
                f"  {r.name.ljust(width)}  {bar(r.done / (r.cards or 1))} {r.done:>2}/{r.cards:<2} done"
                f"  {r.due:>2} due  accuracy {percent(r.accuracy)}"
            )
        lines.append("")
    if len(started) < len(stats.by_topic):
        lines += [f"{len(stats.by_topic) - len(started)} more topics not started yet.", ""]
    if stats.weakest:
        lines.append("Weakest topics:")
        for weak in stats.weakest:
            lines.append(
                f"  {weak.row.name}: accuracy {percent(weak.row.accuracy)}; "
                f"play {', '.join(weak.scenarios) or '-'}"
            )
        lines.append("")
    if stats.leeches:
        lines.append("Leeches (failed again and again):")
        for leech in stats.leeches:
            sid = leech.card.scenario_id
            lines.append(
                f"  {leech.card.kind} {leech.card.number} of {sid}: {leech.card.text[:60]}"
                f" -> replay it: ecrsim play {sid}"
            )
        lines.append("")
    return lines[:-1] if lines and lines[-1] == "" else lines
