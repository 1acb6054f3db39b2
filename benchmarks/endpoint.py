"""What real clients cost against `ecrsim endpoint`, side by side with moto's server and `ecrsim shell`.

1. The same ten-call boto3 workload against ecrsim's endpoint and against moto's server (`moto.server`),
   both started as their own processes on loopback ports, in the same run, rounds alternating; printed as
   milliseconds per workload (median) and their ratio. ecrsim checks every SigV4 signature, authorizes
   every call through the policy engine, records it and explains every denial; moto's server accepts any
   signature and authorizes nothing.
2. The real aws CLI's cost per command against the endpoint (a whole `aws` process: Python, botocore, the
   request), beside `ecrsim shell`'s: one command in a whole `ecrsim shell --script` process, and one
   command inside a running shell (`Shell.run_line`), which is what the simulated terminal makes a learner
   wait.

Run with ecrsim's Python (it has boto3 and the aws CLI: the test extra); moto's server runs in a Python
that has `moto[server]` (`--moto-python`, default the system Python): `python benchmarks/endpoint.py`.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = "/root/.pyenv/versions/3.11.7/bin/python3"
LIFECYCLE = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 5},
                "action": {"type": "expire"},
            }
        ]
    }
)
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "pull",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            }
        ],
    }
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    sys.exit(f"nothing listens on port {port}")


def workload(session: object, url: str) -> Callable[[int], None]:
    """Ten calls, on a repository of the round's own."""
    ecr = session.client("ecr", endpoint_url=url)  # type: ignore[attr-defined]
    sts = session.client("sts", endpoint_url=url)  # type: ignore[attr-defined]

    def run(round_number: int) -> None:
        name = f"bench-{round_number}"
        ecr.create_repository(repositoryName=name)
        ecr.describe_repositories(repositoryNames=[name])
        ecr.get_authorization_token()
        ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=LIFECYCLE)
        ecr.get_lifecycle_policy(repositoryName=name)
        ecr.set_repository_policy(repositoryName=name, policyText=POLICY)
        ecr.get_repository_policy(repositoryName=name)
        ecr.list_images(repositoryName=name)
        sts.get_caller_identity()
        ecr.delete_repository(repositoryName=name, force=True)

    return run


def sourced(env_file: Path) -> dict[str, str]:
    exports = {}
    for line in env_file.read_text().splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        exports[name] = shlex.split(value)[0]
    return exports


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="workloads per server (default 30)")
    parser.add_argument("--cli-runs", type=int, default=5, help="aws CLI commands timed (default 5)")
    parser.add_argument("--moto-python", default=SYSTEM_PYTHON)
    args = parser.parse_args()
    import boto3

    folder = Path(tempfile.mkdtemp(prefix="ecrsim-bench-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ecrsim_port, moto_port = free_port(), free_port()
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ecrsim",
                "endpoint",
                "--port",
                str(ecrsim_port),
                "--config-dir",
                str(folder),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            env=env,
        ),
        subprocess.Popen(
            [args.moto_python, "-m", "moto.server", "-p", str(moto_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        wait_for(ecrsim_port)
        wait_for(moto_port)
        exports = sourced(folder / "env.sh")
        os.environ.update(AWS_CONFIG_FILE=exports["AWS_CONFIG_FILE"])
        os.environ.update(AWS_SHARED_CREDENTIALS_FILE=exports["AWS_SHARED_CREDENTIALS_FILE"])
        ecrsim_run = workload(boto3.Session(profile_name="admin"), f"http://127.0.0.1:{ecrsim_port}")
        moto_session = boto3.Session(
            aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1"
        )
        moto_run = workload(moto_session, f"http://127.0.0.1:{moto_port}")
        times: dict[str, list[float]] = {"ecrsim": [], "moto": []}
        for run in (ecrsim_run, moto_run):
            run(10_000)  # warm both: first imports, first connections
        for round_number in range(args.rounds):
            for label, run in (("ecrsim", ecrsim_run), ("moto", moto_run)):
                start = time.perf_counter()
                run(round_number)
                times[label].append(time.perf_counter() - start)
        ecrsim_ms, moto_ms = median_ms(times["ecrsim"]), median_ms(times["moto"])
        print(f"ten boto3 calls, median of {args.rounds} rounds (same run, alternating):")
        print(f"  ecrsim endpoint {ecrsim_ms:7.1f} ms   (SigV4 checked, every call authorized and logged)")
        print(f"  moto server     {moto_ms:7.1f} ms   (any signature, nothing authorized)")
        print(f"  ratio ecrsim/moto: {ecrsim_ms / moto_ms:.2f}")

        aws = shutil.which("aws")
        if aws is None:
            print("aws CLI: not installed (pip install awscli), skipped")
            return 0
        cli_env = {**os.environ, **exports}
        command = ["ecr", "describe-repositories"]
        cli = []
        for _ in range(args.cli_runs):
            start = time.perf_counter()
            subprocess.run([aws, *command], env=cli_env, check=True, capture_output=True)
            cli.append(time.perf_counter() - start)
        script = folder / "one.script"
        script.write_text("aws ecr describe-repositories\n")
        shell_process = []
        for _ in range(args.cli_runs):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "ecrsim", "shell", "--script", str(script)],
                env=env,
                check=True,
                capture_output=True,
            )
            shell_process.append(time.perf_counter() - start)
        from ecrsim.engine.world import default_world
        from ecrsim.shell.shell import Shell

        shell = Shell(default_world())
        shell.run_line("aws ecr describe-repositories")
        in_shell = []
        for _ in range(200):
            start = time.perf_counter()
            shell.run_line("aws ecr describe-repositories")
            in_shell.append(time.perf_counter() - start)
        print(f"`aws {' '.join(command)}`, median of {args.cli_runs}:")
        print(f"  real aws CLI against the endpoint   {median_ms(cli):7.1f} ms (a whole aws process)")
        print(f"  `ecrsim shell --script` (1 command) {median_ms(shell_process):7.1f} ms (whole process)")
        print(f"  inside a running `ecrsim shell`     {median_ms(in_shell):7.3f} ms per command")
        print(f"  ratio real CLI / running shell: {statistics.median(cli) / statistics.median(in_shell):.0f}")
    finally:
        for server in servers:
            server.terminate()
            server.wait()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
