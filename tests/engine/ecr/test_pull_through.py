"""Pull through cache rules: AWS's rules for creating them, and what a pull through one does."""

from __future__ import annotations

import json

import pytest

from ecrsim.engine import docker
from ecrsim.engine.errors import DockerError, ServiceError
from ecrsim.engine.explanation import decision_lines, explain_last_command, render
from ecrsim.engine.identity import add_user
from ecrsim.engine.world import World

from .helpers import HOST_A, REGION, A, ecr, password

CREDENTIALS = json.dumps({"username": "learner", "accessToken": "dckr_pat_example"})
NGINX = f"{HOST_A}/docker-hub/library/nginx:latest"


def secret(world: World, name: str = "ecr-pullthroughcache/docker-hub", value: str = CREDENTIALS) -> str:
    created = world.call(
        "secretsmanager",
        "CreateSecret",
        {"Name": name, "SecretString": value},
        profile="admin",
        region=REGION,
    )
    return str(created["ARN"])


def docker_hub_rule(world: World) -> dict:
    return ecr(
        world,
        "CreatePullThroughCacheRule",
        ecrRepositoryPrefix="docker-hub",
        upstreamRegistryUrl="registry-1.docker.io",
        credentialArn=secret(world),
    )


def refused(world: World, operation: str, **params: object) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        ecr(world, operation, **params)
    return caught.value


def pull_as(world: World, profile: str, ref: str) -> list[str]:
    world.begin_command(f"docker pull {ref}")
    docker.docker_login(world, HOST_A, "AWS", password(world, profile))
    return docker.docker_pull(world, ref)


def test_upstreams_that_need_credentials_refuse_a_rule_without_them(world: World) -> None:
    for url in ("registry-1.docker.io", "ghcr.io", "registry.gitlab.com", "contoso.azurecr.io"):
        error = refused(
            world, "CreatePullThroughCacheRule", ecrRepositoryPrefix="up", upstreamRegistryUrl=url
        )
        assert error.code == "UnsupportedUpstreamRegistryException"
        assert error.message.startswith("The specified upstream registry requires authentication.")
    for url, name in (("public.ecr.aws", "ecr-public"), ("quay.io", "quay"), ("registry.k8s.io", "k8s")):
        rule = ecr(world, "CreatePullThroughCacheRule", ecrRepositoryPrefix=name, upstreamRegistryUrl=url)
        assert rule["upstreamRegistry"] == name and "credentialArn" not in rule


def test_rule_validation(world: World) -> None:
    unknown = refused(
        world, "CreatePullThroughCacheRule", ecrRepositoryPrefix="x1", upstreamRegistryUrl="example.com"
    )
    assert unknown.code == "UnsupportedUpstreamRegistryException"
    missing_secret = refused(
        world,
        "CreatePullThroughCacheRule",
        ecrRepositoryPrefix="hub",
        upstreamRegistryUrl="registry-1.docker.io",
        credentialArn=f"arn:aws:secretsmanager:{REGION}:{A}:secret:ecr-pullthroughcache/none",
    )
    assert missing_secret.code == "SecretNotFoundException"
    docker_hub_rule(world)
    again = refused(
        world, "CreatePullThroughCacheRule", ecrRepositoryPrefix="docker-hub/", upstreamRegistryUrl="quay.io"
    )
    assert again.code == "PullThroughCacheRuleAlreadyExistsException"
    assert "prefix 'docker-hub' already exists" in again.message
    cross = refused(
        world,
        "CreatePullThroughCacheRule",
        ecrRepositoryPrefix="other",
        upstreamRegistryUrl="444455556666.dkr.ecr.us-west-2.amazonaws.com",
    )
    assert cross.code == "InvalidParameterException" and "customRoleArn" in cross.message


def test_describe_update_delete_validate(world: World) -> None:
    docker_hub_rule(world)
    listed = ecr(world, "DescribePullThroughCacheRules")["pullThroughCacheRules"]
    assert [rule["ecrRepositoryPrefix"] for rule in listed] == ["docker-hub"]
    assert ecr(world, "ValidatePullThroughCacheRule", ecrRepositoryPrefix="docker-hub")["isValid"] is True
    broken = secret(world, "ecr-pullthroughcache/broken", "not json")
    updated = ecr(world, "UpdatePullThroughCacheRule", ecrRepositoryPrefix="docker-hub", credentialArn=broken)
    assert updated["credentialArn"] == broken and updated["updatedAt"] == world.clock.now
    validated = ecr(world, "ValidatePullThroughCacheRule", ecrRepositoryPrefix="docker-hub")
    assert validated["isValid"] is False and "does not hold the JSON" in validated["failure"]
    ecr(world, "DeletePullThroughCacheRule", ecrRepositoryPrefix="docker-hub")
    gone = refused(world, "DescribePullThroughCacheRules", ecrRepositoryPrefixes=["docker-hub"])
    assert gone.code == "PullThroughCacheRuleNotFoundException"


def test_first_pull_creates_the_repository_and_later_pulls_are_served_from_the_cache(world: World) -> None:
    docker_hub_rule(world)
    printed = pull_as(world, "admin", NGINX)
    assert printed[-1] == NGINX
    repository = world.account(A).registry(REGION).repositories["docker-hub/library/nginx"]
    assert repository.image_tags["latest"] in repository.images
    assert "imported registry-1.docker.io/library/nginx:latest" in render(explain_last_command(world))
    world.advance("23h")
    pull_as(world, "admin", NGINX)
    explained = render(explain_last_command(world))
    assert "served from the cache" in explained
    assert not [
        e for e in world.events if e.command == world.command and e.operation == "BatchImportUpstreamImage"
    ]
    world.advance("2h")
    pull_as(world, "admin", NGINX)
    checks = [
        e for e in world.events if e.command == world.command and e.operation == "BatchImportUpstreamImage"
    ]
    assert len(checks) == 1 and "unchanged since it was cached" in render(checks[0].outcomes)


def test_the_first_pull_needs_create_repository_and_import(world: World) -> None:
    """PullOnly grants ecr:BatchImportUpstreamImage but not ecr:CreateRepository: the first pull of an
    image finds no repository; once one exists, the same user pulls new tags through the cache."""
    add_user(world, A, "puller", managed=["AmazonEC2ContainerRegistryPullOnly"])
    docker_hub_rule(world)
    with pytest.raises(DockerError) as caught:
        pull_as(world, "puller", NGINX)
    assert caught.value.code == "NAME_UNKNOWN"
    assert "The repository with name 'docker-hub/library/nginx' does not exist" in caught.value.text
    explained = render(explain_last_command(world))
    assert "DENIED (implicit): ecr:CreateRepository" in explained
    assert "needs ecr:CreateRepository and ecr:BatchImportUpstreamImage" in explained
    ecr(world, "CreateRepository", repositoryName="docker-hub/library/nginx")
    assert pull_as(world, "puller", NGINX)[-1] == NGINX


def test_a_reader_without_import_cannot_bring_a_new_tag(world: World) -> None:
    docker_hub_rule(world)
    pull_as(world, "admin", NGINX)
    with pytest.raises(DockerError) as caught:
        pull_as(world, "reader", f"{HOST_A}/docker-hub/library/nginx:alpine")
    assert caught.value.code == "MANIFEST_UNKNOWN"
    # the tag already cached is still served to the reader
    assert pull_as(world, "reader", NGINX)[-1] == NGINX


def test_a_deleted_secret_fails_the_import_as_the_upstream_refusing_authentication(world: World) -> None:
    docker_hub_rule(world)
    world.call(
        "secretsmanager",
        "DeleteSecret",
        {"SecretId": "ecr-pullthroughcache/docker-hub", "ForceDeleteWithoutRecovery": True},
        profile="admin",
        region=REGION,
    )
    with pytest.raises(DockerError) as caught:
        pull_as(world, "admin", NGINX)
    assert caught.value.code == "DENIED"
    assert "denied: The authentication to the upstream registry failed." in caught.value.text
    assert "could not be found" in render(explain_last_command(world))


def test_other_upstreams_and_ecr_to_ecr(world: World) -> None:
    ecr(world, "CreatePullThroughCacheRule", ecrRepositoryPrefix="k8s", upstreamRegistryUrl="registry.k8s.io")
    assert pull_as(world, "admin", f"{HOST_A}/k8s/pause:3.10")[-1].endswith("k8s/pause:3.10")
    ecr(world, "CreateRepository", repositoryName="team/app", region="us-west-2")
    docker.docker_login(
        world, HOST_A.replace(REGION, "us-west-2"), "AWS", password(world, "admin", "us-west-2")
    )
    docker.docker_build(world, f"{HOST_A.replace(REGION, 'us-west-2')}/team/app:v1")
    docker.docker_push(world, f"{HOST_A.replace(REGION, 'us-west-2')}/team/app:v1")
    ecr(
        world,
        "CreatePullThroughCacheRule",
        ecrRepositoryPrefix="west",
        upstreamRegistryUrl=f"{A}.dkr.ecr.us-west-2.amazonaws.com",
    )
    assert pull_as(world, "admin", f"{HOST_A}/west/team/app:v1")[-1] == f"{HOST_A}/west/team/app:v1"


def test_the_registry_policy_can_grant_the_first_pull(world: World) -> None:
    """ecr:CreateRepository "can be granted by either an identity-based IAM policy or the private registry
    permissions policy" (pull-through-cache-iam): a registry policy for puller's first pull."""
    add_user(world, A, "puller", managed=["AmazonEC2ContainerRegistryPullOnly"])
    docker_hub_rule(world)
    statement = {
        "Sid": "PullThroughCacheCreate",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{A}:user/puller"},
        "Action": ["ecr:CreateRepository", "ecr:BatchImportUpstreamImage"],
        "Resource": f"arn:aws:ecr:{REGION}:{A}:repository/docker-hub/*",
    }
    ecr(
        world, "PutRegistryPolicy", policyText=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )
    assert pull_as(world, "puller", NGINX)[-1] == NGINX
    imports = [event for event in world.events if event.operation == "BatchImportUpstreamImage"]
    explained = render(line for decision in imports[-1].decisions for line in decision_lines(decision))
    assert '"PullThroughCacheCreate" Allow' in explained and "Registry policy" in explained


def test_a_creation_template_for_pull_through_cache_shapes_the_new_repository(world: World) -> None:
    docker_hub_rule(world)
    ecr(
        world,
        "CreateRepositoryCreationTemplate",
        prefix="docker-hub",
        appliedFor=["PULL_THROUGH_CACHE"],
        encryptionConfiguration={"encryptionType": "KMS"},
        resourceTags=[{"Key": "source", "Value": "docker-hub"}],
    )
    pull_as(world, "admin", NGINX)
    created = ecr(world, "DescribeRepositories", repositoryNames=["docker-hub/library/nginx"])[
        "repositories"
    ][0]
    assert created["encryptionConfiguration"]["encryptionType"] == "KMS"
    assert "creation template 'docker-hub'" in render(explain_last_command(world))
    # tagging on creation needs ecr:TagResource from an identity policy, which this puller lacks
    create_only = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "ecr:CreateRepository", "Resource": "*"}],
        }
    )
    add_user(
        world, A, "puller", managed=["AmazonEC2ContainerRegistryPullOnly"], inline={"create": create_only}
    )
    with pytest.raises(DockerError) as caught:
        pull_as(world, "puller", f"{HOST_A}/docker-hub/library/busybox:latest")
    assert caught.value.code == "NAME_UNKNOWN"
    assert "ecr:TagResource" in render(explain_last_command(world))
