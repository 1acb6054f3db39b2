"""The policies above IAM in a decision: service control policies (SCPs), resource control policies (RCPs),
permissions boundaries and session policies. None of them grants anything; each only caps what the
identity-based and resource-based policies grant (IAM user guide, "Policy evaluation logic").

Which of them a request meets, as AWS documents it:
- SCPs apply to the IAM users and roles (and the root user) of member accounts, at every level of the
  organization above the account (root, each OU, the account), and each level must allow. They do not
  apply to the management account, to service-linked roles, nor to service principals, which are not
  principals of an account ("SCPs don't affect ... service-linked roles", Organizations user guide, "Service
  control policies"). The world leaves the management account's SCPs out of a request; service principals
  and service-linked roles are recognised here, from the caller's ARN.
- RCPs apply to the resources of member accounts for the services that support them (Amazon ECR among them
  since June 2025, with STS, S3, KMS, SQS, Secrets Manager ...), whoever the caller is, service principals
  included (which is why AWS's data-perimeter RCPs exempt `aws:PrincipalIsAWSService`), but not to
  service-linked roles nor to the management account's resources. RCPFullAWSAccess sits at every level and
  cannot be detached, so in practice only an RCP's Deny bites.
- A permissions boundary caps the identity-based policies of the user or role it is set on; a same-account
  resource-based policy that names the user, or the role session itself, is not capped by it, while one
  that names the role (for a session of it) is ("Policy evaluation logic", resource-based policies step).
- Session policies cap a role session's permissions: those of its role's identity-based policies and of a
  resource-based policy naming the role; a resource-based policy naming the session's own ARN is not capped
  ("Session policies", IAM user guide, "Policies and permissions").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from ecrsim.engine.policy.types import NamedPolicy

if TYPE_CHECKING:
    from ecrsim.engine.policy.document import Policy
    from ecrsim.engine.policy.matching import Caller
    from ecrsim.engine.policy.types import Request

GuardKind = Literal["scp", "rcp", "boundary", "session"]

# How AWS's AccessDenied messages name each policy type (IAM user guide, "Troubleshoot access denied error
# messages"): "... with an explicit deny in a service control policy", "... because no permissions boundary
# allows the ... action". The resource-control-policy implicit form follows the same pattern; AWS documents
# only the explicit one, RCPFullAWSAccess being impossible to detach.
NOUN: dict[str, str] = {
    "identity": "identity-based policy",
    "resource": "resource-based policy",
    "scp": "service control policy",
    "rcp": "resource control policy",
    "boundary": "permissions boundary",
    "session": "session policy",
}
# Where several policy types deny, AWS names one: the organization's first, as its flow chart evaluates them.
DENY_ORDER: dict[str, int] = {"scp": 0, "rcp": 1, "identity": 2, "resource": 3, "boundary": 4, "session": 5}
RULE_STEM = {
    "scp": "service_control_policy",
    "rcp": "resource_control_policy",
    "boundary": "permissions_boundary",
    "session": "session_policy",
}
_SERVICE_LINKED = ":role/aws-service-role/"


@dataclass(frozen=True)
class Guard:
    """One guardrail policy of a request, with the level it belongs to (SCPs and RCPs) and its trace name."""

    kind: GuardKind
    level: str  # the organization level for SCPs and RCPs; "" for a boundary or session policy
    name: str  # as the trace names it: "SCP DenyDelete at r-ab12 (root)", "boundary ci-cap"
    policy: Policy


def guards(request: Request) -> tuple[Guard, ...]:
    """Every guardrail policy the request carries, in evaluation order."""
    found: list[Guard] = []
    for kind, levels in (("scp", request.scps), ("rcp", request.rcps)):
        for level in levels or ():
            tag = kind.upper()
            found.extend(
                Guard(kind, level.target, f"{tag} {named.name} at {level.target}", named.policy)  # type: ignore[arg-type]
                for named in level.policies
            )
    if request.boundary is not None:
        found.append(Guard("boundary", "", f"boundary {request.boundary.name}", request.boundary.policy))
    for named in request.session_policies or ():
        found.append(Guard("session", "", f"session {named.name}", named.policy))
    return tuple(found)


def exempt(kind: GuardKind, caller: Caller) -> str | None:
    """Why a kind of guardrail does not apply to this caller at all (shown on its statements), or None."""
    if kind not in ("scp", "rcp"):
        return None
    if _SERVICE_LINKED in caller.principal_arn:
        return f"not evaluated: {NOUN[kind][:-1]}ies do not apply to service-linked roles"
    if kind == "scp" and caller.kind == "service":
        return (
            "not evaluated: service control policies apply to the principals of member accounts,"
            " not to AWS services"
        )
    return None


def key(request: Request) -> tuple[object, ...]:
    """The guardrail policies as the decision memo names them: by level and serial number."""
    parts: list[object] = []
    for levels in (request.scps, request.rcps):
        parts.append(
            None
            if levels is None
            else tuple((lv.target, tuple(n.policy.serial for n in lv.policies)) for lv in levels)
        )
    parts.append(request.boundary.policy.serial if request.boundary else None)
    sessions = request.session_policies
    parts.append(None if sessions is None else tuple(n.policy.serial for n in sessions))
    return tuple(parts)


RCP_FULL_ACCESS_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}
SCP_FULL_ACCESS_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


@cache
def rcp_full_access() -> NamedPolicy:
    """RCPFullAWSAccess, which AWS attaches to the root, every OU and every account once RCPs are enabled,
    and which cannot be detached (Organizations user guide, "Resource control policy examples")."""
    from ecrsim.engine.policy.document import parse_resource_control_policy

    return NamedPolicy("RCPFullAWSAccess", parse_resource_control_policy(RCP_FULL_ACCESS_DOCUMENT))


@cache
def scp_full_access() -> NamedPolicy:
    """FullAWSAccess, the SCP AWS attaches everywhere when SCPs are enabled (it can be detached)."""
    from ecrsim.engine.policy.document import parse_identity_policy

    return NamedPolicy("FullAWSAccess", parse_identity_policy(SCP_FULL_ACCESS_DOCUMENT))
