"""The facts of a world a question depends on, as lines a learner reads before the question.

A card seen alone (review, the exam) does not show the scenario's world, yet its question names policies,
repositories, tags and times ("gives `ops` everything except those two deletions": which policy?). Every
user, group, role, customer managed policy and repository whose name appears in the question, its choices
or the commands it runs is described from the world as it is at that step, with the clock and the profile.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from ecrsim.engine.arn import parse_arn
from ecrsim.engine.iam import Account, Group, Role, StoredPolicy, User
from ecrsim.engine.world import World

_TIME = "%Y-%m-%dT%H:%M:%SZ"


def world_facts(world: World, profile: str, texts: Iterable[str]) -> list[str]:
    """What the question's world holds of everything `texts` names, one line per fact."""
    said = "\n".join(texts)
    lines = [f"The clock shows {world.clock.now.strftime(_TIME)}; commands run as {profile}."]
    for account in world.accounts.values():
        entities: list[User | Group | Role] = [
            *account.users.values(),
            *account.groups.values(),
            *account.roles.values(),
        ]
        lines += [_entity(account, e) for e in entities if _named(e.name, said)]
        lines += [
            f"Customer managed policy {p.name}: {_compact(p.document)}"
            for p in account.policies.values()
            if _named(p.name, said)
        ]
        for registry in account.registries.values():
            for name, repository in registry.repositories.items():
                if not _named(name, said):
                    continue
                where = f" ({account.id}, {registry.region})" if len(world.accounts) > 1 else ""
                tags = sorted(repository.image_tags)
                parts = [
                    f"Repository {name}{where}: {len(repository.images)} image(s)",
                    f"tags {', '.join(tags)}" if tags else "no tags",
                    f"tag mutability {repository.image_tag_mutability}",
                ]
                untagged = len(repository.images) - len(set(repository.image_tags.values()))
                if untagged:
                    parts.append(f"{untagged} untagged")
                if repository.tags:
                    parts.append("resource tags " + ", ".join(f"{k}={v}" for k, v in repository.tags.items()))
                lines.append("; ".join(parts) + ".")
                if repository.policy is not None:
                    lines.append(f"  Its repository policy: {_json(repository.policy.text)}")
                if repository.lifecycle is not None:
                    lines.append(f"  Its lifecycle policy: {_json(repository.lifecycle.text)}")
    hosts = sorted(world.docker.credentials)
    if hosts:
        lines.append(f"Docker holds credentials for {', '.join(hosts)}.")
    return lines


def _named(name: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None


def _policy_name(arn: str) -> str:
    parsed = parse_arn(arn)
    return parsed.name if parsed is not None else arn


def _entity(account: Account, entity: User | Group | Role) -> str:
    kind = type(entity).__name__
    managed = [_policy_name(arn) for arn in entity.attached]
    parts = [f"{kind} {entity.name}"]
    if isinstance(entity, User) and entity.groups:
        parts.append(f"in group(s) {', '.join(entity.groups)}")
    parts.append(f"managed policies {', '.join(managed)}" if managed else "no managed policies")
    line = "; ".join(parts) + "."
    for stored in entity.inline.values():
        line += f"\n  Inline policy {stored.name}: {_compact(stored)}"
    if isinstance(entity, Role) and entity.trust is not None:
        line += f"\n  Trust policy: {_compact(entity.trust)}"
    return line


def _compact(stored: StoredPolicy) -> str:
    return _json(stored.document)


def _json(text: str) -> str:
    """A policy document on one line, as compact as JSON allows."""
    try:
        return json.dumps(json.loads(text), separators=(",", ":"))
    except ValueError:
        return " ".join(text.split())
