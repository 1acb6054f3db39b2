"""What a world lets its principals do in ECR, and what one world allows that another does not.

The least-privilege verdict on a task asks this: over every user and role of the world, every ECR action and
every repository (registry-wide actions on `*`), which requests does the learner's world allow that the
reference solution's world refuses? Each answer is the policy engine's own decision (Call.decide, with the
repository's policy and tags as ECR would pass them, see access.authorize_on), never a re-derivation.

Cost: a cell (principal, repository) is decided only where the two worlds differ in what the decision reads
(the principal's identity policies, the repository's policy and tags), so a learner who changed one
principal's policies costs one principal's row, not the whole table.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ecrsim.engine.api import Call
from ecrsim.engine.ecr.access import repository_arn, resource_tag_context
from ecrsim.engine.ecr.model import Repository
from ecrsim.engine.iam import Caller
from ecrsim.engine.identity import role_caller
from ecrsim.engine.world import World

REGISTRY_WIDE = "*"


@dataclass(frozen=True, order=True)
class Access:
    """One allowed request: `who` (a user or role name, NAME@ACCOUNT outside the main account) may run
    `action` on `repository` (a name, `account/region/name` outside the main registry, or `*`)."""

    who: str
    action: str
    repository: str

    def __str__(self) -> str:
        where = "every repository (registry-wide)" if self.repository == REGISTRY_WIDE else self.repository
        return f"{self.who} may run {self.action} on {where}"


@cache
def _actions() -> list[dict[str, Any]]:
    """ECR's actions as the Service Authorization Reference lists them."""
    data = json.loads(resources.files("ecrsim.engine").joinpath("data/ecr-actions.json").read_text())
    return list(data["actions"])


@cache
def ecr_actions() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """ECR's actions: (those on a repository, the registry-wide ones)."""
    on_repository = tuple(a["action"] for a in _actions() if "repository*" in a["resource_types"])
    wide = tuple(a["action"] for a in _actions() if "repository*" not in a["resource_types"])
    return on_repository, wide


def access_level(action: str) -> str:
    """`Write`, `Read`, `Permissions management`... as the Service Authorization Reference classes it."""
    return _levels().get(action, "")


@cache
def _levels() -> dict[str, str]:
    return {a["action"]: a["access_level"] for a in _actions()}


@dataclass(frozen=True)
class _Principal:
    who: str
    caller: Caller


@dataclass(frozen=True)
class _Target:
    name: str
    arn: str
    account_id: str
    repository: Repository | None


def extra_access(world: World, reference: World, main_account: str, region: str) -> list[Access]:
    """Every request `world` allows and `reference` refuses, sorted; `main_account` and `region` say whose
    names are shown short."""
    extras: list[Access] = []
    mine = {p.who: p for p in _principals(world, main_account)}
    theirs = {p.who: p for p in _principals(reference, main_account)}
    targets = {t.arn: t for t in _targets(world, main_account, region)}
    reference_targets = {t.arn: t for t in _targets(reference, main_account, region)}
    on_repository, wide = ecr_actions()
    same_world = world.context == reference.context and world.clock.now == reference.clock.now
    for who, principal in mine.items():
        other = theirs.get(who)
        same_principal = same_world and other is not None and _same_policies(principal.caller, other.caller)
        for arn, target in targets.items():
            other_target = reference_targets.get(arn)
            if same_principal and other_target is not None and _same_resource(target, other_target):
                continue
            allowed = _allowed(world, principal.caller, target, on_repository)
            if not allowed:
                continue
            refused = set(allowed) - set(
                _allowed(reference, other.caller, other_target or target, allowed) if other else ()
            )
            extras += [Access(who, action, target.name) for action in allowed if action in refused]
        if same_principal:
            continue
        wide_target = _Target(REGISTRY_WIDE, REGISTRY_WIDE, principal.caller.account_id or "", None)
        allowed = _allowed(world, principal.caller, wide_target, wide)
        refused = set(allowed) - set(_allowed(reference, other.caller, wide_target, allowed) if other else ())
        extras += [Access(who, action, REGISTRY_WIDE) for action in allowed if action in refused]
    return sorted(extras)


def _principals(world: World, main_account: str) -> Iterator[_Principal]:
    for account in world.accounts.values():
        suffix = "" if account.id == main_account else f"@{account.id}"
        for user in account.users.values():
            yield _Principal(user.name + suffix, world.resolve(user.arn))
        for role in account.roles.values():
            yield _Principal(role.name + suffix, role_caller(account, role))


def _targets(world: World, main_account: str, region: str) -> Iterator[_Target]:
    for account in world.accounts.values():
        for registry in account.registries.values():
            home = account.id == main_account and registry.region == region
            for name, repository in registry.repositories.items():
                shown = name if home else f"{account.id}/{registry.region}/{name}"
                yield _Target(shown, repository_arn(registry, name), account.id, repository)


def _same_policies(one: Caller, other: Caller) -> bool:
    """Both decide alike: the same context and the very same parsed policies (copies of a world share
    them; a policy written again, even to the same text, is decided again)."""
    policies, others = one.identity_policies, other.identity_policies
    return (
        one.context == other.context
        and len(policies) == len(others)
        and all(a.policy is b.policy for a, b in zip(policies, others, strict=True))
    )


def _same_resource(one: _Target, other: _Target) -> bool:
    mine, theirs = one.repository, other.repository
    assert mine is not None and theirs is not None
    return mine.policy is theirs.policy and mine.tags == theirs.tags


def _allowed(
    world: World, caller: Caller, target: _Target, actions: tuple[str, ...] | list[str]
) -> list[str]:
    """The actions the policy engine allows `caller` on `target` in `world`, now."""
    repository = target.repository
    call = Call(world, caller, "", "ecr", "", world.clock.now)
    policy = repository.policy.policy if repository is not None and repository.policy else None
    context = resource_tag_context(repository.tags) if repository is not None and repository.tags else None
    return [
        action
        for action in actions
        if call.decide(
            action, target.arn, resource_policy=policy, resource_account=target.account_id, context=context
        ).allowed
    ]
