"""Questions as types: a predict question and a fix question each judge every choice by running the world,
and say why each choice is right or wrong in the simulation's own words.

The checker, the player, the UI, review, the exam and the answers report all mark a question with `judge`,
so a question is marked exactly as `ecrsim check` verified it. Choices keep the numbers of the scenario file
(`answer:`, answers files); what the learner sees is a `Shuffle` of them, seeded by the attempt, and only
the presentation renumbers.
"""

from __future__ import annotations

import fnmatch
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from ecrsim.engine.ecr.reach import Access, extra_access
from ecrsim.engine.policy.types import Decision
from ecrsim.scenarios import model
from ecrsim.scenarios.facts import world_facts
from ecrsim.scenarios.outcomes import Ran, describe, expected_words, matches
from ecrsim.scenarios.runner import CheckResult, Runner, run_checks

Standing = Literal["right", "wrong", "fails", "refused", "too_open", "too_broad"]


@dataclass(frozen=True)
class ChoiceVerdict:
    """One choice, judged: right or not, and why, proven by what the simulation did."""

    right: bool
    standing: Standing  # right; wrong (a predict claim); fails (its change); refused / too_open (a check)
    reason: str  # the simulation's sentence for this choice, without the choice's number
    ran: tuple[Ran, ...]  # the probe (predict), or the apply commands (fix)
    decision: Decision | None  # the decision that tells most: the probe's, or the failing command's
    checks: tuple[CheckResult, ...] = ()  # fix questions: the checks, run after the apply
    extras: tuple[Access, ...] = ()  # fix questions: what it opens beyond a narrower right choice
    why: str | None = None  # the author's sentence for the choice

    @property
    def failed_check(self) -> CheckResult | None:
        return next((result for result in self.checks if not result.holds), None)


@dataclass(frozen=True)
class Judgement:
    """A question with the simulation's verdict on every choice, in file order."""

    question: Question
    verdicts: tuple[ChoiceVerdict, ...]

    @property
    def right(self) -> list[int]:
        """The right choices' numbers in the scenario file (1-based)."""
        return [i + 1 for i, verdict in enumerate(self.verdicts) if verdict.right]

    def correct(self, chosen: Sequence[int]) -> bool:
        """`chosen` in file numbers."""
        return sorted(set(chosen)) == self.right

    @property
    def decision(self) -> Decision | None:
        """The decision behind what the probe did (predict), else None: a fix's decisions are per choice."""
        return self.verdicts[0].decision if isinstance(self.question, PredictQuestion) else None

    def happened(self, chosen: Sequence[int], shuffle: Shuffle | None = None) -> str:
        """What the simulation did, in one line: the probe's outcome, or what the (first) chosen fix did
        (`chosen` in file numbers; the choice is named by its number in `shuffle`, else in the file)."""
        if isinstance(self.question, PredictQuestion):
            return f"`{self.question.probe}`: {describe(self.verdicts[0].ran[0])}"
        if not chosen:
            return ""
        first = sorted(chosen)[0]
        number = shuffle.shown(first) if shuffle else first
        return f"choice {number}: {self.verdicts[first - 1].reason}"

    def reasons(self, shuffle: Shuffle) -> list[str]:
        """Every choice in the order shown, with the simulation's reason and the author's `why`."""
        lines = []
        for shown, number in enumerate(shuffle.order, 1):
            verdict = self.verdicts[number - 1]
            mark = "right" if verdict.right else "wrong"
            lines.append(f"{shown}. {self.question.choices[number - 1]} -- {mark}: {verdict.reason}.")
            if verdict.why:
                lines.append(f"   {' '.join(verdict.why.split())}")
        return lines

    def named(self, file_numbers: Sequence[int], shuffle: Shuffle | None = None) -> str:
        """`2 ("It fails: denied")`: choices by number (as shown in `shuffle`) with their text beside."""
        if not file_numbers:
            return "none"
        return "; ".join(
            f'{shuffle.shown(n) if shuffle else n} ("{self.question.choices[n - 1]}")'
            for n in sorted(file_numbers, key=lambda n: shuffle.shown(n) if shuffle else n)
        )


class Question:
    """An `ask` step. `question_of(step)` gives the type that judges it."""

    def __init__(self, step: model.AskStep) -> None:
        self.step = step

    @property
    def text(self) -> str:
        return " ".join(self.step.ask.split())

    @property
    def choices(self) -> list[str]:
        return [" ".join(choice.text.split()) for choice in self.step.choices]

    @property
    def multiple(self) -> bool:
        return self.step.multiple

    @property
    def explain(self) -> str | None:
        return " ".join(self.step.explain.split()) if self.step.explain else None

    def judge(self, runner: Runner) -> Judgement:
        raise NotImplementedError

    def facts(self, runner: Runner) -> list[str]:
        """The facts of the question's world it depends on: shown before it when it is seen alone."""
        return world_facts(runner.world, runner.profile, [self.step.ask, *self.choices, *self.commands()])

    def commands(self) -> list[str]:
        """Every command line the question runs: what its world facts are drawn from."""
        raise NotImplementedError


class PredictQuestion(Question):
    """`probe`: which choice says what the probe does?"""

    @property
    def probe(self) -> str:
        assert self.step.probe is not None
        return self.step.probe

    def commands(self) -> list[str]:
        return [self.probe]

    def judge(self, runner: Runner) -> Judgement:
        fork = runner.fork()
        mark = len(fork.world.events)
        ran = fork.run(self.probe)
        decision = fork.decision_since(mark)
        happened = describe(ran)
        verdicts = []
        for choice in self.step.choices:
            assert choice.outcome is not None
            right = matches(choice.outcome, ran)
            claim = expected_words(choice.outcome)
            reason = f"it says {claim}, and {happened}" if right else f"it says {claim}, but {happened}"
            verdicts.append(
                ChoiceVerdict(right, "right" if right else "wrong", reason, (ran,), decision, why=choice.why)
            )
        return Judgement(self, tuple(verdicts))


class FixQuestion(Question):
    """`check`: which change (`apply`) makes every check hold, opening no more than another that does?"""

    def commands(self) -> list[str]:
        return [c.run for c in self.step.check or []] + [
            command.run for choice in self.step.choices for command in choice.apply or []
        ]

    def judge(self, runner: Runner) -> Judgement:
        checks = self.step.check or []
        applied = [self._apply(runner, choice, checks) for choice in self.step.choices]
        passing = [i for i, (verdict, _) in enumerate(applied) if verdict.right]
        verdicts = []
        for i, (verdict, world_runner) in enumerate(applied):
            if verdict.right:
                others = [applied[j][1] for j in passing if j != i]
                extras = _broader(runner, world_runner, others, self.step.allow_extra)
                if extras:
                    verdict = replace(
                        verdict,
                        right=False,
                        standing="too_broad",
                        reason=f"every check holds, but it is too broad: {opens(extras)}",
                        extras=tuple(extras),
                    )
            verdicts.append(verdict)
        return Judgement(self, tuple(verdicts))

    def _apply(
        self, runner: Runner, choice: model.Choice, checks: Sequence[model.Check]
    ) -> tuple[ChoiceVerdict, Runner]:
        fork = runner.fork()
        mark = len(fork.world.events)
        done, failed = fork.act(choice.apply or [])
        if failed is not None:
            reason = f"its change fails: `{failed.command}`: {describe(failed)}"
            verdict = ChoiceVerdict(
                False, "fails", reason, tuple(done), fork.decision_since(mark), why=choice.why
            )
            return verdict, fork
        results = tuple(run_checks(fork, checks))
        failing = next((result for result in results if not result.holds), None)
        if failing is None:
            verdict = ChoiceVerdict(
                True, "right", "every check holds", tuple(done), None, results, why=choice.why
            )
        else:
            standing: Standing = "too_open" if failing.expects_refusal else "refused"
            verdict = ChoiceVerdict(
                False,
                standing,
                check_failure(failing),
                tuple(done),
                failing.decision,
                results,
                why=choice.why,
            )
        return verdict, fork


def question_of(step: model.AskStep) -> Question:
    return PredictQuestion(step) if step.probe is not None else FixQuestion(step)


def check_failure(result: CheckResult) -> str:
    """Why a check does not hold, in a sentence: still refused, or opened where it must stay refused."""
    command, ran = f"`{result.ran.command}`", result.ran
    expected = expected_words(result.check.expect)
    if result.expects_refusal and ran.status == 0:
        return f"{command} must stay refused, but {describe(ran)}"
    if ran.status and not result.expects_refusal:
        return f"{command} still fails: {describe(ran)}"
    return f"{command} should give {expected}, but {describe(ran)}"


def _broader(
    start: Runner, mine: Runner, others: Sequence[Runner], allowed: Sequence[model.AllowedExtra]
) -> list[Access]:
    """What `mine` allows beyond some other right choice that allows nothing beyond it (a narrower fix),
    leaving out the extras the author allows."""
    account, region = _home(start)
    for other in others:
        extras = [
            e for e in extra_access(mine.world, other.world, account, region) if not allowed_extra(allowed, e)
        ]
        if extras and not extra_access(other.world, mine.world, account, region):
            return extras
    return []


def allowed_extra(allowed: Sequence[model.AllowedExtra], access: Access) -> bool:
    """`access` matches one of the author's `allow_extra` patterns."""
    return any(
        fnmatch.fnmatchcase(access.who, extra.principal)
        and fnmatch.fnmatchcase(access.action.lower(), extra.action.lower())
        and fnmatch.fnmatchcase(access.repository, extra.repository)
        for extra in allowed
    )


def _home(runner: Runner) -> tuple[str, str]:
    return runner.shell.account, runner.shell.default_region


def opens(extras: Sequence[Access], subject: str = "it", shown: int = 1) -> str:
    """`it also lets viewer run ecr:DeleteRepository on audit/tools (and 12 more requests)`."""
    telling = sorted(extras, key=_weight)
    words = "; ".join(f"{e.who} run {e.action} on {_where(e)}" for e in telling[:shown])
    more = len(extras) - shown
    tail = f" (and {more} more request{'s' if more != 1 else ''})" if more > 0 else ""
    return f"{subject} also lets {words}{tail}"


def _where(access: Access) -> str:
    return "every repository" if access.repository == "*" else access.repository


_LEVELS = ("Permissions management", "Write", "Tagging", "Read", "List")


def _weight(access: Access) -> tuple[int, str, str, str]:
    """The most telling extra first: a permissions change or a write before a read."""
    from ecrsim.engine.ecr.reach import access_level

    level = access_level(access.action)
    return (
        _LEVELS.index(level) if level in _LEVELS else len(_LEVELS),
        access.who,
        access.repository,
        access.action,
    )


# -- presentation ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shuffle:
    """The order one attempt shows a question's choices in: `order[k]` is the file number of the choice
    shown as k + 1. Seeded, so the same attempt (exam seed, review due time, play start) shows the same."""

    order: tuple[int, ...]

    @classmethod
    def of(cls, count: int, seed: int | str | None, key: str) -> Shuffle:
        """`seed` None: file order (an answers file, a test)."""
        order = list(range(1, count + 1))
        if seed is not None:
            random.Random(f"{seed}/{key}").shuffle(order)
        return cls(tuple(order))

    def shown(self, file_number: int) -> int:
        return self.order.index(file_number) + 1

    def file_numbers(self, shown: Sequence[int]) -> list[int]:
        return sorted(self.order[n - 1] for n in shown)

    def shown_numbers(self, file_numbers: Sequence[int]) -> list[int]:
        return sorted(self.shown(n) for n in file_numbers)

    def texts(self, question: Question) -> list[str]:
        return [question.choices[n - 1] for n in self.order]


def without_hint(decision: Decision | None) -> Decision | None:
    """A decision shown after a question, without the engine's hint on how to change the outcome: that hint
    can give away a later question's answer, or advise opening access the scenario says must stay shut."""
    return replace(decision, hint=None) if decision is not None and decision.hint else decision
