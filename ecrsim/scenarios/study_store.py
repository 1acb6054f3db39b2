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
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fsrs import Card, Rating

from ecrsim.scenarios.progress import data_dir
from ecrsim.scenarios.review import Attempt, CardState, review, split_key
from ecrsim.scenarios.safefile import locked, set_aside, write_atomically

FILE_NAME = "review.json"
FORMAT_VERSION = 1


class DamagedStudyFile(ValueError):
    """The file exists but is not review state this version can read."""


class StudyStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.cards: dict[str, CardState] = {}
        self.warnings: list[str] = []  # for whoever loaded the store to show

    @classmethod
    def load(cls, path: Path | None = None) -> StudyStore:
        store = cls(path or data_dir() / FILE_NAME)
        store.cards = store._read()
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

    def _change(self, change: Callable[[dict[str, CardState]], None]) -> None:
        """Apply `change` to the saved cards and save; when the file cannot be locked or written, to the
        cards in memory, so the session goes on and the learner is warned once."""
        applied = False
        try:
            with locked(self.path):
                cards = self._read()
                change(cards)
                applied = True
                self.cards = cards
                write_atomically(self.path, _encode(cards))
        except OSError as exc:
            if not applied:
                change(self.cards)
            message = f"Could not save review state to {self.path}: {exc.strerror or exc}"
            if message not in self.warnings:
                self.warnings.append(message)

    def _read(self) -> dict[str, CardState]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return {}
        except UnicodeDecodeError as exc:
            self._damaged(f"not UTF-8 text: {exc.reason}")
            return {}
        except OSError as exc:
            self.warnings.append(
                f"Cannot read review state {self.path}: {exc.strerror or exc}; starting afresh."
            )
            return {}
        try:
            return _decode(json.loads(raw))
        except (ValueError, TypeError, KeyError) as exc:  # JSONDecodeError is a ValueError
            self._damaged(str(exc) or type(exc).__name__)
            return {}

    def _damaged(self, why: str) -> None:
        where = set_aside(self.path)
        self.warnings.append(f"Review state {self.path} is damaged ({why}); {where} and started afresh.")


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
