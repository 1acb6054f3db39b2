"""`ecrsim check`: is every scenario valid, and does the simulation agree with every author's claim?

The simulation is the answer key. Each `run` step is replayed and held to its `expect`; each question's
right choices are worked out by running the world (questions.Question.judge: a fix that opens more than
another right fix is too broad) and must be exactly one unless `multiple`, and agree with an `answer` the
author gave; each task must be unsolved before the learner acts and solved by its `solution`, and no hint
may contain a solution command. Every problem is one located line; a file's problems do not stop the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ecrsim.scenarios.loader import DataPath, dotted
from ecrsim.scenarios.outcomes import describe, expected_words, matches
from ecrsim.scenarios.pack import Loaded, duplicate_ids, load, prerequisite_problems, scenario_files
from ecrsim.scenarios.problems import Problem, ScenarioProblems
from ecrsim.scenarios.questions import PredictQuestion
from ecrsim.scenarios.runner import Runner
from ecrsim.scenarios.walker import Advanced, Asked, Switched, TaskSet, Typed, walk
from ecrsim.scenarios.world_builder import build_world

INTERNAL_ERROR = "ecrsim: internal error:"  # what the shell prints instead of a traceback


def check_paths(paths: Sequence[Path]) -> tuple[int, list[Problem]]:
    """How many scenario files were checked, and every problem found in them."""
    files = scenario_files(paths)
    problems: list[Problem] = []
    loaded: list[Loaded] = []
    for path in files:
        try:
            loaded.append(load(path))
        except ScenarioProblems as error:
            problems.extend(error.problems)
    problems.extend(duplicate_ids(loaded))
    if any(path.is_dir() for path in paths):  # a pack: `requires` must name its scenarios
        problems.extend(prerequisite_problems(loaded))
    for item in loaded:
        try:
            problems.extend(check_scenario(item))
        except Exception as error:  # a bug below us: one line for this file, and the others still checked
            problems.append(item.document.problem((), f"internal error: {type(error).__name__}: {error}"))
    return len(files), problems


def check_scenario(item: Loaded) -> list[Problem]:
    try:
        world = build_world(item.scenario, item.document)
    except ScenarioProblems as error:
        return error.problems
    return _StepChecker(item).run(Runner.start(world, item.scenario))


class _StepChecker:
    """Reads the walk as a learner who gets everything right would play it."""

    def __init__(self, item: Loaded) -> None:
        self.item = item
        self.problems: list[Problem] = []

    def add(self, path: DataPath, message: str) -> None:
        self.problems.append(self.item.document.problem(path, f"{dotted(path)}: {message}"))

    def run(self, runner: Runner) -> list[Problem]:
        for event in walk(self.item.scenario, runner):
            at: DataPath = ("steps", event.index)
            if isinstance(event, Switched) and event.ran.status:
                self.add((*at, "as"), event.ran.stderr.strip().removeprefix("sim: "))
            elif isinstance(event, Typed):
                ran = event.ran
                if event.expect is not None and not matches(event.expect, ran):
                    self.add((*at, "expect"), f"expected {expected_words(event.expect)}, but {describe(ran)}")
                elif INTERNAL_ERROR in ran.stderr:  # a simulator bug must not pass for a lesson
                    self.add((*at, "run"), describe(ran))
            elif isinstance(event, Advanced) and event.ran.status:
                # the clock could not move (past the year 9999): the story would be wrong
                self.add((*at, "advance"), event.ran.stderr.strip().removeprefix("sim: "))
            elif isinstance(event, Asked):
                self.ask(at, event)
            elif isinstance(event, TaskSet):
                self.task(at, event)
        return self.problems

    def ask(self, at: DataPath, event: Asked) -> None:
        question = event.question
        step = question.step
        judgement = question.judge(event.runner)
        right = judgement.right
        verdicts = judgement.verdicts
        predict = isinstance(question, PredictQuestion)
        happened = describe(verdicts[0].ran[0]) if predict else ""
        if not right:
            why = (
                f"the probe ran and {happened}"
                if predict
                else "; ".join(f"choice {n}: {v.reason}" for n, v in enumerate(verdicts, 1))
            )
            self.add(at, f"no choice is right: {why}")
        elif len(right) > 1 and not step.multiple:
            what = f" (the probe ran and {happened})" if predict else ""
            self.add(
                at, f"choices {_numbers(right)} are all right{what}; set `multiple: true` or tell them apart"
            )
        if step.answer is not None and right:
            stated = sorted(step.answer) if isinstance(step.answer, list) else [step.answer]
            if stated != right:
                wrong = [n for n in stated if n not in right]
                if predict:
                    what = f": the probe ran and {happened}"
                elif wrong:
                    what = f": choice {wrong[0]}: {verdicts[wrong[0] - 1].reason}"
                else:
                    what = ""
                self.add(
                    (*at, "answer"),
                    f"the answer key says {_numbers(stated)}, the simulation says {_numbers(right)}{what}",
                )

    def task(self, at: DataPath, event: TaskSet) -> None:
        """Unsolved before the learner acts, solved by its solution; a hint never gives the solution away.
        The solution is applied to the walk's own runner: later steps see the world a solver left."""
        attempt, runner = event.attempt, event.runner
        step = attempt.task.step
        if attempt.judge(runner).checks_hold:
            self.add((*at, "check"), "already holds before the learner acts: the task teaches nothing")
        for j, hint in enumerate(step.hints):
            given = next((c.run for c in step.solution if _words(c.run) in _words(hint)), None)
            if given is not None:
                self.add((*at, "hints", j), f"the hint gives the solution away: `{given}`")
        done, failed = runner.act(step.solution)
        if failed is not None:
            self.add((*at, "solution", len(done) - 1), f"the solution's command fails: {describe(failed)}")
            return
        for j, result in enumerate(attempt.judge(runner).checks):
            if not result.holds:
                self.add(
                    (*at, "check", j),
                    f"still fails after the solution: expected {expected_words(result.check.expect)}, "
                    f"but {describe(result.ran)}",
                )


def _words(text: str) -> str:
    return " ".join(text.split())


def _numbers(numbers: Sequence[int]) -> str:
    return ", ".join(str(n) for n in numbers)
