"""`ecrsim stats`: done and due by domain and topic, accuracy, streak, weakest topics and leeches."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ecrsim.scenarios.cards import load_pack
from ecrsim.scenarios.progress import ProgressStore
from ecrsim.scenarios.review import Attempt
from ecrsim.scenarios.stats import bar, compute, streak
from ecrsim.scenarios.study_commands import run_stats
from ecrsim.scenarios.study_store import StudyStore

PACK = Path(__file__).resolve().parent / "study_pack"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


def test_a_streak_counts_days_in_a_row_up_to_today_or_yesterday() -> None:
    days = [T0 - timedelta(days=n) for n in (1, 2, 3, 5)]
    assert streak(days, T0) == 3  # nothing yet today: the streak is still alive
    assert streak([T0, *days], T0) == 4
    assert streak(days, T0 + timedelta(days=1)) == 0  # a whole day missed
    assert streak([], T0) == 0


def test_bars_fill_in_proportion() -> None:
    assert bar(0.5, 10) == "[#####-----]"
    assert bar(0, 4) == "[----]" and bar(1, 4) == "[####]"


def learner(home: Path) -> tuple[ProgressStore, StudyStore]:
    """Played study-d1 (both questions right, the task with its solution shown); reviewed study-d4's
    questions: one right, one failed three times (a leech)."""
    progress = ProgressStore(home / "progress.json")
    progress.answer("study-d1", 1, [1], correct=True)
    progress.answer("study-d1", 2, [2], correct=True)
    progress.task_solution_shown("study-d1", 3)
    store = StudyStore.load()
    store.record("study-d4#1", Attempt("question", True), T0 - timedelta(days=1))
    for hours in (3, 2, 1):
        store.record("study-d4#2", Attempt("question", False), T0 - timedelta(hours=hours))
    played = T0 - timedelta(days=2)
    store.record("study-d1#1", Attempt("question", True), played)
    store.record("study-d1#2", Attempt("question", True), played)
    store.record("study-d1#3", Attempt("task", False, solution_shown=True), played)
    return progress, store


def test_stats_count_done_due_and_accuracy_by_domain_and_topic(home: Path) -> None:
    progress, store = learner(home)
    stats = compute(load_pack(PACK), progress, store, T0)
    assert (stats.total.cards, stats.total.done, stats.total.reviews, stats.total.right) == (12, 3, 7, 3)
    d1, _, _, d4 = stats.by_domain
    assert (d1.name, d1.done, d1.cards, d1.due) == ("1 Design Secure Architectures", 2, 3, 3)
    assert (d4.done, d4.due, d4.accuracy) == (1, 2, 0.25)
    topics = {row.name: row for row in stats.by_topic}
    assert topics["push"].cards == 6 and topics["push"].done == 2  # study-d1 and study-d3 teach push
    assert stats.streak == 3  # reviews two days ago (play), yesterday and today


def test_the_weakest_topics_come_with_the_scenarios_that_teach_them(home: Path) -> None:
    progress, store = learner(home)
    stats = compute(load_pack(PACK), progress, store, T0)
    assert [(w.row.name, w.scenarios) for w in stats.weakest] == [
        ("cost", ("study-d4",)),
        ("push", ("study-d1", "study-d3")),  # as accurate as auth (67%), but less of it done
        ("auth", ("study-d1",)),
    ]
    assert [leech.card.key for leech in stats.leeches] == ["study-d4#2"]


def test_ecrsim_stats_draws_it(home: Path) -> None:
    learner(home)
    out = io.StringIO()
    assert run_stats(out, now=lambda: T0, pack_dir=PACK) == 0
    text = out.getvalue()
    assert text.startswith("Done 3 of 12 questions and tasks [#####---------------]\nDue for review now: 5")
    assert "Accuracy: 43% of 7 rated attempts\nStreak: 3 days\n" in text
    assert (
        "  1 Design Secure Architectures           [#############-------]  2/3  done   3 due  accuracy 67%\n"
        in text
    )
    assert "By topic (those started):\n  auth " in text and "resilience" not in text
    assert "2 more topics not started yet." in text
    assert "Weakest topics:\n  cost: accuracy 25%; play study-d4\n" in text
    assert (
        "Leeches (failed again and again):\n"
        "  question 2 of study-d4: Does api exist? -> replay it: ecrsim play study-d4\n"
    ) in text


def test_the_next_card_due_is_one_of_the_packs(home: Path) -> None:
    store = StudyStore.load()
    store.record("my-own-scenario#1", Attempt("question", False), T0)  # played from a file outside the pack
    store.record("study-d1#1", Attempt("question", True), T0)
    stats = compute(load_pack(PACK), ProgressStore(home / "progress.json"), store, T0)
    assert stats.next_due == store.cards["study-d1#1"].due > store.cards["my-own-scenario#1"].due


def test_stats_for_a_new_learner(home: Path) -> None:
    out = io.StringIO()
    assert run_stats(out, now=lambda: T0, pack_dir=PACK) == 0
    assert out.getvalue().splitlines()[:4] == [
        "Done 0 of 12 questions and tasks [--------------------]",
        "Due for review now: 0",
        "Accuracy: - of 0 rated attempts",
        "Streak: 0 days",
    ]


def test_the_stats_command_runs_on_the_bundled_pack() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ecrsim", "stats"], capture_output=True, text=True, env=dict(os.environ)
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("Done 0 of ") and "By domain (SAA-C03):" in result.stdout
