"""Where the learner is: a shell on a world, and for a scenario, the step they have reached.

No Textual here: the screen asks the session what happened and what comes next, and the session asks the
scenarios layer how a step runs and how an answer or a task is judged. Nothing is marked in the UI.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from ecrsim.tui.catalog import Entry

if TYPE_CHECKING:
    from ecrsim.engine.policy.types import Decision
    from ecrsim.engine.world import World
    from ecrsim.scenarios.model import AskStep, TaskStep
    from ecrsim.scenarios.pack import Loaded
    from ecrsim.scenarios.runner import Runner
    from ecrsim.shell.shell import CommandResult, Shell

StepT = TypeVar("StepT")


@dataclass(frozen=True)
class Narration:
    text: str


@dataclass(frozen=True)
class Typed:
    """A command the scenario typed, as the learner would have seen it."""

    prompt: str
    line: str
    result: CommandResult


@dataclass(frozen=True)
class Note:
    text: str  # what the simulator did on the scenario's behalf: a profile switch, time passing


Happening = Narration | Typed | Note


@dataclass(frozen=True)
class Interactive:
    """The step waiting for the learner, in the words the guide shows."""

    kind: Literal["ask", "task"]
    text: str
    choices: list[str]
    multiple: bool
    hints: list[str]
    solution: list[str]


@dataclass(frozen=True)
class Verdict:
    correct: bool
    right: list[int]  # 1-based
    explain: str | None
    detail: str | None  # what actually happened, e.g. what the probe printed
    # The authorization decision behind what happened (the probe's, or the first wrong choice's), and
    # what made it: shown in the explanation panel, since probes run on copies and leave no event.
    decision: Decision | None = None
    decided_by: str = ""


class Session:
    def __init__(self, runner: Runner, *, entry: Entry | None, loaded: Loaded | None, sandbox: bool) -> None:
        self.runner = runner
        self.entry = entry
        self.loaded = loaded
        self.is_sandbox = sandbox
        self.step_index = 0  # the next step to run, or the interactive step waiting
        self._waiting: Interactive | None = None
        self._step_profile: str | None = None  # the profile current when the waiting step began

    @classmethod
    def for_scenario(cls, entry: Entry) -> Session:
        from ecrsim.scenarios.pack import load
        from ecrsim.scenarios.runner import Runner
        from ecrsim.scenarios.world_builder import build_world

        loaded = load(entry.path)
        runner = Runner.start(build_world(loaded.scenario, loaded.document), loaded.scenario)
        return cls(runner, entry=entry, loaded=loaded, sandbox=False)

    @classmethod
    def sandbox(cls, entry: Entry | None = None) -> Session:
        """The default world, or a scenario's world with its steps replayed (as `ecrsim shell --scenario`)."""
        from ecrsim.scenarios.runner import Runner, scenario_shell

        if entry is None:
            from ecrsim.engine.world import default_world
            from ecrsim.shell import Shell

            # As the spec says of the sandbox: file:// also reads files under the current directory.
            shell = Shell(default_world(), local_files=Path.cwd())
            return cls(Runner(shell), entry=None, loaded=None, sandbox=True)
        replayed = scenario_shell(str(entry.path))
        if isinstance(replayed, str):
            raise SessionError(replayed)
        replayed.mark_start()  # undo and reset go back to the replayed world, not to before it
        return cls(Runner(replayed), entry=entry, loaded=None, sandbox=True)

    # -- what the header and prompt show ------------------------------------------------------------------
    @property
    def shell(self) -> Shell:
        return self.runner.shell

    @property
    def world(self) -> World:
        return self.shell.world

    @property
    def title(self) -> str:
        if self.is_sandbox:
            return "Sandbox" + (f": {self.entry.title}" if self.entry else "")
        assert self.entry is not None
        return self.entry.title

    @property
    def profile(self) -> str:
        return self.shell.profile

    @property
    def region(self) -> str:
        return self.shell.region

    @property
    def prompt(self) -> str:
        return self.shell.prompt().rstrip()

    @property
    def references(self) -> list[str]:
        return list(self.loaded.scenario.references) if self.loaded else []

    def completions(self, text: str) -> list[str]:
        return self.shell.completions(text)

    def run(self, line: str) -> CommandResult:
        return self.shell.run_line(line)

    # -- walking the scenario -----------------------------------------------------------------------------
    @property
    def current(self) -> Interactive | None:
        return self._waiting

    def advance(self) -> list[Happening]:
        """Run steps from `step_index` until one waits for the learner (now `current`) or none is left."""
        from ecrsim.scenarios import model

        happenings: list[Happening] = []
        self._waiting = None
        if self.loaded is None:
            return happenings
        steps = self.loaded.scenario.steps
        while self.step_index < len(steps):
            step = steps[self.step_index]
            if isinstance(step, model.SayStep):
                happenings.append(Narration(step.say))
            elif isinstance(step, model.AsStep):
                ran = self.runner.run(f"sim as {shlex.quote(step.as_)}")
                happenings.append(Note(ran.stdout.strip() or ran.stderr.strip()))
            elif isinstance(step, model.AdvanceStep):
                ran = self.runner.run(f"sim advance {step.advance}")
                happenings.append(Note(ran.stdout.strip() or ran.stderr.strip()))
            elif isinstance(step, model.RunStep):
                prompt = self.prompt
                happenings.append(Typed(prompt, step.run, self.shell.run_line(step.run)))
            elif isinstance(step, (model.AskStep, model.TaskStep)):
                self._waiting = _ask(step) if isinstance(step, model.AskStep) else _task(step)
                self._step_profile = self.profile
                return happenings
            self.step_index += 1
        return happenings

    def next_step(self) -> None:
        """Leave the current question or task behind; `advance` goes on from the step after it."""
        self.step_index += 1
        self._waiting = None

    def answer(self, choices: list[int]) -> Verdict:
        """Mark the learner's choices by the simulation's own answer key (the checker's computation)."""
        from ecrsim.scenarios import model
        from ecrsim.scenarios.outcomes import describe
        from ecrsim.scenarios.runner import judge, right_choices

        step = self._step(model.AskStep)
        verdicts = judge(self.runner, step)
        right = right_choices(verdicts)
        if step.probe is not None:
            detail = _sentence(f"`{step.probe}`: {describe(verdicts[0].ran[0])}")
            decision, decided_by = verdicts[0].decision, step.probe
        else:
            wrong = [n for n in choices if not verdicts[n - 1].right]
            detail = " ".join(_sentence(f"Choice {n}: {verdicts[n - 1].why_wrong()}") for n in wrong) or None
            shown = wrong[0] if wrong else choices[0]
            decision, decided_by = verdicts[shown - 1].decision, f"choice {shown}, then the checks"
        return Verdict(sorted(choices) == right, right, step.explain, detail, decision, decided_by)

    def task_done(self) -> bool:
        """Every check of the waiting task holds now (run on a fork, as the checker runs them)."""
        from ecrsim.scenarios import model
        from ecrsim.scenarios.runner import run_checks

        if self._waiting is None or self._waiting.kind != "task":
            return False
        step = self._step(model.TaskStep)
        return all(result.holds for result in run_checks(self.runner, step.check, self._step_profile))

    def _step(self, kind: type[StepT]) -> StepT:
        assert self.loaded is not None
        step = self.loaded.scenario.steps[self.step_index]
        assert isinstance(step, kind)
        return step


class SessionError(Exception):
    """A scenario that cannot be opened; the message is the lines saying why."""


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def _ask(step: AskStep) -> Interactive:
    return Interactive("ask", step.ask, [c.text for c in step.choices], step.multiple, [], [])


def _task(step: TaskStep) -> Interactive:
    solution = [f"(as {c.as_}) {c.run}" if c.as_ else c.run for c in step.solution]
    return Interactive("task", step.task, [], False, list(step.hints), solution)
