"""Repository creation templates: the API, and which template shapes a repository ECR creates itself."""

from __future__ import annotations

import json

import pytest

from ecrsim.engine.api import Call
from ecrsim.engine.ecr.templates import create_repository_on_behalf
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import render
from ecrsim.engine.world import World

from .helpers import REGION, A, ecr

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Pull", "Effect": "Allow", "Principal": {"AWS": A}, "Action": "ecr:BatchGetImage"}
        ],
    }
)
LIFECYCLE = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 1,
                },
                "action": {"type": "expire"},
            }
        ]
    }
)


def refusal(world: World, operation: str, **params: object) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        ecr(world, operation, **params)
    return caught.value


def test_create_describe_update_delete(world: World) -> None:
    made = ecr(
        world,
        "CreateRepositoryCreationTemplate",
        prefix="prod",
        appliedFor=["REPLICATION"],
        imageTagMutability="IMMUTABLE",
    )
    template = made["repositoryCreationTemplate"]
    assert (made["registryId"], template["prefix"], template["appliedFor"]) == (A, "prod", ["REPLICATION"])
    assert template["encryptionConfiguration"] == {"encryptionType": "AES256"}
    world.advance("1h")
    updated = ecr(world, "UpdateRepositoryCreationTemplate", prefix="prod", description="replicas")
    shown = updated["repositoryCreationTemplate"]
    assert (shown["description"], shown["imageTagMutability"]) == ("replicas", "IMMUTABLE")  # kept
    assert shown["updatedAt"] > shown["createdAt"]
    listed = ecr(world, "DescribeRepositoryCreationTemplates", prefixes=["prod"])[
        "repositoryCreationTemplates"
    ]
    assert [t["prefix"] for t in listed] == ["prod"]
    assert (
        ecr(world, "DeleteRepositoryCreationTemplate", prefix="prod")["repositoryCreationTemplate"]["prefix"]
        == "prod"
    )
    assert ecr(world, "DescribeRepositoryCreationTemplates")["repositoryCreationTemplates"] == []


def test_duplicates_missing_templates_and_bad_members_are_refused(world: World) -> None:
    ecr(world, "CreateRepositoryCreationTemplate", prefix="ROOT", appliedFor=["PULL_THROUGH_CACHE"])
    assert refusal(
        world, "CreateRepositoryCreationTemplate", prefix="ROOT", appliedFor=["REPLICATION"]
    ).code == ("TemplateAlreadyExistsException")
    assert (
        refusal(world, "UpdateRepositoryCreationTemplate", prefix="prod").code == "TemplateNotFoundException"
    )
    assert (
        refusal(world, "DeleteRepositoryCreationTemplate", prefix="prod").code == "TemplateNotFoundException"
    )
    assert (
        "'prefix'"
        in refusal(
            world, "CreateRepositoryCreationTemplate", prefix="Prod", appliedFor=["REPLICATION"]
        ).message
    )
    assert (
        "'appliedFor'"
        in refusal(world, "CreateRepositoryCreationTemplate", prefix="a", appliedFor=["PUSH"]).message
    )
    bad_policy = refusal(
        world,
        "CreateRepositoryCreationTemplate",
        prefix="a",
        appliedFor=["REPLICATION"],
        repositoryPolicy="{}",
    )
    assert bad_policy.message.endswith("'Invalid repository policy provided'")
    bad_lifecycle = refusal(
        world,
        "CreateRepositoryCreationTemplate",
        prefix="a",
        appliedFor=["REPLICATION"],
        lifecyclePolicy='{"rules": [{"rulePriority": 1}]}'.ljust(120),
    )
    assert "Lifecycle policy validation failure" in bad_lifecycle.message
    other_account_role = "arn:aws:iam::444455556666:role/ecr"
    assert (
        "'customRoleArn'"
        in refusal(
            world,
            "CreateRepositoryCreationTemplate",
            prefix="a",
            appliedFor=["REPLICATION"],
            customRoleArn=other_account_role,
        ).message
    )


def _create(world: World, name: str, applied_for: str = "REPLICATION") -> tuple[object, str]:
    call = Call(
        world, world.resolve(f"arn:aws:iam::{A}:root"), REGION, "ecr", "ReplicateImage", world.clock.now
    )
    repository = create_repository_on_behalf(call, world.account(A).registry(REGION), name, applied_for)  # type: ignore[arg-type]
    return repository, render(call.outcomes)


def test_the_longest_prefix_applied_for_the_case_wins_and_root_covers_the_rest(world: World) -> None:
    ecr(
        world,
        "CreateRepositoryCreationTemplate",
        prefix="ROOT",
        appliedFor=["REPLICATION"],
        resourceTags=[{"Key": "from", "Value": "root"}],
    )
    ecr(
        world,
        "CreateRepositoryCreationTemplate",
        prefix="prod",
        appliedFor=["REPLICATION"],
        imageTagMutability="IMMUTABLE",
    )
    ecr(
        world,
        "CreateRepositoryCreationTemplate",
        prefix="prod/web",
        appliedFor=["REPLICATION"],
        repositoryPolicy=POLICY,
        lifecyclePolicy=LIFECYCLE,
        encryptionConfiguration={"encryptionType": "KMS"},
    )
    web, said = _create(world, "prod/web/api")
    assert "creation template 'prod/web'" in said
    assert web.policy is not None and web.lifecycle is not None  # type: ignore[attr-defined]
    assert web.encryption.kms_key == f"arn:aws:kms:{REGION}:{A}:alias/aws/ecr"  # type: ignore[attr-defined]
    assert web.image_tag_mutability == "MUTABLE"  # type: ignore[attr-defined]
    db, said = _create(world, "prod/db")
    assert (db.image_tag_mutability, db.policy) == ("IMMUTABLE", None)  # type: ignore[attr-defined]
    other, said = _create(world, "production")  # "prod" means "prod/": production is not under it
    assert other.tags == {"from": "root"}  # type: ignore[attr-defined]
    assert "creation template 'ROOT'" in said
    assert ecr(world, "GetRepositoryPolicy", repositoryName="prod/web/api")["policyText"].startswith(
        '{\n  "Version" : '
    )


def test_without_a_template_for_the_case_the_repository_gets_aws_defaults(world: World) -> None:
    ecr(
        world,
        "CreateRepositoryCreationTemplate",
        prefix="prod",
        appliedFor=["PULL_THROUGH_CACHE"],
        imageTagMutability="IMMUTABLE",
    )
    repository, said = _create(world, "prod/web")
    assert (repository.image_tag_mutability, repository.policy, repository.lifecycle) == (
        "MUTABLE",
        None,
        None,
    )  # type: ignore[attr-defined]
    assert "AWS's defaults" in said
    assert "template prod covers the name but is not applied for REPLICATION" in said
    cached, said = _create(world, "prod/nginx", "PULL_THROUGH_CACHE")
    assert cached.image_tag_mutability == "IMMUTABLE"  # type: ignore[attr-defined]
