"""`ecrsim play`: one scenario in a plain terminal, for scripted use and for screen readers.

Plain lines only (no colour, no cursor movement), and no assumption that input is echoed: answers can be
piped in. The player reads the scenario's walk (walker.py). Questions are marked by the same computation
that `ecrsim check` verified (Question.judge), their choices shown in an order shuffled by `seed` (the
play's start), and after each one every choice gets its reason from the simulation, with the engine's own
decision trace. A task shows its goal (a line per check) and is solved when every check holds and the
learner's world opens no more than the reference solution's.

Every answered question and every finished task (solved, or its solution applied) is also an `Attempt`,
handed to `attempted` with the card's key: `ecrsim play` records it for spaced review, `ecrsim review`
rates the one card it is reviewing. The player itself keeps no dates; it only times each attempt with the
`clock` it is given (monotonic seconds), so a test can fix how long the learner took.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TextIO

from ecrsim.engine.policy.explain import render_decision
from ecrsim.scenarios import model
from ecrsim.scenarios.outcomes import Ran, in_brief
from ecrsim.scenarios.progress import ProgressStore
from ecrsim.scenarios.questions import Judgement, PredictQuestion, Shuffle, without_hint
from ecrsim.scenarios.review import Attempt, card_key
from ecrsim.scenarios.runner import Runner
from ecrsim.scenarios.tasks import TaskVerdict
from ecrsim.scenarios.walker import Advanced, Asked, Event, Said, Switched, TaskSet, Typed, walk

TASK_HELP = (
    "Type commands. `goal` shows the checks, `hint` a hint, `solution` a solution, `skip` applies it, "
    "`quit` stops."
)
QUIT_WORDS = ("quit", "exit")

Attempted = Callable[[str, Attempt], None]  # (card key, how the attempt went)


class LineInput(Protocol):
    """Where answers come from: a terminal, a pipe, or a review's reader that stops at the end of input."""

    def readline(self) -> str: ...

    def isatty(self) -> bool: ...


class _Stop(Exception):
    """The learner stops before the scenario ends: input ended (Ctrl-D, the end of a piped file) or `quit`."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass
class _Score:
    questions: int = 0
    right: int = 0
    tasks: int = 0
    solved: int = 0
    hints: int = 0


class Player:
    """Plays a scenario's steps on a runner, reading answers from `stdin`; `play` runs them all, `step` one
    (a review card). Progress and attempts go to whoever passed `progress` and `attempted`."""

    def __init__(
        self,
        scenario: model.Scenario,
        runner: Runner,
        stdin: LineInput,
        stdout: TextIO,
        progress: ProgressStore | None = None,
        *,
        attempted: Attempted | None = None,
        clock: Callable[[], float] = time.monotonic,
        seed: int | str | None = None,
    ) -> None:
        self.scenario = scenario
        self.seed = seed  # shuffles the choices of each question (None: the file's order)
        self.progress = progress
        self.attempted = attempted
        self.clock = clock
        self.runner = runner
        self.stdin = stdin
        self.stdout = stdout
        self.score = _Score()

    # -- input and output ---------------------------------------------------------------------------------
    def say(self, text: str = "") -> None:
        self.stdout.write(text + "\n")

    def ask_line(self, prompt: str) -> str:
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            raise _Stop("Input ended before the scenario did; stopping here.")
        if not self.stdin.isatty():  # piped answers: show them, so the transcript reads as a session
            self.stdout.write(line if line.endswith("\n") else line + "\n")
        if line.strip() in QUIT_WORDS:
            raise _Stop("Stopped before the end of the scenario.")
        return line.strip()

    def show(self, ran: Ran) -> None:
        for text in (ran.stdout, ran.stderr):
            if text.strip():
                self.say(text.rstrip("\n"))

    # -- the scenario -------------------------------------------------------------------------------------
    def play(self) -> int:
        scenario = self.scenario
        self.say(f"== {scenario.title} ==")
        self.say(
            f"Topics: {', '.join(scenario.topics) or '-'}; exam domain {scenario.domain}; "
            f"difficulty {scenario.difficulty}"
        )
        self.say()
        self.say(scenario.summary.strip())
        try:
            for event in walk(scenario, self.runner):
                self.on(event)
        except _Stop as stop:
            self.say()
            self.say(stop.why)
            return 1
        except KeyboardInterrupt:
            self.say()
            self.say("Interrupted; stopping here.")
            return 130
        self.say()
        self.say(self.summary())
        if self.progress is not None:
            self.progress.finish(scenario.id)
        return 0

    def on(self, event: Event) -> None:
        """One event of the walk, shown; a question or a task is played until it is over."""
        if isinstance(event, Said):
            self.say()
            self.say(event.text.strip())
        elif isinstance(event, Switched):
            self.say()
            if event.ran.status:
                self.show(event.ran)
            else:
                self.say(f"(Now acting as {event.profile}.)")
        elif isinstance(event, Typed):
            self.say()
            self.say(event.prompt + event.ran.command)
            self.show(event.ran)
        elif isinstance(event, Advanced):
            now = self.runner.world.clock.now.strftime("%Y-%m-%dT%H:%M:%SZ")
            self.say()
            if event.ran.status:  # no time passed: say so rather than narrate it
                self.say(f"({event.ran.stderr.strip().removeprefix('sim: ')}; the clock still shows {now}.)")
            else:
                self.say(f"({event.duration} pass. The clock now shows {now}.)")
        elif isinstance(event, Asked):
            self.question(event)
        elif isinstance(event, TaskSet):
            self.task(event)

    def question(self, event: Asked) -> None:
        question = event.question
        self.score.questions += 1
        judgement = question.judge(event.runner)
        shuffle = Shuffle.of(len(question.choices), self.seed, card_key(self.scenario.id, event.index))
        started = self.clock()
        self.say()
        self.say(f"Question {event.number}: {question.step.ask.strip()}")
        for number, text in enumerate(shuffle.texts(question), 1):
            self.say(f"  {number}. {text}")
        chosen = shuffle.file_numbers(self.read_choices(len(question.choices), question.multiple))
        correct = judgement.correct(chosen)
        if self.progress is not None:
            self.progress.answer(self.scenario.id, event.index, chosen, correct=correct)
        self.attempt(event.index, Attempt("question", correct, seconds=self.clock() - started))
        if correct:
            self.score.right += 1
            self.say("Right.")
        else:
            self.say(f"Not quite: the answer is {judgement.named(judgement.right, shuffle)}.")
        if question.explain:
            self.say(question.explain)
        self.say()
        self.say("Why each choice, as the simulation shows:")
        for line in judgement.reasons(shuffle):
            self.say(f"  {line}")
        self.explain(judgement, shuffle, chosen)

    def read_choices(self, count: int, multiple: bool) -> list[int]:
        what = f"one or more of 1-{count}, e.g. 1,3" if multiple else f"1-{count}"
        while True:
            text = self.ask_line(f"Your answer ({what}): ")
            # A number too long to be a choice counts as 0 (out of range): Python will not read 4,300 digits.
            numbers = [int(n) if len(n) < 10 else 0 for n in re.findall(r"\d+", text)]
            if (
                numbers
                and re.fullmatch(r"[\d\s,]+", text)
                and all(1 <= n <= count for n in numbers)
                and (multiple or len(numbers) == 1)
            ):
                return sorted(set(numbers))
            self.say(
                f"Please answer with {'choice numbers' if multiple else 'a choice number'} from 1 to {count}."
            )

    def explain(self, judgement: Judgement, shuffle: Shuffle, chosen: list[int]) -> None:
        """What the simulation did: the probe and its output, or what the learner's choice did to the world;
        then the decision behind it (without the engine's hint, which could give a later answer away)."""
        question = judgement.question
        if isinstance(question, PredictQuestion):
            verdict = judgement.verdicts[0]
            self.say()
            self.say("What the simulation did:")
            self.say(f"$ {question.probe}")
            self.show(verdict.ran[0])
        else:
            verdict = judgement.verdicts[chosen[0] - 1]
            shown = shuffle.shown(chosen[0])
            self.say()
            if verdict.right:
                self.say(f"With choice {shown} applied, every check holds:")
                for result in verdict.checks:
                    self.say(f"  $ {result.ran.command}\n    {in_brief(result.ran)}, as the check expects")
            else:
                failed = verdict.ran[-1] if verdict.standing == "fails" else None
                check = verdict.failed_check
                self.say(f"With choice {shown} applied, {verdict.reason}.")
                ran = failed or (check.ran if check else None)
                if ran is not None:
                    self.say(f"$ {ran.command}")
                    self.show(ran)
        decision = without_hint(verdict.decision)
        if decision is not None:
            self.say()
            self.say(render_decision(decision))

    def task(self, event: TaskSet) -> None:
        attempt, runner = event.attempt, event.runner
        task = attempt.task
        self.score.tasks += 1
        started = self.clock()
        self.say()
        self.say(f"Task: {task.step.task.strip()}")
        self.say_goals(attempt.judge(runner))
        self.say(TASK_HELP)
        hints_shown = 0
        solution_shown = False
        while True:
            line = self.ask_line(runner.shell.prompt())
            if not line:
                continue
            if line == "goal":
                self.say_goals(attempt.judge(runner))
                continue
            if line == "hint":
                if hints_shown < len(task.hints):
                    hints_shown += 1
                    self.score.hints += 1
                    if self.progress is not None:
                        self.progress.task_hint(self.scenario.id, event.index, hints_shown)
                    self.say(f"Hint: {task.hints[hints_shown - 1]}")
                else:
                    self.say("No more hints; `solution` shows one.")
                continue
            if line in ("solution", "skip"):
                solution_shown = True
                if self.progress is not None:
                    self.progress.task_solution_shown(self.scenario.id, event.index)
                self.say("A solution:")
                for command in task.solution:
                    self.say(f"  {command}")
                if line == "solution":
                    continue
                attempt.apply_solution(runner)
                self.say("(Back to the world the task started from, and the solution applied.)")
                solved = False
                break
            self.show(runner.run(line))
            verdict = attempt.judge(runner)
            if verdict.solved:
                self.score.solved += 1
                if self.progress is not None:
                    self.progress.task_done(self.scenario.id, event.index)
                self.say("Task complete: every check holds, and no more access than needed.")
                solved = True
                break
            if verdict.checks_hold:
                self.say(verdict.problems()[-1])
        seconds = self.clock() - started
        self.attempt(
            event.index,
            Attempt("task", solved, hints=hints_shown, solution_shown=solution_shown, seconds=seconds),
        )

    def say_goals(self, verdict: TaskVerdict) -> None:
        """The goal view: a line per check, met or not."""
        self.say("Goal:")
        for goal in verdict.goals:
            self.say(f"  [{'x' if goal.met else ' '}] {goal.label}")

    def attempt(self, index: int, attempt: Attempt) -> None:
        if self.attempted is not None:
            self.attempted(card_key(self.scenario.id, index), attempt)

    def summary(self) -> str:
        score = self.score
        parts = []
        if score.questions:
            parts.append(f"{score.right} of {score.questions} questions right")
        if score.tasks:
            hints = f" ({score.hints} hint{'s' if score.hints != 1 else ''})" if score.hints else ""
            parts.append(f"{score.solved} of {score.tasks} tasks solved{hints}")
        return f"Finished {self.scenario.id}: " + ("; ".join(parts) or "nothing to answer") + "."
