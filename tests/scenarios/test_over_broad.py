"""Over-broad answers to the pack's access tasks are refused through `ecrsim play --answers`, and the
reference solutions are accepted (issue 11: an open door must never be graded as right)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ecrsim.cli import main
from ecrsim.scenarios import model
from ecrsim.scenarios.pack import find_scenario, load

LOGIN = (
    "aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin "
    "111122223333.dkr.ecr.us-east-1.amazonaws.com"
)
REGISTRY = "111122223333.dkr.ecr.us-east-1.amazonaws.com"
OPEN_REPOSITORY = (
    '\'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:*"}]}\''
)
ECR_STAR = (
    '\'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}\''
)
EXPIRE_ANY = (
    '\'{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "sinceImagePushed", '
    '"countUnit": "days", "countNumber": 14}, "action": {"type": "expire"}}]}\''
)

# scenario id -> (what the over-broad answer is, the commands a learner types for its first task)
OVER_BROAD = {
    "principal-required": (
        'Principal "*" with ecr:*',
        [f"aws ecr set-repository-policy --repository-name audit/tools --policy-text {OPEN_REPOSITORY}"],
    ),
    "ci-push-cross-account": (
        'Principal "*" with ecr:*',
        [
            "aws ecr set-repository-policy --profile admin --repository-name apps/checkout "
            f"--policy-text {OPEN_REPOSITORY}",
            f"docker push {REGISTRY}/apps/checkout:3.2.0",
        ],
    ),
    "identity-side-missing": (
        "AdministratorAccess",
        [
            "aws iam attach-user-policy --profile admin-b --user-name dev "
            "--policy-arn arn:aws:iam::aws:policy/AdministratorAccess",
            f"docker pull {REGISTRY}/shared/base:al2023",
        ],
    ),
    "group-permissions": (
        "FullAccess on the user",
        [
            "aws iam attach-user-policy --profile admin --user-name nia "
            "--policy-arn arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess",
            LOGIN,
            f"docker push {REGISTRY}/web:nia-first",
        ],
    ),
    "ci-push-one-repository": (
        "ecr:* on *",
        [
            "aws iam put-user-policy --profile admin --user-name ci-web --policy-name push "
            f"--policy-document {ECR_STAR}",
            LOGIN,
            f"docker push {REGISTRY}/web:build-9",
        ],
    ),
    "expire-untagged": (
        "tagStatus any",
        [f"aws ecr put-lifecycle-policy --repository-name web --lifecycle-policy-text {EXPIRE_ANY}"],
    ),
}


def first_task(scenario_id: str) -> model.TaskStep:
    path = find_scenario(scenario_id)
    assert path is not None
    return next(step for step in load(path).scenario.steps if isinstance(step, model.TaskStep))


def graded(scenario_id: str, commands: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({"tasks": {1: commands}}))
    main(["play", scenario_id, "--answers", str(answers), "--report", "json"])
    return json.loads(capsys.readouterr().out)["tasks"][0]


@pytest.mark.parametrize("scenario_id", sorted(OVER_BROAD))
def test_an_over_broad_answer_is_refused(
    scenario_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    what, commands = OVER_BROAD[scenario_id]
    task = graded(scenario_id, commands, tmp_path, capsys)
    assert all(command["status"] == 0 for command in task["commands"]), (what, task["commands"])
    assert task["solved"] is False, what
    # what the answer opened is named: a refusal that did not hold, or the least-privilege verdict
    assert any(
        "must stay refused" in line or "also lets" in line or "release-0" in line
        for line in task["failed_checks"]
    ), (what, task["failed_checks"])


def test_an_answer_that_passes_every_check_but_opens_more_is_refused_by_the_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    push_too = (
        '\'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": '
        '"arn:aws:iam::111122223333:user/viewer"}, '
        '"Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload"]}]}\''
    )
    task = graded(
        "principal-required",
        [f"aws ecr set-repository-policy --repository-name audit/tools --policy-text {push_too}"],
        tmp_path,
        capsys,
    )
    assert task["solved"] is False
    assert any(
        "also lets viewer run ecr:InitiateLayerUpload on audit/tools" in line
        for line in task["failed_checks"]
    )


@pytest.mark.parametrize("scenario_id", sorted(OVER_BROAD))
def test_the_reference_solution_is_accepted(
    scenario_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    solution = [command.run for command in first_task(scenario_id).solution]
    task = graded(scenario_id, solution, tmp_path, capsys)
    assert task["solved"] is True, task
