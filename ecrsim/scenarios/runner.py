"""A scenario's world and the shell typing into it, and how a list of checks runs on it.

Probes, checks and choices run on forks (copies of the world and of the shell's state); only `run` steps
and the learner's own commands change the scenario's world. Questions (questions.py) and tasks (tasks.py)
judge through this.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from ecrsim.engine.policy.types import Decision
from ecrsim.engine.world import World
from ecrsim.scenarios import model
from ecrsim.scenarios.outcomes import Ran, expected_words, matches
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

    def restore(self, snapshot: Runner) -> None:
        """Go back to the world and shell state of `snapshot` (a fork taken earlier), e.g. before `skip`
        applies a task's solution to the world the task started from."""
        self.shell = snapshot.shell.fork()

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

    @property
    def expects_refusal(self) -> bool:
        """The check says what must stay refused (its `expect` is an error)."""
        return isinstance(self.check.expect, model.ErrorOutcome)

    @property
    def label(self) -> str:
        """What the goal view shows: the author's label, else the command and what it must give."""
        if self.check.label:
            return " ".join(self.check.label.split())
        who = f" (as {self.check.as_})" if self.check.as_ else ""
        return f"`{self.check.run}`{who} gives {expected_words(self.check.expect)}"


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
