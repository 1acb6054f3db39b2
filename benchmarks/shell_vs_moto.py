"""One learner workload, timed two ways: `ecrsim shell --script` against boto3 on moto's mock_aws.

The workload (issue 4): a login; 100 create-repository; 100 tag-and-push; one describe-repositories;
100 list-images. ecrsim runs it as one `ecrsim shell --script` process and, on the way, authorizes every
call and uploads every layer; moto runs the same API calls (login = GetAuthorizationToken, push =
PutImage with a manifest, since moto has no registry protocol) in one Python process. Both are whole
process times, start-up included, from one run. Then the per-command latency inside the shell (median
and 99th percentile of `Shell.run_line`), which is what makes a command feel instant or not.

Run with ecrsim's Python; moto runs in a Python that has boto3 and moto (`--moto-python`, default the
system Python): `python benchmarks/shell_vs_moto.py`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COUNT = 100
HOST = "111122223333.dkr.ecr.us-east-1.amazonaws.com"
SYSTEM_PYTHON = "/root/.pyenv/versions/3.11.7/bin/python3"

MOTO_PROGRAM = f"""
import json, os
os.environ.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="us-east-1")
import boto3
from moto import mock_aws

manifest = json.dumps({{"schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {{"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
                "digest": "sha256:" + "a" * 64}},
    "layers": [{{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654,
                "digest": "sha256:" + "b" * 64}}]}})
with mock_aws():
    ecr = boto3.client("ecr", region_name="us-east-1")
    ecr.get_authorization_token()
    for i in range({COUNT}):
        ecr.create_repository(repositoryName=f"repo-{{i}}")
    for i in range({COUNT}):
        ecr.put_image(repositoryName=f"repo-{{i}}", imageManifest=manifest, imageTag="v1")
    ecr.describe_repositories()
    for i in range({COUNT}):
        ecr.list_images(repositoryName=f"repo-{{i}}")
"""


def workload() -> list[str]:
    lines = [
        f"aws ecr get-login-password | docker login --username AWS --password-stdin {HOST}",
        "docker build -t app:v1 .",
    ]
    lines += [f"aws ecr create-repository --repository-name repo-{i}" for i in range(COUNT)]
    for i in range(COUNT):
        lines += [f"docker tag app:v1 {HOST}/repo-{i}:v1", f"docker push {HOST}/repo-{i}:v1"]
    lines.append("aws ecr describe-repositories")
    lines += [f"aws ecr list-images --repository-name repo-{i}" for i in range(COUNT)]
    return lines


def timed(command: list[str], **kwargs: object) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one child process: CPU time is the steadier figure
    on a busy machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"benchmark: {command[0]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def per_command_latency(lines: list[str]) -> list[float]:
    from ecrsim.engine.world import default_world
    from ecrsim.shell import Shell

    shell = Shell(default_world())
    times = []
    for line in lines:
        start = time.perf_counter()
        result = shell.run_line(line)
        times.append(time.perf_counter() - start)
        if result.status:
            sys.exit(f"benchmark: `{line}` failed: {result.stderr}")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--moto-python", default=SYSTEM_PYTHON if os.path.exists(SYSTEM_PYTHON) else "python3"
    )
    args = parser.parse_args()
    lines = workload()
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "workload.sh"
        script.write_text("\n".join(lines) + "\n")
        ecrsim_wall, ecrsim_cpu = timed([sys.executable, "-m", "ecrsim", "shell", "--script", str(script)])
        moto_wall, moto_cpu = timed([args.moto_python, "-c", MOTO_PROGRAM], cwd=tmp)
    latencies = sorted(per_command_latency(lines))
    median = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, round(0.99 * len(latencies)) - 1)]
    print(f"workload: {len(lines)} command lines: login, build, {COUNT} create-repository, {COUNT} tag+push,")
    print(f"          describe-repositories, {COUNT} list-images")
    print(f"ecrsim shell --script: {ecrsim_wall:.2f} s wall, {ecrsim_cpu:.2f} s CPU (whole process)")
    print(f"boto3 + moto mock_aws: {moto_wall:.2f} s wall, {moto_cpu:.2f} s CPU (whole process)")
    print(f"ratio moto / ecrsim:   {moto_wall / ecrsim_wall:.1f}x wall, {moto_cpu / ecrsim_cpu:.1f}x CPU")
    print(f"per command in the shell: median {median * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms", end="")
    print(f", max {latencies[-1] * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
