"""`ecrsim play`: one scenario in a plain terminal, for scripted use and for screen readers.

Plain lines only (no colour, no cursor movement), and no assumption that input is echoed: answers can be
piped in. Questions are marked by the same computation that `ecrsim check` verified (runner.judge), and
after each one the simulation explains itself with the engine's own decision trace.

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
from ecrsim.scenarios.review import Attempt, card_key
from ecrsim.scenarios.runner import ChoiceVerdict, Runner, judge, right_choices, run_checks

TASK_HELP = (
    "Type commands. `hint` shows a hint, `solution` shows a solution, `skip` applies it, `quit` stops."
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
    ) -> None:
        self.scenario = scenario
        self.progress = progress
        self.attempted = attempted
        self.clock = clock
        self.runner = runner
        self.stdin = stdin
        self.stdout = stdout
        self.score = _Score()
        asks = [index for index, step in enumerate(scenario.steps) if isinstance(step, model.AskStep)]
        # numbered by place in the scenario, not by how many were asked: a review card asks just one
        self.question_number = {index: number for number, index in enumerate(asks, 1)}

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
            for index, step in enumerate(scenario.steps):
                self.step(index, step)
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

    def step(self, index: int, step: object) -> None:
        if isinstance(step, model.SayStep):
            self.say()
            self.say(step.say.strip())
        elif isinstance(step, model.AsStep):
            switched = self.runner.switch(step.as_)
            self.say()
            if switched.status:
                self.show(switched)
            else:
                self.say(f"(Now acting as {step.as_}.)")
        elif isinstance(step, model.RunStep):
            self.say()
            self.say(self.runner.shell.prompt() + step.run)
            self.show(self.runner.run(step.run))
        elif isinstance(step, model.AdvanceStep):
            moved = self.runner.advance(step.advance)
            now = self.runner.world.clock.now.strftime("%Y-%m-%dT%H:%M:%SZ")
            self.say()
            if moved.status:  # no time passed: say so rather than narrate it
                self.say(f"({moved.stderr.strip().removeprefix('sim: ')}; the clock still shows {now}.)")
            else:
                self.say(f"({step.advance} pass. The clock now shows {now}.)")
        elif isinstance(step, model.AskStep):
            self.question(index, step)
        elif isinstance(step, model.TaskStep):
            self.task(index, step)

    def question(self, index: int, step: model.AskStep) -> None:
        self.score.questions += 1
        verdicts = judge(self.runner, step)
        right = right_choices(verdicts)
        started = self.clock()
        self.say()
        self.say(f"Question {self.question_number[index]}: {step.ask.strip()}")
        for number, choice in enumerate(step.choices, 1):
            self.say(f"  {number}. {choice.text.strip()}")
        chosen = self.read_choices(len(step.choices), step.multiple)
        correct = chosen == right
        if self.progress is not None:
            self.progress.answer(self.scenario.id, index, chosen, correct=correct)
        self.attempt(index, Attempt("question", correct, seconds=self.clock() - started))
        if correct:
            self.score.right += 1
            self.say("Right.")
        else:
            self.say(f"Not quite: the answer is {', '.join(map(str, right))}.")
        if step.explain:
            self.say(step.explain.strip())
        self.explain(step, verdicts, chosen)

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

    def explain(self, step: model.AskStep, verdicts: list[ChoiceVerdict], chosen: list[int]) -> None:
        """What the simulation did: the probe and its output, or why the learner's choice works or fails."""
        if step.probe is not None:
            verdict = verdicts[0]
            self.say()
            self.say("What the simulation did:")
            self.say(f"$ {step.probe}")
            self.show(verdict.ran[0])
        else:
            verdict = verdicts[chosen[0] - 1]
            self.say()
            if verdict.right:
                self.say(f"With choice {chosen[0]} applied, every check holds:")
                for result in verdict.checks:
                    self.say(f"  $ {result.ran.command}\n    {in_brief(result.ran)}, as the check expects")
            else:
                failed = verdict.failed_apply or verdict.failed_check
                what = "the change itself fails" if verdict.failed_apply else "a check still fails"
                self.say(f"With choice {chosen[0]} applied, {what}:")
                if failed is not None:
                    self.say(f"$ {failed.command}")
                    self.show(failed)
        if verdict.decision is not None:
            self.say()
            self.say(render_decision(verdict.decision))

    def task(self, index: int, step: model.TaskStep) -> None:
        self.score.tasks += 1
        base = self.runner.profile
        started = self.clock()
        self.say()
        self.say(f"Task: {step.task.strip()}")
        self.say(TASK_HELP)
        hints_shown = 0
        solution_shown = False
        while True:
            line = self.ask_line(self.runner.shell.prompt())
            if not line:
                continue
            if line == "hint":
                if hints_shown < len(step.hints):
                    hints_shown += 1
                    self.score.hints += 1
                    if self.progress is not None:
                        self.progress.task_hint(self.scenario.id, index, hints_shown)
                    self.say(f"Hint: {step.hints[hints_shown - 1].strip()}")
                else:
                    self.say("No more hints; `solution` shows one.")
                continue
            if line in ("solution", "skip"):
                solution_shown = True
                if self.progress is not None:
                    self.progress.task_solution_shown(self.scenario.id, index)
                self.say("A solution:")
                for command in step.solution:
                    self.say(f"  {command.run}" + (f"   (as {command.as_})" if command.as_ else ""))
                if line == "solution":
                    continue
                self.runner.act(step.solution)
                self.say("(Solution applied.)")
                solved = False
                break
            self.show(self.runner.run(line))
            if all(result.holds for result in run_checks(self.runner, step.check, base)):
                self.score.solved += 1
                if self.progress is not None:
                    self.progress.task_done(self.scenario.id, index)
                self.say("Task complete: every check holds.")
                solved = True
                break
        seconds = self.clock() - started
        self.attempt(
            index, Attempt("task", solved, hints=hints_shown, solution_shown=solution_shown, seconds=seconds)
        )
        if self.runner.profile != base:
            self.runner.switch(base)

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
