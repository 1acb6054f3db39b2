"""The registry policy: its API, its validation, and how it decides an action ECR takes on the registry."""

from __future__ import annotations

import json

import pytest

from ecrsim.engine.api import Call
from ecrsim.engine.ecr.registry_policy import registry_decision
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import decision_lines, render
from ecrsim.engine.world import World

from .helpers import REGION, A, B, ecr

INVALID = "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry policy provided'"


def registry_policy(
    principal: str, actions: object, resource: str = f"arn:aws:ecr:{REGION}:{A}:repository/*"
) -> str:
    statement = {
        "Sid": "ReplicationAccessCrossAccount",
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": actions,
        "Resource": resource,
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def refusal(world: World, operation: str, **params: object) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        ecr(world, operation, **params)
    return caught.value


def test_put_get_delete_round_trip_and_not_found_after_delete(world: World) -> None:
    text = registry_policy(f"arn:aws:iam::{B}:root", ["ecr:CreateRepository", "ecr:ReplicateImage"])
    put = ecr(world, "PutRegistryPolicy", policyText=text)
    assert put["registryId"] == A
    assert '"Action" : [ "ecr:CreateRepository", "ecr:ReplicateImage" ]' in put["policyText"]
    assert ecr(world, "GetRegistryPolicy") == put
    assert ecr(world, "DeleteRegistryPolicy") == put
    error = refusal(world, "GetRegistryPolicy")
    assert (error.code, error.message) == (
        "RegistryPolicyNotFoundException",
        f"Registry policy does not exist in the registry with id '{A}'",
    )
    assert refusal(world, "DeleteRegistryPolicy").code == "RegistryPolicyNotFoundException"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (registry_policy(f"arn:aws:iam::{B}:root", "s3:GetObject"), "s3:GetObject, not an ECR action"),
        (
            json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": B}, "Action": "ecr:*"}]}),
            "Policy statement must contain resources.",
        ),
        (
            json.dumps({"Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}),
            "Missing required field Principal",
        ),
    ],
)
def test_a_policy_without_principal_or_resource_or_with_other_services_is_refused(
    world: World, text: str, why: str
) -> None:
    error = refusal(world, "PutRegistryPolicy", policyText=text)
    assert (error.code, error.message) == ("InvalidParameterException", INVALID)
    outcomes = render(world.events[-1].outcomes)
    assert why in outcomes
    assert "registry policy names a Principal" in outcomes


def test_a_principal_that_does_not_exist_is_refused(world: World) -> None:
    error = refusal(
        world, "PutRegistryPolicy", policyText=registry_policy(f"arn:aws:iam::{B}:user/ghost", "ecr:*")
    )
    assert error.message.endswith("'Principal not found'")


def test_only_an_identity_allow_puts_a_registry_policy(world: World) -> None:
    error = refusal(world, "PutRegistryPolicy", profile="pusher", policyText=registry_policy(B, "ecr:*"))
    assert error.code == "AccessDeniedException"
    assert "ecr:PutRegistryPolicy on resource: *" in error.message


def _decide(world: World, principal: str, action: str, name: str = "web") -> str:
    call = Call(world, world.resolve(principal), REGION, "ecr", "ReplicateImage", world.clock.now)
    decision = registry_decision(call, world.account(A).registry(REGION), action, name)
    return render(decision_lines(decision))


def test_another_account_needs_the_registry_policy_and_each_statement_is_explained(world: World) -> None:
    without = _decide(world, f"arn:aws:iam::{B}:root", "ecr:ReplicateImage")
    assert without.startswith(
        f"DENIED (implicit): ecr:ReplicateImage on arn:aws:ecr:{REGION}:{A}:repository/web"
    )
    assert "rule:   cross_account_missing_resource_allow" in without
    ecr(
        world, "PutRegistryPolicy", policyText=registry_policy(f"arn:aws:iam::{B}:root", "ecr:ReplicateImage")
    )
    allowed = _decide(world, f"arn:aws:iam::{B}:root", "ecr:ReplicateImage")
    assert allowed.startswith("ALLOWED")
    assert "Registry policy:" in allowed
    assert '[x] #0 "ReplicationAccessCrossAccount" Allow' in allowed
    # The policy grants ReplicateImage only: creating the replica's repository stays denied.
    assert _decide(world, f"arn:aws:iam::{B}:root", "ecr:CreateRepository").startswith("DENIED")


def test_within_the_account_an_identity_allow_is_enough_and_the_registry_policy_can_add(world: World) -> None:
    reader = f"arn:aws:iam::{A}:user/reader"
    assert _decide(world, reader, "ecr:BatchImportUpstreamImage").startswith("DENIED")
    ecr(world, "PutRegistryPolicy", policyText=registry_policy(reader, "ecr:BatchImportUpstreamImage"))
    assert _decide(world, reader, "ecr:BatchImportUpstreamImage").startswith("ALLOWED")
    assert _decide(world, f"arn:aws:iam::{A}:user/admin", "ecr:CreateRepository").startswith("ALLOWED")
