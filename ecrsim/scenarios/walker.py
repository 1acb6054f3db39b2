"""The one walk through a scenario's steps, as typed events (python-chess's PGN visitor reads a game so).

`walk` runs narration, profile switches, commands and time on the runner it is given, and stops at each
question (`Asked`) and task (`TaskSet`), where its reader acts: the player reads an answer, the UI waits for
the learner, the checker judges, the answers report grades what a learner typed. When the walk resumes after
a task that is not solved (the checks, and the least-privilege verdict), the task's world is restored to
where it started and the reference solution applied (`TaskLeft.applied`), so later steps meet the world they
were written for. The plain player, the UI session, the checker, review cards, the exam, the answers report
and `ecrsim shell --scenario` all read this walk; none walks the steps itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ecrsim.scenarios import model
from ecrsim.scenarios.outcomes import Ran
from ecrsim.scenarios.pack import find_scenario, load
from ecrsim.scenarios.problems import ScenarioProblems
from ecrsim.scenarios.questions import Question, question_of
from ecrsim.scenarios.runner import Runner
from ecrsim.scenarios.tasks import Task, TaskAttempt
from ecrsim.scenarios.world_builder import build_world
from ecrsim.shell import Shell


@dataclass(frozen=True)
class Said:
    index: int
    text: str  # Markdown


@dataclass(frozen=True)
class Switched:
    """`as: NAME`; `ran.status` is non-zero when there is no such profile."""

    index: int
    profile: str
    ran: Ran


@dataclass(frozen=True)
class Typed:
    """A command the scenario typed, with the prompt it was typed at."""

    index: int
    prompt: str
    ran: Ran
    expect: model.Outcome | None


@dataclass(frozen=True)
class Advanced:
    index: int
    duration: str
    ran: Ran  # what `sim advance` printed (the new time, lifecycle runs)


@dataclass(frozen=True)
class Asked:
    """A question waits; `runner` holds the world it is asked in (judge it on this runner)."""

    index: int
    number: int  # 1-based among the scenario's questions
    question: Question
    runner: Runner


@dataclass(frozen=True)
class TaskSet:
    """A task waits; the reader types into `runner` and asks `attempt` how it stands."""

    index: int
    number: int  # 1-based among the scenario's tasks
    attempt: TaskAttempt
    runner: Runner

    @property
    def task(self) -> Task:
        return self.attempt.task


@dataclass(frozen=True)
class TaskLeft:
    """The walk went on from a task: `applied` when its reference solution was applied because the
    learner's world did not solve it."""

    index: int
    number: int
    applied: bool


Event = Said | Switched | Typed | Advanced | Asked | TaskSet | TaskLeft


def walk(scenario: model.Scenario, runner: Runner, *, solve: bool = True) -> Iterator[Event]:
    """The scenario's events on `runner`. `solve=False` leaves every task as its reader left it (a
    sandbox started from the scenario's world keeps its tasks for the learner)."""
    numbers = {"ask": 0, "task": 0}
    for index, step in enumerate(scenario.steps):
        if isinstance(step, model.SayStep):
            yield Said(index, step.say)
        elif isinstance(step, model.AsStep):
            yield Switched(index, step.as_, runner.switch(step.as_))
        elif isinstance(step, model.RunStep):
            prompt = runner.shell.prompt()
            yield Typed(index, prompt, runner.run(step.run), step.expect)
        elif isinstance(step, model.AdvanceStep):
            yield Advanced(index, step.advance, runner.advance(step.advance))
        elif isinstance(step, model.AskStep):
            numbers["ask"] += 1
            yield Asked(index, numbers["ask"], question_of(step), runner)
        elif isinstance(step, model.TaskStep):
            numbers["task"] += 1
            attempt = TaskAttempt(Task(step), runner)
            yield TaskSet(index, numbers["task"], attempt, runner)
            solved = not solve or attempt.judge(runner).solved
            if not solved:
                attempt.apply_solution(runner)
            if runner.profile != attempt.base:
                runner.switch(attempt.base)
            yield TaskLeft(index, numbers["task"], not solved)


def scenario_shell(file_or_id: str) -> Shell | str:
    """`ecrsim shell --scenario`: the scenario's world with its steps walked, its tasks left to the learner
    (where `sim reset` returns); or the lines saying why it cannot start (no such scenario, its problems)."""
    path = find_scenario(file_or_id)
    if path is None:
        return f"ecrsim: no scenario file or bundled scenario id '{file_or_id}'"
    try:
        item = load(path)
        runner = Runner.start(build_world(item.scenario, item.document), item.scenario)
    except ScenarioProblems as error:
        return str(error)
    for _event in walk(item.scenario, runner, solve=False):
        pass
    runner.shell.mark_start()  # `sim reset` returns here, to the scenario's world, not an empty one
    return runner.shell
