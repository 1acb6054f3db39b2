"""The simulated terminal: real `aws`, `docker` and `sim` command lines against an ecrsim world.

`Shell(world).run_line(line) -> CommandResult(command, status, stdout, stderr, error_code)`; see shell.py.
"""

from ecrsim.shell.shell import CommandResult, Shell

__all__ = ["CommandResult", "Shell"]
