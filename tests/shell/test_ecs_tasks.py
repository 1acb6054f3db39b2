"""Fargate tasks pulling from ECR through the simulated terminal: what stops a task besides the network
(the execution role's trust and permissions, a missing image), and the task role as what the code gets."""

from __future__ import annotations

import json

import pytest

from ecrsim.engine.world import default_world
from ecrsim.shell import Shell

HOST = "111122223333.dkr.ecr.us-east-1.amazonaws.com"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
PULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
    "ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}  # fmt: skip


def run(shell: Shell, line: str) -> str:
    result = shell.run_line(line)
    assert result.status == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def shell() -> Shell:
    """A pushed image, a cluster, and the default VPC's first subnet, whose tasks get public IPs."""
    world = default_world()
    world.files.update({"trust.json": json.dumps(TRUST), "pull.json": json.dumps(PULL)})
    shell = Shell(world)
    run(shell, "aws ecr create-repository --repository-name web")
    run(shell, f"aws ecr get-login-password | docker login --username AWS --password-stdin {HOST}")
    run(shell, f"docker build -t {HOST}/web:v1 .")
    run(shell, f"docker push {HOST}/web:v1")
    run(shell, "aws ecs create-cluster --cluster-name app")
    return shell


def run_task(shell: Shell, *, image: str = f"{HOST}/web:v1", task_role: str | None = None) -> str:
    """Register `web` with execution role `exec` and run it in the default VPC's first subnet; its id."""
    extra = f" --task-role-arn arn:aws:iam::111122223333:role/{task_role}" if task_role else ""
    run(
        shell,
        "aws ecs register-task-definition --family web --requires-compatibilities FARGATE"
        " --network-mode awsvpc --cpu 256 --memory 512"
        f" --execution-role-arn arn:aws:iam::111122223333:role/exec{extra}"
        f" --container-definitions name=web,image={image}",
    )
    subnet = run(shell, "aws ec2 describe-subnets --query 'Subnets[0].SubnetId' --output text")
    task = run(
        shell,
        "aws ecs run-task --cluster app --task-definition web --launch-type FARGATE --network-configuration"
        f" 'awsvpcConfiguration={{subnets=[{subnet}],assignPublicIp=ENABLED}}' --query 'tasks[0].taskArn'"
        " --output text",
    )
    return task.rsplit("/", 1)[-1]


def start_task(
    shell: Shell,
    *,
    trust: str = "trust.json",
    policy: str | None = "pull.json",
    image: str = f"{HOST}/web:v1",
    task_role: str | None = None,
) -> str:
    """An execution role `exec` with `trust` and `policy`, a task of `image`, and the clock past its pull."""
    run(shell, f"aws iam create-role --role-name exec --assume-role-policy-document file://{trust}")
    if policy:
        run(
            shell,
            f"aws iam put-role-policy --role-name exec --policy-name p --policy-document file://{policy}",
        )
    task = run_task(shell, image=image, task_role=task_role)
    run(shell, "sim advance 1m")
    return task


def status(shell: Shell, task: str) -> list[str]:
    query = "tasks[0].[lastStatus,stoppedReason]"
    return run(
        shell, f"aws ecs describe-tasks --cluster app --tasks {task} --query '{query}' --output text"
    ).split("\t")


def test_a_public_subnet_with_a_public_ip_runs_the_task(shell: Shell) -> None:
    assert status(shell, start_task(shell))[0] == "RUNNING"


def test_an_execution_role_ecs_cannot_assume_stops_the_task(shell: Shell) -> None:
    shell.world.files["nobody.json"] = json.dumps(
        {**TRUST, "Statement": [{**TRUST["Statement"][0], "Principal": {"Service": "lambda.amazonaws.com"}}]}
    )
    last, reason = status(shell, start_task(shell, trust="nobody.json"))
    assert last == "STOPPED"
    assert reason.startswith("ResourceInitializationError: unable to pull secrets or registry auth")
    assert "unable to assume the task execution role arn:aws:iam::111122223333:role/exec" in reason


def test_an_execution_role_without_ecr_permissions_cannot_fetch_the_token(shell: Shell) -> None:
    last, reason = status(shell, start_task(shell, policy=None))
    assert last == "STOPPED"
    assert "unable to retrieve ecr registry auth" in reason
    assert "AccessDeniedException" in reason and "ecr:GetAuthorizationToken" in reason


def test_an_image_in_another_region_is_pulled_from_that_regions_hosts_and_billed_across_regions(
    shell: Shell,
) -> None:
    """The image's Region, not the task's, decides the hosts; the layers cost inter-Region transfer."""
    europe = "111122223333.dkr.ecr.eu-west-1.amazonaws.com"
    run(shell, "aws ecr create-repository --repository-name web --region eu-west-1")
    run(
        shell,
        f"aws ecr get-login-password --region eu-west-1 | docker login -u AWS --password-stdin {europe}",
    )
    run(shell, f"docker tag {HOST}/web:v1 {europe}/web:v1")
    run(shell, f"docker push {europe}/web:v1")
    task = start_task(shell, image=f"{europe}/web:v1")
    assert status(shell, task)[0] == "RUNNING"
    steps = "\n".join(explain(shell))
    assert "api.ecr.eu-west-1.amazonaws.com: reachable" in steps
    assert "ALLOWED: ecr:BatchGetImage on arn:aws:ecr:eu-west-1:111122223333:repository/web" in steps
    assert "Data transfer between Regions" in run(shell, "sim bill")


def test_a_missing_tag_is_not_found(shell: Shell) -> None:
    last, reason = status(shell, start_task(shell, image=f"{HOST}/web:v9"))
    assert (last, reason) == (
        "STOPPED",
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref"
        f" {HOST}/web:v9: {HOST}/web:v9: not found",
    )


def test_the_task_role_is_what_the_container_code_acts_as(shell: Shell) -> None:
    run(shell, "aws iam create-role --role-name app --assume-role-policy-document file://trust.json")
    task = start_task(shell, task_role="app")
    assert status(shell, task)[0] == "RUNNING"
    run(shell, f"sim as {task}")
    caller = run(shell, "aws sts get-caller-identity --query Arn --output text")
    assert caller == f"arn:aws:sts::111122223333:assumed-role/app/{task}"


def test_the_pull_happens_when_the_clock_reaches_it(shell: Shell) -> None:
    """A policy fixed before the pull counts: the task is decided at its pull, not at RunTask."""
    run(shell, "aws iam create-role --role-name exec --assume-role-policy-document file://trust.json")
    task = run_task(shell)
    assert status(shell, task)[0] == "PROVISIONING"
    run(shell, "aws iam put-role-policy --role-name exec --policy-name p --policy-document file://pull.json")
    run(shell, "sim advance 30s")
    assert status(shell, task)[0] == "PENDING"
    run(shell, "sim advance 30s")
    assert status(shell, task)[0] == "RUNNING"


def explain(shell: Shell) -> list[str]:
    return run(shell, "sim explain").splitlines()


def test_sim_explain_after_describe_tasks_says_which_call_the_execution_role_was_denied(shell: Shell) -> None:
    task = start_task(shell, policy=None)
    status(shell, task)
    lines = explain(shell)
    assert lines[0] == f"STOPPED: task {task}: ecr:GetAuthorizationToken was refused"
    stripped = [text.strip() for text in lines]
    assert "DENIED (implicit): ecr:GetAuthorizationToken on * (no_allow)" in stripped  # the step, in summary
    assert "DENIED (implicit): ecr:GetAuthorizationToken on *" in stripped  # and the refusal in full
    assert "rule:   no_allow" in stripped
    assert f"caller: arn:aws:sts::111122223333:assumed-role/exec/{task}" in "\n".join(lines)


def test_a_stopped_task_is_explained_by_every_later_describe_tasks(shell: Shell) -> None:
    """The pull happened in an earlier command; describing the task again still says why it stopped."""
    task = start_task(shell, image=f"{HOST}/web:v9")
    status(shell, task)
    run(shell, "aws ecr describe-repositories")
    status(shell, task)
    lines = explain(shell)
    assert lines[0] == f"STOPPED: task {task}: the image {HOST}/web:v9 does not exist"
    assert "ecr:GetAuthorizationToken" in "\n".join(lines)


def test_a_running_task_is_explained_in_summary_after_the_describe_decision(shell: Shell) -> None:
    task = start_task(shell)
    status(shell, task)
    text = "\n".join(explain(shell))
    assert text.startswith("ALLOWED: ecs:DescribeTasks")
    assert (
        f"RUNNING: task {task} pulled its images as arn:aws:sts::111122223333:assumed-role/exec/{task}"
        in text
    )
    assert "request context: aws:SourceIp=192.0.2.10" in text


def test_a_fix_after_the_pull_moment_does_not_revive_a_task_nobody_looked_at(shell: Shell) -> None:
    """The pull happens when the clock passes its moment, not when describe-tasks first looks."""
    task = start_task(shell, policy=None)
    run(shell, "aws iam put-role-policy --role-name exec --policy-name p --policy-document file://pull.json")
    assert status(shell, task)[0] == "STOPPED"
