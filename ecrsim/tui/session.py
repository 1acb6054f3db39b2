"""Where the learner is: a shell on a world, and for a scenario, the step they have reached.

No Textual here: the screen asks the session what happened and what comes next, and the session asks the
scenarios layer how a step runs and how an answer or a task is judged. Nothing is marked in the UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ecrsim.tui.catalog import Entry

if TYPE_CHECKING:
    from ecrsim.engine.world import World
    from ecrsim.scenarios.model import AskStep, Scenario, TaskStep
    from ecrsim.scenarios.pack import Loaded
    from ecrsim.shell.shell import CommandResult, Shell


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


class Session:
    def __init__(self, shell: Shell, *, entry: Entry | None, loaded: Loaded | None, sandbox: bool) -> None:
        self.shell = shell
        self.entry = entry
        self.loaded = loaded
        self.is_sandbox = sandbox
        self.step_index = 0  # the next step to run, or the interactive step waiting
        self._waiting: Interactive | None = None

    @classmethod
    def for_scenario(cls, entry: Entry) -> Session:
        loaded, shell = _open(entry)
        return cls(shell, entry=entry, loaded=loaded, sandbox=False)

    @classmethod
    def sandbox(cls, entry: Entry | None = None) -> Session:
        """The default world, or a scenario's world with all its `run` steps replayed (as `ecrsim shell
        --scenario` starts)."""
        if entry is None:
            from ecrsim.engine.world import default_world
            from ecrsim.shell.shell import Shell

            return cls(Shell(default_world()), entry=None, loaded=None, sandbox=True)
        from ecrsim.shell.shell import Shell

        loaded, shell = _open(entry)
        replay = cls(shell, entry=entry, loaded=loaded, sandbox=True)
        while replay.step_index < len(loaded.scenario.steps):
            replay.advance()
            replay.step_index += 1
        # A fresh shell, so that undo and reset go back to the replayed world, not to before it.
        fresh = Shell(shell.world, profile=shell.profile, region=shell.region)
        return cls(fresh, entry=entry, loaded=loaded, sandbox=True)

    # -- what the header and prompt show ------------------------------------------------------------------
    @property
    def world(self) -> World:
        return self.shell.world

    @property
    def title(self) -> str:
        if self.is_sandbox:
            return "Sandbox" + (f" · {self.entry.title}" if self.entry else "")
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
        return list(self.scenario.references) if self.loaded else []

    @property
    def scenario(self) -> Scenario:
        assert self.loaded is not None
        return self.loaded.scenario

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
        if self.loaded is None or self.is_sandbox:
            return happenings
        steps = self.scenario.steps
        while self.step_index < len(steps):
            step = steps[self.step_index]
            if isinstance(step, model.SayStep):
                happenings.append(Narration(step.say))
            elif isinstance(step, model.AsStep):
                self.shell.run_line(f"sim as {step.as_}")
                happenings.append(Note(f"(now acting as {step.as_})"))
            elif isinstance(step, model.AdvanceStep):
                result = self.shell.run_line(f"sim advance {step.advance}")
                happenings.append(Note(f"({step.advance} pass. {result.stdout.strip()})"))
            elif isinstance(step, model.RunStep):
                prompt = self.prompt
                happenings.append(Typed(prompt, step.run, self.shell.run_line(step.run)))
            elif isinstance(step, model.AskStep):
                self._waiting = _ask(step)
                return happenings
            elif isinstance(step, model.TaskStep):
                self._waiting = _task(step)
                return happenings
            self.step_index += 1
        return happenings

    def next_step(self) -> None:
        """Leave the current question or task behind; `advance` goes on from the step after it."""
        self.step_index += 1
        self._waiting = None

    def answer(self, choices: list[int]) -> Verdict:
        from ecrsim.scenarios.player import judge_answer

        step = self.scenario.steps[self.step_index]
        judged = judge_answer(step, self.shell, choices)  # type: ignore[arg-type]
        return Verdict(judged.correct, judged.right, step.explain, judged.detail)  # type: ignore[union-attr]

    def task_done(self) -> bool:
        from ecrsim.scenarios.player import task_holds

        step = self.scenario.steps[self.step_index]
        return task_holds(step, self.shell)  # type: ignore[arg-type]


def _open(entry: Entry) -> tuple[Loaded, Shell]:
    from ecrsim.scenarios.pack import load
    from ecrsim.scenarios.world_builder import build_world
    from ecrsim.shell.shell import Shell

    loaded = load(entry.path)
    world = build_world(loaded.scenario, loaded.document)
    return loaded, Shell(world, region=loaded.scenario.world.region)


def _ask(step: AskStep) -> Interactive:
    return Interactive("ask", step.ask, [c.text for c in step.choices], step.multiple, [], [])


def _task(step: TaskStep) -> Interactive:
    solution = [f"(as {c.as_}) {c.run}" if c.as_ else c.run for c in step.solution]
    return Interactive("task", step.task, [], False, list(step.hints), solution)
