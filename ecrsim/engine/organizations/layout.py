"""An organization laid out whole, as a scenario's world describes it, rather than call by call.

The result is what the API calls would have made (enable-policy-type, create-organizational-unit,
create-policy, attach-policy): the AWS managed FullAWSAccess / RCPFullAWSAccess attached everywhere once
their type is enabled, and each policy attached at its targets.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ecrsim.engine.organizations.model import (
    ARN_TYPE,
    ID_ALPHABET,
    Member,
    Organization,
    OrgPolicy,
    PolicyType,
    Unit,
    account_email,
    aws_managed_policy,
    parse_policy,
)


def _stable(org_id: str, name: str, length: int) -> str:
    """An id derived from the organization and a name, so that a scenario can name its OUs' and policies'
    ids in its commands whatever else its world lays out."""
    digest = hashlib.shake_256(f"{org_id}/{name}".encode()).digest(length)
    return "".join(ID_ALPHABET[byte % len(ID_ALPHABET)] for byte in digest)


@dataclass(frozen=True)
class PolicySpec:
    type: PolicyType
    name: str
    document: Mapping[str, Any] | str
    targets: Sequence[str]  # "root", an OU's name, or an account id
    description: str = ""


def lay_out(
    world: Any,
    org_id: str,
    management: str,
    accounts: Sequence[str],
    units: Mapping[str, Sequence[str]],
    policies: Sequence[PolicySpec],
) -> Organization:
    """The organization; ValueError (or PolicyError) naming what is wrong."""
    root_id = f"r-{org_id[2:6]}"
    members = dict.fromkeys([management, *accounts])
    org = Organization(org_id, frozenset(members), management_account=management, root_id=root_id)
    unit_ids: dict[str, str] = {}
    parents = dict.fromkeys(members, root_id)
    for name, unit_accounts in units.items():
        unit_id = f"ou-{root_id[2:]}-{_stable(org_id, name, 8)}"
        unit_ids[name] = unit_id
        for account in unit_accounts:
            if account not in parents:
                raise ValueError(f"OU {name}: account {account} is not in the organization's accounts")
            parents[account] = unit_id
    now = world.clock.now
    org = org.changed(
        members={a: Member(a, f"account-{a}", account_email(a), now, "CREATED", parents[a]) for a in members},
        units={uid: Unit(uid, org.arn("ou", f"/{uid}"), name, root_id) for name, uid in unit_ids.items()},
    )
    enabled = frozenset(spec.type for spec in policies)
    targets = [root_id, *unit_ids.values(), *members]
    attachments: dict[str, tuple[str, ...]] = {
        t: tuple(aws_managed_policy(k).id for k in sorted(enabled)) for t in targets
    }
    stored: dict[str, OrgPolicy] = {}
    for spec in policies:
        parsed = parse_policy(spec.type, spec.document)
        policy_id = f"p-{_stable(org_id, spec.type + spec.name, 8)}"
        content = spec.document if isinstance(spec.document, str) else json.dumps(spec.document)
        arn = org.arn("policy", f"/{ARN_TYPE[spec.type]}/{policy_id}")
        stored[policy_id] = OrgPolicy(policy_id, arn, spec.name, spec.type, content, parsed, spec.description)
        for target in spec.targets:
            target_id = root_id if target == "root" else unit_ids.get(target, target)
            if target_id not in attachments:
                raise ValueError(f"{spec.name}: no root, OU or member account {target!r} to attach it to")
            attachments[target_id] += (policy_id,)
    return org.changed(policies=stored, attachments=attachments, enabled=enabled)
