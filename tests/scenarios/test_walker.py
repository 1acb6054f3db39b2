"""The one walk through a scenario, and the verdicts its readers share: each reader (checker, player,
answers report, shell --scenario) is exercised through it, on a task that must not be solved by opening more
than it asks."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ecrsim.scenarios.checker import check_paths
from ecrsim.scenarios.pack import load
from ecrsim.scenarios.player import Player
from ecrsim.scenarios.report import grade, read_answers
from ecrsim.scenarios.runner import Runner
from ecrsim.scenarios.walker import Advanced, Asked, Said, Switched, TaskLeft, TaskSet, Typed, walk
from ecrsim.scenarios.world_builder import build_world

GOOD = Path(__file__).resolve().parent / "good" / "token-expires.yaml"

VIEWER = """\
id: viewer-pulls
title: Viewer pulls web
summary: Viewer must list the images in web, and nothing more.
domain: 1
difficulty: 1
world:
  users:
    - name: admin
      managed_policies: [AdministratorAccess]
    - name: viewer
  repositories: [{name: web, images: [{tags: [v1]}]}, {name: audit}]
  files:
    list-web.json:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: "ecr:ListImages"
          Resource: "arn:aws:ecr:us-east-1:111122223333:repository/web"
steps:
  - task: Let viewer list the images in web.
    hints: [Which kind of policy does a user carry?]
    check:
      - label: viewer lists web
        as: viewer
        run: aws ecr list-images --repository-name web
      - label: audit stays closed to viewer
        as: viewer
        run: aws ecr list-images --repository-name audit
        expect: {error: AccessDeniedException}
    solution:
      - aws iam put-user-policy --user-name viewer --policy-name list --policy-document file://list-web.json
EXTRA
"""
ADMIN = (
    "aws iam attach-user-policy --user-name viewer --policy-arn arn:aws:iam::aws:policy/AdministratorAccess"
)
WEB_ONLY = (
    "aws iam put-user-policy --user-name viewer --policy-name all --policy-document "
    '\'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*",'
    '"Resource":"arn:aws:ecr:us-east-1:111122223333:repository/web"}]}\''
)
NARROW = (
    "aws iam put-user-policy --user-name viewer --policy-name list --policy-document file://list-web.json"
)


def scenario(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "viewer.yaml"
    path.write_text(VIEWER.replace("EXTRA\n", extra))
    return path


def test_the_walk_yields_each_step_as_a_typed_event() -> None:
    item = load(GOOD)
    events = list(walk(item.scenario, Runner.start(build_world(item.scenario, item.document), item.scenario)))
    kinds = [type(event) for event in events]
    assert kinds == [Switched, Said, Typed, Advanced, Asked, TaskSet, TaskLeft, Asked]
    assert [event.number for event in events if isinstance(event, Asked)] == [1, 2]
    left = next(event for event in events if isinstance(event, TaskLeft))
    assert left.applied  # nobody solved the task: its solution was applied so later steps make sense


def test_the_checker_holds_the_reference_solution_to_the_refusal_checks(tmp_path: Path) -> None:
    assert check_paths([scenario(tmp_path)])[1] == []


def grade_commands(path: Path, commands: list[str]) -> list[str]:
    item = load(path)
    answers_file = path.parent / "answers.yaml"
    answers_file.write_text("tasks:\n  1:\n" + "".join(f"    - {json.dumps(line)}\n" for line in commands))
    report = grade(item, read_answers(answers_file, item.scenario))
    return report.tasks[0].problems


@pytest.mark.parametrize(
    ("commands", "problem"),
    [
        # a refusal check catches AdministratorAccess
        ([ADMIN], "`aws ecr list-images --repository-name audit` must stay refused, but it succeeded"),
        (
            [WEB_ONLY],
            "your change also lets viewer run ecr:DeleteRepositoryPolicy on web (and 33 more requests)",
        ),
        ([NARROW], None),
    ],
)
def test_an_over_broad_answer_is_refused_naming_the_extra_access(
    tmp_path: Path, commands: list[str], problem: str | None
) -> None:
    problems = grade_commands(scenario(tmp_path), commands)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0], problems


def test_an_author_may_allow_extra_access(tmp_path: Path) -> None:
    extra = '    allow_extra:\n      - {principal: viewer, action: "ecr:*", repository: web}\n'
    assert grade_commands(scenario(tmp_path, extra), [WEB_ONLY]) == []


def play(path: Path, answers: str) -> str:
    item = load(path)
    runner = Runner.start(build_world(item.scenario, item.document), item.scenario)
    out = io.StringIO()
    Player(item.scenario, runner, io.StringIO(answers), out).play()
    return out.getvalue()


def test_the_player_shows_the_goal_and_refuses_a_broad_change_until_it_is_narrowed(tmp_path: Path) -> None:
    out = play(
        scenario(tmp_path),
        f"goal\n{WEB_ONLY}\naws iam delete-user-policy --user-name viewer --policy-name all\n{NARROW}\n",
    )
    assert "Goal:\n  [ ] viewer lists web\n  [x] audit stays closed to viewer\n" in out
    assert (
        "Every check holds, but your change also lets viewer run ecr:DeleteRepositoryPolicy on web "
        "(and 33 more requests)" in out
    )
    assert "Task complete: every check holds, and no more access than needed." in out


def test_skip_restores_the_world_the_task_started_from(tmp_path: Path) -> None:
    out = play(scenario(tmp_path), f"{ADMIN}\nskip\n")
    assert "(Back to the world the task started from, and the solution applied.)" in out
    item = load(scenario(tmp_path))
    runner = Runner.start(build_world(item.scenario, item.document), item.scenario)
    for event in walk(item.scenario, runner):
        if isinstance(event, TaskSet):
            runner.run(ADMIN)
            event.attempt.apply_solution(runner)
            assert event.attempt.judge(runner).solved  # AdministratorAccess is gone again
