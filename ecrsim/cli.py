"""The `ecrsim` entry point.

Each subcommand imports what it needs when it runs, so `ecrsim shell` or `ecrsim policy simulate` never
pays for Textual, and the UI pays only for what it shows.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from ecrsim import __version__


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with exit status 2, as the spec asks."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ecrsim", description="An interactive simulator and study aid for Amazon ECR.")
    parser.add_argument("--version", action="version", version=f"ecrsim {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    policy = commands.add_parser("policy", help="IAM policy tools")
    policy_commands = policy.add_subparsers(dest="policy_command", metavar="SUBCOMMAND", required=True)
    simulate = policy_commands.add_parser("simulate", help="decide and explain requests")
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
    commands.add_parser("list", help="the bundled scenarios")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
        if args.command == "play":
            return scenario_commands.run_play(args.scenario)
        return scenario_commands.run_list()
    from ecrsim.tui import run_app

    return run_app()
