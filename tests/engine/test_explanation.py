"""Explanations of the last command: its own outcomes only, the decisive one first."""

from __future__ import annotations

import pytest

from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import NOTHING_DECIDED, NOTHING_YET, LineKind, explain_last_command, render
from ecrsim.engine.world import DEFAULT_REGION, default_world


def test_a_command_that_asks_aws_nothing_never_shows_an_earlier_decision() -> None:
    world = default_world()
    assert render(explain_last_command(world)) == NOTHING_YET
    world.begin_command("aws ecr create-repository --repository-name web")
    world.call("ecr", "CreateRepository", {"repositoryName": "web"}, profile="admin", region=DEFAULT_REGION)
    assert explain_last_command(world)[0].text.startswith("ALLOWED: ecr:CreateRepository")
    world.begin_command("docker images")
    assert render(explain_last_command(world)) == NOTHING_DECIDED


def test_the_refusal_comes_first_and_the_allow_before_it_follows_in_summary() -> None:
    world = default_world()
    world.call("ecr", "CreateRepository", {"repositoryName": "web"}, profile="admin", region=DEFAULT_REGION)
    world.begin_command("aws ecr set-repository-policy ...")
    policy = '{"Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}'
    with pytest.raises(ServiceError):
        world.call(
            "ecr",
            "SetRepositoryPolicy",
            {"repositoryName": "web", "policyText": policy},
            profile="admin",
            region=DEFAULT_REGION,
        )
    lines = explain_last_command(world)
    assert lines[0].kind is LineKind.VERDICT and lines[0].matched is False
    assert "InvalidParameterException" in lines[0].text
    validation = [entry.text for entry in lines if entry.kind is LineKind.VALIDATION]
    assert "ECR refused the policy document: Missing required field Principal" in validation
    assert lines[-1].plain() == (
        "  ALLOWED: ecr:SetRepositoryPolicy on arn:aws:ecr:us-east-1:111122223333:repository/web"
        " (identity_allow)"
    )


def test_a_statement_line_is_marked_and_a_hint_labelled_only_when_printed() -> None:
    world = default_world()
    world.begin_command("aws ecr describe-repositories")
    world.call("ecr", "DescribeRepositories", {}, profile="admin", region=DEFAULT_REGION)
    statement = next(entry for entry in explain_last_command(world) if entry.kind is LineKind.STATEMENT)
    assert statement.matched is True and not statement.text.startswith("[x]")
    assert statement.plain().startswith("  [x] #0 Allow:")


def test_a_push_reads_one_line_per_layer_call_counted_not_one_per_layer() -> None:
    world = default_world()
    repository = {"repositoryName": "web"}
    world.call("ecr", "CreateRepository", repository, profile="admin", region=DEFAULT_REGION)
    world.begin_command("docker push ...")
    for part in range(3):
        upload = world.call("ecr", "InitiateLayerUpload", repository, profile="admin", region=DEFAULT_REGION)
        blob = f"layer {part}".encode()
        part_params = {"uploadId": upload["uploadId"], "partFirstByte": 0, "partLastByte": len(blob) - 1}
        part_params |= {**repository, "layerPartBlob": blob}
        world.call("ecr", "UploadLayerPart", part_params, profile="admin", region=DEFAULT_REGION)
    world.call("ecr", "DescribeRepositories", {}, profile="admin", region=DEFAULT_REGION)
    others = render(explain_last_command(world)).split("Also in this command, in order:\n")[1]
    resource = "arn:aws:ecr:us-east-1:111122223333:repository/web (identity_allow)"
    assert others.splitlines() == [
        f"  ALLOWED: ecr:InitiateLayerUpload on {resource} (3 times)",
        f"  ALLOWED: ecr:UploadLayerPart on {resource} (3 times)",
    ]
