"""`ecrsim play FILE --answers FILE --report json|junit`: a learner's answers graded without a prompt, the
JSON checked against a schema and the JUnit XML read back by a parser, as a CI server would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from ecrsim.scenarios.report import run_report

HERE = Path(__file__).resolve().parent
GOOD = HERE / "good" / "token-expires.yaml"  # question 1 (answer 2), task 1 (log in), question 2 (answer 1)
STUDY = HERE / "study_pack" / "d1.yaml"  # questions 1 (answer 1) and 2 (answer 2), task 1 (create api)
LOGIN = (
    "aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin "
    "111122223333.dkr.ecr.us-east-1.amazonaws.com"
)


# A small schema: each key's type, nested the same way; lists give their items' schema.
QUESTION = {
    "number": int,
    "step": int,
    "question": str,
    "answer": [int],
    "right_answer": [int],
    "correct": bool,
    "explanation": str,
    "simulation": str,
    "choices": [{"number": int, "text": str, "right": bool, "reason": str, "why": (str, type(None))}],
}
COMMAND = {"command": str, "status": int, "stdout": str, "stderr": str}
TASK = {
    "number": int,
    "step": int,
    "task": str,
    "solved": bool,
    "commands": [COMMAND],
    "goals": [{"check": str, "met": bool}],
    "failed_checks": [str],
}
SCHEMA = {
    "version": int,
    "scenario": str,
    "title": str,
    "file": str,
    "learner": (str, type(None)),
    "passed": bool,
    "score": {"questions": {"right": int, "total": int}, "tasks": {"solved": int, "total": int}},
    "questions": [QUESTION],
    "tasks": [TASK],
}


def conforms(value: Any, schema: Any, where: str = "report") -> None:
    if isinstance(schema, dict):
        assert isinstance(value, dict) and set(value) == set(schema), f"{where}: keys {sorted(value)}"
        for key, sub in schema.items():
            conforms(value[key], sub, f"{where}.{key}")
    elif isinstance(schema, list):
        assert isinstance(value, list), where
        for i, item in enumerate(value):
            conforms(item, schema[0], f"{where}[{i}]")
    else:
        assert isinstance(value, schema) and not (schema is int and isinstance(value, bool)), (
            f"{where}: {value!r}"
        )


def grade(tmp_path: Path, answers: str, fmt: str = "json", scenario: Path = GOOD) -> tuple[int, str, str]:
    """The real program in a child process, as an instructor's CI runs it."""
    path = tmp_path / "answers.yaml"
    path.write_text(answers)
    result = subprocess.run(
        [sys.executable, "-m", "ecrsim", "play", str(scenario), "--answers", str(path), "--report", fmt],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )
    return result.returncode, result.stdout, result.stderr


def test_a_perfect_answers_file_passes_with_status_0(tmp_path: Path) -> None:
    status, out, err = grade(
        tmp_path, f"learner: Ana Silva\nquestions: {{1: 2, 2: 1}}\ntasks:\n  1: ['{LOGIN}']\n"
    )
    assert (status, err) == (0, "")
    report = json.loads(out)
    conforms(report, SCHEMA)
    assert report["passed"] is True and report["learner"] == "Ana Silva"
    assert report["score"] == {"questions": {"right": 2, "total": 2}, "tasks": {"solved": 1, "total": 1}}
    assert report["tasks"][0]["commands"][0]["stdout"] == "Login Succeeded\n"


def test_wrong_and_missing_answers_are_graded_with_their_explanations(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(
        "questions:\n  1: 2\ntasks:\n  1:\n    - aws ecr create-repository --repository-name web\n"
    )
    assert run_report(str(STUDY), str(path), "json") == 1
    report = json.loads(capsys.readouterr().out)
    conforms(report, SCHEMA)
    q1, q2 = report["questions"]
    assert (q1["answer"], q1["right_answer"], q1["correct"]) == ([2], [1], False)
    assert (q2["answer"], q2["right_answer"], q2["correct"]) == ([], [2], False)
    assert q2["explanation"] == "Nobody created api."
    assert q2["simulation"].startswith(
        "`aws ecr describe-repositories --repository-names api`: it failed with "
    )
    task = report["tasks"][0]
    assert task["solved"] is False and task["commands"][0]["status"] == 254
    assert "RepositoryAlreadyExistsException" in task["commands"][0]["stderr"]
    assert task["failed_checks"][0].startswith(
        "`aws ecr describe-repositories --repository-names api` still fails: it failed with"
    )
    assert task["goals"] == [
        {"check": "`aws ecr describe-repositories --repository-names api` gives success", "met": False}
    ]


def test_the_junit_report_reads_as_a_ci_server_reads_it(tmp_path: Path) -> None:
    answers = (
        "learner: Ana\nquestions: {1: 1, 2: 1}\ntasks: {1: aws ecr create-repository --repository-name api}\n"
    )
    status, out, _ = grade(tmp_path, answers, "junit", STUDY)
    assert status == 1
    suites = ET.fromstring(out)
    assert suites.tag == "testsuites" and suites.get("tests") == "3" and suites.get("failures") == "1"
    (suite,) = suites.findall("testsuite")
    assert suite.get("name") == "study-d1"
    assert {p.get("name"): p.get("value") for p in suite.iter("property")}["learner"] == "Ana"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "question 1: Does web exist?",
        "question 2: Does api exist?",
        "task 1: Create the repository api.",
    ]
    assert all(c.get("classname") == "ecrsim.study-d1" for c in cases)
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("message") == 'answered 1 ("Yes."); the answer is 2 ("No.")'
    assert failure.text is not None and failure.text.startswith("Nobody created api.\n")
    assert cases[0].find("failure") is None and cases[2].find("failure") is None
    system_out = cases[2].findtext("system-out")
    assert system_out is not None and system_out.startswith(
        "$ aws ecr create-repository --repository-name api\n{"
    )


def test_a_missed_task_gets_its_solution_so_later_steps_are_graded_fairly(
    tmp_path: Path, capsys: Any
) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("questions: {1: 2, 2: 1}\n")  # no commands for the login task
    assert run_report(str(GOOD), str(path), "json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["tasks"][0]["solved"] is False and report["tasks"][0]["commands"] == []
    assert [q["correct"] for q in report["questions"]] == [True, True]  # graded after the task all the same


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        (
            "questions:\n  7: 1\n",
            "answers.yaml:2:3: error: questions.7: there is no question 7: "
            "this scenario has questions 1 to 2",
        ),
        (
            "questions:\n  1: 9\n",
            "answers.yaml:2:6: error: questions.1: 9 is not a choice (question 1 has choices 1 to 3)",
        ),
        (
            "questions:\n  1: [1, 2]\n",
            "answers.yaml:2:6: error: questions.1: question 1 takes one choice, not 2",
        ),
        (
            "questions:\n  1: two\n",
            "answers.yaml:2:6: error: questions.1: no choice of question 1 reads 'two'",
        ),
        (
            "tasks:\n  1: {run: x}\n",
            "answers.yaml:2:6: error: tasks.1: expected the command lines typed, as a list of text",
        ),
        (
            "answer: {1: 2}\n",
            "answers.yaml:1:1: error: answer: unknown key; expected `learner`, `questions` or `tasks`",
        ),
        ("- 1\n", "answers.yaml:1:1: error: an answers file is a mapping of keys, not a list"),
        ("", "answers.yaml:1:1: error: empty file: expected `questions:` and `tasks:`"),
    ],
)
def test_a_bad_answers_file_is_one_located_line_and_status_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any, answers: str, error: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("answers.yaml").write_text(answers)
    assert run_report(str(GOOD), "answers.yaml", "json") == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", error + "\n")


def test_usage_errors(tmp_path: Path, capsys: Any) -> None:
    assert run_report("no-such-scenario", "x.yaml", "json") == 2
    assert (
        capsys.readouterr().err
        == "ecrsim play: error: no scenario file or bundled scenario id 'no-such-scenario'\n"
    )
    assert run_report(str(GOOD), str(tmp_path / "missing.yaml"), "json") == 2
    assert (
        "missing.yaml:1:1: error: cannot read the file: No such file or directory" in capsys.readouterr().err
    )
    result = subprocess.run(
        [sys.executable, "-m", "ecrsim", "play", str(GOOD), "--report", "junit"],
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stderr) == (
        2,
        "ecrsim: error: argument --report: needs --answers FILE\n",
    )
