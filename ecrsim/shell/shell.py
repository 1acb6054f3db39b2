"""The simulated terminal: one command line in, what the real tools would print out.

`Shell(world)` is what the scenario player, the UI and `ecrsim shell` drive. Beyond the world it holds
what a terminal session holds: the exported environment (AWS_PROFILE, AWS_REGION, AWS_DEFAULT_REGION
decide who acts and where, exactly as for the real CLI), unexported shell variables and `$?`, a few world
copies for `sim undo`, and the starting world for `sim reset` (`mark_start()` moves it, e.g. after a
scenario's setup). `fork()` gives an independent shell for probes. It never raises and never prints a
traceback: an unexpected failure becomes one line, `ecrsim: internal error: ...`, exit status 1.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ecrsim.engine.arn import parse_arn
from ecrsim.engine.world import DEFAULT_REGION
from ecrsim.shell.lexer import LexError, split_pipeline
from ecrsim.shell.program import Invocation, Outcome

if TYPE_CHECKING:
    from ecrsim.engine.world import World

UNDO_DEPTH = 10
# How deep `$(...)` may nest. Bash has no such limit, but nobody types more than two levels; a bound keeps
# a pasted pathological line from recursing through Python's stack.
MAX_SUBSTITUTION_DEPTH = 8
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.DOTALL)
# `aws` operations named like these only read; anything else may change the world (undo keeps a copy).
_AWS_READS = ("get-", "list-", "describe-", "batch-get-", "help")
_AWS_SETTINGS = ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION")
_DOCKER_READS = ("images", "image", "help", "--help")
_API_READS = ("Get", "List", "Describe", "BatchGet", "BatchCheck")  # API operations that change nothing


@dataclass(frozen=True)
class CommandResult:
    """One command line's result. `error_code` names a failure (None on success): AWS's code for `aws`
    (`AccessDeniedException`, or `ParamValidation` for the CLI's own usage errors, exit 252), the registry's
    or docker's for `docker` (`DENIED`, `UNAUTHORIZED`, `NO_SUCH_IMAGE`, ...); for a pipeline, the code of
    the command whose status the pipeline returns (the last)."""

    command: str
    status: int
    stdout: str
    stderr: str
    error_code: str | None = None


class Shell:
    def __init__(
        self,
        world: World,
        *,
        profile: str | None = None,
        region: str = DEFAULT_REGION,
        local_files: Path | None = None,
    ) -> None:
        """`local_files` is the directory `file://` reads after the world's virtual files (the sandbox's
        current directory); None means only virtual files, as in a scenario."""
        self.world = world
        self.default_region = region
        self.local_files = local_files
        if profile is None:
            profile = "admin" if "admin" in world.profiles else next(iter(sorted(world.profiles)), "default")
        self.env: dict[str, str] = {"AWS_PROFILE": profile}  # exported: what programs see
        self.variables: dict[str, str] = {}  # `NAME=value` without export: only `$NAME` sees them
        self.last_status = 0  # `$?`
        self._start_world = world.copy()
        # The environment `sim reset` returns to: taken at the first command, so that a scenario runner
        # may set AWS_PROFILE / AWS_DEFAULT_REGION after construction.
        self._start_env: dict[str, str] | None = None
        self._undo: list[tuple[World, dict[str, str], dict[str, str], str]] = []
        # How many world copies `sim undo` keeps. Each costs a copy of the world per changing command, so a
        # script that never undoes sets it to 0.
        self.undo_depth = UNDO_DEPTH

    # -- session state -----------------------------------------------------------------------------------
    @property
    def profile(self) -> str:
        return self.environment().get("AWS_PROFILE") or "default"

    @property
    def region(self) -> str:
        env = self.environment()
        return env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or self.default_region

    @property
    def account(self) -> str:
        if self.world.on is not None:
            return self.world.on.account_id
        arn = parse_arn(self.world.profiles.get(self.profile, ""))
        return arn.account if arn is not None and arn.account else "?"

    def environment(self) -> dict[str, str]:
        """What programs see: the exported environment, or on an EC2 instance (`sim on`) the instance's
        own, where no profile is configured (the CLI finds the instance role's credentials) and the
        instance's Region is the default."""
        on = self.world.on
        if on is None:
            return self.env
        kept = {key: value for key, value in self.env.items() if key not in _AWS_SETTINGS}
        return {**kept, "AWS_PROFILE": on.instance_id, "AWS_DEFAULT_REGION": on.region}

    def prompt(self) -> str:
        on = self.world.on
        if on is not None:
            from ecrsim.engine.ec2.vantage import instance_of

            address = instance_of(self.world, on).private_ip.replace(".", "-")
            return f"[ec2-user@ip-{address} ~]$ "
        return f"{self.profile}@{self.account} {self.region} $ "

    def read_file(self, name: str) -> str:
        """`file://NAME`: the world's virtual files first, then (in the sandbox) regular files under the
        local directory and nowhere else (engine.hostfiles.read_under). Raises OSError or
        UnicodeDecodeError with the text the CLI shows."""
        for candidate in (name, name.removeprefix("./")):
            if candidate in self.world.files:
                return self.world.files[candidate]
        if self.local_files is None:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), name)
        from ecrsim.engine.hostfiles import read_under  # only a local file:// needs it

        return read_under(self.local_files, name)

    @property
    def changed(self) -> bool:
        """Whether a command since the start (or the last reset) changed the world and was not undone:
        what leaving the sandbox would lose. (Past `undo_depth` changes the oldest can no longer be undone,
        but the newest still can, so this stays true.)"""
        return bool(self._undo)

    def undo(self) -> str | None:
        """Restore the world before the last command that could change it; that command, or None."""
        if not self._undo:
            return None
        world, env, variables, command = self._undo.pop()
        self.world, self.env, self.variables = world, env, variables
        return command

    def mark_start(self) -> None:
        """Make the current world and environment what `sim reset` returns to (e.g. after a scenario's
        setup steps have run)."""
        self._start_world = self.world.copy()
        self._start_env = dict(self.env)
        self._undo.clear()

    def reset(self) -> None:
        self.world = self._start_world.copy()
        self.env = dict(self._start_env if self._start_env is not None else self.env)
        self.variables = {}
        self._undo.clear()

    def fork(self) -> Shell:
        """An independent shell on a copy of the world (probes and checks run on forks); no undo history."""
        import copy

        twin = copy.copy(self)
        twin.world = self.world.copy()
        twin.env = dict(self.env)
        twin.variables = dict(self.variables)
        twin._undo = []
        return twin

    # -- running ------------------------------------------------------------------------------------------
    def run_line(self, line: str) -> CommandResult:
        if self._start_env is None:
            self._start_env = dict(self.env)
        try:
            result = self._run_line(line)
        except Exception as error:  # the last line of defence: never a traceback in front of a learner
            result = CommandResult(line, 1, "", f"ecrsim: internal error: {type(error).__name__}: {error}\n")
        self.last_status = result.status
        return result

    def _run_line(self, line: str) -> CommandResult:
        substitutions = _Substitutions(self, line.strip())
        try:
            stages = split_pipeline(line, self._expandable(), substitutions)
        except LexError as error:
            return CommandResult(line, error.status, "", "".join(substitutions.stderr) + error.message + "\n")
        if not stages:
            return CommandResult(line, self.last_status, "", "")  # as in bash, a comment keeps `$?`
        snapshot = substitutions.snapshot
        changes = substitutions.changes or any(_may_change_world(argv) for argv in stages)
        if not substitutions.began:
            if self.undo_depth and changes:
                snapshot = (self.world.copy(), dict(self.env), dict(self.variables), line.strip())
            if not all(_looks_back(argv) for argv in stages):
                self.world.begin_command(line.strip())
        outcome = self._run_stages(stages, substitutions)
        # A failed command is undone only if it changed something: a push refused at once (no login, no
        # such image) changed nothing, and `sim undo` must then undo the command before it, as it says; a
        # push that uploaded layers before it failed did change the registry.
        if snapshot is not None and changes and (outcome.status == 0 or _wrote(self.world)):
            self._undo.append(snapshot)
            del self._undo[: -self.undo_depth]
        code = outcome.error_code if outcome.status else None
        stderr = "".join(substitutions.stderr) + outcome.stderr
        return CommandResult(line, outcome.status, outcome.stdout, stderr, code)

    def _expandable(self) -> dict[str, str]:
        """What `$NAME` may read: shell variables, the environment, and `$?`."""
        return {**self.variables, **self.environment(), "?": str(self.last_status)}

    def _run_stages(self, stages: list[list[str]], substitutions: _Substitutions) -> Outcome:
        """A pipeline: as in bash every stage runs, and its status is the last stage's. A stage with no
        command (only assignments, or words that expanded to nothing) has the status of the line's last
        command substitution (bash(1), "Simple Command Expansion")."""
        stdin, stderr = "", []
        outcome = Outcome(0)
        for argv in stages:
            outcome = self._run_argv(argv, stdin)
            if substitutions.last is not None and all(_ASSIGNMENT.fullmatch(word) for word in argv):
                outcome = Outcome(substitutions.last.status, "", "", substitutions.last.error_code)
            stderr.append(outcome.stderr)
            stdin = outcome.stdout
        return Outcome(outcome.status, outcome.stdout, "".join(stderr), outcome.error_code)

    def _run_argv(self, argv: list[str], stdin: str) -> Outcome:
        assignments: dict[str, str] = {}
        while argv and (match := _ASSIGNMENT.fullmatch(argv[0])):
            assignments[match.group(1)] = match.group(2)
            argv = argv[1:]
        if not argv:  # plain assignments: an exported variable stays exported, others stay local
            for name, value in assignments.items():
                (self.env if name in self.env else self.variables)[name] = value
            return Outcome(0)
        program = PROGRAMS.get(argv[0])
        if program is None:
            return Outcome(127, "", f"bash: {argv[0]}: command not found\n")
        return program(Invocation(self, argv[1:], stdin, {**self.environment(), **assignments}))

    # -- completion ---------------------------------------------------------------------------------------
    def completions(self, text: str) -> list[str]:
        """Candidates for the last word of `text` (a line up to the cursor): commands, options, profiles,
        Regions, repository names and local image references."""
        from ecrsim.shell.completion import complete

        return complete(self, text)


def _wrote(world: World) -> bool:
    """Whether the command that just ran made an API call that succeeded and writes (UploadLayerPart,
    PutImage ...), read from its events at the end of the log."""
    for event in reversed(world.events):
        if event.command != world.command:
            return False
        if (
            event.error_code is None
            and event.service != "docker"
            and not event.operation.startswith(_API_READS)
        ):
            return True
    return False


class _Substitutions:
    """The `$(...)` and backtick commands of one typed line, run as the lexer meets them.

    Each runs as bash runs it, in a subshell: its variable and `export` changes are forgotten, what it
    does to the world is not (an `aws ec2 create-vpc` inside made a VPC). Its standard output is the
    substitution's value; its standard error reaches the terminal. The first one starts the line's command
    (so `sim explain` explains what ran inside) and takes the line's undo copy before anything changes.
    Nesting stops at MAX_SUBSTITUTION_DEPTH; the output's size counts against the lexer's line limit.
    """

    def __init__(self, shell: Shell, line: str) -> None:
        self.shell = shell
        self.line = line
        self.depth = 0
        self.began = False
        self.changes = False  # whether any command run inside may change the world
        self.snapshot: tuple[World, dict[str, str], dict[str, str], str] | None = None
        self.stderr: list[str] = []
        self.last: Outcome | None = None  # the last substitution's outcome: `X=$(cmd)` has its status

    def __call__(self, command: str) -> str:
        if self.depth >= MAX_SUBSTITUTION_DEPTH:
            raise LexError(
                f"ecrsim: command substitution nested more than {MAX_SUBSTITUTION_DEPTH} deep"
                " (the simulated terminal's limit)",
                1,
            )
        shell = self._begin()
        saved = dict(shell.env), dict(shell.variables)
        self.depth += 1
        try:
            stages = split_pipeline(command, shell._expandable(), self)
            self.changes = self.changes or any(_may_change_world(argv) for argv in stages)
            outcome = shell._run_stages(stages, self)
        finally:
            self.depth -= 1
            shell.env, shell.variables = saved
        self.stderr.append(outcome.stderr)
        self.last = outcome
        shell.last_status = outcome.status
        return outcome.stdout

    def _begin(self) -> Shell:
        shell = self.shell
        if not self.began:
            self.began = True
            if shell.undo_depth:
                self.snapshot = (shell.world.copy(), dict(shell.env), dict(shell.variables), self.line)
            shell.world.begin_command(self.line)
        return shell


def _may_change_world(argv: list[str]) -> bool:
    words = [word for word in argv if not _ASSIGNMENT.fullmatch(word)]
    if not words:
        return True
    program, rest = words[0], words[1:]
    if program == "aws":
        return not any(word.startswith(_AWS_READS) for word in rest)
    if program == "docker":
        return not rest or rest[0] not in _DOCKER_READS
    if program == "sim":
        from ecrsim.shell.sim import LOOKING_BACK

        return bool(rest) and rest[0] not in LOOKING_BACK
    return program in ("export", "unset", "exit")


def _looks_back(argv: list[str]) -> bool:
    """`sim explain`, `sim state`, `sim undo`, ...: verbs about what happened before, which leave the last
    command the one `sim explain` explains."""
    if len(argv) < 2 or argv[0] != "sim":
        return False
    from ecrsim.shell.sim import LOOKING_BACK

    return argv[1] in LOOKING_BACK


# -- small builtins ---------------------------------------------------------------------------------------
def _export(inv: Invocation) -> Outcome:
    if not inv.argv:
        return Outcome(
            0, "".join(f'declare -x {key}="{value}"\n' for key, value in sorted(inv.shell.env.items()))
        )
    for word in inv.argv:
        name, equals, value = word.partition("=")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            return Outcome(1, "", f"bash: export: `{word}': not a valid identifier\n")
        local = inv.shell.variables.pop(name, None)
        if equals:
            inv.shell.env[name] = value
        elif local is not None:
            inv.shell.env[name] = local
    return Outcome(0)


def _unset(inv: Invocation) -> Outcome:
    for name in inv.argv:
        inv.shell.env.pop(name, None)
        inv.shell.variables.pop(name, None)
    return Outcome(0)


def _echo(inv: Invocation) -> Outcome:
    words = inv.argv
    newline = "\n"
    if words and words[0] == "-n":
        words, newline = words[1:], ""
    return Outcome(0, " ".join(words) + newline)


def _cat(inv: Invocation) -> Outcome:
    """GNU cat over the world's files only (the scenario's files a question names), read-only; with no
    file, its standard input."""
    if not inv.argv:
        return Outcome(0, inv.stdin)
    out, errors = [], []
    for name in inv.argv:
        text = inv.shell.world.files.get(name.removeprefix("./"))
        if text is None:
            errors.append(f"cat: {name}: No such file or directory\n")
        else:
            out.append(text)
    return Outcome(1 if errors else 0, "".join(out), "".join(errors))


def _ls(inv: Invocation) -> Outcome:
    """GNU ls of the world's files (one name a line, as ls writes to anything but a terminal)."""
    names = [word for word in inv.argv if word != "-1"]
    for word in names:
        if word.startswith("-"):
            return Outcome(2, "", f"ecrsim: ls lists the scenario's files; {word} is not simulated\n")
    files = inv.shell.world.files
    if not names:
        return Outcome(0, "".join(f"{name}\n" for name in sorted(files)))
    found = [name for name in names if name.removeprefix("./") in files]
    missing = "".join(
        f"ls: cannot access '{name}': No such file or directory\n" for name in names if name not in found
    )
    return Outcome(2 if missing else 0, "".join(f"{name}\n" for name in sorted(found)), missing)


def _exit(inv: Invocation) -> Outcome:
    """`exit` on an instance logs out of it, back to the learner's own terminal (as `sim on` does)."""
    if inv.shell.world.on is None:
        return Outcome(
            1, "", "ecrsim: exit leaves an EC2 instance (sim on INSTANCE_ID); this terminal stays open\n"
        )
    from ecrsim.shell.sim import leave_instance

    return leave_instance(inv)


def _help(inv: Invocation) -> Outcome:
    from ecrsim.shell.help_text import help_for

    return help_for(inv.argv)


def _aws(inv: Invocation) -> Outcome:
    from ecrsim.shell.aws import run_aws

    return run_aws(inv)


def _docker(inv: Invocation) -> Outcome:
    from ecrsim.shell.docker import run_docker

    return run_docker(inv)


def _sim(inv: Invocation) -> Outcome:
    from ecrsim.shell.sim import run_sim

    return run_sim(inv)


PROGRAMS: Mapping[str, Callable[[Invocation], Outcome]] = {
    "aws": _aws,
    "docker": _docker,
    "sim": _sim,
    "help": _help,
    "export": _export,
    "unset": _unset,
    "echo": _echo,
    "cat": _cat,
    "ls": _ls,
    "exit": _exit,
}
