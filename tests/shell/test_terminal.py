"""`ecrsim shell --script`: a transcript, or one JSON array; the exit status is the last command's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ecrsim.cli import main


def write_script(tmp_path: Path, text: str) -> str:
    path = tmp_path / "session.sh"
    path.write_text(text)
    return str(path)


def test_transcript_shows_each_command_then_its_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = write_script(
        tmp_path,
        "# comment lines and blank lines are skipped\n\naws ecr create-repository \\\n"
        "  --repository-name web --query repository.repositoryName\nsim clock\n",
    )
    assert main(["shell", "--script", script]) == 0
    assert capsys.readouterr().out == (
        "$ aws ecr create-repository   --repository-name web --query repository.repositoryName\n"
        '"web"\n$ sim clock\n2026-01-05T09:00:00Z\n'
    )


def test_json_mode_and_the_last_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = write_script(tmp_path, "sim clock\naws ecr describe-repositories --repository-names ghost\n")
    assert main(["shell", "--script", script, "--json"]) == 254
    results = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in results] == [0, 254]
    assert set(results[1]) == {"command", "status", "stdout", "stderr"}
    assert results[1]["stderr"].startswith("\nAn error occurred (RepositoryNotFoundException)")


def test_script_from_stdin_in_a_fresh_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ecrsim", "shell", "--script", "-"],
        input="aws ecr get-login\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 252
    assert "Invalid choice, valid choices are:" in done.stdout
    assert done.stderr == ""


def test_missing_script_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shell", "--script", "/nonexistent/x.sh"]) == 2
    err = capsys.readouterr().err
    assert err == "ecrsim shell: cannot read script /nonexistent/x.sh: No such file or directory\n"


def test_scenario_world_is_where_the_script_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = write_script(tmp_path, "sim whoami\n")
    assert main(["shell", "--scenario", "login-before-push", "--script", script]) == 0
    assert capsys.readouterr().out.startswith(
        "$ sim whoami\nbuilder: arn:aws:iam::111122223333:user/builder\n"
    )
    assert main(["shell", "--scenario", "no-such-scenario", "--script", script]) == 2
    assert "no-such-scenario" in capsys.readouterr().err


def test_a_one_command_script_loads_only_what_that_command_needs() -> None:
    """Start-up (issue 6): `aws sts get-caller-identity` needs one service model, and neither a JMESPath
    engine nor the YAML, shorthand, waiter, docker, sim, completion or readline code."""
    probe = (
        "import io, sys, contextlib\n"
        "from ecrsim.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['shell', '--script', '-'])\n"
        "from ecrsim.shell.servicemodel import load_service\n"
        "print(' '.join(sorted(sys.modules)))\n"
        "print(load_service.cache_info().currsize)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], input="aws sts get-caller-identity\n", capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    modules, services = done.stdout.splitlines()
    assert "ecrsim.shell.aws" in modules.split()
    unneeded = {"jmespath", "readline", "difflib", "yaml", "textual", "pydantic", "ecrsim.scenarios"}
    unneeded |= {f"ecrsim.shell.{name}" for name in ("shorthand", "yamlout", "waiters", "docker", "sim")}
    unneeded |= {"ecrsim.shell.completion", "ecrsim.shell.services"}
    assert unneeded.isdisjoint(modules.split())
    assert services == "1"
