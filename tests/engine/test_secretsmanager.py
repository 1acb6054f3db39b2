"""The Secrets Manager calls a pull through cache rule needs: create, describe, delete."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ecrsim.engine.errors import ServiceError
from ecrsim.engine.identity import add_user
from ecrsim.engine.world import World, default_world


def sm(world: World, operation: str, profile: str = "admin", **params: object) -> dict:
    return world.call("secretsmanager", operation, params, profile=profile, region="us-east-1")


def test_create_describe_delete() -> None:
    world = default_world()
    created = sm(world, "CreateSecret", Name="ecr-pullthroughcache/hub", SecretString="{}")
    assert created["ARN"].startswith(
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:ecr-pullthroughcache/hub-"
    )
    assert len(created["ARN"].rsplit("-", 1)[1]) == 6
    # by name, by full ARN, by ARN without the suffix Secrets Manager added
    for secret_id in ("ecr-pullthroughcache/hub", created["ARN"], created["ARN"][:-7]):
        assert sm(world, "DescribeSecret", SecretId=secret_id)["Name"] == "ecr-pullthroughcache/hub"
    with pytest.raises(ServiceError) as caught:
        sm(world, "CreateSecret", Name="ecr-pullthroughcache/hub", SecretString="{}")
    assert caught.value.code == "ResourceExistsException"
    deleted = sm(world, "DeleteSecret", SecretId="ecr-pullthroughcache/hub")
    assert deleted["DeletionDate"] == world.clock.now + timedelta(days=30)
    assert "DeletedDate" in sm(world, "DescribeSecret", SecretId="ecr-pullthroughcache/hub")
    sm(world, "DeleteSecret", SecretId="ecr-pullthroughcache/hub", ForceDeleteWithoutRecovery=True)
    with pytest.raises(ServiceError) as caught:
        sm(world, "DescribeSecret", SecretId="ecr-pullthroughcache/hub")
    assert (caught.value.code, caught.value.message) == (
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret.",
    )


def test_creating_a_secret_is_authorized() -> None:
    world = default_world()
    add_user(world, "111122223333", "nobody")
    with pytest.raises(ServiceError) as caught:
        sm(world, "CreateSecret", "nobody", Name="ecr-pullthroughcache/hub", SecretString="{}")
    assert caught.value.code == "AccessDeniedException"
    assert "secretsmanager:CreateSecret" in caught.value.message
