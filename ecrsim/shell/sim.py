"""The `sim` program: the simulator's own verbs (who am I, what time is it, why was that denied, undo).

These read and change the shell and the world directly; they are not AWS and print plain sentences.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ecrsim.engine.clock import DurationError, DurationTooLong
from ecrsim.engine.explanation import stamp
from ecrsim.shell.program import Invocation, Outcome
from ecrsim.shell.services import ECS_HINT, ECS_TASKS, SERVICE_PRINCIPALS
from ecrsim.shell.sim_billing import run_bill, run_traffic
from ecrsim.shell.sim_instances import board, is_instance, leave_instance, run_off, run_on

if TYPE_CHECKING:
    from ecrsim.engine.summary import RegistrySummary

__all__ = ["LOOKING_BACK", "READ_ONLY", "leave_instance", "run_sim", "sim_help"]

SERVICE_NOTE = (
    "  It has no IAM policies: only a repository policy can allow it. aws ecr calls must name\n"
    "  --registry-id ACCOUNT; docker pull pulls as the service with no login (your local images stay as\n"
    "  they are); set aws:SourceArn with `sim context` as the service would send it.\n"
)
SIM_USAGE = (
    "usage: sim as NAME | whoami | clock | advance DURATION | explain | state | undo | reset"
    " | context [KEY=VALUE] | on [INSTANCE_ID] | off | bill [OPTIONS]"
    " | traffic [pull RATE --from ID]\n"
)


def _error(message: str, status: int = 1) -> Outcome:
    return Outcome(status, "", f"sim: {message}\n")


def _expect(inv: Invocation, count: int, usage: str) -> Outcome | None:
    return None if len(inv.argv) - 1 == count else _error(f"usage: sim {usage}", 2)


def _as(inv: Invocation) -> Outcome:
    if problem := _expect(inv, 1, "as NAME"):
        return problem
    name = inv.argv[1]
    world = inv.shell.world
    profiles = world.profiles
    if name.startswith("i-") and is_instance(inv, name):
        # An instance acts as its role where it sits: `sim as INSTANCE_ID` works on it, as `sim on` does,
        # so a scenario's `as:` can name the instance its checks run on.
        return board(inv, name)
    if name not in profiles and name not in SERVICE_PRINCIPALS and name != ECS_TASKS:
        return _error(f"no profile named '{name}' (profiles: {', '.join(sorted(profiles)) or 'none'})")
    world.on = None  # a profile is the learner's own: acting as one is acting from their own computer
    if name in SERVICE_PRINCIPALS:
        profiles.setdefault(name, name)  # a service signs as itself: its principal is its name
        inv.shell.env["AWS_PROFILE"] = name
        return Outcome(0, f"Now acting as the service principal {name}\n{SERVICE_NOTE}")
    if name == ECS_TASKS:
        return _error(ECS_HINT)
    inv.shell.env["AWS_PROFILE"] = name
    return Outcome(0, f"Now acting as {name} ({profiles[name]})\n")


def _whoami(inv: Invocation) -> Outcome:
    shell = inv.shell
    arn = shell.world.profiles.get(shell.profile)
    who = arn or "(no such profile in this world)"
    if arn in SERVICE_PRINCIPALS:
        who += " (an AWS service principal)"
    return Outcome(0, f"{shell.profile}: {who}\nRegion: {shell.region}\n")


def _clock(inv: Invocation) -> Outcome:
    return Outcome(0, stamp(inv.shell.world.clock.now) + "\n")


def _advance(inv: Invocation) -> Outcome:
    if problem := _expect(inv, 1, "advance DURATION (e.g. 90m, 13h, 2d, 1d12h)"):
        return problem
    world = inv.shell.world
    try:
        lifecycle = world.advance(inv.argv[1])
    except (DurationTooLong, OverflowError):  # too long to read, or past the clock's year 9999
        return _error(f"cannot advance by '{inv.argv[1]}': the clock stops at the year 9999", 2)
    except DurationError:
        return _error(f"invalid duration '{inv.argv[1]}': use e.g. 90m, 13h, 2d, 1d12h", 2)
    said = [f"Clock advanced by {inv.argv[1]}: now {stamp(world.clock.now)}", *lifecycle]
    return Outcome(0, "".join(f"{sentence}\n" for sentence in said))


def _explain(inv: Invocation) -> Outcome:
    from ecrsim.engine.explanation import NOTHING_YET, explain_last_command, render

    world = inv.shell.world
    if not world.command:
        return _error(NOTHING_YET)
    return Outcome(0, render(explain_last_command(world)) + "\n")


def _registry_settings(registry: RegistrySummary) -> str:
    """What is set on a registry as a whole: `registry policy; replication to 111122223333 us-west-2
    (repositories starting with prod); creation templates ROOT, prod`."""
    said = ["registry policy"] if registry.policy else []
    for destinations, prefixes in registry.replication:
        targets = ", ".join(f"{registry_id} {region}" for registry_id, region in destinations) or "nowhere"
        selects = f" (repositories starting with {' or '.join(prefixes)})" if prefixes else ""
        said.append(f"replication to {targets}{selects}")
    if registry.templates:
        said.append("creation templates " + ", ".join(sorted(registry.templates)))
    said.extend(f"pull through cache {prefix}/... from {url}" for prefix, url in registry.pull_through)
    if registry.scanning is not None:
        scan_type, rules = registry.scanning
        shown = "; ".join(f"{frequency} {', '.join(filters)}" for frequency, filters in rules)
        said.append(f"{scan_type} scanning{f' ({shown})' if shown else ''}")
    return "; ".join(said)


def _state(inv: Invocation) -> Outcome:
    """The engine's summary of the world (ecrsim.engine.summary, which the UI's World panel renders too),
    as plain lines."""
    from ecrsim.engine.summary import summarize

    summary = summarize(inv.shell.world)
    out = [f"Clock: {stamp(summary.now)}"]
    out.append(f"Profile: {inv.shell.profile}   Region: {inv.shell.region}")
    for account in summary.accounts:
        out.append(f"Account {account.id}")
        for label, names in (
            ("users", sorted(user.name for user in account.users)),
            ("groups", sorted(group.name for group in account.groups)),
            ("roles", sorted(role.name for role in account.roles)),
            ("customer managed policies", account.customer_policies),
        ):
            if names:
                out.append(f"  {label}: {', '.join(names)}")
        for registry in account.registries:
            if settings := _registry_settings(registry):
                out.append(f"  {registry.region} registry: {settings}")
            for repository in sorted(registry.repositories, key=lambda r: r.name):
                extras = []
                if repository.tag_mutability != "MUTABLE":
                    extras.append(repository.tag_mutability.lower())
                if repository.policy is not None:
                    extras.append("repository policy")
                if repository.lifecycle:
                    extras.append("lifecycle policy")
                if repository.kms_key:
                    extras.append(f"{repository.encryption} {repository.kms_key}")
                suffix = f" [{', '.join(extras)}]" if extras else ""
                tags = ", ".join(repository.tags) or "no tags"
                out.append(
                    f"  {registry.region} repository {repository.name}: {len(repository.images)} image(s)"
                    f" ({tags}){suffix}"
                )
        for key in account.kms_keys:
            named = f" ({', '.join(key.aliases)})" if key.aliases else ""
            out.append(f"  {key.region} kms key {key.key_id}{named}: {key.state}")
        for instance in account.instances:
            out.append(
                f"  {instance.region} instance {instance.instance_id}: {instance.state}"
                f" in {instance.subnet_id} ({instance.profile or 'no profile'})"
            )
        out.extend(
            f"  {function.region} function {function.name}: {function.state}, {function.image_uri}"
            for function in account.functions
        )
    if summary.on is not None:
        out.append(f"Working on: {summary.on} (sim on; `exit` comes back)")
    out.append("Profiles: " + ", ".join(name for name, _ in summary.profiles))
    out.append(f"Docker: {len(summary.docker_refs)} local image reference(s)")
    out.extend(f"  {reference}" for reference in summary.docker_refs)
    logins = [host for host in summary.docker_hosts if host.login is not None]
    out.append("Docker logins:" + ("" if logins else " none"))
    for host in logins:
        login = host.login
        assert login is not None
        if login.expires_at is None:
            state = "not an ECR token"
        else:
            whose = login.principal or "?"
            until = "valid until" if login.valid else "expired at"
            state = f"token of {whose}, {until} {stamp(login.expires_at)}"
        out.append(f"  {host.host} ({state})")
    if summary.context:
        out.append("Request context: " + ", ".join(f"{key}={value}" for key, value in summary.context))
    return Outcome(0, "\n".join(out) + "\n")


def _undo(inv: Invocation) -> Outcome:
    command = inv.shell.undo()
    if command is None:
        return _error("nothing to undo")
    return Outcome(0, f"Undid: {command}\n")


def _reset(inv: Invocation) -> Outcome:
    inv.shell.reset()
    return Outcome(0, "The world is back to its starting state.\n")


def _context(inv: Invocation) -> Outcome:
    context = inv.shell.world.context
    if len(inv.argv) == 1:
        body = "".join(f"{key}={value}\n" for key, value in sorted(context.items()))
        return Outcome(0, body or "(no request context set: AWS defaults apply)\n")
    for pair in inv.argv[1:]:
        key, equals, value = pair.partition("=")
        if not equals or ":" not in key:
            return _error(
                f"expected KEY=VALUE with a condition key such as aws:SourceIp=198.51.100.7, not '{pair}'", 2
            )
        if value:
            context[key] = value
        else:
            context.pop(key, None)
    return Outcome(0)


VERBS: dict[str, tuple[Callable[[Invocation], Outcome], str]] = {
    "as": (_as, "act as another profile, or as lambda.amazonaws.com or codebuild.amazonaws.com"),
    "whoami": (_whoami, "show the current profile, its principal and Region"),
    "clock": (_clock, "show the simulated time"),
    "advance": (_advance, "move the simulated clock forward (90m, 13h, 2d, 1d12h)"),
    "explain": (_explain, "what the last command did and why: each decision, check and refusal"),
    "state": (_state, "a summary of the world"),
    "undo": (_undo, "undo the last command that changed the world"),
    "reset": (_reset, "go back to the starting world"),
    "context": (_context, "set request context, e.g. aws:SourceIp=198.51.100.7 (KEY= clears it)"),
    "on": (run_on, "work on an EC2 instance: its role, its network, its docker (`sim on` alone: back)"),
    "off": (run_off, "leave the instance you work on (as `exit` does there)"),
    "bill": (run_bill, "what the world cost so far at AWS prices; --monthly: a month at today's rate"),
    "traffic": (run_traffic, "state steady pulls for the bill: sim traffic pull 2TB/month --from ID"),
}
# Verbs that only read: the shell takes no undo snapshot for them.
READ_ONLY = frozenset({"whoami", "clock", "explain", "state", "undo", "reset"})
# Verbs about what happened before: the last command stays the one `sim explain` explains. (`sim bill`
# takes options, which READ_ONLY verbs refuse; it changes nothing the learner would undo.)
LOOKING_BACK = READ_ONLY | {"bill"}


def sim_help() -> str:
    verbs = "".join(f"  sim {verb:<9}{text}\n" for verb, (_, text) in VERBS.items())
    services = "\nsim as SERVICE: act as an AWS service principal that pulls images\n"
    return SIM_USAGE + verbs + services + SERVICE_NOTE


def run_sim(inv: Invocation) -> Outcome:
    if not inv.argv or inv.argv[0] in ("help", "--help", "-h"):
        return Outcome(0, sim_help())
    verb = VERBS.get(inv.argv[0])
    if verb is None:
        return Outcome(2, "", f"sim: unknown verb '{inv.argv[0]}'\n{SIM_USAGE}")
    if inv.argv[0] in READ_ONLY and len(inv.argv) > 1:
        return _error(f"usage: sim {inv.argv[0]}", 2)
    return verb[0](inv)
