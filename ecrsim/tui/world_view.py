"""The live world panel: everything the simulation holds, as readable lines rather than JSON.

It only reads the world: registries with their URL, repositories with images, tags and policy
statements; IAM users, groups and roles with their policies; docker's logins with the time their token
has left on the simulated clock; and the local image store. Redrawn after every command.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from ecrsim.engine.iam import Account, _Attachments
    from ecrsim.engine.policy.document import Policy, Statement
    from ecrsim.engine.world import World

HEADING = "bold"
NAME = "bold cyan"
DIM = "dim"


class WorldView(VerticalScroll):
    """A scrollable, focusable summary of one world."""

    can_focus = True

    def compose(self) -> ComposeResult:
        yield Static(id="world-text")

    def show(self, world: World) -> None:
        self.query_one("#world-text", Static).update(render_world(world))


def render_world(world: World) -> Text:
    out = Text()
    for account in world.accounts.values():
        _account(out, account, world.clock.now)
    _docker(out, world)
    out.rstrip()
    return out


def _line(out: Text, indent: int, *parts: str | tuple[str, str]) -> None:
    out.append("  " * indent)
    for part in parts:
        if isinstance(part, tuple):
            out.append(*part)
        else:
            out.append(part)
    out.append("\n")


def _account(out: Text, account: Account, now: datetime) -> None:
    _line(out, 0, (f"Account {account.id}", HEADING))
    registries = [r for r in account.registries.values() if r.repositories]
    if not registries:
        _line(out, 1, ("no repositories yet", DIM))
    for registry in sorted(registries, key=lambda r: r.region):
        _line(out, 1, ("Registry ", HEADING), (registry.region, NAME), "  ", (registry.host, DIM))
        for repo in registry.repositories.values():
            flags = [repo.image_tag_mutability]
            if repo.scan_on_push:
                flags.append("scan on push")
            if repo.encryption.encryption_type == "KMS":
                flags.append("KMS")
            _line(out, 2, (repo.name, NAME), f"  {', '.join(flags)}")
            if not repo.images:
                _line(out, 3, ("no images", DIM))
            tags = repo.tags_by_digest()
            for digest, stored in repo.images.items():
                label = ", ".join(tags.get(digest, [])) or "<untagged>"
                age = _ago(now - stored.pushed_at)
                _line(out, 3, (label, "green"), f"  {digest[7:19]}  pushed {age}")
            if repo.policy is not None:
                _line(out, 3, ("repository policy:", "yellow"))
                _statements(out, 4, repo.policy.policy)
            if repo.lifecycle is not None:
                _line(out, 3, ("lifecycle policy set", "yellow"))
    _iam(out, account)


def _iam(out: Text, account: Account) -> None:
    if not (account.users or account.groups or account.roles):
        return
    _line(out, 1, ("IAM", HEADING))
    for user in account.users.values():
        groups = f"  in {', '.join(user.groups)}" if user.groups else ""
        _line(out, 2, ("user ", DIM), (user.name, NAME), groups)
        _policies(out, 3, user, account)
    for group in account.groups.values():
        _line(out, 2, ("group ", DIM), (group.name, NAME))
        _policies(out, 3, group, account)
    for role in account.roles.values():
        _line(out, 2, ("role ", DIM), (role.name, NAME))
        if role.trust is not None:
            _line(out, 3, ("trust:", "yellow"))
            _statements(out, 4, role.trust.policy)
        _policies(out, 3, role, account)


def _policies(out: Text, indent: int, holder: _Attachments, account: Account) -> None:
    for arn in holder.attached:
        customer = account.policies.get(arn)
        name = customer.name if customer else arn.rsplit("/", 1)[-1]
        _line(out, indent, ("managed ", DIM), name)
        if customer is not None:
            _statements(out, indent + 1, customer.document.policy)
    for name, stored in holder.inline.items():
        _line(out, indent, ("inline ", DIM), name)
        _statements(out, indent + 1, stored.policy)
    if not (holder.attached or holder.inline):
        _line(out, indent, ("no policies", DIM))


def _statements(out: Text, indent: int, policy: Policy) -> None:
    for statement in policy.statements:
        _statement(out, indent, statement)


def _statement(out: Text, indent: int, statement: Statement) -> None:
    colour = "green" if statement.effect == "Allow" else "red"
    parts: list[str | tuple[str, str]] = [(statement.effect, colour), f" {statement.label}"]
    if statement.principals is not None:
        who = _list(f"{kind}:{value}" if kind != "AWS" else value for kind, value in statement.principals)
        parts.append(f"  {'NotPrincipal' if statement.not_principal else 'to'} {who}")
    parts.append(f"  {'NotAction' if statement.not_action else ''}{_list(statement.actions)}".rstrip())
    if statement.resources is not None:
        parts.append(f"  {'NotResource ' if statement.not_resource else 'on '}{_list(statement.resources)}")
    if statement.conditions:
        parts.append((f"  if {len(statement.conditions)} condition(s)", DIM))
    _line(out, indent, *parts)


def _list(items: Iterable[str]) -> str:
    values = list(items)
    return values[0] if len(values) == 1 else "[" + ", ".join(values) + "]"


def _docker(out: Text, world: World) -> None:
    from ecrsim.engine.ecr.tokens import read_password

    now = world.clock.now
    _line(out, 0, ("This machine (docker)", HEADING))
    if not world.docker.credentials:
        _line(out, 1, ("not logged in to any registry", DIM))
    for host, credential in world.docker.credentials.items():
        claims = read_password(credential.password)
        if claims is None:
            state: tuple[str, str] = ("not an ECR token", "red")
        elif claims.expired(now):
            state = (f"token expired {_ago(now - claims.expires_at)}", "red")
        else:
            state = (f"token {_duration(claims.expires_at - now)} left", "green")
        _line(out, 1, ("login ", DIM), host, "  ", state)
    if not world.docker.refs:
        _line(out, 1, ("no local images", DIM))
    for ref, image_id in world.docker.refs.items():
        _line(out, 1, ("image ", DIM), ref, (f"  {image_id[7:19]}", DIM))


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def _ago(delta: timedelta) -> str:
    return "just now" if delta < timedelta(minutes=1) else f"{_duration(delta)} ago"
