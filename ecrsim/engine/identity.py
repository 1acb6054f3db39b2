"""Creating IAM principals and resolving a principal ARN to the policies that apply to it.

The IAM API handlers call these after authorizing; scenario worlds and the default sandbox call them
directly to lay out a world. Errors are the ones IAM returns (EntityAlreadyExists, NoSuchEntity,
MalformedPolicyDocument), so both paths report a problem the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ecrsim.engine.errors import ServiceError
from ecrsim.engine.iam import (
    AWS_MANAGED_PREFIX,
    AccessKey,
    Account,
    Caller,
    Group,
    ManagedPolicy,
    Role,
    StoredPolicy,
    User,
)
from ecrsim.engine.policy.document import PolicyError, parse_identity_policy, parse_trust_policy
from ecrsim.engine.policy.managed import managed_policy
from ecrsim.engine.policy.types import NamedPolicy

if TYPE_CHECKING:
    from ecrsim.engine.world import World

PolicyDocument = str | Mapping[str, Any]


def _document_text(document: PolicyDocument) -> str:
    return document if isinstance(document, str) else json.dumps(document, indent=4)


def store_identity_policy(name: str, document: PolicyDocument) -> StoredPolicy:
    """Validate an identity policy as IAM does; MalformedPolicyDocument when it would not accept it."""
    try:
        return StoredPolicy(name, _document_text(document), parse_identity_policy(document))
    except PolicyError as error:
        raise ServiceError("MalformedPolicyDocument", str(error)) from None


def store_trust_policy(name: str, document: PolicyDocument) -> StoredPolicy:
    try:
        return StoredPolicy(name, _document_text(document), parse_trust_policy(document))
    except PolicyError as error:
        raise ServiceError("MalformedPolicyDocument", str(error)) from None


def managed_policy_arn(account: Account, name_or_arn: str) -> str:
    """`AmazonEC2ContainerRegistryReadOnly`, a customer policy's name, or either's ARN -> the policy ARN."""
    if name_or_arn.startswith("arn:"):
        return name_or_arn
    customer_arn = f"arn:aws:iam::{account.id}:policy/{name_or_arn}"
    if customer_arn in account.policies:
        return customer_arn
    return AWS_MANAGED_PREFIX + name_or_arn


def named_managed_policy(account: Account, arn: str) -> NamedPolicy:
    """The attached policy `arn` as the trace names it; NoSuchEntity if it does not exist."""
    customer = account.policies.get(arn)
    if customer is not None:
        return NamedPolicy(customer.name, customer.document.policy)
    aws_managed = managed_policy(arn) if arn.startswith(AWS_MANAGED_PREFIX) else None
    if aws_managed is None:
        raise ServiceError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.")
    return NamedPolicy(aws_managed.name, aws_managed.policy)


def attach_policy(account: Account, entity: User | Group | Role, name_or_arn: str) -> str:
    arn = managed_policy_arn(account, name_or_arn)
    named_managed_policy(account, arn)  # NoSuchEntity before anything changes
    if arn not in entity.attached:
        entity.attached.append(arn)
        if arn in account.policies:
            account.policies[arn].attachment_count += 1
    return arn


def _lay_out(
    account: Account,
    entity: User | Group | Role,
    managed: Iterable[str],
    inline: Mapping[str, PolicyDocument] | None,
) -> None:
    for name_or_arn in managed:
        attach_policy(account, entity, name_or_arn)
    for name, document in (inline or {}).items():
        entity.inline[name] = store_identity_policy(name, document)


def _require_new(kind: str, name: str, existing: Mapping[str, object]) -> None:
    if name in existing:
        raise ServiceError("EntityAlreadyExists", f"{kind} with name {name} already exists.")


def new_access_key(world: World, prefix: str = "AKIA") -> AccessKey:
    secret = world.make_id("", 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    return AccessKey(world.make_id(prefix, 16), secret, world.clock.now)


def add_user(
    world: World,
    account_id: str,
    name: str,
    *,
    managed: Iterable[str] = (),
    inline: Mapping[str, PolicyDocument] | None = None,
    groups: Iterable[str] = (),
    tags: Mapping[str, str] | None = None,
    profile: bool = True,
) -> User:
    """Create an IAM user; with `profile` it gets an access key and a CLI profile of its own name."""
    account = world.account(account_id)
    _require_new("User", name, account.users)
    user = User(
        name=name,
        account_id=account_id,
        user_id=world.make_id("AIDA", 17),
        created=world.clock.now,
        tags=dict(tags or {}),
    )
    _lay_out(account, user, managed, inline)
    for group in groups:
        add_user_to_group(account, user, group)
    account.users[name] = user
    if profile:
        user.access_keys.append(new_access_key(world))
        world.profiles.setdefault(name, user.arn)
    return user


def add_user_to_group(account: Account, user: User, group_name: str) -> None:
    if group_name not in account.groups:
        raise ServiceError("NoSuchEntity", f"The group with name {group_name} cannot be found.")
    if group_name not in user.groups:
        user.groups.append(group_name)


def add_group(
    world: World,
    account_id: str,
    name: str,
    *,
    managed: Iterable[str] = (),
    inline: Mapping[str, PolicyDocument] | None = None,
) -> Group:
    account = world.account(account_id)
    _require_new("Group", name, account.groups)
    group = Group(
        name=name, account_id=account_id, group_id=world.make_id("AGPA", 17), created=world.clock.now
    )
    _lay_out(account, group, managed, inline)
    account.groups[name] = group
    return group


def add_role(
    world: World,
    account_id: str,
    name: str,
    trust: PolicyDocument,
    *,
    managed: Iterable[str] = (),
    inline: Mapping[str, PolicyDocument] | None = None,
    description: str = "",
) -> Role:
    account = world.account(account_id)
    _require_new("Role", name, account.roles)
    role = Role(
        name=name,
        account_id=account_id,
        role_id=world.make_id("AROA", 17),
        created=world.clock.now,
        trust=store_trust_policy("trust", trust),
        description=description,
    )
    _lay_out(account, role, managed, inline)
    account.roles[name] = role
    return role


def add_customer_policy(
    world: World, account_id: str, name: str, document: PolicyDocument, *, description: str = ""
) -> ManagedPolicy:
    account = world.account(account_id)
    arn = f"arn:aws:iam::{account_id}:policy/{name}"
    if arn in account.policies:
        raise ServiceError(
            "EntityAlreadyExists", f"A policy called {name} already exists. Duplicate names are not allowed."
        )
    policy = ManagedPolicy(
        name=name,
        arn=arn,
        policy_id=world.make_id("ANPA", 17),
        document=store_identity_policy(name, document),
        created=world.clock.now,
        description=description,
    )
    account.policies[arn] = policy
    return policy


def _policies_of(account: Account, entity: User | Group | Role) -> list[NamedPolicy]:
    named = [NamedPolicy(stored.name, stored.policy) for stored in entity.inline.values()]
    named.extend(named_managed_policy(account, arn) for arn in entity.attached)
    return named


def resolve_caller(world: World, principal_arn: str) -> Caller:
    """Who `principal_arn` is and which identity policies apply to it at this moment."""
    if principal_arn.endswith(".amazonaws.com"):
        return Caller(principal_arn, "service", None, (), {})
    parts = principal_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[4] not in world.accounts:
        raise ValueError(f"no such principal: {principal_arn}")
    account = world.account(parts[4])
    resource = parts[5]
    if resource == "root":
        return Caller(principal_arn, "root", account.id, (), {"aws:PrincipalArn": principal_arn})
    if resource.startswith("user/"):
        user = account.users.get(resource.rsplit("/", 1)[-1])
        if user is None:
            raise ValueError(f"no such principal: {principal_arn}")
        policies = _policies_of(account, user)
        for group_name in user.groups:
            policies.extend(_policies_of(account, account.groups[group_name]))
        context: dict[str, str | tuple[str, ...]] = {
            "aws:PrincipalArn": user.arn,
            "aws:PrincipalAccount": account.id,
            "aws:username": user.name,
            "aws:userid": user.user_id,
            **{f"aws:PrincipalTag/{key}": value for key, value in user.tags.items()},
        }
        return Caller(user.arn, "user", account.id, tuple(policies), context)
    session = account.sessions.get(principal_arn)
    role = account.roles.get(session.role_name) if session else None
    if session is None or role is None:
        raise ValueError(f"no such principal: {principal_arn}")
    context = {
        "aws:PrincipalArn": role.arn,
        "aws:PrincipalAccount": account.id,
        "aws:userid": f"{role.role_id}:{session.session_name}",
        **{f"aws:PrincipalTag/{key}": value for key, value in role.tags.items()},
    }
    return Caller(session.arn, "session", account.id, tuple(_policies_of(account, role)), context)
