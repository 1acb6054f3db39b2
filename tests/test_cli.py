import subprocess
import sys

from ecrsim import __version__


def test_version_prints_and_exits_zero() -> None:
    result = subprocess.run([sys.executable, "-m", "ecrsim", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.strip() == f"ecrsim {__version__}"


def test_unknown_subcommand_is_one_line_and_status_2() -> None:
    result = subprocess.run([sys.executable, "-m", "ecrsim", "frobnicate"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_help_says_that_plain_ecrsim_opens_the_ui() -> None:
    result = subprocess.run([sys.executable, "-m", "ecrsim", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "usage: ecrsim [-h] [--version] [COMMAND ...]" in text
    assert "With no COMMAND, `ecrsim` opens the terminal UI" in text
