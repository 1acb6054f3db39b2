"""The format's models: a good file reads as meant, and every schema error of a file is reported."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from ecrsim.scenarios import model
from ecrsim.scenarios.loader import load_file, load_text
from ecrsim.scenarios.problems import ScenarioProblems

GOOD = Path(__file__).resolve().parent / "good" / "token-expires.yaml"
HEAD = "id: x\ntitle: T\nsummary: S\ndomain: 1\ndifficulty: 2\n"


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioProblems) as raised:
        model.validate(load_text(text, "f.yaml"))
    return [str(problem) for problem in raised.value.problems]


def test_the_example_reads_as_written() -> None:
    scenario = model.validate(load_file(GOOD))
    assert scenario.world.time == datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    assert scenario.world.repositories[0].images[0].pushed == "-2d"
    kinds = [type(step).__name__ for step in scenario.steps]
    assert kinds == ["AsStep", "SayStep", "RunStep", "AdvanceStep", "AskStep", "TaskStep", "AskStep"]
    ask = scenario.steps[4]
    assert isinstance(ask, model.AskStep) and ask.is_predict and ask.answer == 2
    assert ask.choices[1].outcome == model.ErrorOutcome(error="DENIED", message="expired")
    fix = scenario.steps[6]
    assert isinstance(fix, model.AskStep) and fix.choices[0].apply is not None
    assert fix.choices[0].apply[0].as_ == "admin"
    assert fix.check is not None and fix.check[0].expect == model.OutputOutcome(output="1")


def test_forgiving_forms() -> None:
    scenario = model.validate(
        load_text(
            HEAD + "world:\n  policies:\n    pull: {Version: '2012-10-17', Statement: []}\n"
            "  groups: [{name: devs, users: [ann]}]\n"
            "  files: {p.json: {a: 1}}\n  context: {aws:SecureTransport: false}\n"
            "  repositories: [{name: web, tags: [{Key: team, Value: web}]}]\n"
            "steps:\n  - run: sim clock\n    expect: {output: 2026}\n  - task: t\n    check: [{run: ls}]\n"
            "    solution: [ls]\n",
            "f.yaml",
        )
    )
    world = scenario.world
    assert world.policies[0].name == "pull" and world.groups[0].members == ["ann"]
    assert world.files["p.json"] == '{\n  "a": 1\n}' and world.context["aws:SecureTransport"] == "false"
    assert world.repositories[0].tags == {"team": "web"}
    assert scenario.steps[0].expect == model.OutputOutcome(output="2026")  # type: ignore[union-attr]
    task = scenario.steps[1]
    assert isinstance(task, model.TaskStep) and task.check[0].expect == "ok" and task.solution[0].run == "ls"


def test_every_schema_error_of_a_file_is_reported_in_order() -> None:
    text = (
        HEAD.replace("domain: 1", "domain: 9")
        + "world:\n  usres: []\nsteps:\n  - advance: soon\n  - run: ls\n    expect: fine\n"
    )
    assert problems(text) == [
        "f.yaml:4:9: error: domain: input should be less than or equal to 4",
        "f.yaml:7:3: error: world.usres: unknown key `usres` (did you mean `users`?)",
        "f.yaml:9:14: error: steps[0].advance: expected a duration such as 90m, 13h, 2d or 1d12h",
        "f.yaml:11:13: error: steps[1].expect: expected `ok`, `{output: TEXT}` or "
        "`{error: CODE, message: TEXT, status: N}`",
    ]


def test_an_unknown_key_with_nothing_close_lists_the_known_ones() -> None:
    assert problems(HEAD + "steps:\n  - say: hi\n    colour: red\n") == [
        "f.yaml:8:5: error: steps[0].colour: unknown key `colour`; expected one of `say`"
    ]


def test_a_fix_question_needs_apply_and_no_outcome() -> None:
    text = HEAD + (
        "steps:\n  - ask: q\n    check: [{run: ls}]\n    choices:\n"
        "      - {text: a, outcome: ok}\n      - {text: b, apply: [ls]}\n"
    )
    assert problems(text) == [
        "f.yaml:10:9: error: steps[0].choices[0]: missing required key `apply`",
        "f.yaml:10:19: error: steps[0].choices[0].outcome: "
        "`outcome` belongs to predict (with `probe`) questions",
    ]
