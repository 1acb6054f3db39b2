"""Spaced review: ratings from attempts, deterministic FSRS schedules, leeches, and a review store that
survives crashes, damage and two processes at once. Plus `ecrsim review` end to end on a small pack."""

from __future__ import annotations

import io
import itertools
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Rating, State

from ecrsim.scenarios.questions import Shuffle
from ecrsim.scenarios.review import Attempt, CardState, describe_interval, review
from ecrsim.scenarios.study_commands import run_review
from ecrsim.scenarios.study_store import StudyStore

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
PACK = Path(__file__).resolve().parent / "study_pack"


@pytest.mark.parametrize(
    ("attempt", "rating"),
    [
        (Attempt("question", correct=False), Rating.Again),
        (Attempt("task", correct=True, solution_shown=True), Rating.Again),
        (Attempt("task", correct=True, hints=1, seconds=5), Rating.Hard),
        (Attempt("question", correct=True, first_try=False, seconds=5), Rating.Hard),
        (Attempt("question", correct=True, seconds=31), Rating.Good),
        (Attempt("question", correct=True), Rating.Good),  # untimed (imported from play): never Easy
        (Attempt("question", correct=True, seconds=12), Rating.Easy),
        (Attempt("task", correct=True, seconds=100), Rating.Easy),
    ],
)
def test_the_rating_comes_from_how_the_attempt_went(attempt: Attempt, rating: Rating) -> None:
    assert attempt.rating == rating


def schedule(ratings: list[bool]) -> list[datetime]:
    """Review one card at each due date, right or wrong; the due dates it gets."""
    state, now, dues = CardState.new("s#1", T0), T0, []
    for correct in ratings:
        state = review(state, Attempt("question", correct), now)
        dues.append(state.due)
        now = state.due
    return dues


def test_scheduling_is_deterministic_and_spaces_out_right_answers() -> None:
    dues = schedule([True] * 6)
    assert dues == schedule([True] * 6)  # no fuzz: the same answers give the same dates
    assert dues[0] - T0 == timedelta(minutes=10)  # FSRS's second learning step after Good
    gaps = [later - earlier for earlier, later in itertools.pairwise(dues)]
    assert gaps[1] >= timedelta(days=1)  # graduated to review: days, not minutes
    assert all(b > a for a, b in itertools.pairwise(gaps[1:]))  # each right answer spaces the next further


def test_a_failed_card_comes_back_within_minutes() -> None:
    state = review(CardState.new("s#1", T0), Attempt("question", True, seconds=5), T0)
    assert state.card.state == State.Review and state.due - T0 >= timedelta(days=1)
    lapsed = review(state, Attempt("question", False), state.due)
    assert lapsed.card.state == State.Relearning
    assert lapsed.due - state.due == timedelta(minutes=10)


def test_cards_failed_again_and_again_are_leeches_until_learned() -> None:
    state, now = CardState.new("s#1", T0), T0
    for correct in (False, True, False):
        state = review(state, Attempt("question", correct), now)
        now += timedelta(hours=1)
    assert not state.is_leech
    state = review(state, Attempt("question", False), now)
    assert state.is_leech  # three Again among the last five reviews
    for _ in range(3):
        now += timedelta(days=1)
        state = review(state, Attempt("question", True), now)
    assert not state.is_leech


def test_intervals_in_words() -> None:
    assert describe_interval(T0 + timedelta(minutes=1), T0) == "in 1 minute"
    assert describe_interval(T0 + timedelta(hours=5), T0) == "in 5 hours"
    assert describe_interval(T0 + timedelta(days=3, hours=2), T0) == "in 3 days"


# -- the store ----------------------------------------------------------------------------------------------


def test_reviews_are_saved_and_read_back(home: Path) -> None:
    store = StudyStore.load()
    store.record("s#1", Attempt("question", True), T0)
    store.record("s#1", Attempt("question", False), T0 + timedelta(minutes=10))
    again = StudyStore.load()
    assert [rating for _, rating in again.cards["s#1"].history] == [Rating.Good, Rating.Again]
    assert again.cards["s#1"].due == store.cards["s#1"].due
    assert (home / "review.json").is_file() and not again.warnings


def test_a_damaged_file_is_set_aside_with_a_warning_and_review_starts_afresh(home: Path) -> None:
    (home / "review.json").write_text('{"version": 1, "cards": {"s#1": {"card": {}}}}')
    store = StudyStore.load()
    assert store.cards == {}
    assert len(store.warnings) == 1 and "is damaged" in store.warnings[0]
    assert (home / "review.json.damaged").read_text().startswith('{"version": 1')
    store.record("s#2", Attempt("question", True), T0)
    assert set(json.loads((home / "review.json").read_text())["cards"]) == {"s#2"}


def test_a_crash_mid_write_leaves_the_old_file_whole(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    StudyStore.load().record("s#1", Attempt("question", True), T0)
    before = (home / "review.json").read_text()

    def crash(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    store = StudyStore.load()
    store.record("s#2", Attempt("question", True), T0)
    assert (home / "review.json").read_text() == before
    assert store.warnings == [
        f"Could not save review state to {home / 'review.json'}: No space left on device"
    ]
    assert [p.name for p in home.iterdir() if p.suffix == ".tmp"] == []


def test_review_goes_on_in_memory_when_nothing_can_be_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "not-a-folder").write_text("")
    monkeypatch.setenv("ECRSIM_HOME", str(tmp_path / "not-a-folder"))
    store = StudyStore.load()
    state = store.record("s#1", Attempt("question", True), T0)
    assert state.last_rating == Rating.Good and store.cards["s#1"] is state
    assert len(store.warnings) == 1 and store.warnings[0].startswith("Could not save review state to ")


WRITER = """
import sys
from datetime import datetime, timezone
from ecrsim.scenarios.review import Attempt
from ecrsim.scenarios.study_store import StudyStore
store = StudyStore.load()  # loaded once, before the other process writes: record() must re-read
for n in range(25):
    store.record(f"{sys.argv[1]}#{n}", Attempt("question", True), datetime(2026, 3, 2, tzinfo=timezone.utc))
"""


def test_two_processes_reviewing_at_once_lose_nothing(home: Path) -> None:
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, name], env=dict(os.environ)) for name in ("a", "b")
    ]
    assert [w.wait(timeout=60) for w in writers] == [0, 0]
    assert len(StudyStore.load().cards) == 50


# -- `ecrsim review` ---------------------------------------------------------------------------------------


def test_review_plays_the_due_cards_and_schedules_them_from_the_attempt(home: Path) -> None:
    store = StudyStore.load()
    store.record("study-d1#1", Attempt("question", False), T0)  # due again a minute later
    store.record("study-d1#3", Attempt("task", False), T0)
    store.record("study-d2#1", Attempt("question", True), T0)  # due in 10 minutes
    ticks = iter([0.0, 8.0, 100.0, 300.0])  # the question takes 8 s, the task 200 s
    out = io.StringIO()
    status = run_review(
        io.StringIO("1\nhint\naws ecr create-repository --repository-name api\n"),
        out,
        now=lambda: T0 + timedelta(minutes=5),
        clock=lambda: next(ticks),
        pack_dir=PACK,
    )
    text = out.getvalue()
    assert status == 0, text
    assert text.startswith("2 cards due for review.\n")
    assert "--- Card 1 of 2: question 1 of Study pack scenario for domain 1 (study-d1) ---" in text
    assert "Question 1: Does web exist?" in text and "Right." in text
    assert "Rated Easy; next review in " in text  # right at the first try, in 8 seconds
    assert "Task: Create the repository api." in text and "Hint: create-repository makes one." in text
    assert "Rated Hard;" in text  # solved after a hint
    after = StudyStore.load().cards
    assert after["study-d1#1"].last_rating == Rating.Easy and after["study-d1#3"].last_rating == Rating.Hard
    assert after["study-d2#1"].reviews == 1  # not due yet: left alone


def test_review_with_nothing_due_says_when_and_what_to_play(home: Path) -> None:
    StudyStore.load().record("study-d1#1", Attempt("question", True), T0)
    out = io.StringIO()
    assert run_review(io.StringIO(""), out, now=lambda: T0, pack_dir=PACK) == 0
    assert out.getvalue().splitlines() == [
        "Nothing is due for review.",
        "The next card is due in 10 minutes.",
        "11 of the pack's 12 questions and tasks are not met yet: play scenarios (`ecrsim list`, "
        "`ecrsim play ID`) to add them.",
    ]


def test_a_card_failed_again_and_again_points_to_its_scenario(home: Path) -> None:
    store = StudyStore.load()
    for minutes in (0, 2, 4):
        store.record("study-d3#2", Attempt("question", False), T0 + timedelta(minutes=minutes))
    out = io.StringIO()
    # a review shows the choices in an order seeded by the card's due time; answer the wrong one, "Yes."
    shuffle = Shuffle.of(2, int(StudyStore.load().cards["study-d3#2"].due.timestamp()), "study-d3#2")
    wrong = f"{shuffle.shown(1)}\n"
    run_review(io.StringIO(wrong), out, now=lambda: T0 + timedelta(hours=1), pack_dir=PACK)
    assert "Question 2: Does api exist?" in out.getvalue()  # the card's own number in its scenario
    assert f'Not quite: the answer is {shuffle.shown(2)} ("No.").' in out.getvalue()
    assert "The world at this point:\n  The clock shows " in out.getvalue()
    assert (
        "This card is a leech: failed again and again. "
        "Replay the scenario that teaches it: ecrsim play study-d3" in out.getvalue()
    )
