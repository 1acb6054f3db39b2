"""The bundled pack as an exam would use it: no question can be beaten without knowing the answer.

Answering the same number to every question of a seeded 40-question exam must score about what guessing
scores with four options, far under half; every question the exam can draw has four or more plausible
choices; the pack has multiple-response questions; no SAA-C03 domain holds more than 45 % of the questions.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import datetime, timezone
from statistics import mean

import pytest

from ecrsim.scenarios import model
from ecrsim.scenarios.cards import Pack, load_pack
from ecrsim.scenarios.exam import Exam, compose, prepare
from ecrsim.scenarios.pack import bundled_pack, load, scenario_files
from ecrsim.scenarios.study_commands import run_exam

SEEDS = (1, 2, 3, 4, 5)
QUESTIONS = 40


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack()


def questions() -> list[tuple[str, model.AskStep]]:
    return [
        (load(path).scenario.id, step)
        for path in scenario_files([bundled_pack()])
        for step in load(path).scenario.steps
        if isinstance(step, model.AskStep)
    ]


def test_answering_one_number_throughout_scores_about_chance(pack: Pack) -> None:
    for constant in (1, 2, 3, 4):
        scores = []
        for seed in SEEDS:
            exam = Exam(prepare(pack, compose(pack, QUESTIONS, seed))[0], seed, minutes=80)
            assert len(exam.questions) == QUESTIONS
            for index in range(QUESTIONS):
                exam.answer(index, [constant])
            scores.append(exam.result().score.fraction)
        assert max(scores) < 0.4, (constant, scores)  # no exam comes near half
        assert mean(scores) <= 0.3, (constant, scores)  # chance with four options is 0.25


def test_a_piped_exam_answered_2_throughout_no_longer_passes(home: object) -> None:
    # issue 11: `2` to every question of `ecrsim exam --questions 30 --seed 3` scored 63 %
    out = io.StringIO()
    now = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
    status = run_exam(30, None, None, 3, io.StringIO("2\n" * 30), out, now=lambda: now, clock=lambda: 0.0)
    assert status == 0
    score = re.search(r"Score: (\d+) of 30", out.getvalue())
    assert score is not None and int(score.group(1)) <= 10, out.getvalue()[-400:]


MAX_DOMAIN_SHARE = 0.45


def domain_shares() -> dict[int, float]:
    """Each SAA-C03 domain's share of the pack's questions (a scenario's questions count for its domain)."""
    counts: Counter[int] = Counter()
    for path in scenario_files([bundled_pack()]):
        scenario = load(path).scenario
        counts[scenario.domain] += sum(isinstance(step, model.AskStep) for step in scenario.steps)
    total = sum(counts.values())
    return {domain: count / total for domain, count in sorted(counts.items())}


def test_no_domain_holds_more_than_45_percent_of_the_questions() -> None:
    """An exam drawn from the pack must weigh the four domains, not drill one (SAA-C03 weights them 30, 26,
    24 and 20 %)."""
    shares = domain_shares()
    assert max(shares.values()) <= MAX_DOMAIN_SHARE, {d: f"{share:.1%}" for d, share in shares.items()}


def test_every_question_has_four_or_more_choices() -> None:
    short = [(scenario, step.ask[:50]) for scenario, step in questions() if len(step.choices) < 4]
    assert short == []


def test_answer_keys_are_spread_over_the_positions() -> None:
    firsts = Counter(
        step.answer for _, step in questions() if isinstance(step.answer, int) and len(step.choices) >= 4
    )
    total = sum(firsts.values())
    assert all(firsts[position] / total < 0.32 for position in (1, 2, 3, 4)), firsts


def test_the_pack_has_multiple_response_questions() -> None:
    multiple = [scenario for scenario, step in questions() if step.multiple and isinstance(step.answer, list)]
    assert len(multiple) >= 2


WIDENING = (
    "AdministratorAccess",
    "FullAccess",
    '"Principal": "*"',
    "Principal: *",
    "ecr:*",
    "tagStatus: any",
)


def test_no_hint_is_a_solution_command_or_widens_access() -> None:
    for path in scenario_files([bundled_pack()]):
        scenario = load(path).scenario
        for step in scenario.steps:
            if not isinstance(step, model.TaskStep):
                continue
            solution = [" ".join(command.run.split()) for command in step.solution]
            for hint in step.hints:
                flat = " ".join(hint.split())
                assert not any(command in flat for command in solution), (scenario.id, hint)
                assert not any(word in flat for word in WIDENING), (scenario.id, hint)


GRANTS = (
    "put-user-policy",
    "attach-user-policy",
    "attach-role-policy",
    "attach-group-policy",
    "set-repository-policy",
    "add-user-to-group",
)


def test_every_task_that_grants_access_checks_what_must_stay_refused() -> None:
    for path in scenario_files([bundled_pack()]):
        scenario = load(path).scenario
        for step in scenario.steps:
            if isinstance(step, model.TaskStep) and any(
                grant in command.run for command in step.solution for grant in GRANTS
            ):
                assert any(isinstance(check.expect, model.ErrorOutcome) for check in step.check), scenario.id
