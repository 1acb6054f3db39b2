"""Private image replication: the configuration, what a push starts, and what lands when the clock passes."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import explain_last_command, render
from ecrsim.engine.world import World

from .helpers import REGION, A, B, ecr, push

WEST = "us-west-2"


def replicate(world: World, *destinations: tuple[str, str], prefixes: tuple[str, ...] = ()) -> dict:
    rule: dict = {
        "destinations": [{"region": region, "registryId": registry} for region, registry in destinations]
    }
    if prefixes:
        rule["repositoryFilters"] = [{"filter": prefix, "filterType": "PREFIX_MATCH"} for prefix in prefixes]
    return ecr(world, "PutReplicationConfiguration", replicationConfiguration={"rules": [rule]})


def statuses(world: World, repository: str, tag: str) -> list[dict]:
    answer = ecr(
        world, "DescribeImageReplicationStatus", repositoryName=repository, imageId={"imageTag": tag}
    )
    return answer["replicationStatuses"]


def tags_in(world: World, repository: str, profile: str = "admin", region: str = WEST) -> list[list[str]]:
    details = ecr(world, "DescribeImages", profile, region, repositoryName=repository)["imageDetails"]
    return [detail.get("imageTags", []) for detail in details]


def allow_replication(
    world: World, actions: list[str], resource: str = f"arn:aws:ecr:{WEST}:{B}:repository/*"
) -> None:
    statement = {
        "Sid": "FromA",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
        "Action": actions,
        "Resource": resource,
    }
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    ecr(world, "PutRegistryPolicy", "bobadmin", WEST, policyText=policy)


def explained(world: World, step: Callable[[], object]) -> str:
    """What `sim explain` says after `step`, run as one command."""
    world.begin_command("step")
    step()
    return render(explain_last_command(world))


@pytest.fixture
def web(world: World) -> World:
    ecr(world, "CreateRepository", repositoryName="web")
    return world


def test_only_pushes_after_the_rule_are_copied_and_they_land_after_the_delay(web: World) -> None:
    push(web, "web", "old")
    answer = replicate(web, (WEST, A))
    assert answer["replicationConfiguration"]["rules"][0]["destinations"] == [
        {"region": WEST, "registryId": A}
    ]
    assert "1 image(s) already in the repositories these rules select are not copied" in render(
        web.events[-1].outcomes
    )
    assert ecr(web, "DescribeRegistry")["replicationConfiguration"] == answer["replicationConfiguration"]
    push(web, "web", "new")
    assert statuses(web, "web", "new") == [{"region": WEST, "registryId": A, "status": "IN_PROGRESS"}]
    assert statuses(web, "web", "old") == []
    assert web.advance("14m") == []
    assert web.advance("1m") == [f"replication of web:new to {A} {WEST} completed"]
    assert statuses(web, "web", "new")[0]["status"] == "COMPLETE"
    assert tags_in(web, "web") == [["new"]]


def test_a_replica_repository_gets_aws_defaults_not_the_source_settings(web: World) -> None:
    ecr(web, "PutImageTagMutability", repositoryName="web", imageTagMutability="IMMUTABLE")
    ecr(
        web,
        "SetRepositoryPolicy",
        repositoryName="web",
        policyText=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": B}, "Action": "ecr:BatchGetImage"}],
            }
        ),
    )
    replicate(web, (WEST, A))
    push(web, "web", "v1")
    said = explained(web, lambda: web.advance("15m"))
    replica = ecr(web, "DescribeRepositories", region=WEST)["repositories"][0]
    assert (replica["repositoryName"], replica["imageTagMutability"]) == ("web", "MUTABLE")
    with pytest.raises(ServiceError) as caught:
        ecr(web, "GetRepositoryPolicy", region=WEST, repositoryName="web")
    assert caught.value.code == "RepositoryPolicyNotFoundException"
    assert "with AWS's defaults" in said


def test_prefix_filters_select_repositories_by_the_start_of_their_name(world: World) -> None:
    for name in ("prod/web", "production", "staging/web"):
        ecr(world, "CreateRepository", repositoryName=name)
    replicate(world, (WEST, A), prefixes=("prod",))
    push(world, "prod/web", "v1")
    push(world, "production", "v1")
    said = explained(world, lambda: push(world, "staging/web", "v1"))
    assert "no replication rule of registry 111122223333 (us-east-1) selects staging/web" in said
    world.advance("15m")
    names = [r["repositoryName"] for r in ecr(world, "DescribeRepositories", region=WEST)["repositories"]]
    assert names == ["prod/web", "production"]


def test_cross_account_fails_until_the_destination_registry_policy_allows_it(web: World) -> None:
    replicate(web, (WEST, B))
    said = explained(web, lambda: push(web, "web", "v1"))
    assert statuses(web, "web", "v1") == [
        {"region": WEST, "registryId": B, "status": "FAILED", "failureCode": "ACCESS_DENIED"}
    ]
    assert said.startswith(f"DENIED (implicit): ecr:ReplicateImage on arn:aws:ecr:{WEST}:{B}:repository/web")
    assert f"caller: arn:aws:iam::{A}:root" in said
    assert f"replication of web:v1 to {B} {WEST} FAILED" in said
    web.advance("1h")  # a failed replication is not retried
    assert ecr(web, "DescribeRepositories", "bob", WEST)["repositories"] == []

    allow_replication(web, ["ecr:ReplicateImage"])  # not enough: the repository does not exist there
    said = explained(web, lambda: push(web, "web", "v2"))
    assert "DENIED (implicit): ecr:CreateRepository" in said
    assert "does not exist in" in said

    allow_replication(web, ["ecr:ReplicateImage", "ecr:CreateRepository"])
    said = explained(web, lambda: push(web, "web", "v3"))
    assert said.startswith("ALLOWED: ecr:CreateRepository")
    assert "Registry policy:" in said
    web.advance("15m")
    assert statuses(web, "web", "v3")[0]["status"] == "COMPLETE"
    assert tags_in(web, "web", "bob") == [["v3"]]  # v1 and v2 never arrive


def test_a_creation_template_applied_for_replication_shapes_the_replica_repository(web: World) -> None:
    allow_replication(web, ["ecr:ReplicateImage", "ecr:CreateRepository"])
    pull = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Pull", "Effect": "Allow", "Principal": {"AWS": B}, "Action": "ecr:BatchGetImage"}
            ],
        }
    )
    ecr(
        web,
        "CreateRepositoryCreationTemplate",
        "bobadmin",
        WEST,
        prefix="ROOT",
        appliedFor=["REPLICATION"],
        repositoryPolicy=pull,
    )
    replicate(web, (WEST, B))
    push(web, "web", "v1")
    assert "creation template 'ROOT'" in explained(web, lambda: web.advance("15m"))
    assert (
        '"Sid" : "Pull"'
        in ecr(web, "GetRepositoryPolicy", "bobadmin", WEST, repositoryName="web")["policyText"]
    )


def test_replication_is_not_transitive(web: World) -> None:
    replicate(web, (WEST, A))
    ecr(
        web,
        "PutReplicationConfiguration",
        region=WEST,
        replicationConfiguration={"rules": [{"destinations": [{"region": "eu-west-1", "registryId": A}]}]},
    )
    push(web, "web", "v1")
    assert "not transitive" in explained(web, lambda: web.advance("1h"))
    assert ecr(web, "DescribeRepositories", region="eu-west-1")["repositories"] == []


def test_an_immutable_tag_already_on_another_image_is_left_off_the_replica(web: World) -> None:
    replicate(web, (WEST, A))
    ecr(web, "CreateRepository", region=WEST, repositoryName="web", imageTagMutability="IMMUTABLE")
    push(web, "web", "v1")
    web.advance("15m")
    push(web, "web", "v1", context="changed")
    said = explained(web, lambda: web.advance("15m"))
    assert sorted(tags_in(web, "web")) == [[], ["v1"]]
    assert "arrives without it" in said


def test_deleting_the_source_image_leaves_the_replica(web: World) -> None:
    replicate(web, (WEST, A))
    push(web, "web", "v1")
    web.advance("15m")
    ecr(web, "BatchDeleteImage", repositoryName="web", imageIds=[{"imageTag": "v1"}])
    assert tags_in(web, "web") == [["v1"]]


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            [{"destinations": [{"region": REGION, "registryId": A}]}],
            "cannot be the same as the source registry",
        ),
        ([{"destinations": [{"region": "cn-north-1", "registryId": A}]}], "not supported"),
        ([{"destinations": []}] * 11, "less than or equal to 10"),
        (
            [{"destinations": [{"region": WEST, "registryId": f"{n:012d}"} for n in range(26)]}],
            "at most 25 unique destinations",
        ),
        (
            [{"destinations": [], "repositoryFilters": [{"filter": "prod", "filterType": "WILDCARD"}]}],
            "[PREFIX_MATCH]",
        ),
    ],
)
def test_configurations_aws_refuses(world: World, rules: list, message: str) -> None:
    with pytest.raises(ServiceError) as caught:
        ecr(world, "PutReplicationConfiguration", replicationConfiguration={"rules": rules})
    assert caught.value.code == "InvalidParameterException"
    assert message in caught.value.message
