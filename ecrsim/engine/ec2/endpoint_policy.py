"""VPC endpoint policies in a decision: a request through an endpoint must also be allowed by its policy.

An endpoint policy grants nothing: it only limits what can pass through the endpoint, so a request is
denied when the policy explicitly denies it or when no statement allows it, whatever the identity and
repository policies say (PrivateLink guide, "Control access to VPC endpoints using endpoint policies";
IAM user guide, "Access denied error messages": "... because no VPC endpoint policy allows the ...
action", "... with an explicit deny in a VPC endpoint policy"). A Principal that names an account admits
every principal of that account, as it does in any resource-based policy's principal element.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from ecrsim.engine.policy.evaluate import decide
from ecrsim.engine.policy.types import ContextValue, Decision, Request

if TYPE_CHECKING:
    from ecrsim.engine.ec2.model import VpcEndpoint
    from ecrsim.engine.world import World


def find_endpoint(world: World, endpoint_id: str) -> tuple[str, VpcEndpoint] | None:
    """The endpoint with this id and the account whose VPC holds it."""
    for account in world.accounts.values():
        for network in account.networks.values():
            endpoint = network.endpoints.get(endpoint_id)
            if endpoint is not None:
                return account.id, endpoint
    return None


def screen(
    world: World, decision: Decision, request: Request, context: Mapping[str, ContextValue]
) -> Decision:
    """`decision` for a request that came through the endpoint in `context` (aws:sourcevpce), with that
    endpoint's policy applied and its statements added to the trace."""
    endpoint_id = context.get("aws:sourcevpce")
    found = find_endpoint(world, endpoint_id) if isinstance(endpoint_id, str) else None
    if found is None or decision.verdict == "explicit_deny":
        return decision
    owner, endpoint = found
    name = f"VPC endpoint {endpoint.endpoint_id}"
    screened = decide(
        replace(
            request,
            identity_policies=(),
            resource_policy=endpoint.policy.policy,
            resource_account=owner,
            resource_policy_name=name,
            scps=None,
            rcps=None,
            boundary=None,
            session_policies=None,
        ),
        resource_policy_required=True,
        context=context,
    )
    statements = decision.statements + screened.statements
    if screened.allowed or screened.rule == "account_delegation_without_identity_allow":
        return replace(decision, statements=statements)
    if not decision.allowed:
        return replace(decision, statements=statements)
    explicit = screened.verdict == "explicit_deny"
    tail = (
        "with an explicit deny in a VPC endpoint policy"
        if explicit
        else f"because no VPC endpoint policy allows the {request.action} action"
    )
    return Decision(
        screened.verdict,
        "vpc_endpoint_policy_deny" if explicit else "vpc_endpoint_policy_missing_allow",
        f"{'Explicitly' if explicit else 'Implicitly'} denied: the request came through {name}, and its"
        f" policy {'denies' if explicit else 'does not allow'} {request.action}; an endpoint policy only"
        " limits what passes through, whatever the identity and repository policies allow.",
        f"User: {request.principal_arn} is not authorized to perform: {request.action} on resource:"
        f" {request.resource_arn} {tail}",
        statements,
        decision.principal_arn,
        decision.action,
        decision.resource_arn,
        hint=f"allow {request.action} on {request.resource_arn} in the policy of {name}"
        f" (aws ec2 modify-vpc-endpoint --vpc-endpoint-id {endpoint.endpoint_id} --policy-document ...)",
    )
