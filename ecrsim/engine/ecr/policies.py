"""Repository policies: SetRepositoryPolicy, GetRepositoryPolicy, DeleteRepositoryPolicy.

Validation follows iam-evaluation.md §4.5: a Principal is required and Resource is not allowed (the
statements are about the repository they are attached to); every IAM principal named must exist; the text
is at most 10,240 characters (API_SetRepositoryPolicy).
"""

from __future__ import annotations

import json
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ecr.access import repository_for, resource_tag_context
from ecrsim.engine.ecr.model import Repository, RepositoryPolicy
from ecrsim.engine.ecr.names import invalid_parameter
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import LineKind, decision_lines
from ecrsim.engine.identity import principal_exists
from ecrsim.engine.policy.document import Policy, PolicyError, parse_resource_policy
from ecrsim.engine.policy.evaluate import decide
from ecrsim.engine.policy.types import Decision, Request

MAX_POLICY_TEXT = 10240
# AWS's rule for repository policies (ECR user guide, "Private repository policies"; IAM JSON policy
# elements: a resource-based policy names its Principal, and the resource is the one it is attached to).
RESOURCE_POLICY_RULE = (
    "AWS's rule: every statement of a repository policy names a Principal (who it allows or denies) and"
    " takes no Resource (it applies to the repository it is attached to)"
)


def _lockout_check(call: Call, repository: Repository, policy: Policy) -> Decision:
    """The caller's next SetRepositoryPolicy under the new policy: denied means the caller would lock
    themselves out, and AWS wants `force`."""
    request = Request(
        principal_arn=call.caller.arn,
        action="ecr:SetRepositoryPolicy",
        resource_arn=repository.arn,
        identity_policies=call.caller.identity_policies,
        resource_policy=policy,
        resource_account=repository.registry_id,
        context=call.world.request_context(call.caller, resource_tag_context(repository.tags)),
        boundary=call.caller.boundary,
        session_policies=call.caller.session_policies,
    )
    return decide(request)


@operation("ecr", "SetRepositoryPolicy")
def set_repository_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    text = params["policyText"]
    if len(text) > MAX_POLICY_TEXT:
        raise invalid_parameter(
            "policyText", f"Member must have length less than or equal to {MAX_POLICY_TEXT}"
        )
    registry, repository = repository_for(call, params, "ecr:SetRepositoryPolicy")
    try:
        policy = parse_resource_policy(text)
    except PolicyError as error:
        call.explain(LineKind.VALIDATION, f"ECR refused the policy document: {error}")
        call.explain(LineKind.VALIDATION, RESOURCE_POLICY_RULE)
        raise invalid_parameter("PolicyText", "Invalid repository policy provided") from None
    missing = [principal for principal in policy.principals() if not principal_exists(call.world, principal)]
    if missing:
        call.explain(LineKind.VALIDATION, f"no such principal in this world: {', '.join(missing)}")
        call.explain(
            LineKind.VALIDATION, "ECR checks that every IAM principal a repository policy names exists"
        )
        raise invalid_parameter("PolicyText", "Principal not found")
    lockout = None if params.get("force") else _lockout_check(call, repository, policy)
    if lockout is not None and not lockout.allowed:
        call.explain(
            LineKind.VALIDATION,
            "ECR's lockout check: under the new policy, your next ecr:SetRepositoryPolicy on"
            f" {repository.name} would be denied, so you could never change the policy again:",
        )
        for entry in decision_lines(lockout):
            call.explain(entry.kind, entry.text, entry.depth + 2, entry.matched)
        # The API reference describes `force` but not the error text; this wording is the simulator's.
        raise invalid_parameter(
            "PolicyText",
            "The repository policy would prevent you from setting another policy in the future; "
            "use force to set it anyway",
        )
    stored = jackson_text(json.loads(text))
    repository.policy = RepositoryPolicy(stored, policy)
    return {"registryId": registry.account_id, "repositoryName": repository.name, "policyText": stored}


def jackson_text(value: Any, nesting: int = 0) -> str:
    """A policy document as ECR stores and returns it: re-serialised by Jackson's default pretty
    printer, `"key" : value`, objects indented two spaces per level, arrays on one line (`[ "a", "b" ]`,
    `[ {` for objects), so GetRepositoryPolicy never echoes the text exactly as it was sent."""
    if isinstance(value, dict):
        if not value:
            return "{ }"
        inner = "  " * (nesting + 1)
        members = ",\n".join(
            f"{inner}{json.dumps(key, ensure_ascii=False)} : {jackson_text(item, nesting + 1)}"
            for key, item in value.items()
        )
        return "{\n" + members + "\n" + "  " * nesting + "}"
    if isinstance(value, list):
        if not value:
            return "[ ]"
        return "[ " + ", ".join(jackson_text(item, nesting) for item in value) + " ]"
    return json.dumps(value, ensure_ascii=False)


def _policy_not_found(repository: Repository) -> ServiceError:
    return ServiceError(
        "RepositoryPolicyNotFoundException",
        f"Repository policy does not exist for the repository with name '{repository.name}' in the registry "
        f"with id '{repository.registry_id}'",
    )


@operation("ecr", "GetRepositoryPolicy")
def get_repository_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:GetRepositoryPolicy")
    if repository.policy is None:
        raise _policy_not_found(repository)
    return {
        "registryId": registry.account_id,
        "repositoryName": repository.name,
        "policyText": repository.policy.text,
    }


@operation("ecr", "DeleteRepositoryPolicy")
def delete_repository_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:DeleteRepositoryPolicy")
    if repository.policy is None:
        raise _policy_not_found(repository)
    text = repository.policy.text
    repository.policy = None
    return {"registryId": registry.account_id, "repositoryName": repository.name, "policyText": text}
