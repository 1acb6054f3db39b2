"""KMS keys as ECR meets them: finding a key by id, ARN or alias, key policies that must consent, key states,
and what each does to a repository encrypted with the key."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest

from ecrsim.engine import docker
from ecrsim.engine.errors import DockerError, ServiceError
from ecrsim.engine.explanation import explain_last_command, render
from ecrsim.engine.identity import add_user
from ecrsim.engine.world import World, default_world

A = "111122223333"
REGION = "us-east-1"
HOST = f"{A}.dkr.ecr.{REGION}.amazonaws.com"


def kms(world: World, operation: str, profile: str = "admin", **params: Any) -> dict[str, Any]:
    world.begin_command(f"aws kms {operation}")
    return world.call("kms", operation, params, profile=profile, region=REGION)


def ecr(world: World, operation: str, profile: str = "admin", **params: Any) -> dict[str, Any]:
    world.begin_command(f"aws ecr {operation}")
    return world.call("ecr", operation, params, profile=profile, region=REGION)


def error(call: Any, *args: Any, **kwargs: Any) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.fixture
def world() -> World:
    return default_world()


def key_policy(user: str, action: str) -> str:
    """A key policy with one statement: `user` of the account may do `action`, and nobody else anything."""
    statement = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:user/{user}"}, "Action": action}
    return json.dumps({"Version": "2012-10-17", "Statement": [{**statement, "Resource": "*"}]})


def new_key(world: World, alias: str = "alias/ledger", **params: Any) -> dict[str, Any]:
    metadata = kms(world, "CreateKey", **params)["KeyMetadata"]
    kms(world, "CreateAlias", AliasName=alias, TargetKeyId=metadata["KeyId"])
    return metadata


def test_a_key_is_found_by_id_arn_alias_and_alias_arn(world: World) -> None:
    key = new_key(world, Description="ledger")
    assert key["KeyState"] == "Enabled" and key["KeyManager"] == "CUSTOMER"
    assert key["Arn"] == f"arn:aws:kms:{REGION}:{A}:key/{key['KeyId']}"
    for reference in (key["KeyId"], key["Arn"], "alias/ledger", f"arn:aws:kms:{REGION}:{A}:alias/ledger"):
        assert kms(world, "DescribeKey", KeyId=reference)["KeyMetadata"]["KeyId"] == key["KeyId"]
    assert kms(world, "ListAliases")["Aliases"] == [
        {
            "AliasName": "alias/ledger",
            "AliasArn": f"arn:aws:kms:{REGION}:{A}:alias/ledger",
            "TargetKeyId": key["KeyId"],
        }
    ]


def test_missing_keys_and_aliases_are_kms_texts(world: World) -> None:
    missing = "11111111-2222-3333-4444-555555555555"
    assert error(kms, world, "DescribeKey", KeyId=missing).message == (
        f"Key 'arn:aws:kms:{REGION}:{A}:key/{missing}' does not exist"
    )
    assert error(kms, world, "DescribeKey", KeyId="alias/none").message == (
        f"Alias arn:aws:kms:{REGION}:{A}:alias/none is not found."
    )
    assert error(kms, world, "DescribeKey", KeyId="ledger").message == "Invalid keyId ledger"
    new_key(world)
    taken = error(new_key, world)
    assert (taken.code, taken.message) == (
        "AlreadyExistsException",
        f"An alias with the name arn:aws:kms:{REGION}:{A}:alias/ledger already exists",
    )


def test_the_default_key_policy_lets_iam_policies_count(world: World) -> None:
    key = new_key(world)
    policy = json.loads(kms(world, "GetKeyPolicy", KeyId="alias/ledger")["Policy"])
    assert policy["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{A}:root"}
    add_user(world, A, "nobody")
    denied = error(kms, world, "DescribeKey", "nobody", KeyId=key["KeyId"])
    assert denied.code == "AccessDeniedException"
    assert denied.decision is not None and denied.decision.rule == "account_delegation_without_identity_allow"


def test_a_key_policy_without_the_account_shuts_out_even_an_administrator(world: World) -> None:
    add_user(world, A, "keyadmin", managed=["AdministratorAccess"])
    key = kms(world, "CreateKey", "keyadmin", Policy=key_policy("keyadmin", "kms:*"))["KeyMetadata"]
    denied = error(kms, world, "DescribeKey", KeyId=key["KeyId"])
    assert denied.decision is not None and denied.decision.rule == "resource_policy_missing_allow"
    assert "because no resource-based policy allows the kms:DescribeKey action" in denied.message


def test_put_key_policy_refuses_a_policy_that_locks_its_author_out(world: World) -> None:
    key = new_key(world)
    decrypt_only = key_policy("admin", "kms:Decrypt")
    refused = error(kms, world, "PutKeyPolicy", KeyId=key["KeyId"], Policy=decrypt_only)
    assert (refused.code, refused.message) == (
        "MalformedPolicyDocumentException",
        "The new key policy will not allow you to update the key policy in the future.",
    )
    ghost = key_policy("ghost", "kms:*")
    assert error(kms, world, "PutKeyPolicy", KeyId=key["KeyId"], Policy=ghost).message == (
        "Policy contains a statement with one or more invalid principals."
    )


def test_key_states_disable_enable_schedule_and_cancel(world: World) -> None:
    key = new_key(world)
    arn = key["Arn"]
    kms(world, "DisableKey", KeyId="alias/ledger")
    assert kms(world, "DescribeKey", KeyId=arn)["KeyMetadata"]["KeyState"] == "Disabled"
    scheduled = kms(world, "ScheduleKeyDeletion", KeyId=arn, PendingWindowInDays=7)
    assert scheduled["DeletionDate"] == world.clock.now + timedelta(days=7)
    refused = error(kms, world, "EnableKey", KeyId=arn)
    assert (refused.code, refused.message) == ("KMSInvalidStateException", f"{arn} is pending deletion.")
    assert (
        error(kms, world, "ScheduleKeyDeletion", KeyId=arn, PendingWindowInDays=3).code
        == "ValidationException"
    )
    kms(world, "CancelKeyDeletion", KeyId=arn)
    assert kms(world, "DescribeKey", KeyId=arn)["KeyMetadata"]["KeyState"] == "Disabled"
    assert error(kms, world, "CancelKeyDeletion", KeyId=arn).message == f"{arn} is not pending deletion."
    kms(world, "ScheduleKeyDeletion", KeyId=arn, PendingWindowInDays=7)
    world.advance("7d")
    assert error(kms, world, "DescribeKey", KeyId=arn).code == "NotFoundException"
    assert kms(world, "ListAliases")["Aliases"] == []


def test_create_repository_resolves_the_key_and_makes_two_grants(world: World) -> None:
    key = new_key(world)
    created = ecr(
        world,
        "CreateRepository",
        repositoryName="ledger",
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": "alias/ledger"},
    )["repository"]
    assert created["encryptionConfiguration"] == {"encryptionType": "KMS", "kmsKey": key["Arn"]}
    grants = world.account(A).kms[REGION].keys[key["KeyId"]].grants
    assert [grant.repository_arn for grant in grants] == [created["repositoryArn"]] * 2
    assert "ECR made 2 grants on it" in render(explain_last_command(world))
    ecr(world, "DeleteRepository", repositoryName="ledger")
    assert world.account(A).kms[REGION].keys[key["KeyId"]].grants == ()


def test_create_repository_needs_the_key_usable_and_the_caller_allowed_through_ecr(world: World) -> None:
    key = new_key(world)
    config = {"encryptionType": "KMS", "kmsKey": key["KeyId"]}
    ecr_only = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}
    )
    add_user(world, A, "builder", inline={"ecr": ecr_only})
    denied = error(
        ecr, world, "CreateRepository", "builder", repositoryName="alpha", encryptionConfiguration=config
    )
    assert (denied.code, denied.fields) == ("KmsException", {"kmsError": "AccessDeniedException"})
    assert "kms:DescribeKey" in denied.message
    assert "kms:ViaService ecr.us-east-1.amazonaws.com" in render(explain_last_command(world))
    # The managed key aws/ecr needs no KMS permission: its key policy allows every principal through ECR.
    ecr(
        world,
        "CreateRepository",
        "builder",
        repositoryName="beta",
        encryptionConfiguration={"encryptionType": "KMS"},
    )
    kms(world, "DisableKey", KeyId=key["KeyId"])
    disabled = error(ecr, world, "CreateRepository", repositoryName="gamma", encryptionConfiguration=config)
    assert (disabled.message, disabled.fields) == (
        f"{key['Arn']} is disabled.",
        {"kmsError": "DisabledException"},
    )


def test_a_disabled_key_stops_pushes_and_pulls_until_it_is_enabled(world: World) -> None:
    new_key(world)
    ecr(
        world,
        "CreateRepository",
        repositoryName="ledger",
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": "alias/ledger"},
    )
    token = ecr(world, "GetAuthorizationToken")["authorizationData"][0]["authorizationToken"]
    docker.docker_login(world, HOST, "AWS", base64.b64decode(token).decode().partition(":")[2])
    docker.docker_build(world, f"{HOST}/ledger:v1")
    docker.docker_push(world, f"{HOST}/ledger:v1")
    kms(world, "DisableKey", KeyId="alias/ledger")
    with pytest.raises(DockerError) as pulled:
        docker.docker_pull(world, f"{HOST}/ledger:v1")
    assert pulled.value.text.endswith("is disabled.") and pulled.value.code == "UNKNOWN"
    failures = ecr(world, "BatchGetImage", repositoryName="ledger", imageIds=[{"imageTag": "v1"}])["failures"]
    assert [failure["failureCode"] for failure in failures] == ["KmsError"]
    docker.docker_build(world, f"{HOST}/ledger:v2")
    with pytest.raises(DockerError) as pushed:
        docker.docker_push(world, f"{HOST}/ledger:v2")
    assert pushed.value.text.startswith("unknown: arn:aws:kms:")
    kms(world, "EnableKey", KeyId="alias/ledger")
    assert docker.docker_push(world, f"{HOST}/ledger:v2")[-1].startswith("v2: digest:")
