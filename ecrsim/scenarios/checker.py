"""`ecrsim check`: is every scenario valid, and does the simulation agree with every author's claim?

The simulation is the answer key. Each `run` step is replayed and held to its `expect`; each question's
right choices are worked out by running the world (see runner.judge) and must be exactly one unless
`multiple`, and agree with an `answer` the author gave; each task must be unsolved before the learner acts
and solved by its `solution`. Every problem is one located line; a file's problems do not stop the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ecrsim.scenarios import model
from ecrsim.scenarios.loader import DataPath, dotted
from ecrsim.scenarios.outcomes import describe, expected_words, matches
from ecrsim.scenarios.pack import Loaded, duplicate_ids, load, prerequisite_problems, scenario_files
from ecrsim.scenarios.problems import Problem, ScenarioProblems
from ecrsim.scenarios.runner import Runner, judge, right_choices, run_checks
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
    return _StepChecker(item, Runner.start(world, item.scenario)).run()


class _StepChecker:
    def __init__(self, item: Loaded, runner: Runner) -> None:
        self.item = item
        self.runner = runner
        self.problems: list[Problem] = []

    def add(self, path: DataPath, message: str) -> None:
        self.problems.append(self.item.document.problem(path, f"{dotted(path)}: {message}"))

    def run(self) -> list[Problem]:
        for i, step in enumerate(self.item.scenario.steps):
            at: DataPath = ("steps", i)
            if isinstance(step, model.AsStep):
                ran = self.runner.switch(step.as_)
                if ran.status:
                    self.add((*at, "as"), ran.stderr.strip().removeprefix("sim: "))
            elif isinstance(step, model.RunStep):
                ran = self.runner.run(step.run)
                if step.expect is not None and not matches(step.expect, ran):
                    self.add((*at, "expect"), f"expected {expected_words(step.expect)}, but {describe(ran)}")
                elif INTERNAL_ERROR in ran.stderr:  # a simulator bug must not pass for a lesson
                    self.add((*at, "run"), describe(ran))
            elif isinstance(step, model.AdvanceStep):
                ran = self.runner.advance(step.advance)
                if ran.status:  # the clock could not move (past the year 9999): the story would be wrong
                    self.add((*at, "advance"), ran.stderr.strip().removeprefix("sim: "))
            elif isinstance(step, model.AskStep):
                self.ask(at, step)
            elif isinstance(step, model.TaskStep):
                self.task(at, step)
        return self.problems

    def ask(self, at: DataPath, step: model.AskStep) -> None:
        verdicts = judge(self.runner, step)
        right = right_choices(verdicts)
        happened = describe(verdicts[0].ran[0]) if step.probe is not None else ""
        if not right:
            why = (
                f"the probe ran and {happened}"
                if step.probe
                else "; ".join(f"choice {n}: {v.why_wrong()}" for n, v in enumerate(verdicts, 1))
            )
            self.add(at, f"no choice is right: {why}")
        elif len(right) > 1 and not step.multiple:
            what = f" (the probe ran and {happened})" if step.probe else ""
            self.add(
                at, f"choices {_numbers(right)} are all right{what}; set `multiple: true` or tell them apart"
            )
        if step.answer is not None and right:
            stated = sorted(step.answer) if isinstance(step.answer, list) else [step.answer]
            if stated != right:
                wrong = [n for n in stated if n not in right]
                if step.probe:
                    what = f": the probe ran and {happened}"
                elif wrong:
                    what = f": choice {wrong[0]}: {verdicts[wrong[0] - 1].why_wrong()}"
                else:
                    what = ""
                self.add(
                    (*at, "answer"),
                    f"the answer key says {_numbers(stated)}, the simulation says {_numbers(right)}{what}",
                )

    def task(self, at: DataPath, step: model.TaskStep) -> None:
        before = run_checks(self.runner, step.check)
        if all(result.holds for result in before):
            self.add((*at, "check"), "already holds before the learner acts: the task teaches nothing")
        solved = self.runner.fork()
        done, failed = solved.act(step.solution)
        if failed is not None:
            self.add((*at, "solution", len(done) - 1), f"the solution's command fails: {describe(failed)}")
            return
        for j, result in enumerate(run_checks(solved, step.check)):
            if not result.holds:
                self.add(
                    (*at, "check", j),
                    f"still fails after the solution: expected {expected_words(result.check.expect)}, "
                    f"but {describe(result.ran)}",
                )
        self.runner = solved  # later steps see the world as a learner who solved the task left it


def _numbers(numbers: Sequence[int]) -> str:
    return ", ".join(str(n) for n in numbers)
