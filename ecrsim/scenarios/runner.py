"""A scenario's world and the shell typing into it, and the simulation's verdict on questions and tasks.

The checker and the player share this: a question is marked in play by the very computation that
checked its answer key. Probes, checks and choices run on forks (copies of the world and of the shell's
state); only `run` steps and the learner's own commands change the scenario's world.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from ecrsim.engine.policy.types import Decision
from ecrsim.engine.world import World
from ecrsim.scenarios import model
from ecrsim.scenarios.outcomes import Ran, describe, matches
from ecrsim.scenarios.pack import find_scenario, load
from ecrsim.scenarios.problems import ScenarioProblems
from ecrsim.scenarios.world_builder import build_world
from ecrsim.shell import Shell


class Runner:
    def __init__(self, shell: Shell) -> None:
        self.shell = shell

    @classmethod
    def start(cls, world: World, scenario: model.Scenario) -> Runner:
        """The shell a scenario starts in: its Region, as `admin` if it has one, else its first user."""
        users = [user.name for user in scenario.world.users]
        first = "admin" if "admin" in users else (users[0] if users else None)
        return cls(Shell(world, profile=first, region=scenario.world.region))

    @property
    def world(self) -> World:
        return self.shell.world

    @property
    def profile(self) -> str:
        return self.shell.profile

    def run(self, line: str) -> Ran:
        result = self.shell.run_line(line)
        return Ran(line, result.status, result.stdout, result.stderr, result.error_code)

    def switch(self, profile: str) -> Ran:
        """`as: NAME`: act as another profile from now on."""
        return self.run(f"sim as {shlex.quote(profile)}")

    def advance(self, duration: str) -> Ran:
        return self.run(f"sim advance {shlex.quote(duration)}")

    def run_as(self, profile: str | None, line: str) -> Ran:
        """Run `line` as `profile` (a fork's own profile when None); a missing profile is a failed command."""
        if profile is not None and profile != self.profile:
            switched = self.switch(profile)
            if switched.status:
                return Ran(line, switched.status, "", switched.stderr, None)
        return self.run(line)

    def act(self, commands: Sequence[model.Command]) -> tuple[list[Ran], Ran | None]:
        """Run commands (an `apply` or a `solution`), each as its `as` or the current profile, then come back
        to that profile. Returns what ran and the first command that failed, which stops the rest."""
        base = self.profile
        done: list[Ran] = []
        failed = None
        for command in commands:
            ran = self.run_as(command.as_ or base, command.run)
            done.append(ran)
            if ran.status:
                failed = ran
                break
        if self.profile != base:
            self.switch(base)
        return done, failed

    def fork(self) -> Runner:
        return Runner(self.shell.fork())

    def decision_since(self, mark: int) -> Decision | None:
        """The last authorization decision among the calls made after `len(world.events)` was `mark`: what
        the player explains after a probe (None when the probe made no authorized call)."""
        for event in reversed(self.world.events[mark:]):
            if event.decision is not None:
                return event.decision
        return None


@dataclass(frozen=True)
class CheckResult:
    check: model.Check
    ran: Ran
    decision: Decision | None  # the last authorization decision the check's command made

    @property
    def holds(self) -> bool:
        return matches(self.check.expect, self.ran)


def run_checks(runner: Runner, checks: Sequence[model.Check], base: str | None = None) -> list[CheckResult]:
    """The checks in order on one fork (a login check prepares a pull check), each as the profile it names,
    else `base` (the profile current when the step began), else the current one."""
    fork = runner.fork()
    base = base or runner.profile
    results = []
    for check in checks:
        mark = len(fork.world.events)
        ran = fork.run_as(check.as_ or base, check.run)
        results.append(CheckResult(check, ran, fork.decision_since(mark)))
    return results


@dataclass(frozen=True)
class ChoiceVerdict:
    """Whether one choice of a question is right, and what the simulation did to decide it."""

    right: bool
    ran: tuple[Ran, ...]  # the probe (predict), or the apply commands (fix)
    decision: Decision | None  # the decision that tells most: the probe's, or the failing command's
    failed_apply: Ran | None = None  # fix questions: the apply command that failed
    checks: tuple[CheckResult, ...] = ()  # fix questions: the checks, run after the apply

    @property
    def failed_check(self) -> Ran | None:
        return next((result.ran for result in self.checks if not result.holds), None)

    def why_wrong(self) -> str:
        if self.failed_apply is not None:
            return f"its change fails: {describe(self.failed_apply)}"
        failed = self.failed_check
        if failed is not None:
            return f"`{failed.command}` still fails: {describe(failed)}"
        return describe(self.ran[0]) if self.ran else ""


def judge(runner: Runner, step: model.AskStep) -> list[ChoiceVerdict]:
    """The simulation's answer key for a question: one verdict per choice."""
    if step.probe is not None:
        probe = runner.fork()
        mark = len(probe.world.events)
        ran = probe.run(step.probe)
        decision = probe.decision_since(mark)
        return [
            ChoiceVerdict(choice.outcome is not None and matches(choice.outcome, ran), (ran,), decision)
            for choice in step.choices
        ]
    return [_judge_fix(runner, choice, step.check or []) for choice in step.choices]


def _judge_fix(runner: Runner, choice: model.Choice, checks: Sequence[model.Check]) -> ChoiceVerdict:
    fork = runner.fork()
    mark = len(fork.world.events)
    applied, failed = fork.act(choice.apply or [])
    if failed is not None:
        return ChoiceVerdict(False, tuple(applied), fork.decision_since(mark), failed_apply=failed)
    results = tuple(run_checks(fork, checks))
    failing = next((result for result in results if not result.holds), None)
    return ChoiceVerdict(
        failing is None,
        tuple(applied),
        failing.decision if failing else None,
        checks=results,
    )


def right_choices(verdicts: Sequence[ChoiceVerdict]) -> list[int]:
    """1-based, as authors and learners number choices."""
    return [i + 1 for i, verdict in enumerate(verdicts) if verdict.right]


def scenario_shell(file_or_id: str) -> Shell | str:
    """`ecrsim shell --scenario`: the scenario's world with its `as`, `run` and `advance` steps replayed
    (where `sim reset` returns); or the lines saying why it cannot start (no such scenario, its problems)."""
    path = find_scenario(file_or_id)
    if path is None:
        return f"ecrsim: no scenario file or bundled scenario id '{file_or_id}'"
    try:
        item = load(path)
        runner = Runner.start(build_world(item.scenario, item.document), item.scenario)
    except ScenarioProblems as error:
        return str(error)
    for step in item.scenario.steps:
        if isinstance(step, model.AsStep):
            runner.switch(step.as_)
        elif isinstance(step, model.RunStep):
            runner.run(step.run)
        elif isinstance(step, model.AdvanceStep):
            runner.advance(step.advance)
    runner.shell.mark_start()  # `sim reset` returns here, to the scenario's world, not an empty one
    return runner.shell
