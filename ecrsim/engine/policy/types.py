"""The request the policy engine decides, and the decision with its trace.

These are the contract between the policy engine and everything that asks it: the registry engine, the
shell's `sim explain`, `ecrsim policy simulate`, the scenario player and the UI all render a Decision;
none of them re-derives one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ecrsim.engine.records import quick_init

if TYPE_CHECKING:
    from ecrsim.engine.policy.document import Policy

Verdict = Literal["allow", "implicit_deny", "explicit_deny"]
ContextValue = str | tuple[str, ...]


@quick_init
@dataclass(frozen=True, init=False)
class StatementTrace:
    """One statement as the engine saw it: did it apply to this request, and if not, why not."""

    policy: str  # "identity:0", "repository", an AWS managed policy name, or a customer policy name
    sid: str | None
    index: int
    effect: Literal["Allow", "Deny"]
    matched: bool
    why: str  # "action matched, resource matched, condition aws:SourceIp failed: ..."


@quick_init
@dataclass(frozen=True, init=False)
class Decision:
    """AWS's answer to one Request, with the rule that decided it, sentences for a learner, and the
    trace of every statement considered."""

    verdict: Verdict
    # Which rule decided, a stable identifier for tests and UIs (ecrsim/engine/policy/evaluate.py):
    # allow: "root_user", "same_account_direct_grant", "identity_allow", "cross_account_allow",
    #   "service_principal_grant";
    # explicit_deny: "explicit_deny";
    # implicit_deny: "account_delegation_without_identity_allow", "cross_account_missing_identity_allow",
    #   "cross_account_missing_resource_allow", "service_principal_not_granted",
    #   "resource_policy_missing_allow" (trust policies), "no_allow";
    # the policies above IAM (ecrsim/engine/policy/guardrails.py), explicit and implicit:
    #   "service_control_policy_deny", "service_control_policy_missing_allow",
    #   "resource_control_policy_deny", "resource_control_policy_missing_allow",
    #   "permissions_boundary_deny", "permissions_boundary_missing_allow",
    #   "session_policy_deny", "session_policy_missing_allow".
    rule: str
    reason: str  # one sentence a learner can read
    message: str | None  # the AccessDenied sentence AWS would print; None when allowed
    statements: tuple[StatementTrace, ...] = ()
    principal_arn: str = ""
    action: str = ""
    resource_arn: str = ""
    # What would change the outcome, where that is simple: "add ecr:PutImage to an identity policy of
    # user alice". None when there is nothing simple to say.
    hint: str | None = None

    @property
    def allowed(self) -> bool:
        return self.verdict == "allow"


@dataclass(frozen=True)
class NamedPolicy:
    """A parsed policy document with the name the trace shows for it."""

    name: str
    policy: Policy


@dataclass(frozen=True)
class OrgLevel:
    """The organization policies of one type attached at one level above an account: the root, an OU, or
    the account itself. Each level must allow a request on its own ("every level ... must allow",
    Organizations user guide, "SCP evaluation"), so a request carries its levels in order, root first."""

    target: str  # "r-ab12 (root)", "ou-ab12-cd34ef56 (Production)", "account 111122223333"
    policies: tuple[NamedPolicy, ...]


@quick_init
@dataclass(frozen=True, init=False)
class Request:
    """One authorization request, as AWS builds it for an API call."""

    principal_arn: str
    action: str
    resource_arn: str  # a repository ARN, or "*" for actions with no resource type
    identity_policies: tuple[NamedPolicy, ...] = ()
    resource_policy: Policy | None = None
    resource_account: str | None = None  # defaults to the account in resource_arn, else the caller's
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    # The name the trace shows for resource_policy: "repository" for ECR, "trust" for a role trust policy.
    resource_policy_name: str = "repository"
    # The policies above IAM that apply to this request (None where none does): the caller's account's
    # service control policies, the resource's account's resource control policies (each by level), the
    # caller's permissions boundary, and the session policies its role session was created with.
    scps: tuple[OrgLevel, ...] | None = None
    rcps: tuple[OrgLevel, ...] | None = None
    boundary: NamedPolicy | None = None
    session_policies: tuple[NamedPolicy, ...] | None = None
