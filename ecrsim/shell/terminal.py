"""`ecrsim shell`: the simulated terminal without the UI.

Interactive (a readline prompt `PROFILE@ACCOUNT REGION $ ` with history and Tab completion) when no
script is given; otherwise each line of the script runs in order and the session prints as a transcript
(`$ command`, then what it printed) or, with `--json`, as one JSON array. The exit status is the last
command's, as for a shell script.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import TextIO

from ecrsim.engine.hostfiles import read_stream, read_text
from ecrsim.shell.shell import CommandResult, Shell


def sandbox_shell() -> Shell:
    """The default sandbox: the default world, with `file://` reading the current directory too."""
    from ecrsim.engine.world import default_world

    return Shell(default_world(), local_files=Path.cwd())


def read_script(script: str) -> list[str] | str:
    """The script's command lines (blank lines and comment lines dropped), or an error message."""
    try:
        text = read_stream(sys.stdin) if script == "-" else read_text(script)
    except (OSError, UnicodeDecodeError) as error:
        return f"ecrsim shell: cannot read script {script}: {getattr(error, 'strerror', None) or error}"
    # A backslash at the end of a line continues the command, as in bash.
    text = text.replace("\r\n", "\n").replace("\\\n", "")
    # Only a newline ends a command, as in bash: str.splitlines would also split at U+2028, \x1c-\x1e...
    return [line for line in text.split("\n") if line.strip() and not line.lstrip().startswith("#")]


def transcript(results: list[CommandResult]) -> str:
    return "".join(f"$ {result.command}\n{result.stdout}{result.stderr}" for result in results)


def run_script(shell: Shell, script: str, *, as_json: bool, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    lines = read_script(script)
    if isinstance(lines, str):
        print(lines, file=sys.stderr)
        return 2
    if not any("undo" in line for line in lines):
        shell.undo_depth = 0  # nothing will be undone: spare a world copy per command
    results = [shell.run_line(line) for line in lines]
    if as_json:
        keys = ("command", "status", "stdout", "stderr")  # the spec's four (commands.md), not error_code
        records = [{key: getattr(result, key) for key in keys} for result in results]
        out.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(transcript(results))
    return results[-1].status if results else 0


def interactive(shell: Shell) -> int:
    try:
        import readline
    except ImportError:  # some Pythons are built without it: the prompt still works, without editing
        readline = None  # type: ignore[assignment]
    if readline is not None:
        matches: list[str] = []

        def completer(_text: str, state: int) -> str | None:
            nonlocal matches
            if state == 0:
                line = readline.get_line_buffer()[: readline.get_endidx()]
                matches = shell.completions(line)
            return matches[state] if state < len(matches) else None

        readline.set_completer_delims(" \t|")
        readline.set_completer(completer)
        readline.parse_and_bind("tab: complete")
    for module in ("ecrsim.shell.aws", "ecrsim.shell.docker", "ecrsim.shell.sim"):
        importlib.import_module(module)  # before the first prompt, so that the first command answers at once
    print("ecrsim simulated terminal: aws, docker and sim commands. `help` for help, Ctrl-D to leave.")
    status = 0
    while True:
        try:
            line = input(shell.prompt())
        except EOFError:
            print()
            return status
        except KeyboardInterrupt:
            print("^C")
            continue
        words = line.split()
        if words and words[0] == "exit":
            return _exit_status(words[1:], status)
        result = shell.run_line(line)
        sys.stdout.write(result.stdout)
        sys.stdout.flush()
        sys.stderr.write(result.stderr)
        sys.stderr.flush()
        status = result.status


def _exit_status(args: list[str], status: int) -> int:
    """bash's `exit [N]`: N modulo 256 (its last eight digits decide that, so no number is too long to
    read); anything that is not a number is bash's error and status 2."""
    if not args:
        return status
    if args[0].isascii() and args[0].isdigit():
        return int(args[0][-8:]) % 256
    print(f"bash: exit: {args[0]}: numeric argument required", file=sys.stderr)
    return 2


def run_shell(shell: Shell, *, script: str | None, as_json: bool) -> int:
    if script is not None:
        return run_script(shell, script, as_json=as_json)
    if as_json:
        print("ecrsim shell: --json needs --script FILE_OR_-", file=sys.stderr)
        return 2
    return interactive(shell)


def main_shell(scenario: str | None, script: str | None, *, as_json: bool) -> int:
    """`ecrsim shell [--scenario FILE_OR_ID] [--script FILE_OR_-] [--json]`."""
    if scenario is None:
        return run_shell(sandbox_shell(), script=script, as_json=as_json)
    # Scenarios sit above the shell: ask that layer for the scenario's shell only when one is wanted.
    walker = importlib.import_module("ecrsim.scenarios.walker")
    scenario_shell = getattr(walker, "scenario_shell", None)
    if scenario_shell is None:
        print("ecrsim shell: --scenario is not available yet", file=sys.stderr)
        return 2
    shell = scenario_shell(scenario)  # returns a Shell, or an error message to print
    if isinstance(shell, str):
        print(shell, file=sys.stderr)
        return 2
    return run_shell(shell, script=script, as_json=as_json)
