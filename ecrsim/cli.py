"""The `ecrsim` entry point.

Each subcommand imports what it needs when it runs, so `ecrsim shell` or `ecrsim policy simulate` never
pays for Textual, and the UI pays only for what it shows.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from ecrsim import __version__

# What `ecrsim policy simulate --help` shows under its usage line (engine.simulate.REQUEST_KEYS are the keys).
REQUEST_FORMAT = """\
The input is one JSON request, or a JSON array of them:
  {
    "principal_arn": "arn:aws:iam::111122223333:user/alice",     (required: who asks)
    "action": "ecr:BatchGetImage",                                (required)
    "resource_arn": "arn:aws:ecr:us-east-1:111122223333:repository/web",   (required; "*" for none)
    "identity_policies": [{...policy...}, "AmazonEC2ContainerRegistryReadOnly"],
    "repository_policy": {...policy...},                          (or null)
    "resource_account": "111122223333",                           (or null: from resource_arn)
    "context": {"aws:SourceIp": "203.0.113.25", "aws:PrincipalTag/team": "web"},
    "service_control_policies": [{"target": "r-ab12", "policies": ["FullAWSAccess", {...}]}, ...],
    "resource_control_policies": [{"target": "r-ab12", "policies": [{...deny...}]}],
    "permissions_boundary": {...policy...},                       (or a managed policy name)
    "session_policies": [{...policy...}]                          (a role session's)
  }
Policies are JSON objects or strings; a managed policy is named by its name. The annotations id,
description, expected, source, notes and account are ignored; any other key is an error.
Prints one decision object per request (decision, rule, reason, message, hint, statements)."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with exit status 2, as the spec asks."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ecrsim",
        usage="ecrsim [-h] [--version] [COMMAND ...]",
        description="An interactive simulator and study aid for Amazon ECR. With no COMMAND, `ecrsim` "
        "opens the terminal UI: the bundled scenarios by topic, and a sandbox.",
    )
    parser.add_argument("--version", action="version", version=f"ecrsim {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser, prog="ecrsim")

    policy = commands.add_parser("policy", help="IAM policy tools")
    policy_commands = policy.add_subparsers(dest="policy_command", metavar="SUBCOMMAND", required=True)
    simulate = policy_commands.add_parser(
        "simulate",
        help="decide and explain requests",
        description="Decide IAM requests as AWS would and explain each decision (docs/policy-simulate.md).",
        epilog=REQUEST_FORMAT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    simulate.add_argument("input", metavar="FILE_OR_-", help="a JSON request or array of requests")
    simulate.add_argument("--explain", action="store_true", help="also print the trace as text on stderr")

    shell = commands.add_parser("shell", help="the simulated terminal without the UI")
    shell.add_argument("--scenario", metavar="FILE_OR_ID", help="start from this scenario's world")
    shell.add_argument("--script", metavar="FILE_OR_-", help="run these command lines and print a transcript")
    shell.add_argument("--json", action="store_true", help="with --script: print one JSON array of results")

    check = commands.add_parser("check", help="validate scenario files against the simulation")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: bundled pack)")
    play = commands.add_parser("play", help="play one scenario in a plain terminal")
    play.add_argument("scenario", metavar="FILE_OR_ID", help="a scenario file or a bundled scenario's id")
    play.add_argument(
        "--answers", metavar="FILE", help="grade this answers file without a prompt (see README)"
    )
    play.add_argument("--report", choices=("json", "junit"), help="with --answers: the report's format")
    commands.add_parser("list", help="the bundled scenarios")
    commands.add_parser("schema", help="the scenario format as a JSON Schema, for editors")

    commands.add_parser("review", help="spaced review of the questions and tasks that are due")
    exam = commands.add_parser("exam", help="a timed practice exam in the SAA-C03 domain weights")
    exam.add_argument(
        "--questions", type=_positive(int), default=20, metavar="N", help="how many (default 20)"
    )
    exam.add_argument(
        "--minutes", type=_positive(float), metavar="M", help="time allowed (default 2 per question)"
    )
    exam.add_argument(
        "--domain", type=int, choices=(1, 2, 3, 4), metavar="D", help="only SAA-C03 domain D (1-4)"
    )
    exam.add_argument("--seed", type=int, metavar="S", help="the same seed sets the same exam")
    commands.add_parser("stats", help="progress by domain and topic, accuracy, streak, weakest topics")
    serve = commands.add_parser("serve", help="the UI in a web browser (needs ecrsim[serve])")
    serve.add_argument("--host", default="localhost", help="the address to listen on (default localhost)")
    serve.add_argument("--port", type=_port, default=8000, help="the port to listen on (default 8000)")
    serve.add_argument(
        "--max-tabs",
        type=_positive(int),
        default=8,
        metavar="N",
        help="browser tabs open at once (default 8)",
    )
    serve.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="also accept tabs from pages of this origin, e.g. https://classroom.example (repeatable)",
    )
    endpoint = commands.add_parser(
        "endpoint", help="serve the world to your own aws CLI, boto3 and docker (AWS's protocols)"
    )
    endpoint.add_argument("--scenario", metavar="FILE_OR_ID", help="serve this scenario's starting world")
    endpoint.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    endpoint.add_argument(
        "--port",
        type=_port_or_any,
        default=4566,
        help="the port to listen on (default 4566; 0: any free one)",
    )
    endpoint.add_argument(
        "--config-dir",
        metavar="DIR",
        help="where to write config, credentials and env.sh (default: data dir)",
    )
    endpoint.add_argument(
        "--local-uris",
        action="store_true",
        help="repository URIs and login endpoints name this endpoint instead of AWS's hosts",
    )
    endpoint.add_argument(
        "--max-layer-mib",
        type=_positive(int),
        metavar="MIB",
        help="layer bytes the world keeps in memory (default 1024)",
    )
    return parser


def _positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not value > 0 or value == float("inf"):
            raise argparse.ArgumentTypeError(f"expected a number above 0, got {text!r}")
        return value

    return parse


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 1 to 65535, got {text!r}")
    return int(text)


def _port_or_any(text: str) -> int:
    return 0 if text == "0" else _port(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand. Output to a reader that stopped early (`ecrsim shell --script s | head -c 100`)
    ends the command with status 1 and no traceback, as scenarios.console.quiet_when_piped_to_head does for
    the commands that stream: Python raises BrokenPipeError at the next write and again at the exit flush."""
    try:
        return _run(argv)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "policy":
        from ecrsim.engine.simulate import run_simulate

        return run_simulate(args.input, explain=args.explain)
    if args.command == "shell":
        from ecrsim.shell.terminal import main_shell

        return main_shell(args.scenario, args.script, as_json=args.json)
    if args.command in ("check", "play", "list"):
        from ecrsim.scenarios import commands as scenario_commands

        if args.command == "check":
            return scenario_commands.run_check(args.paths)
        if args.command == "play" and args.answers is not None:
            from ecrsim.scenarios.report import run_report

            return run_report(args.scenario, args.answers, args.report or "json")
        if args.command == "play":
            if args.report is not None:
                parser.error("argument --report: needs --answers FILE")
            return scenario_commands.run_play(args.scenario)
        return scenario_commands.run_list()
    if args.command == "schema":
        from ecrsim.scenarios.schema import run_schema

        return run_schema()
    if args.command in ("review", "exam", "stats"):
        from ecrsim.scenarios import study_commands

        if args.command == "review":
            return study_commands.run_review()
        if args.command == "exam":
            return study_commands.run_exam(args.questions, args.minutes, args.domain, args.seed)
        return study_commands.run_stats()
    if args.command == "serve":
        from ecrsim.serve import run_serve

        return run_serve(args.host, args.port, max_tabs=args.max_tabs, allow_origins=args.allow_origin)
    if args.command == "endpoint":
        from ecrsim.endpoint_main import run_endpoint

        return run_endpoint(args.scenario, args.host, args.port, args.config_dir, local_uris=args.local_uris)
    from ecrsim.tui import run_app

    return run_app()
