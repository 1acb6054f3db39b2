"""The study subcommands in a plain terminal: `ecrsim review`, `ecrsim exam` and `ecrsim stats`.

Plain lines, answers readable from a pipe, as `ecrsim play`. A review card is played by the player itself
(the same question text, marking and explanation as in play), and the attempt the player reports becomes
the FSRS rating. Real time comes in through `now` and `clock` (see console) so tests can fix it.
"""

from __future__ import annotations

import re
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TextIO

from ecrsim.scenarios.cards import Pack, PackCard, context, load_pack, stop_at
from ecrsim.scenarios.console import Clock, Now, quiet_when_piped_to_head, utc_now, warn
from ecrsim.scenarios.exam import MINUTES_PER_QUESTION, Exam, compose, prepare, result_lines
from ecrsim.scenarios.player import Player
from ecrsim.scenarios.problems import ScenarioProblems
from ecrsim.scenarios.progress import ProgressStore
from ecrsim.scenarios.review import Attempt, describe_interval
from ecrsim.scenarios.stats import compute, render
from ecrsim.scenarios.study_store import StudyStore
from ecrsim.scenarios.walker import Asked


class _InputEnded(Exception):
    """The learner's input ended (Ctrl-D, or the end of a piped file)."""


class _Input:
    """stdin for the player, raising at the end of input so a review or exam can stop cleanly."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def readline(self) -> str:
        line = self.stream.readline()
        if not line:
            raise _InputEnded
        return line

    def isatty(self) -> bool:
        return self.stream.isatty()


class _Study:
    """What every study command starts from: the learner's terminal and real time, and the pack, progress
    and review state."""

    def __init__(
        self, stdin: TextIO | None, stdout: TextIO | None, now: Now, clock: Clock, pack_dir: Path | None
    ) -> None:
        self.stdin = _Input(stdin or sys.stdin)
        self.out = stdout or sys.stdout
        self.now = now
        self.clock = clock
        self.pack: Pack = load_pack(pack_dir)
        self.progress = ProgressStore.load()
        self.store = StudyStore.load()
        warn([*self.pack.problems, *self.progress.warnings])
        self.report_warnings()

    def report_warnings(self) -> None:
        warn(self.store.warnings)


# -- review ---------------------------------------------------------------------------------------------


@quiet_when_piped_to_head
def run_review(
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    *,
    now: Now = utc_now,
    clock: Clock = time.monotonic,
    pack_dir: Path | None = None,
) -> int:
    """`ecrsim review`: every card due, across scenarios, most overdue first; each rated from the attempt."""
    study = _Study(stdin, stdout, now, clock, pack_dir)
    store, pack, out = study.store, study.pack, study.out
    start = now()
    due = sorted(
        (card for card in pack.cards if card.key in store.cards and store.cards[card.key].is_due(start)),
        key=lambda card: store.cards[card.key].due,
    )
    if not due:
        _say_nothing_due(out, pack, store, start)
        return 0
    print(f"{len(due)} card{'s' if len(due) != 1 else ''} due for review.", file=out)
    reviewed = 0
    try:
        for number, card in enumerate(due, 1):
            _review_card(card, f"Card {number} of {len(due)}", study)
            reviewed += 1
    except _InputEnded:
        print("\nInput ended; the cards not reviewed stay due.", file=out)
    except KeyboardInterrupt:
        print("\nInterrupted; the cards not reviewed stay due.", file=out)
        return 130
    finally:
        study.report_warnings()
    print(f"\nReviewed {reviewed} of {len(due)}.", file=out)
    return 0


def _review_card(card: PackCard, heading: str, study: _Study) -> None:
    out = study.out
    item = study.pack.scenarios[card.scenario_id]
    try:
        stop = stop_at(item, card.step)
    except ScenarioProblems as error:
        print(
            f"ecrsim: {card.scenario_id} cannot start ({error.problems[0]}); skipping its card",
            file=sys.stderr,
        )
        return
    print(f"\n--- {heading}: {card.kind} {card.number} of {card.title} ({card.scenario_id}) ---", file=out)
    for line in context(item.scenario, card.step):
        print(line, file=out)
    if isinstance(stop, Asked):
        print("The world at this point:", file=out)
        for fact in stop.question.facts(stop.runner):
            print(f"  {fact}", file=out)
    attempts: list[Attempt] = []  # rated once the player has explained the answer, not mid-step
    player = Player(
        item.scenario,
        stop.runner,
        study.stdin,
        out,
        attempted=lambda _key, attempt: attempts.append(attempt),
        clock=study.clock,
        seed=int(study.store.cards[card.key].due.timestamp()),  # this review's order of the choices
    )
    player.on(stop)
    if not attempts:  # cannot happen: the step returns only once answered or finished
        return
    attempt = attempts[0]
    reviewed_at = study.now()
    state = study.store.record(card.key, attempt, reviewed_at)
    print(f"Rated {attempt.rating.name}; next review {describe_interval(state.due, reviewed_at)}.", file=out)
    if state.is_leech:
        print(
            f"This card is a leech: failed again and again. Replay the scenario that teaches it: "
            f"ecrsim play {card.scenario_id}",
            file=out,
        )


def _say_nothing_due(out: TextIO, pack: Pack, store: StudyStore, now: datetime) -> None:
    print("Nothing is due for review.", file=out)
    later = [store.cards[c.key].due for c in pack.cards if c.key in store.cards]
    if later:
        print(f"The next card is due {describe_interval(min(later), now)}.", file=out)
    unmet = sum(card.key not in store.cards for card in pack.cards)
    if unmet:
        print(
            f"{unmet} of the pack's {len(pack.cards)} questions and tasks are not met yet: "
            "play scenarios (`ecrsim list`, `ecrsim play ID`) to add them.",
            file=out,
        )


# -- exam -----------------------------------------------------------------------------------------------


@quiet_when_piped_to_head
def run_exam(
    questions: int,
    minutes: float | None,
    domain: int | None,
    seed: int | None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    *,
    now: Now = utc_now,
    clock: Clock = time.monotonic,
    pack_dir: Path | None = None,
) -> int:
    """`ecrsim exam`: see exam.py for the rules. No feedback until the end; `f` flags a question."""
    study = _Study(stdin, stdout, now, clock, pack_dir)
    out = study.out
    seed = seed if seed is not None else int(now().timestamp()) % 1_000_000
    chosen, problems = prepare(study.pack, compose(study.pack, questions, seed, domain), seed)
    for problem in problems:
        print(f"ecrsim: {problem}", file=sys.stderr)
    if not chosen:
        where = f" in domain {domain}" if domain else ""
        print(f"ecrsim exam: error: the pack has no questions{where}", file=sys.stderr)
        return 1
    exam = Exam(chosen, seed, minutes or MINUTES_PER_QUESTION * len(chosen))
    domains = [question.card.domain for question in chosen]
    mix = ", ".join(f"domain {d}: {domains.count(d)}" for d in sorted(set(domains)))
    print(f"Exam: {len(chosen)} questions, {exam.minutes:g} minutes ({mix}).", file=out)
    if len(chosen) < questions:
        print(f"(The pack has only {len(chosen)} such questions.)", file=out)
    print(f"Seed {seed}: `ecrsim exam --seed {seed}` with the same options sets this exam again.", file=out)
    print("No feedback until the end. Add `f` to an answer to flag it for review, e.g. `2f`.", file=out)
    sitting = _Sitting(exam, study.stdin, out, clock)
    try:
        sitting.sit()
    except _InputEnded:
        print("\nInput ended; scoring the answers given.", file=out)
    except KeyboardInterrupt:
        print("\nInterrupted; the exam is not scored.", file=out)
        return 130
    result = exam.result()
    for line in result_lines(result):
        print(line, file=out)
    for item in result.items:
        if item.chosen:
            study.store.record(item.question.card.key, Attempt("question", item.correct), now())
    study.report_warnings()
    return 0


class _TimeUp(Exception):
    """The exam's time ran out while the learner was reading or answering: what is answered so far counts."""


class _Sitting:
    """The plain-terminal exam: each question once, then flagged or unanswered ones, until time is up."""

    def __init__(self, exam: Exam, stdin: _Input, out: TextIO, clock: Clock) -> None:
        self.exam = exam
        self.stdin = stdin
        self.out = out
        self.clock = clock
        self.deadline = clock() + exam.minutes * 60

    def sit(self) -> None:
        try:
            for index in range(len(self.exam.questions)):
                self.ask(index)
            while self.exam.flagged or self.exam.unanswered():
                self.say("\n" + self.exam.open_questions_line())
                line = self.read("Question number to revisit, or Enter to finish: ")
                if not line:
                    return
                if (
                    line.isascii()
                    and line.isdigit()
                    and len(line) < 10
                    and 1 <= int(line) <= len(self.exam.questions)
                ):
                    self.ask(int(line) - 1)
                else:
                    self.say(f"Please give a question number from 1 to {len(self.exam.questions)}.")
        except _TimeUp:
            self.say("\nTime is up. An answer given after the end is not counted.")

    def say(self, text: str) -> None:
        print(text, file=self.out)

    def read(self, prompt: str) -> str:
        left = self.deadline - self.clock()
        if left <= 0:
            raise _TimeUp
        self.out.write(f"[{int(left // 60)}:{int(left % 60):02d} left] {prompt}")
        self.out.flush()
        line = self.stdin.readline()
        if not self.stdin.isatty():
            self.out.write(line if line.endswith("\n") else line + "\n")
        if self.clock() > self.deadline:
            raise _TimeUp
        return line.strip()

    def ask(self, index: int) -> None:
        question = self.exam.questions[index]
        self.say(f"\nQuestion {index + 1} of {len(self.exam.questions)} ({question.card.title})")
        for line in question.lines():
            self.say(f"  {line}" if line else "")
        current = self.exam.shown_answer(index)
        if current or index in self.exam.flagged:
            given = ", ".join(map(str, current)) if current else "none"
            self.say(f"(Your answer: {given}{'; flagged' if index in self.exam.flagged else ''}.)")
        count = len(question.question.choices)
        multiple = question.question.multiple
        what = f"one or more of 1-{count}" if multiple else f"1-{count}"
        while True:
            line = self.read(f"Answer ({what}; Enter to skip): ").lower()
            parsed = parse_exam_answer(line, count, multiple)
            if parsed is None:
                self.say(f"Please answer with {what}, optionally followed by f to flag it, e.g. `2f`.")
                continue
            choices, flag = parsed
            if choices:
                self.exam.answer(index, choices)
            if flag:
                self.exam.toggle_flag(index)
            return


def parse_exam_answer(text: str, count: int, multiple: bool) -> tuple[list[int], bool] | None:
    """`2`, `2f`, `1,3 f`, `f` (flag only) or `` (skip) -> (choices, flag); None for anything else."""
    if not re.fullmatch(r"[\d\s,]*f?\s*", text):
        return None
    numbers = [int(n) if len(n) < 10 else 0 for n in re.findall(r"\d+", text)]  # 0: out of range
    if not all(1 <= n <= count for n in numbers) or (len(set(numbers)) > 1 and not multiple):
        return None
    return sorted(set(numbers)), text.rstrip().endswith("f")


# -- stats ----------------------------------------------------------------------------------------------


@quiet_when_piped_to_head
def run_stats(stdout: TextIO | None = None, *, now: Now = utc_now, pack_dir: Path | None = None) -> int:
    """`ecrsim stats`: where the learner stands (see stats.py)."""
    study = _Study(None, stdout, now, time.monotonic, pack_dir)
    for line in render(compute(study.pack, study.progress, study.store, now())):
        print(line, file=study.out)
    return 0
