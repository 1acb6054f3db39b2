"""`sim as lambda.amazonaws.com`: acting as a service principal, whose access the repository policy alone
decides, and which pulls with its own credentials rather than a docker login."""

from __future__ import annotations

import json

import pytest

from ecrsim.engine.world import default_world
from ecrsim.shell import Shell

HOST = "111122223333.dkr.ecr.us-east-1.amazonaws.com"
IMAGE = f"{HOST}/fn/app:v1"
LAMBDA_PULL = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Condition": {
                "StringLike": {"aws:SourceArn": "arn:aws:lambda:us-east-1:111122223333:function:*"}
            },
        }
    ],
}


@pytest.fixture
def shell() -> Shell:
    """A pushed image fn/app:v1, the learner logged in, and no local copy of the pushed reference."""
    shell = Shell(default_world())
    for line in (
        "aws ecr create-repository --repository-name fn/app",
        "docker build -t fn/app:v1 .",
        f"docker tag fn/app:v1 {IMAGE}",
        f"aws ecr get-login-password | docker login --username AWS --password-stdin {HOST}",
        f"docker push {IMAGE}",
        f"docker rmi {IMAGE}",
    ):
        assert shell.run_line(line).status == 0, line
    shell.world.files["lambda-pull.json"] = json.dumps(LAMBDA_PULL)
    return shell


def allow_lambda(shell: Shell) -> None:
    line = "aws ecr set-repository-policy --repository-name fn/app --policy-text file://lambda-pull.json"
    assert shell.run_line(line).status == 0


def test_a_service_pulls_with_no_login_when_the_repository_policy_allows_it(shell: Shell) -> None:
    allow_lambda(shell)
    shell.run_line("sim as lambda.amazonaws.com")
    shell.run_line("sim context aws:SourceArn=arn:aws:lambda:us-east-1:111122223333:function:thumbs")
    pulled = shell.run_line(f"docker pull {IMAGE}")
    assert pulled.status == 0 and pulled.stdout.endswith(f"Downloaded newer image for {IMAGE}\n{IMAGE}\n")
    assert shell.world.events[-1].principal_arn == "lambda.amazonaws.com"
    # The service pulled onto its own machine: the learner's images and login are as they were.
    assert IMAGE not in shell.world.docker.refs and HOST in shell.world.docker.credentials


def test_without_a_statement_for_it_or_from_another_account_the_service_is_denied(shell: Shell) -> None:
    shell.run_line("sim as lambda.amazonaws.com")
    denied = shell.run_line(f"docker pull {IMAGE}")
    assert (denied.status, denied.error_code) == (1, "DENIED")
    assert "User: lambda.amazonaws.com is not authorized to perform: ecr:BatchGetImage" in denied.stderr
    assert "lambda.amazonaws.com" in shell.run_line("sim explain").stdout
    shell.run_line("sim as admin")
    allow_lambda(shell)
    shell.run_line("sim as lambda.amazonaws.com")
    shell.run_line("sim context aws:SourceArn=arn:aws:lambda:us-east-1:444455556666:function:copycat")
    assert shell.run_line(f"docker pull {IMAGE}").error_code == "DENIED"  # the confused deputy, refused


def test_aws_calls_are_signed_as_the_service_and_must_name_the_registry(shell: Shell) -> None:
    allow_lambda(shell)
    shell.run_line("sim as lambda.amazonaws.com")
    shell.run_line("sim context aws:SourceArn=arn:aws:lambda:us-east-1:111122223333:function:thumbs")
    get = "aws ecr batch-get-image --repository-name fn/app --image-ids imageTag=v1 --query images[0].imageId"
    assert shell.run_line(get).error_code == "InvalidParameterException"
    assert '"imageTag": "v1"' in shell.run_line(f"{get} --registry-id 111122223333").stdout
    token = shell.run_line("aws ecr get-login-password")  # no identity policy: a service gets no token
    assert token.error_code == "AccessDeniedException"


def test_a_service_does_not_log_in_or_push_and_ecs_tasks_pull_as_their_role(shell: Shell) -> None:
    shell.run_line("sim as lambda.amazonaws.com")
    for line in (f"docker push {IMAGE}", f"docker logout {HOST}", f"docker login -u AWS -p x {HOST}"):
        refused = shell.run_line(line)
        assert (refused.status, refused.error_code) == (1, "NOT_SIMULATED"), line
    assert HOST in shell.world.docker.credentials
    ecs = shell.run_line("sim as ecs-tasks.amazonaws.com")
    assert ecs.status == 1 and "task execution role" in ecs.stderr
    assert shell.profile == "lambda.amazonaws.com"


def test_help_and_completion_offer_the_service_principals(shell: Shell) -> None:
    assert "docker pull pulls as the service with no login" in shell.run_line("help sim").stdout
    assert shell.completions("sim as lam") == ["lambda.amazonaws.com"]
