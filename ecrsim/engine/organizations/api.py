"""The AWS Organizations operations `aws organizations` reaches: the organization, its OUs and accounts, and
service control and resource control policies (create, describe, list, attach, detach, enable the type).

Organizations is global and run from the management account: a member account's call is refused with
AccessDeniedException "You don't have permissions to access this resource." whatever its IAM says, and an
account outside any organization gets AWSOrganizationsNotInUseException. Each call is also authorized as
IAM authorizes it, `organizations:<Operation>` on the policy, root, OU or account it touches.
Error texts: AWS's where public CLI output shows them (DuplicatePolicyAttachmentException,
AWSOrganizationsNotInUseException), otherwise those moto (`moto/organizations/exceptions.py`) mirrors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import LineKind
from ecrsim.engine.organizations.model import (
    ARN_TYPE,
    ID_ALPHABET,
    RCP,
    SCP,
    Member,
    Organization,
    OrgPolicy,
    PolicyType,
    Unit,
    account_email,
    attached,
    aws_managed_policy,
    find_policy,
    parse_policy,
)
from ecrsim.engine.policy.document import PolicyError

# The largest policy document Organizations accepts for SCPs and RCPs ("Quotas for AWS Organizations").
_MAX_POLICY = 5120


def _org(call: Call) -> Organization:
    org = call.world.organization
    if org is None or org.management_account is None or call.caller.account_id not in org.accounts:
        raise ServiceError(
            "AWSOrganizationsNotInUseException", "Your account is not a member of an organization."
        )
    return org


def _managed(call: Call, action_resource: str = "*") -> Organization:
    """The organization, for an operation only its management account may call; authorized on the ARN."""
    org = _org(call)
    if call.caller.account_id != org.management_account:
        call.explain(
            LineKind.VALIDATION,
            f"{call.operation} is for the organization's management account ({org.management_account});"
            f" account {call.caller.account_id} is a member, whatever its IAM policies allow",
        )
        raise ServiceError("AccessDeniedException", "You don't have permissions to access this resource.")
    call.authorize(f"organizations:{call.operation}", action_resource)
    return org


def _save(call: Call, org: Organization) -> None:
    call.world.organization = org
    for account in call.world.accounts.values():  # aws:PrincipalOrgID and the guardrails may have changed
        account.iam_changed()


def _organization_shape(org: Organization) -> dict[str, Any]:
    manager = org.members[org.management_account]  # type: ignore[index]
    return {
        "Organization": {
            "Id": org.id,
            "Arn": org.arn("organization", ""),
            "FeatureSet": "ALL",
            "MasterAccountArn": org.arn("account", f"/{manager.id}"),
            "MasterAccountId": manager.id,
            "MasterAccountEmail": manager.email,
            # Deprecated in the API, and always this (DescribeOrganization reference).
            "AvailablePolicyTypes": [{"Type": SCP, "Status": "ENABLED"}],
        }
    }


def _root_shape(org: Organization) -> dict[str, Any]:
    return {
        "Id": org.root_id,
        "Arn": org.root_arn,
        "Name": "Root",
        "PolicyTypes": [{"Type": kind, "Status": "ENABLED"} for kind in (SCP, RCP) if kind in org.enabled],
    }


def _summary(policy: OrgPolicy) -> dict[str, Any]:
    return {
        "Id": policy.id,
        "Arn": policy.arn,
        "Name": policy.name,
        "Description": policy.description,
        "Type": policy.type,
        "AwsManaged": policy.aws_managed,
    }


# -- the organization -----------------------------------------------------------------------------------
@operation("organizations", "CreateOrganization")
def create_organization(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    call.authorize("organizations:CreateOrganization")
    account = call.caller.account_id
    if account is None:
        raise ServiceError("AccessDeniedException", "You don't have permissions to access this resource.")
    if call.world.organization is not None and account in call.world.organization.accounts:
        raise ServiceError(
            "AlreadyInOrganizationException", "The provided account is already a member of an organization."
        )
    if params.get("FeatureSet", "ALL") != "ALL":
        raise ServiceError(
            "ValidationError",
            "ecrsim simulates organizations with all features only; leave out --feature-set.",
        )
    world = call.world
    org_id = world.make_id("o-", 10, ID_ALPHABET)
    root_id = world.make_id("r-", 4, ID_ALPHABET)
    member = Member(account, f"account-{account}", account_email(account), call.now, "CREATED", root_id)
    org = Organization(
        org_id, frozenset({account}), management_account=account, root_id=root_id, members={account: member}
    )
    _save(call, org)
    return _organization_shape(org)


@operation("organizations", "DescribeOrganization")
def describe_organization(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    org = _org(call)
    call.authorize("organizations:DescribeOrganization")
    return _organization_shape(org)


@operation("organizations", "ListRoots")
def list_roots(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    return {"Roots": [_root_shape(_managed(call))]}


@operation("organizations", "ListAccounts")
def list_accounts(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    org = _managed(call)
    return {
        "Accounts": [
            {
                "Id": member.id,
                "Arn": org.arn("account", f"/{member.id}"),
                "Email": member.email,
                "Name": member.name,
                "Status": "ACTIVE",
                "JoinedMethod": member.method,
                "JoinedTimestamp": member.joined,
            }
            for member in sorted(org.members.values(), key=lambda m: m.joined)
        ]
    }


@operation("organizations", "CreateAccount")
def create_account(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """A new member account, with the OrganizationAccountAccessRole AWS creates in it: AdministratorAccess,
    trusted by the management account ("Accessing member accounts", Organizations user guide). AWS creates
    the account asynchronously; DescribeCreateAccountStatus reports it done."""
    from ecrsim.engine.identity import add_role

    org = _managed(call)
    world = call.world
    account_id = world.make_id("", 12, "0123456789")
    while account_id in world.accounts or account_id[0] == "0":
        account_id = world.make_id("", 12, "0123456789")
    world.add_account(account_id)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{org.management_account}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role_name = params.get("RoleName") or "OrganizationAccountAccessRole"
    add_role(world, account_id, role_name, trust, managed=["AdministratorAccess"])
    member = Member(account_id, params["AccountName"], params["Email"], call.now, "CREATED", org.root_id)
    attachments = dict(org.attachments)
    attachments[account_id] = tuple(f"p-{p.name}" for p in map(aws_managed_policy, sorted(org.enabled)))
    status = {
        "Id": world.make_id("car-", 32, ID_ALPHABET),
        "AccountName": member.name,
        "State": "IN_PROGRESS",
        "RequestedTimestamp": call.now,
    }
    _save(
        call,
        org.changed(
            accounts=org.accounts | {account_id},
            members={**org.members, account_id: member},
            attachments=attachments,
            requests={**org.requests, status["Id"]: account_id},
        ),
    )
    return {"CreateAccountStatus": status}


@operation("organizations", "DescribeCreateAccountStatus")
def describe_create_account_status(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    org = _managed(call)
    request = params.get("CreateAccountRequestId", "")
    account_id = org.requests.get(request)
    if account_id is None:
        raise ServiceError(
            "CreateAccountStatusNotFoundException",
            "We can't find an create account request with the CreateAccountRequestId that you specified.",
        )
    member = org.members[account_id]
    return {
        "CreateAccountStatus": {
            "Id": request,
            "AccountName": member.name,
            "State": "SUCCEEDED",
            "RequestedTimestamp": member.joined,
            "CompletedTimestamp": member.joined,
            "AccountId": account_id,
        }
    }


# -- organizational units -------------------------------------------------------------------------------
def _target_arn(org: Organization, target: str) -> str:
    if target == org.root_id:
        return org.root_arn
    if target in org.units:
        return org.units[target].arn
    if target in org.members:
        return org.arn("account", f"/{target}")
    raise ServiceError("TargetNotFoundException", "You specified a target that doesn't exist.")


def _parent(org: Organization, parent: str) -> str:
    if parent != org.root_id and parent not in org.units:
        raise ServiceError(
            "ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified."
        )
    return parent


@operation("organizations", "CreateOrganizationalUnit")
def create_organizational_unit(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    org = _org(call)
    parent = _parent(org, params.get("ParentId", ""))
    org = _managed(call, _target_arn(org, parent))
    name = params["Name"]
    if any(unit.name == name and unit.parent == parent for unit in org.units.values()):
        raise ServiceError("DuplicateOrganizationalUnitException", "An OU with the same name already exists.")
    unit_id = f"ou-{org.root_id[2:]}-{call.world.make_id('', 8, ID_ALPHABET)}"
    unit = Unit(unit_id, org.arn("ou", f"/{unit_id}"), name, parent)
    attachments = {
        **org.attachments,
        unit_id: tuple(f"p-{aws_managed_policy(k).name}" for k in sorted(org.enabled)),
    }
    _save(call, org.changed(units={**org.units, unit_id: unit}, attachments=attachments))
    return {"OrganizationalUnit": {"Id": unit.id, "Arn": unit.arn, "Name": unit.name}}


@operation("organizations", "ListOrganizationalUnitsForParent")
def list_organizational_units_for_parent(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    org = _org(call)
    parent = _parent(org, params.get("ParentId", ""))
    org = _managed(call, _target_arn(org, parent))
    units = [u for u in org.units.values() if u.parent == parent]
    return {"OrganizationalUnits": [{"Id": u.id, "Arn": u.arn, "Name": u.name} for u in units]}


@operation("organizations", "MoveAccount")
def move_account(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    org = _org(call)
    account_id = params.get("AccountId", "")
    if account_id not in org.members:
        raise ServiceError("AccountNotFoundException", "You specified an account that doesn't exist.")
    org = _managed(call, org.arn("account", f"/{account_id}"))
    member = org.members[account_id]
    if member.parent != params.get("SourceParentId"):
        raise ServiceError(
            "SourceParentNotFoundException",
            "We can't find a source root or OU with the ParentId that you specified.",
        )
    destination = params.get("DestinationParentId", "")
    if destination != org.root_id and destination not in org.units:
        raise ServiceError(
            "DestinationParentNotFoundException",
            "We can't find the destination container (a root or OU) with the ParentId that you specified.",
        )
    moved = Member(member.id, member.name, member.email, member.joined, member.method, destination)
    _save(call, org.changed(members={**org.members, account_id: moved}))
    return {}


# -- policies -------------------------------------------------------------------------------------------
def _type(params: Mapping[str, Any], key: str = "Type") -> PolicyType:
    kind = params.get(key)
    if kind not in (SCP, RCP):
        raise ServiceError(
            "ValidationError", f"ecrsim simulates the policy types {SCP} and {RCP}, not {kind}."
        )
    return kind  # type: ignore[return-value]


def _policy(org: Organization, policy_id: str) -> OrgPolicy:
    policy = find_policy(org, policy_id)
    if policy is None:
        raise ServiceError(
            "PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified."
        )
    return policy


@operation("organizations", "CreatePolicy")
def create_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    org = _managed(call)
    kind = _type(params)
    name, content = params["Name"], params["Content"]
    if any(p.name == name and p.type == kind for p in org.policies.values()):
        raise ServiceError("DuplicatePolicyException", "A policy with the same name already exists.")
    if len(content) > _MAX_POLICY:
        raise ServiceError(
            "ConstraintViolationException",
            "You attempted to create a policy that is larger than the maximum size.",
        )
    try:
        parsed = parse_policy(kind, content)
    except PolicyError as error:
        call.explain(LineKind.VALIDATION, f"the {kind} document is malformed: {error.message}")
        raise ServiceError(
            "MalformedPolicyDocumentException",
            "The provided policy document doesn't meet the requirements of the specified policy type.",
        ) from None
    if kind == RCP and any(s.effect == "Allow" for s in parsed.statements):
        raise ServiceError(
            "MalformedPolicyDocumentException",
            "The provided policy document doesn't meet the requirements of the specified policy type.",
        )
    policy_id = f"p-{call.world.make_id('', 8, ID_ALPHABET)}"
    policy = OrgPolicy(
        policy_id,
        org.arn("policy", f"/{ARN_TYPE[kind]}/{policy_id}"),
        name,
        kind,
        content,
        parsed,
        params.get("Description", ""),
    )
    _save(call, org.changed(policies={**org.policies, policy_id: policy}))
    return {"Policy": {"PolicySummary": _summary(policy), "Content": content}}


@operation("organizations", "DescribePolicy")
def describe_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    org = _org(call)
    policy = _policy(org, params.get("PolicyId", ""))
    _managed(call, policy.arn)
    return {"Policy": {"PolicySummary": _summary(policy), "Content": policy.content}}


def _all_policies(org: Organization, kind: PolicyType) -> list[OrgPolicy]:
    """The AWS managed policy of the type first, then the organization's own, as AWS lists them."""
    return [aws_managed_policy(kind), *(p for p in org.policies.values() if p.type == kind)]


@operation("organizations", "ListPolicies")
def list_policies(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    org = _managed(call)
    return {"Policies": [_summary(p) for p in _all_policies(org, _type(params, "Filter"))]}


@operation("organizations", "ListPoliciesForTarget")
def list_policies_for_target(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    org = _org(call)
    target = params.get("TargetId", "")
    org = _managed(call, _target_arn(org, target))
    kind = _type(params, "Filter")
    return {"Policies": [_summary(p) for p in attached(org, target) if p.type == kind]}


def _attachment(call: Call, params: dict[str, Any]) -> tuple[Organization, OrgPolicy, str]:
    org = _org(call)
    policy = _policy(org, params.get("PolicyId", ""))
    target = params.get("TargetId", "")
    target_arn = _target_arn(org, target)
    _managed(call, policy.arn)
    call.authorize(f"organizations:{call.operation}", target_arn)
    if policy.type not in org.enabled:
        raise ServiceError(
            "PolicyTypeNotEnabledException", "This operation can be performed only for enabled policy types."
        )
    return org, policy, target


@operation("organizations", "AttachPolicy")
def attach_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    org, policy, target = _attachment(call, params)
    present = org.attachments.get(target, ())
    if policy.id in present:
        # The text the CLI prints for it (a public CLI log): it says "name and type" even for an id.
        raise ServiceError(
            "DuplicatePolicyAttachmentException", "A policy with the specified name and type already exists."
        )
    _save(call, org.changed(attachments={**org.attachments, target: (*present, policy.id)}))
    return {}


@operation("organizations", "DetachPolicy")
def detach_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    org, policy, target = _attachment(call, params)
    present = org.attachments.get(target, ())
    if policy.id not in present:
        raise ServiceError(
            "PolicyNotAttachedException",
            "The policy isn't attached to the specified target in the specified root.",
        )
    rest = tuple(pid for pid in present if pid != policy.id)
    if policy.id == aws_managed_policy(RCP).id or not any(
        _policy(org, pid).type == policy.type for pid in rest
    ):
        # "RCPFullAWSAccess ... You cannot detach this policy"; and every target keeps at least one SCP
        # (ConstraintViolationException reason MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED, whose description
        # in the API reference is this sentence).
        call.explain(
            LineKind.VALIDATION,
            "RCPFullAWSAccess cannot be detached"
            if policy.type == RCP
            else f"{target} must keep at least one service control policy (attach another first)",
        )
        raise ServiceError(
            "ConstraintViolationException",
            "You attempted to detach a policy from an entity that would cause the entity to have fewer than"
            " the minimum number of policies of a certain type required.",
        )
    _save(call, org.changed(attachments={**org.attachments, target: rest}))
    return {}


@operation("organizations", "DeletePolicy")
def delete_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    org = _org(call)
    policy = _policy(org, params.get("PolicyId", ""))
    org = _managed(call, policy.arn)
    if policy.aws_managed:
        raise ServiceError("AccessDeniedException", "You don't have permissions to access this resource.")
    if any(policy.id in ids for ids in org.attachments.values()):
        raise ServiceError(
            "PolicyInUseException",
            "The policy is attached to one or more entities. You must detach it from all roots, OUs, and"
            " accounts before performing this operation.",
        )
    _save(call, org.changed(policies={pid: p for pid, p in org.policies.items() if pid != policy.id}))
    return {}


@operation("organizations", "EnablePolicyType")
def enable_policy_type(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Enabling a type attaches its AWS managed policy (FullAWSAccess, RCPFullAWSAccess) to the root, every
    OU and every account, so nothing changes until other policies are attached ("Enabling a policy type")."""
    org = _org(call)
    if params.get("RootId") != org.root_id:
        raise ServiceError("RootNotFoundException", "You specified a root that doesn't exist.")
    org = _managed(call, org.root_arn)
    kind = _type(params, "PolicyType")
    if kind in org.enabled:
        raise ServiceError(
            "PolicyTypeAlreadyEnabledException", "The specified policy type is already enabled."
        )
    managed = aws_managed_policy(kind).id
    targets = [org.root_id, *org.units, *org.members]
    attachments = {**org.attachments}
    for target in targets:
        attachments[target] = (*attachments.get(target, ()), managed)
    org = org.changed(enabled=org.enabled | {kind}, attachments=attachments)
    _save(call, org)
    return {"Root": _root_shape(org)}
