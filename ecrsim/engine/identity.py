"""Creating IAM principals and resolving a principal ARN to the policies that apply to it.

The IAM API handlers call these after authorizing; scenario worlds and the default sandbox call them
directly to lay out a world. Errors are the ones IAM returns (EntityAlreadyExists, NoSuchEntity,
MalformedPolicyDocument), so both paths report a problem the same way.

Profiles: every IAM user is a CLI profile of its own name (`sim as NAME`; `NAME@ACCOUNT` when another
account's user already has the name), standing in for the access key a learner would create and
configure; users laid out by a scenario also hold that access key, as real CLI users do (so DeleteUser
reports the key as a conflict, as IAM would). A deleted user's profile stays, and its calls fail as a
deleted user's key does, until a new principal takes the name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ecrsim.engine.arn import parse_arn
from ecrsim.engine.errors import ServiceError, UnknownPrincipal
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
from ecrsim.engine.policy.managed import managed_policy_arn as aws_managed_policy_arn
from ecrsim.engine.policy.types import NamedPolicy

if TYPE_CHECKING:
    from datetime import datetime

    from ecrsim.engine.world import World

# What AWS adds to the request context for a service principal acting on its own behalf
# (condition-keys page: aws:PrincipalServiceName, aws:PrincipalIsAWSService).
_SERVICE_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn")

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
    customer = customer_policy_named(account, name_or_arn)
    if customer is not None:
        return customer.arn
    return aws_managed_policy_arn(name_or_arn) or AWS_MANAGED_PREFIX + name_or_arn


def customer_policy_named(account: Account, name: str) -> ManagedPolicy | None:
    """Customer managed policy names are unique in an account whatever their path."""
    return next((policy for policy in account.policies.values() if policy.name == name), None)


def named_managed_policy(account: Account, arn: str) -> NamedPolicy:
    """The attached policy `arn` as the trace names it; NoSuchEntity if it does not exist."""
    customer = account.policies.get(arn)
    if customer is not None:
        return NamedPolicy(customer.name, customer.document.policy)
    aws_managed = managed_policy(arn) if arn.startswith(AWS_MANAGED_PREFIX) else None
    if aws_managed is None:
        raise ServiceError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.")
    return NamedPolicy(aws_managed.name, aws_managed.policy)


def policy_name_and_path(account: Account, arn: str) -> tuple[str, str]:
    """The name and IAM path of an attached managed policy (AWS managed ones have paths too:
    `/service-role/` for AmazonECSTaskExecutionRolePolicy)."""
    customer = account.policies.get(arn)
    if customer is not None:
        return customer.name, customer.path
    aws_managed = managed_policy(arn)
    if aws_managed is None:
        raise ServiceError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.")
    return aws_managed.name, aws_managed.path


def attach_policy(account: Account, entity: User | Group | Role, name_or_arn: str) -> str:
    """Attach a managed policy (attaching one already attached changes nothing, as in IAM)."""
    arn = managed_policy_arn(account, name_or_arn)
    named_managed_policy(account, arn)  # NoSuchEntity before anything changes
    if arn not in entity.attached:
        entity.attached.append(arn)
        account.iam_changed()
    return arn


def detach_policy(account: Account, entity: User | Group | Role, arn: str) -> None:
    if arn not in entity.attached:
        raise ServiceError("NoSuchEntity", f"Policy {arn} was not found.")
    entity.attached.remove(arn)
    account.iam_changed()


def put_inline_policy(
    account: Account, entity: User | Group | Role, name: str, document: PolicyDocument
) -> None:
    """Add or replace an inline policy (MalformedPolicyDocument if IAM would refuse it)."""
    entity.inline[name] = store_identity_policy(name, document)
    account.iam_changed()


def _lay_out(
    account: Account,
    entity: User | Group | Role,
    managed: Iterable[str],
    inline: Mapping[str, PolicyDocument] | None,
) -> None:
    for name_or_arn in managed:
        attach_policy(account, entity, name_or_arn)
    for name, document in (inline or {}).items():
        put_inline_policy(account, entity, name, document)


def _require_new(kind: str, name: str, existing: Mapping[str, object]) -> None:
    # IAM names are unique case-insensitively: "alice" and "Alice" cannot both exist (IAM identifiers page).
    if any(name.lower() == other.lower() for other in existing):
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
    path: str = "/",
    access_key: bool = True,
) -> User:
    """Create an IAM user and its CLI profile (named as `register_profile` decides); with `access_key`
    it also holds the key that profile would use. CreateUser, like IAM, makes no key."""
    account = world.account(account_id)
    _require_new("User", name, account.users)
    user = User(
        name=name,
        account_id=account_id,
        user_id=world.make_id("AIDA", 17),
        created=world.clock.now,
        path=path,
        tags=dict(tags or {}),
    )
    _lay_out(account, user, managed, inline)
    for group in groups:
        add_user_to_group(account, user, group)
    account.users[name] = user
    account.iam_changed()
    if access_key:
        user.access_keys.append(new_access_key(world))
    register_profile(world, user.arn, name, f"{name}@{account_id}")
    return user


def register_profile(world: World, arn: str, *names: str, for_session: bool = False) -> str:
    """Give `arn` the first of `names` that is free, and return it.

    A name is free when no profile has it, when its principal no longer exists, or (`for_session`) when
    it belongs to an older role session: a new session of the same name takes over its profile, but
    never a user's. If every name is taken, the last one is reassigned.
    """

    def free(name: str) -> bool:
        current = world.profiles.get(name)
        if current is None or current == arn or (for_session and ":assumed-role/" in current):
            return True
        try:
            world.resolve(current)
        except UnknownPrincipal:
            return True
        return False

    chosen = next((name for name in names if free(name)), names[-1])
    world.profiles[chosen] = arn
    return chosen


def add_user_to_group(account: Account, user: User, group_name: str) -> None:
    if group_name not in account.groups:
        raise ServiceError("NoSuchEntity", f"The group with name {group_name} cannot be found.")
    if group_name not in user.groups:
        user.groups.append(group_name)
        account.iam_changed()


def add_group(
    world: World,
    account_id: str,
    name: str,
    *,
    managed: Iterable[str] = (),
    inline: Mapping[str, PolicyDocument] | None = None,
    path: str = "/",
) -> Group:
    account = world.account(account_id)
    _require_new("Group", name, account.groups)
    group = Group(
        name=name,
        account_id=account_id,
        group_id=world.make_id("AGPA", 17),
        created=world.clock.now,
        path=path,
    )
    _lay_out(account, group, managed, inline)
    account.groups[name] = group
    account.iam_changed()
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
    path: str = "/",
    max_session_duration: int = 3600,
    tags: Mapping[str, str] | None = None,
) -> Role:
    """Create a role; its trust policy decides who may assume it (sts_api.assume_role)."""
    account = world.account(account_id)
    _require_new("Role", name, account.roles)
    stored_trust = store_trust_policy("trust", trust)
    _check_trusted_principals(world, stored_trust)
    role = Role(
        name=name,
        account_id=account_id,
        role_id=world.make_id("AROA", 17),
        created=world.clock.now,
        path=path,
        trust=stored_trust,
        description=description,
        max_session_duration=max_session_duration,
        tags=dict(tags or {}),
    )
    _lay_out(account, role, managed, inline)
    account.roles[name] = role
    account.iam_changed()
    return role


def _check_trusted_principals(world: World, trust: StoredPolicy) -> None:
    """IAM rejects a trust policy naming a user or role that does not exist in an account it knows
    ("Invalid principal in policy"); account ids and service principals are accepted as written."""
    for principal in trust.policy.principals():
        arn = parse_arn(principal)
        if arn is None or arn.account not in world.accounts or arn.resource_type not in ("user", "role"):
            continue
        if not principal_exists(world, principal):
            raise ServiceError("MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{principal}"')


def principal_exists(world: World, principal: str) -> bool:
    """Does a principal a policy names exist? `*`, account ids, accounts' root users and service
    principals always do; a user, role or role session must be one of an account of this world (by
    name: IAM resolves the name to the entity's unique id when the policy is saved)."""
    if principal == "*" or principal.isdigit() or principal.endswith(_SERVICE_SUFFIXES):
        return True
    arn = parse_arn(principal)
    if arn is None or arn.service not in ("iam", "sts"):
        return False
    if arn.resource == "root":
        return True
    account = world.accounts.get(arn.account)
    if account is None:
        return False
    kind = (arn.service, arn.resource_type)
    if kind == ("iam", "user"):
        return arn.name in account.users
    return kind in (("iam", "role"), ("sts", "assumed-role")) and arn.name in account.roles


def add_customer_policy(
    world: World,
    account_id: str,
    name: str,
    document: PolicyDocument,
    *,
    description: str = "",
    path: str = "/",
) -> ManagedPolicy:
    account = world.account(account_id)
    if customer_policy_named(account, name) is not None:
        raise ServiceError(
            "EntityAlreadyExists", f"A policy called {name} already exists. Duplicate names are not allowed."
        )
    policy = ManagedPolicy(
        name=name,
        arn=f"arn:aws:iam::{account_id}:policy{path}{name}",
        policy_id=world.make_id("ANPA", 17),
        document=store_identity_policy(name, document),
        created=world.clock.now,
        path=path,
        description=description,
    )
    account.policies[policy.arn] = policy
    account.iam_changed()
    return policy


def _policies_of(account: Account, entity: User | Group | Role) -> list[NamedPolicy]:
    named = [NamedPolicy(stored.name, stored.policy) for stored in entity.inline.values()]
    named.extend(named_managed_policy(account, arn) for arn in entity.attached)
    return named


def resolve_caller(world: World, principal_arn: str) -> Caller:
    """Who `principal_arn` is and which identity policies apply to it at this moment.

    Raises UnknownPrincipal when the ARN names nobody in the world.
    """
    if principal_arn.endswith(_SERVICE_SUFFIXES) and not principal_arn.startswith("arn:"):
        context: dict[str, str | tuple[str, ...]] = {
            "aws:PrincipalServiceName": principal_arn,
            "aws:PrincipalIsAWSService": "true",
        }
        return Caller(principal_arn, "service", None, (), context)
    arn = parse_arn(principal_arn)
    if arn is None or arn.account not in world.accounts:
        raise UnknownPrincipal(f"no such principal: {principal_arn}")
    account = world.account(arn.account)
    context = {
        "aws:PrincipalArn": principal_arn,
        "aws:PrincipalAccount": account.id,
        "aws:PrincipalIsAWSService": "false",
    }
    if arn.service == "iam" and arn.resource == "root":
        return Caller(principal_arn, "root", account.id, (), {**context, "aws:userid": account.id})
    if arn.service == "iam" and arn.resource_type == "user":
        user = account.users.get(arn.name)
        if user is None or user.arn != principal_arn:
            raise UnknownPrincipal(f"no such principal: {principal_arn}")
        policies = _policies_of(account, user)
        for group_name in user.groups:
            policies.extend(_policies_of(account, account.groups[group_name]))
        context.update(
            {
                "aws:username": user.name,
                "aws:userid": user.user_id,
                **{f"aws:PrincipalTag/{key}": value for key, value in user.tags.items()},
            }
        )
        return Caller(
            user.arn, "user", account.id, tuple(policies), context, boundary=_boundary(account, user)
        )
    session = account.sessions.get(principal_arn)
    if session is None:
        raise UnknownPrincipal(f"no such principal: {principal_arn}")
    # A session acts with its role's policies as they are now; if the role was deleted (or deleted and
    # re-created, which gives a new role id) the session keeps its credentials but has no permissions.
    role = account.roles.get(session.role_name)
    if role is not None and role.role_id != session.role_id:
        role = None
    userid = f"{session.role_id}:{session.session_name}"
    caller = _session_caller(account, session.arn, role, session.role_arn, userid, session.expires)
    if session.session_policies is None:
        return caller
    return replace(caller, session_policies=session.session_policies)


def role_caller(account: Account, role: Role) -> Caller:
    """A session of `role` as the policy engine sees any of its sessions (named `ecrsim`): for asking what
    the role may do without assuming it (the least-privilege verdict)."""
    session_arn = f"arn:aws:sts::{account.id}:assumed-role/{role.name}/ecrsim"
    return _session_caller(account, session_arn, role, role.arn, f"{role.role_id}:ecrsim", None)


def _session_caller(
    account: Account,
    session_arn: str,
    role: Role | None,
    role_arn: str,
    userid: str,
    expires: datetime | None,
) -> Caller:
    context: dict[str, str | tuple[str, ...]] = {
        "aws:PrincipalArn": role_arn,  # the role's ARN, not the session's (condition-keys page)
        "aws:PrincipalAccount": account.id,
        "aws:PrincipalIsAWSService": "false",
        "aws:userid": userid,
        **{f"aws:PrincipalTag/{key}": value for key, value in (role.tags if role else {}).items()},
    }
    policies = tuple(_policies_of(account, role)) if role else ()
    boundary = _boundary(account, role) if role else None
    return Caller(session_arn, "session", account.id, policies, context, expires=expires, boundary=boundary)


def _boundary(account: Account, entity: User | Role) -> NamedPolicy | None:
    """The permissions boundary of a user or role as the trace names it ("boundary NAME")."""
    return named_managed_policy(account, entity.boundary) if entity.boundary else None


def set_boundary(account: Account, entity: User | Role, policy_arn: str | None) -> None:
    """Set (or, with None, remove) the permissions boundary; NoSuchEntity if the policy does not exist.
    The boundary takes effect on the entity's next call, its existing role sessions' included."""
    if policy_arn is not None:
        named_managed_policy(account, policy_arn)
    entity.boundary = policy_arn
    account.iam_changed()
