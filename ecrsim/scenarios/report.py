"""`ecrsim play FILE_OR_ID --answers FILE --report json|junit`: grade a learner's answers without a prompt.

For instructors and their CI. The answers file (YAML, or JSON which is YAML too) says which choice the
learner picked for each question and which commands they typed for each task, both numbered from 1 in the
order the scenario asks them. Choices are numbered in the scenario file's order (the order `answer:` uses,
not the shuffled order a learner saw), or named by their text:

    learner: Ana Silva          # optional; shown in the report
    questions:
      1: 2
      2: [1, 3]                 # a question with several right choices
      3: "It fails: no basic auth credentials."
    tasks:
      1:
        - aws ecr get-login-password --region us-east-1 | docker login ...
        - docker push 111122223333.dkr.ecr.us-east-1.amazonaws.com/api:1.4.1

The scenario's walk is read exactly as the player reads it: each question is marked by the simulation
(Question.judge, the computation `ecrsim check` verified) and each task by running the learner's commands
in the world, then the task's checks and the least-privilege verdict. A task left unsolved gets its
solution applied, so one miss does not fail every later step. Exit status: 0 everything right, 1 anything
wrong or unanswered, 2 the answers file or the scenario cannot be used.
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ecrsim.engine.hostfiles import read_bytes
from ecrsim.errors import EcrsimError
from ecrsim.scenarios import model
from ecrsim.scenarios.cards import stops
from ecrsim.scenarios.console import load_named_scenario, quiet_when_piped_to_head
from ecrsim.scenarios.loader import MAX_BYTES, DataPath, Document, dotted, load_text
from ecrsim.scenarios.outcomes import Ran
from ecrsim.scenarios.pack import Loaded, display_name
from ecrsim.scenarios.problems import Problem, ScenarioProblems
from ecrsim.scenarios.tasks import Goal
from ecrsim.scenarios.walker import Asked

ReportFormat = Literal["json", "junit"]
REPORT_VERSION = 1
MAX_OUTPUT = 16 << 10  # characters of a typed command's stdout (and of its stderr) a report keeps


class AnswersProblems(EcrsimError):
    """The answers file cannot be graded; one located line per problem."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in sorted(problems)))


@dataclass(frozen=True)
class Answers:
    learner: str | None
    questions: dict[int, list[int]]  # question number -> chosen choice numbers, sorted
    tasks: dict[int, list[str]]  # task number -> command lines, in the order typed


def read_answers(path: Path, scenario: model.Scenario) -> Answers:
    """The answers in `path`, checked against the scenario's questions and tasks; or AnswersProblems."""
    name = display_name(path)
    try:
        text = read_bytes(path, limit=MAX_BYTES).decode("utf-8-sig")  # regular, bounded, never blocking
    except OSError as exc:
        raise AnswersProblems([Problem(name, 1, 1, f"cannot read the file: {exc.strerror or exc}")]) from None
    except UnicodeDecodeError:
        raise AnswersProblems([Problem(name, 1, 1, "not a UTF-8 text file")]) from None
    if not text.strip():
        raise AnswersProblems([Problem(name, 1, 1, "empty file: expected `questions:` and `tasks:`")])
    try:
        document = load_text(text, name)
    except ScenarioProblems as error:  # the loader's words are about scenarios; these are answers
        problems = [
            Problem(p.file, p.line, p.column, p.message.replace("a scenario is", "an answers file is"))
            for p in error.problems
        ]
        raise AnswersProblems(problems) from None
    return _Reader(document, scenario).read()


class _Reader:
    def __init__(self, document: Document, scenario: model.Scenario) -> None:
        self.document = document
        self.steps = scenario.steps
        self.asks = [step for step in scenario.steps if isinstance(step, model.AskStep)]
        self.task_count = sum(isinstance(step, model.TaskStep) for step in scenario.steps)
        self.problems: list[Problem] = list(document.problems)

    def add(self, path: DataPath, message: str, *, key: bool = False) -> None:
        self.problems.append(self.document.problem(path, f"{dotted(path)}: {message}", key=key))

    def read(self) -> Answers:
        data = self.document.data
        for key in data:
            if key not in ("learner", "questions", "tasks"):
                self.add((key,), "unknown key; expected `learner`, `questions` or `tasks`", key=True)
        learner = data.get("learner")
        if learner is not None and not isinstance(learner, str):
            self.add(("learner",), "expected the learner's name as text")
            learner = None
        questions = self._numbered("questions", len(self.asks), self._choices)
        tasks = self._numbered("tasks", self.task_count, self._commands)
        if self.problems:
            raise AnswersProblems(self.problems)
        return Answers(learner, questions, tasks)

    def _numbered(
        self, section: str, count: int, read: Callable[[DataPath, int, Any], Any | None]
    ) -> dict[int, Any]:
        """The `questions` or `tasks` mapping: numbers from 1 to `count`, each value checked by `read`
        (None after it reported a problem). Every problem is collected, so one run shows them all."""
        raw = self.document.data.get(section, {})
        if raw is None:
            return {}
        what = section.removesuffix("s")
        if not isinstance(raw, dict):
            self.add((section,), f"expected a mapping of {what} numbers")
            return {}
        result: dict[int, Any] = {}
        for key, value in raw.items():
            path: DataPath = (section, key)
            if not (key.isascii() and key.isdigit() and len(key) < 10) or not 1 <= int(key) <= count:
                has = f"{what}s 1 to {count}" if count else f"no {what}s"
                self.add(path, f"there is no {what} {key}: this scenario has {has}", key=True)
                continue
            value = read(path, int(key), value)
            if value is not None:
                result[int(key)] = value
        return result

    def _choices(self, path: DataPath, number: int, value: Any) -> list[int] | None:
        step = self.asks[number - 1]
        values = value if isinstance(value, list) else [value]
        count = len(step.choices)
        texts = [" ".join(choice.text.split()).casefold() for choice in step.choices]
        for i, v in enumerate(values):
            if isinstance(v, str) and " ".join(v.split()).casefold() in texts:
                values[i] = texts.index(" ".join(v.split()).casefold()) + 1  # a choice named by its text
            elif isinstance(v, str):
                self.add(path, f"no choice of question {number} reads {v!r}")
                return None
        if not values or not all(type(v) is int for v in values):
            self.add(
                path,
                f"expected a choice number from 1 to {count} (in the file's order) or a choice's text"
                + (", or a list" if step.multiple else ""),
            )
            return None
        wrong = [v for v in values if not 1 <= v <= count]
        if wrong:
            self.add(path, f"{wrong[0]} is not a choice (question {number} has choices 1 to {count})")
            return None
        if len(set(values)) > 1 and not step.multiple:
            self.add(path, f"question {number} takes one choice, not {len(set(values))}")
            return None
        return sorted(set(values))

    def _commands(self, path: DataPath, _number: int, value: Any) -> list[str] | None:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            self.add(path, "expected the command lines typed, as a list of text")
            return None
        return [line for line in values if line.strip()]


# -- grading --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceResult:
    number: int  # in the file's order, as answers files number choices
    text: str
    right: bool
    reason: str  # the simulation's
    why: str | None  # the author's


@dataclass(frozen=True)
class QuestionResult:
    number: int
    step: int
    text: str
    chosen: list[int]  # empty when not answered
    right: list[int]
    explanation: str
    happened: str  # what the simulation did: the probe's outcome, or why the chosen fix works or fails
    choices: list[ChoiceResult]  # in the file's order

    @property
    def correct(self) -> bool:
        return self.chosen == self.right


@dataclass(frozen=True)
class CommandResult:
    command: str
    status: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class TaskResult:
    number: int
    step: int
    text: str
    commands: list[CommandResult]
    goals: list[Goal]  # every check, met or not, after the learner's commands
    problems: list[str]  # one sentence per check that does not hold, or the access opened beyond need

    @property
    def correct(self) -> bool:
        return not self.problems


@dataclass
class Report:
    scenario: model.Scenario
    file: str
    learner: str | None
    questions: list[QuestionResult] = field(default_factory=list)
    tasks: list[TaskResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(q.correct for q in self.questions) and all(t.correct for t in self.tasks)


def grade(item: Loaded, answers: Answers) -> Report:
    report = Report(item.scenario, item.document.file, answers.learner)
    for stop in stops(item):
        if isinstance(stop, Asked):
            question = stop.question
            judgement = question.judge(stop.runner)
            chosen = answers.questions.get(stop.number, [])
            choices = [
                ChoiceResult(n, text, verdict.right, verdict.reason, verdict.why)
                for n, (text, verdict) in enumerate(zip(question.choices, judgement.verdicts, strict=True), 1)
            ]
            report.questions.append(
                QuestionResult(
                    stop.number,
                    stop.index,
                    question.text,
                    chosen,
                    judgement.right,
                    question.explain or "",
                    judgement.happened(chosen),
                    choices,
                )
            )
        else:
            typed: list[Ran] = [
                _bounded(stop.runner.run(line)) for line in answers.tasks.get(stop.number, [])
            ]
            verdict = stop.attempt.judge(stop.runner)
            report.tasks.append(
                TaskResult(
                    stop.number,
                    stop.index,
                    stop.task.text,
                    [CommandResult(r.command, r.status, r.stdout, r.stderr) for r in typed],
                    verdict.goals,
                    verdict.problems(),
                )
            )
    return report


def _bounded(ran: Ran) -> Ran:
    """A typed command as the report keeps it: its output cut to MAX_OUTPUT characters a stream, so an
    answers file of commands that print a lot cannot make a report of hundreds of megabytes."""
    return replace(ran, stdout=_cut(ran.stdout), stderr=_cut(ran.stderr))


def _cut(text: str) -> str:
    if len(text) <= MAX_OUTPUT:
        return text
    return f"{text[:MAX_OUTPUT]}\n[ecrsim: {len(text) - MAX_OUTPUT} more characters not kept in the report]\n"


# -- the two report formats -----------------------------------------------------------------------------
# Characters XML 1.0 cannot carry, even escaped: C0 controls but tab, newline and return; lone surrogates;
# U+FFFE and U+FFFF. A learner's name or a command's output may hold them; each becomes U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def to_json(report: Report) -> dict[str, Any]:
    right = sum(q.correct for q in report.questions)
    solved = sum(t.correct for t in report.tasks)
    return {
        "version": REPORT_VERSION,
        "scenario": report.scenario.id,
        "title": " ".join(report.scenario.title.split()),
        "file": report.file,
        "learner": report.learner,
        "passed": report.passed,
        "score": {
            "questions": {"right": right, "total": len(report.questions)},
            "tasks": {"solved": solved, "total": len(report.tasks)},
        },
        "questions": [
            {
                "number": q.number,
                "step": q.step,
                "question": q.text,
                "answer": q.chosen,
                "right_answer": q.right,
                "correct": q.correct,
                "explanation": q.explanation,
                "simulation": q.happened,
                "choices": [vars(c) for c in q.choices],
            }
            for q in report.questions
        ],
        "tasks": [
            {
                "number": t.number,
                "step": t.step,
                "task": t.text,
                "solved": t.correct,
                "commands": [vars(c) for c in t.commands],
                "goals": [{"check": g.label, "met": g.met} for g in t.goals],
                "failed_checks": t.problems,
            }
            for t in report.tasks
        ],
    }


def to_junit(report: Report) -> str:
    """JUnit XML as CI servers read it: one testsuite per scenario, one testcase per question and task."""
    scenario = report.scenario
    failures = sum(not q.correct for q in report.questions) + sum(not t.correct for t in report.tasks)
    total = len(report.questions) + len(report.tasks)
    counts = {"tests": str(total), "failures": str(failures), "errors": "0", "skipped": "0"}
    suites = ET.Element("testsuites", {"name": "ecrsim", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": scenario.id, **counts})
    properties = ET.SubElement(suite, "properties")
    for name, value in (("title", scenario.title), ("file", report.file), ("learner", report.learner)):
        if value:
            ET.SubElement(properties, "property", {"name": name, "value": " ".join(value.split())})
    classname = f"ecrsim.{scenario.id}"
    for q in report.questions:
        case = ET.SubElement(
            suite, "testcase", {"classname": classname, "name": f"question {q.number}: {q.text}"}
        )
        if not q.correct:
            said = f"answered {_named(q, q.chosen)}" if q.chosen else "not answered"
            failure = ET.SubElement(
                case,
                "failure",
                {"type": "WrongAnswer", "message": f"{said}; the answer is {_named(q, q.right)}"},
            )
            reasons = [
                f"{c.number}. {c.text} -- {'right' if c.right else 'wrong'}: {c.reason}." for c in q.choices
            ]
            failure.text = "\n".join(part for part in (q.explanation, q.happened, *reasons) if part)
    for t in report.tasks:
        case = ET.SubElement(
            suite, "testcase", {"classname": classname, "name": f"task {t.number}: {t.text}"}
        )
        if not t.correct:
            message = "not solved" if t.commands else "no commands given"
            failure = ET.SubElement(case, "failure", {"type": "TaskNotSolved", "message": message})
            failure.text = "\n".join(t.problems)
        if t.commands:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(f"$ {c.command}\n{c.stdout}{c.stderr}".rstrip("\n") for c in t.commands)
    ET.indent(suites)
    text = ET.tostring(suites, encoding="unicode")  # escapes markup, but passes control characters raw
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _NOT_XML.sub("\ufffd", text) + "\n"


def _named(question: QuestionResult, numbers: list[int]) -> str:
    """`2 ("It fails: denied")`: each choice's number (file order) with its text beside it."""
    return "; ".join(f'{n} ("{question.choices[n - 1].text}")' for n in numbers)


@quiet_when_piped_to_head
def run_report(file_or_id: str, answers_file: str, report_format: ReportFormat) -> int:
    """The `ecrsim play --answers` command: the report on stdout, problems on stderr; see the module doc."""
    try:
        item = load_named_scenario(file_or_id)
        if item is None:
            return 2
        answers = read_answers(Path(answers_file), item.scenario)
        report = grade(item, answers)
    except (ScenarioProblems, AnswersProblems) as error:
        print(error, file=sys.stderr)
        return 2
    if report_format == "junit":
        sys.stdout.write(to_junit(report))
    else:
        sys.stdout.write(json.dumps(to_json(report), indent=2) + "\n")
    return 0 if report.passed else 1
