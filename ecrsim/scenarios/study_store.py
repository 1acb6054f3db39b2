"""The learner's review state: every card met so far, its FSRS state and its history, in `review.json`.

It sits beside progress.json (same data directory, `ECRSIM_HOME` overrides it) and is kept the same way
(see safefile): each change is read-modify-write under a lock and written atomically, so two ecrsim
processes never lose each other's reviews; a file that cannot be read is set aside with a warning and
review starts afresh.

Every attempt is a review through `record`: `ecrsim play`, review, exam and the UI's scenario screen call it
for each question and task, so a card enters the schedule the first time the learner meets it, wherever
that was.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from fsrs import Card, Rating

from ecrsim.errors import EcrsimError
from ecrsim.scenarios.progress import data_dir
from ecrsim.scenarios.review import Attempt, CardState, review, split_key
from ecrsim.scenarios.safefile import SharedJsonFile

FILE_NAME = "review.json"
FORMAT_VERSION = 1


class DamagedStudyFile(EcrsimError):
    """The file exists but is not review state this version can read."""


class StudyStore(SharedJsonFile[dict[str, CardState]]):
    noun = "review state"
    content = "review state"

    def __init__(self, path: Path) -> None:
        super().__init__(path, {})

    @property
    def cards(self) -> dict[str, CardState]:
        return self.value

    @classmethod
    def load(cls, path: Path | None = None) -> StudyStore:
        store = cls(path or data_dir() / FILE_NAME)
        store.value = store._first_read()
        return store

    # -- changing: each change re-reads the file under the lock, so another process's reviews survive ------
    def record(self, key: str, attempt: Attempt, now: datetime) -> CardState:
        """Schedule `key` after `attempt` at `now`, save, and return its new state."""
        results: dict[str, CardState] = {}

        def change(cards: dict[str, CardState]) -> None:
            state = cards.get(key) or CardState.new(key, now)
            cards[key] = results[key] = review(state, attempt, now)

        self._change(change)
        return results[key]

    def _empty(self) -> dict[str, CardState]:
        return {}

    def _decode(self, data: Any) -> dict[str, CardState]:
        return _decode(data)

    def _encode(self, value: dict[str, CardState]) -> str:
        return _encode(value)


def _encode(cards: dict[str, CardState]) -> str:
    data = {
        "version": FORMAT_VERSION,
        "cards": {
            key: {
                "card": state.card.to_dict(),
                "history": [[at.isoformat(), int(rating)] for at, rating in state.history],
            }
            for key, state in sorted(cards.items())
        },
    }
    return json.dumps(data, indent=1) + "\n"


def _decode(data: Any) -> dict[str, CardState]:
    """Strict: anything unexpected means the file is damaged, never a crash later."""
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
        raise DamagedStudyFile(f"not an ecrsim review file of version {FORMAT_VERSION}")
    cards = data.get("cards")
    if not isinstance(cards, dict):
        raise DamagedStudyFile("'cards' is not a mapping")
    result: dict[str, CardState] = {}
    for key, raw in cards.items():
        split_key(key)  # a ValueError for a key that names no step
        if not isinstance(raw, dict) or not isinstance(raw.get("history"), list):
            raise DamagedStudyFile(f"card {key} is not a card")
        card = Card.from_dict(raw["card"])
        if card.due.tzinfo is None:
            raise DamagedStudyFile(f"card {key} has a due date without a time zone")
        history = [(_utc(at, key), Rating(rating)) for at, rating in raw["history"]]
        result[key] = CardState(card, history)
    return result


def _utc(text: Any, key: str) -> datetime:
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise DamagedStudyFile(f"card {key}: review time {text!r} has no time zone")
    return when
