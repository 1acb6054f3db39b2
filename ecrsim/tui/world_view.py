"""The live world panel: everything the simulation holds, as readable lines rather than JSON.

It renders the engine's summary of the world (ecrsim.engine.summary, which `sim state` renders too):
registries with their URL, repositories with images, tags and policy statements; IAM users, groups and
roles with their policies; docker's logins with the time their token has left on the simulated clock; and
the local image store. Redrawn after every command.
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

    from ecrsim.engine.policy.document import Statement
    from ecrsim.engine.summary import AccountSummary, PrincipalSummary, WorldSummary
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
    """The engine's summary of `world` (ecrsim.engine.summary), styled."""
    from ecrsim.engine.summary import summarize

    summary = summarize(world)
    out: list[Part] = []
    for account in summary.accounts:
        _account(out, account, summary.now)
    _docker(out, summary)
    return Content.assemble(*out[:-1])  # without the last line's newline


def _line(out: list[Part], indent: int, *parts: Part) -> None:
    out.append("  " * indent)
    out.extend(parts)
    out.append("\n")


def _account(out: list[Part], account: AccountSummary, now: datetime) -> None:
    _line(out, 0, (f"Account {account.id}", HEADING))
    registries = [registry for registry in account.registries if registry.repositories]
    if not registries:
        _line(out, 1, ("no repositories yet", DIM))
    for registry in registries:
        _line(out, 1, ("Registry ", HEADING), (registry.region, NAME))
        _line(out, 1, (registry.host, DIM))
        for repo in registry.repositories:
            flags = [repo.tag_mutability]
            if repo.scan_on_push:
                flags.append("scan on push")
            if repo.encryption != "AES256":
                flags.append(repo.encryption)
            _line(out, 2, (repo.name, NAME), f"  {', '.join(flags)}")
            if not repo.images:
                _line(out, 3, ("no images", DIM))
            for image in repo.images:
                label = ", ".join(image.tags) or "<untagged>"
                pushed = f"  {image.digest[7:19]}  pushed {_ago(now - image.pushed_at)}"
                _line(out, 3, (label, GOOD), (pushed, DIM))
            if repo.policy is not None:
                _line(out, 3, ("repository policy", NOTE))
                _statements(out, 4, repo.policy)
            if repo.lifecycle:
                _line(out, 3, ("lifecycle policy set", NOTE))
    _iam(out, account)


def _iam(out: list[Part], account: AccountSummary) -> None:
    if not (account.users or account.groups or account.roles):
        return
    _line(out, 1, ("IAM", HEADING))
    for user in account.users:
        groups = f"  in {', '.join(user.groups)}" if user.groups else ""
        _line(out, 1, ("user ", DIM), (user.name, NAME), groups)
        _policies(out, 2, user)
    for group in account.groups:
        _line(out, 1, ("group ", DIM), (group.name, NAME))
        _policies(out, 2, group)
    for role in account.roles:
        _line(out, 1, ("role ", DIM), (role.name, NAME))
        if role.trust is not None:
            _line(out, 2, ("trust policy", NOTE))
            _statements(out, 3, role.trust)
        _policies(out, 2, role)


def _policies(out: list[Part], indent: int, holder: PrincipalSummary) -> None:
    for policy in holder.policies:
        if policy.kind == "inline":
            _line(out, indent, policy.name, (" (inline)", DIM))
        else:
            _line(out, indent, policy.name)
        if policy.statements is not None:
            _statements(out, indent + 1, policy.statements)
    if not holder.policies:
        _line(out, indent, ("no policies", DIM))


def _statements(out: list[Part], indent: int, statements: tuple[Statement, ...]) -> None:
    for statement in statements:
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


def _docker(out: list[Part], summary: WorldSummary) -> None:
    """Logins and local images, grouped by registry host: the host is what docker keys both by."""
    _line(out, 0, ("This machine (docker)", HEADING))
    if not summary.docker_hosts:
        _line(out, 1, ("no logins, no local images", DIM))
    for host in summary.docker_hosts:
        _line(out, 1, host.host or ("local names", DIM))
        login = host.login
        if login is not None:
            if login.expires_at is None:
                state: tuple[str, str] = ("logged in, not with an ECR token", BAD)
            elif not login.valid:
                state = (f"logged in, token expired {_ago(summary.now - login.expires_at)}", BAD)
            else:
                state = (f"logged in, token {_duration(login.expires_at - summary.now)} left", GOOD)
            _line(out, 2, state)
        elif host.host:
            _line(out, 2, ("not logged in", DIM))
        for name, image_id in host.images:
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
