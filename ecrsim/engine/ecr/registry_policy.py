"""The registry policy: PutRegistryPolicy, GetRegistryPolicy, DeleteRegistryPolicy, and the one place
that decides an action under it.

A registry policy is a resource-based policy on the whole private registry of one Region (ECR user guide,
"Private registry permissions"): every statement names a Principal and a Resource (the registry's
repositories, `arn:aws:ecr:REGION:ACCOUNT:repository/*`). ECR consults it where it acts for someone on
the registry: another account replicating into it (ecr:ReplicateImage, and ecr:CreateRepository when the
replica's repository does not exist yet) and pull through cache (ecr:CreateRepository,
ecr:BatchImportUpstreamImage). Its "V2" scope reaches every ECR request; the simulator consults it only in
those two places (see docs/commands.md).
"""

from __future__ import annotations

import json
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ecr.access import registry_of, repository_arn
from ecrsim.engine.ecr.model import Registry, RepositoryPolicy
from ecrsim.engine.ecr.names import invalid_parameter
from ecrsim.engine.ecr.policies import MAX_POLICY_TEXT, jackson_text
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import LineKind
from ecrsim.engine.identity import principal_exists
from ecrsim.engine.policy.document import PolicyError, parse_registry_policy
from ecrsim.engine.policy.types import Decision

REGISTRY_POLICY_RULE = (
    "AWS's rule: every statement of a registry policy names a Principal (the account or IAM entity it"
    " grants), ECR actions only, and a Resource (the registry's repositories, e.g."
    " arn:aws:ecr:REGION:ACCOUNT:repository/*)"
)


def _invalid(call: Call, why: str) -> ServiceError:
    call.explain(LineKind.VALIDATION, f"ECR refused the registry policy: {why}")
    call.explain(LineKind.VALIDATION, REGISTRY_POLICY_RULE)
    # The text AWS returns (re:Post "ecr invalid parameter at policytext ... invalid registry policy
    # provided"; moto raises the same).
    return invalid_parameter("PolicyText", "Invalid registry policy provided")


@operation("ecr", "PutRegistryPolicy")
def put_registry_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    text = params["policyText"]
    if len(text) > MAX_POLICY_TEXT:
        raise invalid_parameter(
            "policyText", f"Member must have length less than or equal to {MAX_POLICY_TEXT}"
        )
    call.authorize("ecr:PutRegistryPolicy", "*")
    registry = registry_of(call, {})
    try:
        policy = parse_registry_policy(text)
    except PolicyError as error:
        raise _invalid(call, str(error)) from None
    for statement in policy.statements:
        foreign = [a for a in statement.actions if not a.lower().startswith("ecr:") and a != "*"]
        if foreign:
            raise _invalid(
                call, f"statement #{statement.index} names {', '.join(foreign)}, not an ECR action"
            )
    missing = [principal for principal in policy.principals() if not principal_exists(call.world, principal)]
    if missing:
        call.explain(LineKind.VALIDATION, f"no such principal in this world: {', '.join(missing)}")
        raise invalid_parameter("PolicyText", "Principal not found")
    stored = jackson_text(json.loads(text))
    registry.policy = RepositoryPolicy(stored, policy)
    return {"registryId": registry.account_id, "policyText": stored}


def _not_found(registry: Registry) -> ServiceError:
    # moto's text for the same code (the message is not in AWS's documentation).
    return ServiceError(
        "RegistryPolicyNotFoundException",
        f"Registry policy does not exist in the registry with id '{registry.account_id}'",
    )


@operation("ecr", "GetRegistryPolicy")
def get_registry_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    call.authorize("ecr:GetRegistryPolicy", "*")
    registry = registry_of(call, {})
    if registry.policy is None:
        raise _not_found(registry)
    return {"registryId": registry.account_id, "policyText": registry.policy.text}


@operation("ecr", "DeleteRegistryPolicy")
def delete_registry_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    call.authorize("ecr:DeleteRegistryPolicy", "*")
    registry = registry_of(call, {})
    if registry.policy is None:
        raise _not_found(registry)
    text = registry.policy.text
    registry.policy = None
    return {"registryId": registry.account_id, "policyText": text}


def registry_decision(call: Call, registry: Registry, action: str, repository_name: str) -> Decision:
    """Decide `action` on repository `repository_name` of `registry` for the call's caller, with the
    registry policy as the resource-based policy; record the decision on the call, never raise.

    Within the registry's own account an identity-based allow is enough and the registry policy may add
    to it ("If an IAM entity has more permissions granted by an IAM policy than the registry permissions
    policy is granting, the IAM policy takes precedence", ECR user guide, pull through cache permissions);
    from another account (replication) the registry policy must allow as well. The explanation shows each
    of its statements, as for a repository policy.
    """
    return call.decide(
        action,
        repository_arn(registry, repository_name),
        resource_policy=registry.policy.policy if registry.policy else None,
        resource_policy_name="registry",
        resource_account=registry.account_id,
    )
