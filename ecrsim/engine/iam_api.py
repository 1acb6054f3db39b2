"""The IAM API operations `aws iam` reaches: users, groups, roles, managed and inline policies.

Parameters and responses use the IAM API's own member names (botocore's `iam` model); policy documents
come back decoded into JSON objects, as botocore hands them to the CLI. IAM is global: an operation acts
on the caller's own account, whatever the Region. Each is authorized as IAM authorizes it: the action
`iam:<Operation>` on the ARN of the user, group, role or policy it touches (the Service Authorization
Reference, IAM), with `iam:PolicyARN` in the context of attach and detach calls.

Errors are IAM's codes and sentences: NoSuchEntity, EntityAlreadyExists, DeleteConflict,
MalformedPolicyDocument, and ValidationError/InvalidInput for parameters IAM would refuse.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from ecrsim.engine import identity
from ecrsim.engine.api import Call, operation
from ecrsim.engine.arn import parse_arn
from ecrsim.engine.clock import DEFAULT_START
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.iam import Account, Group, ManagedPolicy, Role, User
from ecrsim.engine.policy.types import ContextValue
from ecrsim.engine.world import INVALID_TOKEN_MESSAGE

Context = Mapping[str, ContextValue]

_NAME_PATTERN = r"[\w+=,.@-]+"
# Parameter -> (the member name IAM's validation messages use, maximum length). botocore iam model:
# userNameType and roleNameType are 1-64 characters, groupNameType and policyNameType 1-128.
_NAMES = {
    "UserName": ("userName", 64),
    "GroupName": ("groupName", 128),
    "RoleName": ("roleName", 64),
    "PolicyName": ("policyName", 128),
    "InstanceProfileName": ("instanceProfileName", 128),
}
_PATH = re.compile(r"/|/[\x21-\x7e]+/")
_ROLE_SESSION_LIMITS = (3600, 43200)  # MaxSessionDuration, in seconds (CreateRole API reference)
# IAM quotas on policy size, which "doesn't count white space" (IAM and STS quotas page): all of a user's
# inline policies together 2,048 characters, a role's 10,240; one managed policy 6,144.
_INLINE_QUOTA = {"User": 2048, "Role": 10240}
_MANAGED_QUOTA = 6144


# -- parameters -----------------------------------------------------------------------------------------
def _invalid(member: str, value: object, constraint: str) -> ServiceError:
    shown = "null" if value is None else f"'{value}'"
    return ServiceError(
        "ValidationError",
        f"1 validation error detected: Value {shown} at '{member}' failed to satisfy constraint:"
        f" {constraint}",
    )


def _name(params: Mapping[str, Any], key: str) -> str:
    member, longest = _NAMES[key]
    value = params.get(key)
    if not isinstance(value, str):
        raise _invalid(member, None, "Member must not be null")
    if len(value) > longest:
        raise _invalid(member, value, f"Member must have length less than or equal to {longest}")
    if not re.fullmatch(_NAME_PATTERN, value):
        raise _invalid(member, value, f"Member must satisfy regular expression pattern: {_NAME_PATTERN}")
    return value


def _path(params: Mapping[str, Any], key: str = "Path") -> str:
    value = params.get(key, "/")
    if not isinstance(value, str) or not _PATH.fullmatch(value):
        raise _invalid(
            key[0].lower() + key[1:],
            value,
            "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
        )
    return value


def _policy_arn(params: Mapping[str, Any], key: str = "PolicyArn") -> str:
    value = params.get(key)
    member = key[0].lower() + key[1:]
    if not isinstance(value, str):
        raise _invalid(member, None, "Member must not be null")
    if len(value) < 20:
        raise _invalid(member, value, "Member must have length greater than or equal to 20")
    arn = parse_arn(value)
    if (
        arn is None
        or not arn.partition.startswith("aws")
        or (arn.service, arn.region) != ("iam", "")
        or not (arn.account == "aws" or re.fullmatch(r"\d{12}", arn.account))
        or not arn.resource.startswith("policy/")
        or arn.resource == "policy/"
    ):
        raise ServiceError("InvalidInput", f"ARN {value} is not valid.")
    return value


def _document(params: Mapping[str, Any], key: str) -> str | Mapping[str, Any]:
    value = params.get(key)
    if not isinstance(value, (str, Mapping)) or not value:
        raise _invalid(key[0].lower() + key[1:], None, "Member must not be null")
    return value


def _tags(params: Mapping[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag.get("Value", "") for tag in params.get("Tags") or ()}


def _unsupported(params: Mapping[str, Any], *keys: str) -> None:
    """Say plainly what the simulator does not model, rather than accept a parameter and ignore it."""
    for key in keys:
        if params.get(key):
            raise ServiceError("ValidationError", f"ecrsim does not simulate {key}; leave it out.")


def _tag_context(tags: Mapping[str, str]) -> dict[str, ContextValue]:
    """aws:RequestTag/* and aws:TagKeys, which IAM sends for calls that create tagged entities."""
    if not tags:
        return {}
    return {"aws:TagKeys": tuple(tags), **{f"aws:RequestTag/{key}": value for key, value in tags.items()}}


# -- lookups --------------------------------------------------------------------------------------------
def _account(call: Call) -> Account:
    """IAM acts on the caller's own account."""
    if call.caller.account_id is None:
        raise ServiceError("InvalidClientTokenId", INVALID_TOKEN_MESSAGE)
    return call.world.account(call.caller.account_id)


def _arn(account: Account, kind: str, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account.id}:{kind}{path}{name}"


def _authorize(call: Call, arn: str, account: Account, context: Context | None = None) -> None:
    call.authorize(f"iam:{call.operation}", arn, resource_account=account.id, context=context)


def _found(entity: Any, kind: str, name: str) -> Any:
    if entity is None:
        raise ServiceError("NoSuchEntity", f"The {kind} with name {name} cannot be found.")
    return entity


def _user(call: Call, params: Mapping[str, Any], context: Context | None = None) -> tuple[Account, User]:
    """The named user, after authorizing this call on its ARN (IAM authorizes before it looks)."""
    account, name = _account(call), _name(params, "UserName")
    user = account.users.get(name)
    _authorize(call, user.arn if user else _arn(account, "user", name), account, context)
    return account, _found(user, "user", name)


def _group(call: Call, params: Mapping[str, Any], context: Context | None = None) -> tuple[Account, Group]:
    account, name = _account(call), _name(params, "GroupName")
    group = account.groups.get(name)
    _authorize(call, group.arn if group else _arn(account, "group", name), account, context)
    return account, _found(group, "group", name)


def _role(call: Call, params: Mapping[str, Any], context: Context | None = None) -> tuple[Account, Role]:
    account, name = _account(call), _name(params, "RoleName")
    role = account.roles.get(name)
    _authorize(call, role.arn if role else _arn(account, "role", name), account, context)
    return account, _found(role, "role", name)


_ENTITY: dict[str, Callable[[Call, Mapping[str, Any], Context | None], tuple[Account, Any]]] = {
    "User": _user,
    "Group": _group,
    "Role": _role,
}


# -- response shapes ------------------------------------------------------------------------------------
def _tag_list(tags: Mapping[str, str]) -> dict[str, Any]:
    return {"Tags": [{"Key": key, "Value": value} for key, value in tags.items()]} if tags else {}


def _boundary_shape(entity: User | Role) -> dict[str, Any]:
    """PermissionsBoundary, as GetUser, GetRole, CreateUser and CreateRole return it when one is set."""
    if entity.boundary is None:
        return {}
    boundary = {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": entity.boundary,
    }
    return {"PermissionsBoundary": boundary}


def user_shape(user: User, *, tags: bool = True) -> dict[str, Any]:
    """A User; ListUsers leaves out the tags and the boundary ("this operation does not return tags",
    ListUsers reference)."""
    return {
        "Path": user.path,
        "UserName": user.name,
        "UserId": user.user_id,
        "Arn": user.arn,
        "CreateDate": user.created,
        **(_boundary_shape(user) if tags else {}),
        **(_tag_list(user.tags) if tags else {}),
    }


def _group_shape(group: Group) -> dict[str, Any]:
    return {
        "Path": group.path,
        "GroupName": group.name,
        "GroupId": group.group_id,
        "Arn": group.arn,
        "CreateDate": group.created,
    }


def role_shape(role: Role) -> dict[str, Any]:
    """The Role CreateRole returns: no MaxSessionDuration or RoleLastUsed, which only GetRole reports."""
    shape: dict[str, Any] = {
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": role.role_id,
        "Arn": role.arn,
        "CreateDate": role.created,
        "AssumeRolePolicyDocument": json.loads(role.trust.document) if role.trust else None,
    }
    if role.description:
        shape["Description"] = role.description
    return {**shape, **_boundary_shape(role), **_tag_list(role.tags)}


def _policy_shape(account: Account, policy: ManagedPolicy) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "PolicyName": policy.name,
        "PolicyId": policy.policy_id,
        "Arn": policy.arn,
        "Path": policy.path,
        "DefaultVersionId": "v1",
        "AttachmentCount": account.attachment_count(policy.arn),
        "PermissionsBoundaryUsageCount": account.boundary_count(policy.arn),
        "IsAttachable": True,
    }
    if policy.description:
        shape["Description"] = policy.description
    return {**shape, "CreateDate": policy.created, "UpdateDate": policy.created}


def _page(params: Mapping[str, Any], key: str, items: list[Any]) -> dict[str, Any]:
    """IAM's paging: MaxItems per page, and an opaque Marker to continue from (here, the next index)."""
    start = int(params["Marker"]) if str(params.get("Marker", "")).isdigit() else 0
    limit = params.get("MaxItems") or 100
    page = items[start : start + limit]
    if start + limit < len(items):
        return {key: page, "IsTruncated": True, "Marker": str(start + limit)}
    return {key: page, "IsTruncated": False}


def _attached(account: Account, entity: User | Group | Role, params: Mapping[str, Any]) -> dict[str, Any]:
    prefix = _path(params, "PathPrefix") if "PathPrefix" in params else "/"
    attached = []
    for arn in entity.attached:
        name, path = identity.policy_name_and_path(account, arn)
        if path.startswith(prefix):
            attached.append({"PolicyName": name, "PolicyArn": arn})
    return _page(params, "AttachedPolicies", attached)


# -- users ----------------------------------------------------------------------------------------------
@operation("iam", "CreateUser")
def create_user(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    account, name, path, tags = _account(call), _name(params, "UserName"), _path(params), _tags(params)
    boundary = _boundary_arn(params) if "PermissionsBoundary" in params else None
    context = {**_tag_context(tags), **({"iam:PermissionsBoundary": boundary} if boundary else {})}
    _authorize(call, _arn(account, "user", name, path), account, context)
    if boundary:
        identity.named_managed_policy(account, boundary)  # NoSuchEntity before the user exists
    user = identity.add_user(call.world, account.id, name, path=path, tags=tags, access_key=False)
    if boundary:
        identity.set_boundary(account, user, boundary)
    return {"User": user_shape(user)}


@operation("iam", "GetUser")
def get_user(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Without UserName, the user whose credentials sign the request (root answers for itself)."""
    if params.get("UserName") is not None:
        return {"User": user_shape(_user(call, params)[1])}
    account, caller = _account(call), call.caller
    if caller.kind not in ("user", "root"):
        raise ServiceError("ValidationError", "Must specify userName when calling with non-User credentials")
    _authorize(call, caller.arn, account)
    if caller.kind == "root":
        return {"User": {"UserId": account.id, "Arn": caller.arn, "CreateDate": DEFAULT_START}}
    return {"User": user_shape(account.users[str(caller.context["aws:username"])])}


@operation("iam", "ListUsers")
def list_users(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    account = _account(call)
    prefix = _path(params, "PathPrefix") if "PathPrefix" in params else "/"
    _authorize(call, _arn(account, "user", "", prefix), account)
    users = sorted(account.users.values(), key=lambda user: user.name.lower())
    return _page(
        params, "Users", [user_shape(user, tags=False) for user in users if user.path.startswith(prefix)]
    )


@operation("iam", "DeleteUser")
def delete_user(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """IAM refuses while anything is still attached, in the order its DeleteUser page lists them."""
    account, user = _user(call, params)
    conflicts = (
        (user.access_keys, "Cannot delete entity, must delete access keys first."),
        (user.inline, "Cannot delete entity, must delete policies first."),
        (user.attached, "Cannot delete entity, must detach all policies first."),
        (user.groups, "Cannot delete entity, must remove users from group first."),
    )
    for remaining, message in conflicts:
        if remaining:
            raise ServiceError("DeleteConflict", message)
    del account.users[user.name]
    return {}


# -- groups ---------------------------------------------------------------------------------------------
@operation("iam", "CreateGroup")
def create_group(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    account, name, path = _account(call), _name(params, "GroupName"), _path(params)
    _authorize(call, _arn(account, "group", name, path), account)
    return {"Group": _group_shape(identity.add_group(call.world, account.id, name, path=path))}


@operation("iam", "AddUserToGroup")
def add_user_to_group(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    user_name = _name(params, "UserName")
    account, group = _group(call, params)
    user = _found(account.users.get(user_name), "user", user_name)
    identity.add_user_to_group(account, user, group.name)
    return {}


@operation("iam", "RemoveUserFromGroup")
def remove_user_from_group(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    user_name = _name(params, "UserName")
    account, group = _group(call, params)
    user = _found(account.users.get(user_name), "user", user_name)
    _found(user if group.name in user.groups else None, "user", user_name)
    user.groups.remove(group.name)
    return {}


# -- roles ----------------------------------------------------------------------------------------------
@operation("iam", "CreateRole")
def create_role(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    account, name, path, tags = _account(call), _name(params, "RoleName"), _path(params), _tags(params)
    boundary = _boundary_arn(params) if "PermissionsBoundary" in params else None
    trust = _document(params, "AssumeRolePolicyDocument")
    longest_session = params.get("MaxSessionDuration", 3600)
    low, high = _ROLE_SESSION_LIMITS
    if not low <= longest_session <= high:
        bound = "greater than or equal to 3600" if longest_session < low else "less than or equal to 43200"
        raise _invalid("maxSessionDuration", longest_session, f"Member must have value {bound}")
    context = {**_tag_context(tags), **({"iam:PermissionsBoundary": boundary} if boundary else {})}
    _authorize(call, _arn(account, "role", name, path), account, context)
    if boundary:
        identity.named_managed_policy(account, boundary)
    role = identity.add_role(
        call.world,
        account.id,
        name,
        trust,
        description=params.get("Description", ""),
        path=path,
        max_session_duration=longest_session,
        tags=tags,
    )
    if boundary:
        identity.set_boundary(account, role, boundary)
    return {"Role": role_shape(role)}


@operation("iam", "GetRole")
def get_role(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """GetRole adds what CreateRole leaves out: MaxSessionDuration and RoleLastUsed (never used here)."""
    _, role = _role(call, params)
    shape = role_shape(role)
    extra = {"MaxSessionDuration": role.max_session_duration, "RoleLastUsed": {}}
    tail = {key: shape.pop(key) for key in ("PermissionsBoundary", "Tags") if key in shape}
    return {"Role": {**shape, **extra, **tail}}


# -- permissions boundaries -----------------------------------------------------------------------------
def _boundary_arn(params: Mapping[str, Any]) -> str:
    """The PermissionsBoundary parameter: a managed policy ARN (IAM API reference)."""
    return _policy_arn(params, "PermissionsBoundary")


def _put_boundary(call: Call, params: dict[str, Any], kind: str) -> dict[str, Any]:
    """A boundary caps what the entity's identity-based policies allow, from its very next call."""
    arn = _boundary_arn(params)
    account, entity = _ENTITY[kind](call, params, {"iam:PermissionsBoundary": arn})
    identity.set_boundary(account, entity, arn)
    return {}


def _delete_boundary(call: Call, params: dict[str, Any], kind: str) -> dict[str, Any]:
    account, entity = _ENTITY[kind](call, params, None)
    identity.set_boundary(account, entity, None)
    return {}


for _kind in ("User", "Role"):
    operation("iam", f"Put{_kind}PermissionsBoundary")(functools.partial(_put_boundary, kind=_kind))
    operation("iam", f"Delete{_kind}PermissionsBoundary")(functools.partial(_delete_boundary, kind=_kind))


@operation("iam", "DeleteRole")
def delete_role(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    account, role = _role(call, params)
    if role.inline:
        raise ServiceError("DeleteConflict", "Cannot delete entity, must delete policies first.")
    if role.attached:
        raise ServiceError("DeleteConflict", "Cannot delete entity, must detach all policies first.")
    if any(role.name in profile.roles for profile in account.instance_profiles.values()):
        raise ServiceError(
            "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first."
        )
    del account.roles[role.name]
    return {}


# -- managed policies -----------------------------------------------------------------------------------
@operation("iam", "CreatePolicy")
def create_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    account, name, path = _account(call), _name(params, "PolicyName"), _path(params)
    document = _document(params, "PolicyDocument")
    _authorize(call, _arn(account, "policy", name, path), account)
    text = identity.store_identity_policy(name, document).document
    if _size(text) > _MANAGED_QUOTA:
        raise ServiceError("LimitExceeded", f"Cannot exceed quota for PolicySize: {_MANAGED_QUOTA}")
    policy = identity.add_customer_policy(
        call.world, account.id, name, document, description=params.get("Description", ""), path=path
    )
    return {"Policy": _policy_shape(account, policy)}


@operation("iam", "DeletePolicy")
def delete_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    account, arn = _account(call), _policy_arn(params)
    _authorize(call, arn, account)
    if arn not in account.policies:
        raise ServiceError("NoSuchEntity", f"Policy {arn} was not found.")
    if account.attachment_count(arn) or account.boundary_count(arn):
        raise ServiceError("DeleteConflict", "Cannot delete a policy attached to entities.")
    del account.policies[arn]
    return {}


def _attach(call: Call, params: dict[str, Any], kind: str) -> dict[str, Any]:
    arn = _policy_arn(params)
    account, entity = _ENTITY[kind](call, params, {"iam:PolicyARN": arn})
    identity.attach_policy(account, entity, arn)
    return {}


def _detach(call: Call, params: dict[str, Any], kind: str) -> dict[str, Any]:
    arn = _policy_arn(params)
    account, entity = _ENTITY[kind](call, params, {"iam:PolicyARN": arn})
    identity.detach_policy(account, entity, arn)
    return {}


for _kind in _ENTITY:
    operation("iam", f"Attach{_kind}Policy")(functools.partial(_attach, kind=_kind))
    operation("iam", f"Detach{_kind}Policy")(functools.partial(_detach, kind=_kind))


@operation("iam", "ListAttachedUserPolicies")
def list_attached_user_policies(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    return _attached(*_user(call, params), params)


@operation("iam", "ListAttachedRolePolicies")
def list_attached_role_policies(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    return _attached(*_role(call, params), params)


# -- inline policies ------------------------------------------------------------------------------------
def _size(document: str) -> int:
    """A policy's size as IAM's quotas count it: without white space."""
    return len(json.dumps(json.loads(document), separators=(",", ":"), ensure_ascii=False))


def _put_inline(call: Call, params: dict[str, Any], kind: str) -> dict[str, Any]:
    name, document = _name(params, "PolicyName"), _document(params, "PolicyDocument")
    _, entity = _ENTITY[kind](call, params, None)
    stored = identity.store_identity_policy(name, document)
    # Putting a policy of an existing name replaces it, as in IAM, so that one does not count twice.
    total = _size(stored.document) + sum(_size(p.document) for n, p in entity.inline.items() if n != name)
    if total > _INLINE_QUOTA[kind]:
        quota = _INLINE_QUOTA[kind]
        raise ServiceError(
            "LimitExceeded", f"Maximum policy size of {quota} bytes exceeded for {kind.lower()} {entity.name}"
        )
    entity.inline[name] = stored
    return {}


def _inline(entity: User | Group | Role, kind: str, params: Mapping[str, Any]) -> str:
    name = _name(params, "PolicyName")
    if name not in entity.inline:
        raise ServiceError("NoSuchEntity", f"The {kind.lower()} policy with name {name} cannot be found.")
    return name


def _get_inline(call: Call, params: dict[str, Any], kind: str) -> dict[str, Any]:
    _, entity = _ENTITY[kind](call, params, None)
    name = _inline(entity, kind, params)
    document = json.loads(entity.inline[name].document)
    return {f"{kind}Name": entity.name, "PolicyName": name, "PolicyDocument": document}


def _delete_inline(call: Call, params: dict[str, Any], kind: str) -> dict[str, Any]:
    _, entity = _ENTITY[kind](call, params, None)
    del entity.inline[_inline(entity, kind, params)]
    return {}


for _kind in ("User", "Role"):
    operation("iam", f"Put{_kind}Policy")(functools.partial(_put_inline, kind=_kind))
    operation("iam", f"Get{_kind}Policy")(functools.partial(_get_inline, kind=_kind))
    operation("iam", f"Delete{_kind}Policy")(functools.partial(_delete_inline, kind=_kind))


@operation("iam", "ListUserPolicies")
def list_user_policies(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    _, user = _user(call, params)
    return _page(params, "PolicyNames", sorted(user.inline))
