"""Tasks as a type: what a task's checks say now (the goal view), and whether the learner's world solves it
without opening more than the reference solution does (the least-privilege verdict).

A `TaskAttempt` is one attempt at a task, from the world it started in: the walker makes it when the task
is set, and every consumer (player, UI, review, answers report, checker) asks it, so a task is judged alike
everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ecrsim.engine.ecr.reach import Access, extra_access
from ecrsim.scenarios import model
from ecrsim.scenarios.outcomes import Ran
from ecrsim.scenarios.questions import allowed_extra, check_failure, opens
from ecrsim.scenarios.runner import CheckResult, Runner, run_checks


@dataclass(frozen=True)
class Goal:
    """One check of a task, as the goal view shows it."""

    label: str
    met: bool
    refusal: bool  # what must stay refused
    why: str  # empty when met: why the check does not hold


@dataclass(frozen=True)
class TaskVerdict:
    checks: tuple[CheckResult, ...]
    extras: tuple[Access, ...]  # what the learner's world opens beyond the reference solution's

    @property
    def checks_hold(self) -> bool:
        return all(result.holds for result in self.checks)

    @property
    def solved(self) -> bool:
        return self.checks_hold and not self.extras

    @property
    def goals(self) -> list[Goal]:
        return [
            Goal(r.label, r.holds, r.expects_refusal, "" if r.holds else check_failure(r))
            for r in self.checks
        ]

    def problems(self) -> list[str]:
        """One sentence per reason the task is not solved: a check, or the extra access."""
        lines = [goal.why for goal in self.goals if not goal.met]
        if self.checks_hold and self.extras:
            lines.append(refusal(self.extras))
        return lines


def refusal(extras: Sequence[Access]) -> str:
    """`Every check holds, but your change also lets viewer run ecr:DeleteRepository on audit/tools.`"""
    return f"Every check holds, but {opens(extras, 'your change')}, which the solution does not."


class Task:
    """A `task` step."""

    def __init__(self, step: model.TaskStep) -> None:
        self.step = step

    @property
    def text(self) -> str:
        return " ".join(self.step.task.split())

    @property
    def hints(self) -> list[str]:
        return [" ".join(hint.split()) for hint in self.step.hints]

    @property
    def solution(self) -> list[str]:
        return [f"(as {c.as_}) {c.run}" if c.as_ else c.run for c in self.step.solution]

    def allowed(self, access: Access) -> bool:
        """The author lists this extra access as fine (`allow_extra`)."""
        return allowed_extra(self.step.allow_extra, access)


class TaskAttempt:
    """One attempt at a task: the world it started from (a snapshot), and the profile its checks run as."""

    def __init__(self, task: Task, runner: Runner) -> None:
        self.task = task
        self.start = runner.fork()
        self.base = runner.profile
        self._reference: Runner | None = None

    @property
    def reference(self) -> Runner:
        """The world the reference solution makes from the start (worked out once)."""
        if self._reference is None:
            self._reference = self.start.fork()
            self._reference.act(self.task.step.solution)
        return self._reference

    def judge(self, runner: Runner) -> TaskVerdict:
        """The checks on `runner`'s world now and, when they all hold, what it opens beyond the reference."""
        checks = tuple(run_checks(runner, self.task.step.check, self.base))
        extras: tuple[Access, ...] = ()
        if all(result.holds for result in checks):
            home = self.start.shell
            found = extra_access(runner.world, self.reference.world, home.account, home.default_region)
            extras = tuple(access for access in found if not self.task.allowed(access))
        return TaskVerdict(checks, extras)

    def apply_solution(self, runner: Runner) -> list[Ran]:
        """`skip`: back to the world the task started from, then the reference solution, so a half-done
        attempt cannot leave its mistakes behind."""
        runner.restore(self.start)
        done, _failed = runner.act(self.task.step.solution)
        return done
