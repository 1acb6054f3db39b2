"""Where the learner is in the UI: a shell on a world, and for a scenario, the step of its walk they reached.

No Textual here (the UI's screen asks the session what happened and what comes next): the session reads
the scenario's walk (walker.py) one question or task at a time, shows choices in the order its seed
shuffles them, and marks answers and tasks as every other reader of the walk does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from ecrsim.errors import EcrsimError
from ecrsim.scenarios.review import card_key

if TYPE_CHECKING:
    from ecrsim.engine.policy.types import Decision
    from ecrsim.engine.world import World
    from ecrsim.scenarios.pack import Loaded
    from ecrsim.scenarios.questions import Shuffle
    from ecrsim.scenarios.runner import Runner
    from ecrsim.scenarios.tasks import Goal
    from ecrsim.scenarios.walker import Asked, Event, TaskSet
    from ecrsim.shell.shell import CommandResult, Shell


class ScenarioEntry(Protocol):
    """What the session needs of a catalog entry (the UI's list row)."""

    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def path(self) -> Path: ...


@dataclass(frozen=True)
class Narration:
    text: str


@dataclass(frozen=True)
class Typed:
    """A command the scenario typed, as the learner would have seen it."""

    prompt: str
    line: str
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Note:
    text: str  # what the simulator did on the scenario's behalf: a profile switch, time passing


Happening = Narration | Typed | Note


@dataclass(frozen=True)
class Interactive:
    """The step waiting for the learner, in the words the guide shows (choices in the order shown)."""

    kind: Literal["ask", "task"]
    text: str
    choices: list[str]
    multiple: bool
    hints: list[str]
    solution: list[str]


@dataclass(frozen=True)
class Verdict:
    correct: bool
    right: list[int]  # 1-based, as shown
    explain: str | None
    detail: str | None  # what actually happened, e.g. what the probe printed
    # The authorization decision behind what happened (the probe's, or the first wrong choice's), and
    # what made it: shown in the explanation panel, since probes run on copies and leave no event.
    decision: Decision | None = None
    decided_by: str = ""
    reasons: tuple[str, ...] = ()  # every choice as shown, with the simulation's reason


class Session:
    def __init__(
        self,
        runner: Runner,
        *,
        entry: ScenarioEntry | None,
        loaded: Loaded | None,
        sandbox: bool,
        seed: int | None = None,
    ) -> None:
        from ecrsim.scenarios.walker import walk

        self.runner = runner
        self.entry = entry
        self.loaded = loaded
        self.is_sandbox = sandbox
        self.seed = seed
        self.step_index = 0  # the waiting question or task (its index among the scenario's steps)
        self._walk: Iterator[Event] | None = walk(loaded.scenario, runner) if loaded is not None else None
        self._stop: Asked | TaskSet | None = None
        self._shuffle: Shuffle | None = None
        self.answered: dict[int, bool] = {}  # question step index -> answered right
        self.solved: set[int] = set()  # task step indexes solved by the learner
        self.typed = False  # the learner has run a command

    @classmethod
    def for_scenario(cls, entry: ScenarioEntry, *, shuffle: bool = True) -> Session:
        """Choices are shuffled by the moment the scenario starts (`shuffle=False`: the file's order)."""
        from ecrsim.scenarios.console import utc_now
        from ecrsim.scenarios.pack import load
        from ecrsim.scenarios.runner import Runner
        from ecrsim.scenarios.world_builder import build_world

        loaded = load(entry.path)
        runner = Runner.start(build_world(loaded.scenario, loaded.document), loaded.scenario)
        seed = int(utc_now().timestamp()) if shuffle else None
        return cls(runner, entry=entry, loaded=loaded, sandbox=False, seed=seed)

    @classmethod
    def sandbox(cls, entry: ScenarioEntry | None = None) -> Session:
        """The default world, or a scenario's world with its steps replayed (as `ecrsim shell --scenario`)."""
        from ecrsim.scenarios.runner import Runner
        from ecrsim.scenarios.walker import scenario_shell

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
        self.typed = True
        return self.shell.run_line(line)

    @property
    def leaving_loses(self) -> bool:
        """Whether leaving now loses the learner's work: the sandbox's world once a command changed it; a
        scenario's world and place once the learner answered or typed there, until it is complete (the
        answers themselves are saved as progress, but a scenario opened again starts from its briefing)."""
        if self.is_sandbox:
            return self.shell.changed
        return self._stop is not None and (self.typed or bool(self.answered))

    # -- walking the scenario -----------------------------------------------------------------------------
    @property
    def current(self) -> Interactive | None:
        from ecrsim.scenarios.walker import Asked

        stop = self._stop
        if stop is None:
            return None
        if isinstance(stop, Asked):
            assert self._shuffle is not None
            question = stop.question
            return Interactive("ask", question.text, self._shuffle.texts(question), question.multiple, [], [])
        task = stop.task
        return Interactive("task", task.text, [], False, task.hints, task.solution)

    def advance(self) -> list[Happening]:
        """Read the walk until a question or task waits for the learner (now `current`) or it ends."""
        from ecrsim.scenarios.questions import Shuffle
        from ecrsim.scenarios.walker import Advanced, Asked, Said, Switched, TaskSet
        from ecrsim.scenarios.walker import Typed as TypedEvent

        happenings: list[Happening] = []
        self._stop = None
        if self._walk is None:
            return happenings
        for event in self._walk:
            if isinstance(event, Said):
                happenings.append(Narration(event.text))
            elif isinstance(event, (Switched, Advanced)):
                happenings.append(Note(event.ran.stdout.strip() or event.ran.stderr.strip()))
            elif isinstance(event, TypedEvent):
                ran = event.ran
                happenings.append(Typed(event.prompt.rstrip(), ran.command, ran.stdout, ran.stderr))
            elif isinstance(event, (Asked, TaskSet)):
                self._stop = event
                self.step_index = event.index
                if isinstance(event, Asked):
                    key = card_key(self.loaded.scenario.id if self.loaded else "", event.index)
                    self._shuffle = Shuffle.of(len(event.question.choices), self.seed, key)
                return happenings
        self._walk = None
        return happenings

    def next_step(self) -> None:
        """Leave the current question or task behind; `advance` goes on from the step after it."""
        self._stop = None

    def answer(self, choices: list[int]) -> Verdict:
        """Mark the learner's choices (numbered as shown) by the simulation's own answer key."""
        from ecrsim.scenarios.questions import PredictQuestion, without_hint
        from ecrsim.scenarios.walker import Asked

        stop, shuffle = self._stop, self._shuffle
        assert isinstance(stop, Asked) and shuffle is not None
        judgement = stop.question.judge(stop.runner)
        chosen = shuffle.file_numbers(choices)
        right = shuffle.shown_numbers(judgement.right)
        if isinstance(stop.question, PredictQuestion):
            detail = _sentence(judgement.happened(chosen))
            decision, decided_by = judgement.verdicts[0].decision, stop.question.probe
        else:
            wrong = [n for n in chosen if not judgement.verdicts[n - 1].right]
            shown = wrong[0] if wrong else chosen[0]
            detail = _sentence(judgement.happened([shown], shuffle)) if wrong else None
            decision = judgement.verdicts[shown - 1].decision
            decided_by = f"choice {shuffle.shown(shown)}, then the checks"
        self.answered[stop.index] = judgement.correct(chosen)
        return Verdict(
            judgement.correct(chosen),
            right,
            stop.question.explain,
            detail,
            without_hint(decision),
            decided_by,
            tuple(judgement.reasons(shuffle)),
        )

    def goals(self) -> list[Goal]:
        """The waiting task's checks, each met or not (the goal view)."""
        from ecrsim.scenarios.walker import TaskSet

        stop = self._stop
        return stop.attempt.judge(stop.runner).goals if isinstance(stop, TaskSet) else []

    def task_problems(self) -> list[str]:
        """Why the waiting task is not solved yet (empty when it is, or when no task waits)."""
        from ecrsim.scenarios.walker import TaskSet

        stop = self._stop
        return stop.attempt.judge(stop.runner).problems() if isinstance(stop, TaskSet) else []

    def task_done(self) -> bool:
        """The waiting task is solved: every check holds and nothing opened beyond the reference solution."""
        from ecrsim.scenarios.walker import TaskSet

        stop = self._stop
        if not isinstance(stop, TaskSet):
            return False
        solved = stop.attempt.judge(stop.runner).solved
        if solved:
            self.solved.add(stop.index)
        else:  # undone: the world went back to before the task was solved
            self.solved.discard(stop.index)
        return solved

    def summary(self) -> str:
        """How the scenario went, as `ecrsim play` ends: questions right, tasks solved."""
        from ecrsim.scenarios import model

        steps = self.loaded.scenario.steps if self.loaded else []
        questions = sum(isinstance(step, model.AskStep) for step in steps)
        tasks = sum(isinstance(step, model.TaskStep) for step in steps)
        parts = []
        if questions:
            parts.append(f"{sum(self.answered.values())} of {questions} questions right")
        if tasks:
            parts.append(f"{len(self.solved)} of {tasks} tasks solved")
        return ("; ".join(parts) or "Nothing to answer") + "."


class SessionError(EcrsimError):
    """A scenario that cannot be opened; the message is the lines saying why."""


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
