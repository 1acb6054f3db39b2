"""`aws help`, `aws SERVICE help` and `aws SERVICE OPERATION help`, written from the service models.

The real CLI renders full man pages; the simulator prints the same sections (NAME, DESCRIPTION,
SYNOPSIS, OPTIONS) with the first sentence of each AWS doc string, which is what a learner looks for.
"""

from __future__ import annotations

from typing import Any

from ecrsim.shell.servicemodel import SERVICES, Operation, ServiceModel, load_service

_INDENT = "       "


def top_help() -> str:
    lines = ["AWS()", "", "NAME", f"{_INDENT}aws -", "", "DESCRIPTION"]
    lines.append(f"{_INDENT}The simulated AWS Command Line Interface (v2). Services available here:")
    lines.append("")
    lines.extend(f"{_INDENT}o {name}: {load_service(name).full_name}" for name in SERVICES)
    lines += ["", "SYNOPSIS", f"{_INDENT}aws [options] <command> <subcommand> [parameters]", ""]
    lines += [
        "GLOBAL OPTIONS",
        f"{_INDENT}--region, --profile, --output (json | text | table | yaml), --query, --no-cli-pager",
    ]
    return "\n".join(lines) + "\n"


def service_help(model: ServiceModel) -> str:
    lines = [f"{model.name.upper()}()", "", "NAME", f"{_INDENT}{model.name} -", "", "DESCRIPTION"]
    lines += [f"{_INDENT}{model.full_name}", "", "AVAILABLE COMMANDS"]
    names = sorted([*model.operations, *(["get-login-password"] if model.name == "ecr" else [])])
    lines.extend(f"{_INDENT}o {name}" for name in names)
    return "\n".join(lines) + "\n"


def _option_lines(model: ServiceModel, operation: Operation) -> tuple[list[str], list[str]]:
    synopsis: list[str] = []
    options: list[str] = []
    required = set(model.required(operation))
    hidden = set()
    if operation.paginator:
        hidden = {operation.paginator.get("input_token"), operation.paginator.get("limit_key")}
    for name, member in model.input_members(operation).items():
        if name in hidden:
            continue
        kind = model.shape(member["shape"])["type"]
        flag = f"--{member['cli']}"
        form = f"{flag} | --no-{member['cli']}" if kind == "boolean" else f"{flag} <value>"
        synopsis.append(f"{_INDENT}  {form}" if name in required else f"{_INDENT}  [{form}]")
        options.append(f"{_INDENT}{flag} ({kind})")
        shape: dict[str, Any] = model.shape(member["shape"])
        doc = member.get("doc") or shape.get("doc", "")
        if doc:
            options.append(f"{_INDENT}   {doc}")
        if "enum" in shape:
            options.append(f"{_INDENT}   Possible values: {', '.join(shape['enum'])}")
        options.append("")
    synopsis.append(f"{_INDENT}  [--cli-input-json <value>]")
    if operation.paginator:
        for flag in ("--starting-token", "--page-size", "--max-items"):
            synopsis.append(f"{_INDENT}  [{flag} <value>]")
    return synopsis, options


def operation_help(model: ServiceModel, operation: Operation | None) -> str:
    if operation is None:  # the get-login-password customisation
        name = "get-login-password"
        doc = "To log in to an Amazon ECR registry: prints an authorization token password for docker login."
        synopsis: list[str] = []
        options: list[str] = [f"{_INDENT}None", ""]
    else:
        name, doc = operation.cli_name, operation.doc
        synopsis, options = _option_lines(model, operation)
    title = f"{name.upper()}()"
    lines = [title, "", "NAME", f"{_INDENT}{name} -", "", "DESCRIPTION", f"{_INDENT}{doc}", ""]
    lines += ["SYNOPSIS", f"{_INDENT}  {name}", *synopsis]
    lines += ["", "OPTIONS", *(options or [f"{_INDENT}None", ""])]
    lines.append("GLOBAL OPTIONS")
    lines.append(f"{_INDENT}--region, --profile, --output (json | text | table | yaml), --query")
    return "\n".join(lines) + "\n"
