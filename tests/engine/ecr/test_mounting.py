"""Account settings and cross-repository blob mounts: when ECR mounts, and why it starts an upload instead."""

from __future__ import annotations

import hashlib

import pytest

from ecrsim.engine import docker
from ecrsim.engine.billing.meter import stored_gib
from ecrsim.engine.ecr.registry_calls import RegistryCalls
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import explain_last_command, render
from ecrsim.engine.world import World

from .helpers import HOST_A, REGION, A, ecr, password

BLOB = b"a shared base layer"
DIGEST = "sha256:" + hashlib.sha256(BLOB).hexdigest()


def calls(world: World, name: str, profile: str = "admin") -> RegistryCalls:
    return RegistryCalls(world, world.caller_for(profile), A, REGION, name)


def setup(world: World, **target: object) -> None:
    ecr(world, "CreateRepository", repositoryName="base")
    ecr(world, "CreateRepository", repositoryName="app", **target)
    calls(world, "base").upload(BLOB, DIGEST)


def mount(world: World, profile: str = "admin") -> str | None:
    world.begin_command("POST /v2/app/blobs/uploads/")
    return calls(world, "app", profile).mount(DIGEST, "base")


def test_blob_mounting_starts_disabled_and_is_a_setting_of_the_registry(world: World) -> None:
    assert ecr(world, "GetAccountSetting", name="BLOB_MOUNTING") == {
        "name": "BLOB_MOUNTING",
        "value": "DISABLED",
    }
    ecr(world, "PutAccountSetting", name="BLOB_MOUNTING", value="ENABLED")
    assert ecr(world, "GetAccountSetting", name="BLOB_MOUNTING")["value"] == "ENABLED"
    assert ecr(world, "GetAccountSetting", region="eu-west-1", name="BLOB_MOUNTING")["value"] == "DISABLED"
    with pytest.raises(ServiceError) as caught:
        ecr(world, "PutAccountSetting", name="BLOB_MOUNTING", value="ON")
    assert caught.value.code == "InvalidParameterException"
    with pytest.raises(ServiceError) as caught:
        ecr(world, "PutAccountSetting", "reader", name="BLOB_MOUNTING", value="ENABLED")
    assert caught.value.code == "AccessDeniedException"


def test_disabled_mounting_starts_an_upload(world: World) -> None:
    setup(world)
    upload_id = mount(world)
    assert upload_id is not None
    assert DIGEST not in world.account(A).registry(REGION).repositories["app"].layers
    assert "blob mounting is DISABLED" in render(explain_last_command(world))


def test_enabled_mounting_shares_the_layer_and_stores_it_once(world: World) -> None:
    ecr(world, "CreateRepository", repositoryName="base")
    ecr(world, "CreateRepository", repositoryName="app")
    docker.docker_login(world, HOST_A, "AWS", password(world, "admin"))
    docker.docker_build(world, f"{HOST_A}/base:v1")
    docker.docker_push(world, f"{HOST_A}/base:v1")
    docker.docker_tag(world, f"{HOST_A}/base:v1", f"{HOST_A}/app:v1")
    once = stored_gib(world)
    ecr(world, "PutAccountSetting", name="BLOB_MOUNTING", value="ENABLED")
    assert docker.docker_push(world, f"{HOST_A}/app:v1")[5].endswith(": Mounted from base")
    assert stored_gib(world) == once  # the layers are referenced by app, not stored again
    ecr(world, "PutAccountSetting", name="BLOB_MOUNTING", value="DISABLED")
    docker.docker_tag(world, f"{HOST_A}/base:v1", f"{HOST_A}/web:v1")
    ecr(world, "CreateRepository", repositoryName="web")
    docker.docker_push(world, f"{HOST_A}/web:v1")
    assert stored_gib(world) == 2 * once  # uploaded again: stored twice


def test_a_mount_needs_identical_encryption(world: World) -> None:
    setup(world, encryptionConfiguration={"encryptionType": "KMS"})
    ecr(world, "PutAccountSetting", name="BLOB_MOUNTING", value="ENABLED")
    assert mount(world) is not None
    assert "encrypted differently (AES256 and KMS with" in render(explain_last_command(world))


def test_a_missing_blob_or_source_is_an_upload(world: World) -> None:
    setup(world)
    ecr(world, "PutAccountSetting", name="BLOB_MOUNTING", value="ENABLED")
    world.begin_command("POST")
    assert calls(world, "app").mount(DIGEST, "nothing-here") is not None
    assert "repository nothing-here holds no such blob" in render(explain_last_command(world))
