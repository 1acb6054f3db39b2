"""Exam mode: composition by the SAA-C03 domain weights, the same exam for the same seed, no feedback until
the end, flags, the countdown, and the score by domain and topic with every explanation."""

from __future__ import annotations

import io
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ecrsim.scenarios.cards import Pack, PackCard, load_pack
from ecrsim.scenarios.exam import Exam, allocate, compose, prepare
from ecrsim.scenarios.study_commands import parse_exam_answer, run_exam
from ecrsim.scenarios.study_store import StudyStore

PACK = Path(__file__).resolve().parent / "study_pack"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


def deck(per_domain: dict[int, int]) -> Pack:
    """A pack of bare question cards, so composition is tested without running any world."""
    cards = [
        PackCard(f"d{d}-s{n}#1", f"d{d}-s{n}", 1, "question", 1, "?", "t", (f"topic{d}",), d)
        for d, count in per_domain.items()
        for n in range(count)
    ]
    return Pack({}, tuple(cards), ())


@pytest.mark.parametrize(
    ("count", "available", "expected"),
    [
        (20, {1: 50, 2: 50, 3: 50, 4: 50}, {1: 6, 2: 5, 3: 5, 4: 4}),  # 6.0, 5.2, 4.8, 4.0
        (65, {1: 99, 2: 99, 3: 99, 4: 99}, {1: 19, 2: 17, 3: 16, 4: 13}),  # 19.5, 16.9, 15.6, 13
        (20, {1: 51, 2: 7, 3: 2, 4: 6}, {1: 7, 2: 6, 3: 2, 4: 5}),  # domain 3 is short: the rest by weight
        (30, {1: 51, 2: 7, 3: 5, 4: 6}, {1: 12, 2: 7, 3: 5, 4: 6}),  # only domain 1 has more to give
        (100, {1: 3, 2: 2, 3: 1, 4: 0}, {1: 3, 2: 2, 3: 1, 4: 0}),  # fewer than asked: all of them
        (1, {1: 5, 2: 5, 3: 5, 4: 5}, {1: 1, 2: 0, 3: 0, 4: 0}),
    ],
)
def test_questions_are_shared_out_by_the_domain_weights_as_far_as_the_pack_allows(
    count: int, available: dict[int, int], expected: dict[int, int]
) -> None:
    assert allocate(count, available) == expected


def test_the_same_seed_gives_the_same_exam_and_another_seed_another() -> None:
    pack = deck({1: 40, 2: 30, 3: 30, 4: 30})
    first = compose(pack, 20, seed=42)
    assert first == compose(pack, 20, seed=42)
    assert first != compose(pack, 20, seed=43)
    assert len(set(first)) == 20
    assert Counter(card.domain for card in first) == {1: 6, 2: 5, 3: 5, 4: 4}


def test_an_exam_can_keep_to_one_domain_and_never_holds_tasks() -> None:
    pack = load_pack(PACK)
    cards = compose(pack, 20, seed=1, domain=3)
    assert {card.key for card in cards} == {"study-d3#1", "study-d3#2"}
    assert all(card.kind == "question" for card in compose(pack, 20, seed=1))


def test_scores_count_by_domain_and_by_every_topic_of_a_question() -> None:
    pack = load_pack(PACK)
    questions, problems = prepare(
        pack, [c for c in pack.cards if c.kind == "question" and c.domain in (1, 3)]
    )
    assert problems == []
    exam = Exam(questions, seed=1, minutes=10)
    for index, question in enumerate(questions):  # right on domain 1, wrong on domain 3
        right = question.judgement.right
        chosen = right if question.card.domain == 1 else [3 - right[0]]
        exam.answer(index, question.shuffle.shown_numbers(chosen))  # as the learner sees them
    result = exam.result()
    assert (result.score.right, result.score.total) == (2, 4)
    assert {d: (t.right, t.total) for d, t in result.by_domain().items()} == {1: (2, 2), 3: (0, 2)}
    by_topic = {t: (s.right, s.total) for t, s in result.by_topic().items()}
    assert by_topic == {"auth": (2, 2), "performance": (0, 2), "push": (2, 4)}


def test_a_scenario_whose_world_cannot_be_built_is_left_out_with_a_line(tmp_path: Path) -> None:
    good = (PACK / "d1.yaml").read_text()
    (tmp_path / "good.yaml").write_text(good)
    broken = good.replace("study-d1", "broken").replace("[AdministratorAccess]", "[NoSuchPolicy]")
    (tmp_path / "broken.yaml").write_text(broken)
    pack = load_pack(tmp_path)
    questions, problems = prepare(pack, compose(pack, 4, seed=1))
    assert {q.card.scenario_id for q in questions} == {"study-d1"}
    assert problems == ["broken cannot start; run `ecrsim check` on it"]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("2", ([2], False)),
        ("2f", ([2], True)),
        ("1, 3 f", ([1, 3], True)),
        ("f", ([], True)),
        ("", ([], False)),
    ],
)
def test_exam_answers_take_a_flag(text: str, parsed: tuple[list[int], bool]) -> None:
    assert parse_exam_answer(text, 3, multiple=True) == parsed


@pytest.mark.parametrize("text", ["4", "1,2", "x", "f2", "0"])
def test_exam_answers_that_are_not_choices_are_refused(text: str) -> None:
    assert parse_exam_answer(text, 3, multiple=False) is None


def sit(
    answers: str, *, questions: int = 4, minutes: float | None = None, ticks: list[float] | None = None
) -> str:
    clock = iter(ticks) if ticks else None
    out = io.StringIO()
    status = run_exam(
        questions,
        minutes,
        None,
        7,
        io.StringIO(answers),
        out,
        now=lambda: NOW,
        clock=(lambda: next(clock)) if clock else (lambda: 0.0),
        pack_dir=PACK,
    )
    assert status == 0, out.getvalue()
    return out.getvalue()


def right_when_answering_1(seed: int = 7) -> int:
    """How many of the seeded 4-question exam's questions show their right choice first."""
    pack = load_pack(PACK)
    questions, _ = prepare(pack, compose(pack, 4, seed), seed)
    return sum(q.shuffle.file_numbers([1]) == q.judgement.right for q in questions)


def test_choices_are_shuffled_by_the_exam_seed_and_named_with_their_text() -> None:
    pack = load_pack(PACK)
    cards = compose(pack, 4, 7)
    orders = {seed: [q.shuffle.order for q in prepare(pack, cards, seed)[0]] for seed in range(6)}
    assert orders[3] == [q.shuffle.order for q in prepare(pack, cards, 3)[0]]  # the same seed, the same order
    assert len({tuple(order) for order in orders.values()}) > 1
    text = sit("1\n1\n1\n1\n")
    assert '   Your answer: 1 ("' in text and "   The answer: " in text
    assert "The world at this point:\n    The clock shows " in text


def test_an_exam_gives_no_feedback_until_the_end_then_every_explanation() -> None:
    text = sit("1\n1\n1\n1\n")
    asked, _, scored = text.partition("\nScore: ")
    assert text.startswith(
        "Exam: 4 questions, 8 minutes (domain 1: 1, domain 2: 1, domain 3: 1, domain 4: 1)."
    )
    assert "Seed 7: `ecrsim exam --seed 7` with the same options sets this exam again." in text
    assert "Right" not in asked and "answer is" not in asked and "Nobody created api." not in asked
    assert asked.count("[8:00 left] Answer (1-2; Enter to skip): 1") == 4
    right = right_when_answering_1()
    assert scored.startswith(f"{right} of 4 ({right * 25}%)")
    assert scored.count("The world has a repository named web.") + scored.count("Nobody created api.") == 4
    assert "Simulation: `aws ecr describe-repositories --repository-names api`: it failed with" in scored
    assert "By domain:\n  1 Design Secure Architectures" in scored


def test_flagged_and_skipped_questions_can_be_revisited_before_the_end() -> None:
    text = sit("1f\n\n1\n1\n2\n2\n\n")
    assert "Flagged: question 1. Unanswered: question 2." in text
    assert "(Your answer: none.)" not in text  # the skipped question shows no answer line
    assert "Question 2 of 4" in text.split("Flagged: question 1. Unanswered: question 2.")[1]  # revisited
    assert "2. [" in text and "(flagged)" in text
    assert "Unanswered: none" in text.split("Score")[0]


def test_an_answer_after_the_countdown_is_not_counted(home: Path) -> None:
    # 1 minute allowed; the clock reads 0 at the start, 30 s for the first answer, 61 s at the second
    text = sit("2\n1\n", minutes=1, ticks=[0, 0, 30, 30, 61, 61, 61])
    assert "Time is up. An answer given after the end is not counted." in text
    assert "Score: " in text and "[not answered]" in text
    assert len(StudyStore.load().cards) == 1  # only the answer given in time is rated for review


def test_exam_answers_are_rated_for_review(home: Path) -> None:
    sit("1\n1\n1\n1\n")
    cards = StudyStore.load().cards
    assert len(cards) == 4 and sum(state.learned for state in cards.values()) == right_when_answering_1()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--questions", "0"], "argument --questions: expected a number above 0, got '0'"),
        (["--minutes", "soon"], "argument --minutes: expected a number, got 'soon'"),
        (["--domain", "5"], "argument --domain: invalid choice: 5 (choose from 1, 2, 3, 4)"),
        (["--seed", "x"], "argument --seed: invalid int value: 'x'"),
    ],
)
def test_bad_exam_options_are_one_line_and_status_2(args: list[str], error: str) -> None:
    result = subprocess.run([sys.executable, "-m", "ecrsim", "exam", *args], capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"ecrsim exam: error: {error}\n")
