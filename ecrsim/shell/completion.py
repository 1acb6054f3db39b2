"""Tab completion for the simulated terminal: programs, aws services, operations and options, docker
commands, sim verbs, profiles, Regions, repository names and local image references.

Repository names are read from the world directly rather than through DescribeRepositories: a Tab
press must not appear in the event log or change what `sim explain` shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecrsim.shell.shell import Shell

REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2")


def complete(shell: Shell, text: str) -> list[str]:
    words = text.split()
    if not text or text[-1].isspace():
        words.append("")
    if "|" in words[:-1]:  # complete within the last command of a pipeline (the word typed may be `|`)
        words = words[len(words) - 1 - words[-2::-1].index("|") :]
    current, before = words[-1], words[:-1]
    return sorted({candidate for candidate in _candidates(shell, before) if candidate.startswith(current)})


def _repositories(shell: Shell) -> list[str]:
    account = shell.world.accounts.get(shell.account)
    registry = account.registries.get(shell.region) if account else None
    return list(registry.repositories) if registry else []


def _candidates(shell: Shell, before: list[str]) -> list[str]:
    from ecrsim.shell.shell import PROGRAMS

    if not before:
        return list(PROGRAMS)
    program, rest = before[0], before[1:]
    previous = before[-1]
    if program == "aws":
        return _aws(shell, rest, previous)
    if program == "docker":
        from ecrsim.shell.docker import COMMANDS

        if not rest:
            return [*COMMANDS, "image"]
        if rest[0] in ("push", "tag", "rmi"):
            return list(shell.world.docker.refs)
        if rest[0] == "login":
            return [
                "--username",
                "--password-stdin",
                *(f"{a}.dkr.ecr.{shell.region}.amazonaws.com" for a in shell.world.accounts),
            ]
        return []
    if program == "sim":
        from ecrsim.shell.sim import VERBS

        if not rest:
            return list(VERBS)
        if rest != ["as"]:
            return []
        from ecrsim.shell.services import SERVICE_PRINCIPALS

        return [*shell.world.profiles, *SERVICE_PRINCIPALS]
    if program == "export":
        return ["AWS_PROFILE=", "AWS_REGION=", "AWS_DEFAULT_REGION="]
    if program == "help":
        return ["aws", "docker", "sim", "export"]
    return []


def _aws(shell: Shell, rest: list[str], previous: str) -> list[str]:
    from ecrsim.shell.awsargs import GLOBAL_OPTIONS, OUTPUT_FORMATS
    from ecrsim.shell.servicemodel import SERVICES, load_service

    if previous == "--profile":
        return list(shell.world.profiles)
    if previous == "--region":
        return list(REGIONS)
    if previous == "--output":
        return list(OUTPUT_FORMATS)
    if previous == "--repository-name":
        return _repositories(shell)
    positional = [word for word in rest if not word.startswith("-")]
    if not positional:
        return list(SERVICES)
    if positional[0] not in SERVICES:
        return []
    model = load_service(positional[0])
    if len(positional) == 1:
        extras = (["get-login-password"] if model.name == "ecr" else []) + (["wait"] if model.waiters else [])
        return [*model.operations, *extras]
    if positional[1] == "wait":
        if len(positional) == 2:
            return list(model.waiters)
        waiter = model.waiters.get(positional[2])
        operation = next(
            (op for op in model.operations.values() if waiter and op.name == waiter.operation), None
        )
    else:
        operation = model.operations.get(positional[1])
    options = list(GLOBAL_OPTIONS)
    if operation is not None:
        options.append("--cli-input-json")
        for member in model.input_members(operation).values():
            options.append("--" + member["cli"])
            if model.shape(member["shape"])["type"] == "boolean":
                options.append("--no-" + member["cli"])
    return options
