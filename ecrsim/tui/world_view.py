"""The live world panel: everything the simulation holds, as readable lines rather than JSON.

It only reads the world: registries with their URL, repositories with images, tags and policy
statements; IAM users, groups and roles with their policies; docker's logins with the time their token
has left on the simulated clock; and the local image store. Redrawn after every command.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from ecrsim.engine.iam import Account, _Attachments
    from ecrsim.engine.policy.document import Policy, Statement
    from ecrsim.engine.world import World

# Theme variables, so the panel reads as well in the light theme as in the dark one.
HEADING = "bold"
NAME = "bold $accent"
DIM = "$text-muted"
GOOD = "$success"
BAD = "$error"
NOTE = "$warning"

Part = str | tuple[str, str]  # text, or (text, style)


class WorldView(VerticalScroll):
    """A scrollable, focusable summary of one world."""

    can_focus = True

    def compose(self) -> ComposeResult:
        yield Static(id="world-text")

    def show(self, world: World) -> None:
        self.query_one("#world-text", Static).update(render_world(world))


def render_world(world: World) -> Content:
    out: list[Part] = []
    for account in world.accounts.values():
        _account(out, account, world.clock.now)
    _docker(out, world)
    return Content.assemble(*out[:-1])  # without the last line's newline


def _line(out: list[Part], indent: int, *parts: Part) -> None:
    out.append("  " * indent)
    out.extend(parts)
    out.append("\n")


def _account(out: list[Part], account: Account, now: datetime) -> None:
    _line(out, 0, (f"Account {account.id}", HEADING))
    registries = [r for r in account.registries.values() if r.repositories]
    if not registries:
        _line(out, 1, ("no repositories yet", DIM))
    for registry in sorted(registries, key=lambda r: r.region):
        _line(out, 1, ("Registry ", HEADING), (registry.region, NAME))
        _line(out, 1, (registry.host, DIM))
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
                _line(
                    out,
                    3,
                    (label, GOOD),
                    (f"  {digest[7:19]}  pushed {_ago(now - stored.pushed_at)}", DIM),
                )
            if repo.policy is not None:
                _line(out, 3, ("repository policy", NOTE))
                _statements(out, 4, repo.policy.policy)
            if repo.lifecycle is not None:
                _line(out, 3, ("lifecycle policy set", NOTE))
    _iam(out, account)


def _iam(out: list[Part], account: Account) -> None:
    if not (account.users or account.groups or account.roles):
        return
    _line(out, 1, ("IAM", HEADING))
    for user in account.users.values():
        groups = f"  in {', '.join(user.groups)}" if user.groups else ""
        _line(out, 1, ("user ", DIM), (user.name, NAME), groups)
        _policies(out, 2, user, account)
    for group in account.groups.values():
        _line(out, 1, ("group ", DIM), (group.name, NAME))
        _policies(out, 2, group, account)
    for role in account.roles.values():
        _line(out, 1, ("role ", DIM), (role.name, NAME))
        if role.trust is not None:
            _line(out, 2, ("trust policy", NOTE))
            _statements(out, 3, role.trust.policy)
        _policies(out, 2, role, account)


def _policies(out: list[Part], indent: int, holder: _Attachments, account: Account) -> None:
    for arn in holder.attached:
        customer = account.policies.get(arn)
        _line(out, indent, customer.name if customer else arn.rsplit("/", 1)[-1])
        if customer is not None:
            _statements(out, indent + 1, customer.document.policy)
    for name, stored in holder.inline.items():
        _line(out, indent, name, (" (inline)", DIM))
        _statements(out, indent + 1, stored.policy)
    if not (holder.attached or holder.inline):
        _line(out, indent, ("no policies", DIM))


def _statements(out: list[Part], indent: int, policy: Policy) -> None:
    for statement in policy.statements:
        _statement(out, indent, statement)


def _statement(out: list[Part], indent: int, statement: Statement) -> None:
    colour = GOOD if statement.effect == "Allow" else BAD
    parts: list[Part] = [(statement.effect, colour), f" {statement.label}"]
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


def _docker(out: list[Part], world: World) -> None:
    """Logins and local images, grouped by registry host: the host is what docker keys both by."""
    from ecrsim.engine.ecr.tokens import check_token

    now = world.clock.now
    docker = world.docker
    _line(out, 0, ("This machine (docker)", HEADING))
    by_host: dict[str, list[tuple[str, str]]] = {host: [] for host in docker.credentials}
    for ref, image_id in docker.refs.items():
        host, slash, name = ref.partition("/")
        if not slash or "." not in host:
            host, name = "", ref
        by_host.setdefault(host, []).append((name, image_id))
    if not by_host:
        _line(out, 1, ("no logins, no local images", DIM))
    for host, images in sorted(by_host.items()):
        _line(out, 1, host or ("local names", DIM))
        credential = docker.credentials.get(host)
        if credential is not None:
            check = check_token(credential.password, world.token_secret, now)
            claims = check.claims
            if claims is None:
                state: tuple[str, str] = ("logged in, not with an ECR token", BAD)
            elif not check.valid:
                state = (f"logged in, token expired {_ago(now - claims.expires_at)}", BAD)
            else:
                state = (f"logged in, token {_duration(claims.expires_at - now)} left", GOOD)
            _line(out, 2, state)
        elif host:
            _line(out, 2, ("not logged in", DIM))
        for name, image_id in images:
            _line(out, 2, name, (f"  {image_id[7:19]}", DIM))


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def _ago(delta: timedelta) -> str:
    return "just now" if delta < timedelta(minutes=1) else f"{_duration(delta)} ago"
