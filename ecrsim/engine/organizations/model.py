"""AWS Organizations as the world holds it: the organization, its root and OUs, its member accounts, and
the service control and resource control policies attached to them.

An Organization is frozen and replaced whole on every change (`dataclasses.replace`), so world copies share
it and the request-context cache (World.base_context) sees a change by identity. What a request meets is
`levels(org, account, kind)`: the policies attached at the root, at each OU down to the account, and at
the account, one OrgLevel each, since every level must allow (Organizations user guide, "SCP evaluation").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from typing import Any, Literal

from ecrsim.engine.policy.document import Policy, parse_identity_policy, parse_resource_control_policy
from ecrsim.engine.policy.guardrails import RCP_FULL_ACCESS_DOCUMENT, SCP_FULL_ACCESS_DOCUMENT
from ecrsim.engine.policy.types import NamedPolicy, OrgLevel

PolicyType = Literal["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"]
SCP: PolicyType = "SERVICE_CONTROL_POLICY"
RCP: PolicyType = "RESOURCE_CONTROL_POLICY"
# How a policy type is written in policy ARNs (arn:aws:organizations::ACCT:policy/o-x/TYPE/p-x).
ARN_TYPE = {SCP: "service_control_policy", RCP: "resource_control_policy"}
# The services whose resources RCPs cover ("List of AWS services that support RCPs", Organizations user
# guide): those of them this simulator models, with Amazon ECR supported since June 2025.
RCP_SERVICES = frozenset({"ecr", "sts", "s3", "kms", "sqs", "secretsmanager"})
# The characters of organization, root, OU and policy ids (o-, r-, ou-, p- followed by these).
ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def account_email(account_id: str) -> str:
    """Accounts in the simulator have no email of their own; Organizations lists one for each."""
    return f"aws+{account_id}@example.com"


def parse_policy(kind: PolicyType, content: str | Mapping[str, Any]) -> Policy:
    """An SCP parses as an identity policy, an RCP as a resource policy whose Principal is `*`; PolicyError
    when Organizations would refuse it."""
    return parse_identity_policy(content) if kind == SCP else parse_resource_control_policy(content)


@dataclass(frozen=True)
class OrgPolicy:
    """A service control or resource control policy: the document as written, and parsed."""

    id: str  # p-xxxxxxxx, or p-FullAWSAccess / p-RCPFullAWSAccess for the AWS managed ones
    arn: str
    name: str
    type: PolicyType
    content: str
    policy: Policy
    description: str = ""
    aws_managed: bool = False

    @property
    def named(self) -> NamedPolicy:
        return NamedPolicy(self.name, self.policy)


@dataclass(frozen=True)
class Unit:
    """An organizational unit."""

    id: str  # ou-xxxx-xxxxxxxx
    arn: str
    name: str
    parent: str  # the root's or another OU's id


@dataclass(frozen=True)
class Member:
    """A member account as Organizations lists it (ListAccounts)."""

    id: str
    name: str
    email: str
    joined: datetime
    method: Literal["INVITED", "CREATED"]
    parent: str  # the root's or an OU's id


@dataclass(frozen=True)
class Organization:
    """An AWS Organization with all features: the accounts whose principals carry its id as
    aws:PrincipalOrgID, and the policies above their IAM."""

    id: str  # o-xxxxxxxxxx
    accounts: frozenset[str]
    management_account: str | None = None  # None: an organization laid out only for aws:PrincipalOrgID
    root_id: str = "r-0000"
    members: Mapping[str, Member] = field(default_factory=dict)  # by account id
    units: Mapping[str, Unit] = field(default_factory=dict)  # by OU id
    policies: Mapping[str, OrgPolicy] = field(default_factory=dict)  # by policy id
    attachments: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # target id -> policy ids
    enabled: frozenset[PolicyType] = frozenset()
    requests: Mapping[str, str] = field(default_factory=dict)  # CreateAccount request id -> account id
    # Levels already worked out, by (account, type): a cache, replaced with the organization.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def arn(self, kind: str, tail: str) -> str:
        """`organization`, `root/o-x/r-x`, `ou/o-x/ou-x`, `account/o-x/ACCT`, `policy/o-x/TYPE/p-x`."""
        return f"arn:aws:organizations::{self.management_account}:{kind}/{self.id}{tail}"

    @property
    def root_arn(self) -> str:
        return self.arn("root", f"/{self.root_id}")

    def parent_of(self, target: str) -> str | None:
        """The root's or an OU's id above an account or OU; None for the root."""
        if target in self.units:
            return self.units[target].parent
        member = self.members.get(target)
        return member.parent if member else None

    def target_name(self, target: str) -> str:
        """How a level is shown in a decision's trace: `r-ab12 (root)`, `ou-ab12-cd34ef56 (Sandbox)`."""
        if target == self.root_id:
            return f"{target} (root)"
        if target in self.units:
            return f"{target} ({self.units[target].name})"
        return f"account {target}"

    def changed(self, **fields: Any) -> Organization:
        """The organization with `fields` replaced and nothing remembered."""
        return replace(self, memo={}, **fields)


def levels(org: Organization | None, account: str | None, kind: PolicyType) -> tuple[OrgLevel, ...] | None:
    """The policies of `kind` a request meets for `account`, root first; None when none apply: no
    organization, the account is not a member, it is the management account ("SCPs don't affect users or
    roles in the management account"; "RCPs don't affect resources in the management account"), or the
    policy type is not enabled."""
    if org is None or account is None or kind not in org.enabled or account not in org.members:
        return None
    if account == org.management_account:
        return None
    found = org.memo.get((account, kind))
    if found is None:
        chain = [account]
        parent = org.parent_of(account)
        while parent is not None:
            chain.append(parent)
            parent = org.parent_of(parent)
        found = tuple(
            OrgLevel(
                org.target_name(target),
                tuple(policy.named for policy in attached(org, target) if policy.type == kind),
            )
            for target in reversed(chain)
        )
        org.memo[(account, kind)] = found
    return found


def attached(org: Organization, target: str) -> list[OrgPolicy]:
    """The policies attached to a root, OU or account, in attachment order."""
    return [find_policy(org, pid) for pid in org.attachments.get(target, ())]  # type: ignore[misc]


def find_policy(org: Organization, policy_id: str) -> OrgPolicy | None:
    """The organization's policy, or an AWS managed one, with this id."""
    policy = org.policies.get(policy_id)
    if policy is None:
        policy = next((p for p in map(aws_managed_policy, (SCP, RCP)) if p.id == policy_id), None)
    return policy


@cache
def aws_managed_policy(kind: PolicyType) -> OrgPolicy:
    """FullAWSAccess or RCPFullAWSAccess, which AWS attaches everywhere when the type is enabled."""
    import json

    from ecrsim.engine.policy.guardrails import rcp_full_access, scp_full_access

    named = scp_full_access() if kind == SCP else rcp_full_access()
    document = SCP_FULL_ACCESS_DOCUMENT if kind == SCP else RCP_FULL_ACCESS_DOCUMENT
    description = (
        "Allows access to every operation"
        if kind == SCP
        else "Allows access to every resource"  # exact AWS descriptions not verified
    )
    return OrgPolicy(
        id=f"p-{named.name}",
        arn=f"arn:aws:organizations::aws:policy/{ARN_TYPE[kind]}/p-{named.name}",
        name=named.name,
        type=kind,
        content=json.dumps(document, indent=4),
        policy=named.policy,
        description=description,
        aws_managed=True,
    )
