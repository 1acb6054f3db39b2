"""`ecrsim endpoint` as a learner runs it: profile files, the real aws CLI, `sim` lines on its input."""

from __future__ import annotations

import base64
import json
import os
import queue
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from live import need

ROOT = Path(__file__).resolve().parents[2]


class Process:
    """The running command, its output read line by line in the background."""

    def __init__(self, config_dir: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "ecrsim", "endpoint", "--port", "0", "--config-dir", str(config_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.put(line.rstrip("\n"))

    def until(self, wanted: str) -> list[str]:
        """Output lines up to the first containing `wanted`."""
        seen = []
        while True:
            line = self.lines.get(timeout=30)
            seen.append(line)
            if wanted in line:
                return seen

    def type(self, line: str) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(line + "\n")
        self.popen.stdin.flush()


@pytest.fixture
def process(tmp_path: Path) -> Iterator[Process]:
    running = Process(tmp_path / "endpoint")
    try:
        yield running
    finally:
        if running.popen.poll() is None:
            running.popen.kill()
        running.popen.wait()


def sourced(env_file: Path) -> dict[str, str]:
    """What `source env.sh` exports."""
    exports = {}
    for line in env_file.read_text().splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        exports[name] = shlex.split(value)[0]
    return exports


def test_the_aws_cli_and_the_registry_through_the_command(process: Process, tmp_path: Path) -> None:
    aws = shutil.which("aws")
    need(aws is not None, "the aws CLI is not installed (pip install awscli: the test extra has it)")
    listening, source = process.until("source ")
    url = listening.removeprefix("Listening on ")
    env_file = Path(source.removeprefix("source "))
    assert env_file == tmp_path / "endpoint" / "env.sh"
    exports = sourced(env_file)
    assert exports["AWS_PROFILE"] == "admin"
    assert exports["AWS_ENDPOINT_URL"] == url
    assert "[profile admin]" in Path(exports["AWS_CONFIG_FILE"]).read_text()
    env = {**os.environ, **exports}

    def run_aws(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(aws), *args], capture_output=True, text=True, env=env, timeout=60)

    created = run_aws("ecr", "create-repository", "--repository-name", "app")
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["repository"]["repositoryName"] == "app"
    assert process.until("ecr:CreateRepository")[-1].endswith("user/admin ecr:CreateRepository OK")
    password = run_aws("ecr", "get-login-password").stdout.strip()
    missing = run_aws("iam", "get-user", "--user-name", "nobody")
    assert missing.returncode == 255  # the CLI v1's status for every error
    assert "NoSuchEntity" in missing.stderr

    def tags() -> tuple[int, dict[str, object]]:
        basic = base64.b64encode(f"AWS:{password}".encode()).decode()
        request = urllib.request.Request(
            f"{url}/v2/app/tags/list", headers={"Authorization": f"Basic {basic}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    assert tags() == (200, {"name": "app", "tags": []})
    process.type("sim advance 13h")
    assert process.until("Clock advanced")[-1] == "Clock advanced by 13h: now 2026-01-05T22:00:00Z"
    expired = {
        "errors": [
            {
                "code": "DENIED",
                "message": "Your authorization token has expired. Reauthenticate and try again.",
            }
        ]
    }
    assert tags() == (403, expired)
    # `sim explain` on the input explains that last request, as the terminal explains its last command.
    process.type("sim explain")
    assert any(line.endswith("user/admin ecr:ListImages DENIED") for line in process.until("$ sim explain"))
    assert process.until("expired 2026-01-05T21:00:00Z") == [
        "REFUSED: ecr:ListImages: DENIED",
        "  AWS says: Your authorization token has expired. Reauthenticate and try again.",
        "  the token of arn:aws:iam::111122223333:user/admin for us-east-1, issued 2026-01-05T09:00:00Z, "
        "expired 2026-01-05T21:00:00Z (12 hours on); it is now 2026-01-05T22:00:00Z",
    ]
    assert process.popen.stdin is not None
    process.popen.stdin.close()  # end of input does not stop the server
    assert tags() == (403, expired)
    process.popen.send_signal(signal.SIGTERM)
    assert process.popen.wait(timeout=30) == 0


def test_a_port_in_use_is_one_line_and_status_2(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "ecrsim", "endpoint", "--port", str(port), "--config-dir", str(tmp_path)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=60,
        )
    assert result.returncode == 2
    assert (
        result.stderr
        == f"ecrsim endpoint: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )
