"""The `ecrsim` commands given hostile files and pipes, each in a child process bounded in time and memory
(conftest.run_bounded): a FIFO or a device is refused at once, a reader that closes the pipe early ends
the command quietly, and a policy request with a misspelt key is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_limits import REPO, run_bounded
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from ecrsim.engine.simulate import InputError, build_request

NOT_REGULAR = "Not a regular file (a device, FIFO or socket)"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "fifo.yaml")
    return tmp_path


@pytest.mark.parametrize("name", ["fifo.yaml", "/dev/zero"])
@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["check", "NAME"], 1),
        (["play", "inside-the-token", "--answers", "NAME"], 2),
        (["policy", "simulate", "NAME"], 1),
        (["shell", "--script", "NAME"], 2),
    ],
)
def test_fifos_and_devices_are_refused_at_once(folder: Path, name: str, args: list[str], status: int) -> None:
    result = run_bounded([name if arg == "NAME" else arg for arg in args], cwd=folder, timeout=60)
    assert result.returncode == status
    assert NOT_REGULAR in result.stdout + result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["policy", "simulate", "-"], ["shell", "--script", "-"]])
def test_standard_input_is_read_up_to_a_limit(tmp_path: Path, args: list[str]) -> None:
    result = run_bounded(args, cwd=tmp_path, input="[" * (2 << 20), timeout=60)
    assert result.returncode in (1, 2) and "File too large (ecrsim reads at most 1 MiB)" in result.stderr


@pytest.mark.parametrize("name", ["progress.json", "review.json"])
def test_a_fifo_learner_file_does_not_block_any_command(tmp_path: Path, name: str) -> None:
    (tmp_path / ".ecrsim").mkdir()
    os.mkfifo(tmp_path / ".ecrsim" / name)
    result = run_bounded(["stats"], cwd=tmp_path, timeout=60)
    assert result.returncode == 0 and NOT_REGULAR in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["shell", "--script", "script.txt"],
        ["shell", "--script", "script.txt", "--json"],
        ["policy", "simulate", "requests.json"],
        ["list"],
    ],
)
def test_a_closed_output_pipe_ends_quietly(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "script.txt").write_text("help\naws ecr describe-repositories\n" * 2000)
    request = {
        "principal_arn": "arn:aws:iam::111122223333:user/a",
        "action": "ecr:PutImage",
        "resource_arn": "*",
    }
    (tmp_path / "requests.json").write_text(json.dumps([request] * 2000))
    read, write = os.pipe()
    os.close(read)
    env = {**os.environ, "PYTHONPATH": str(REPO), "ECRSIM_HOME": str(tmp_path)}
    try:
        result = subprocess.run(
            [sys.executable, "-m", "ecrsim", *args],
            cwd=tmp_path,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            env=env,
        )
    finally:
        os.close(write)
    assert result.returncode == 1 and result.stderr == ""


def test_policy_simulate_refuses_a_misspelt_key_and_documents_the_format(tmp_path: Path) -> None:
    request = {
        "principal_arn": "arn:aws:iam::111122223333:user/a",
        "action": "ecr:BatchGetImage",
        "resource_arn": "arn:aws:ecr:us-east-1:111122223333:repository/web",
        "resource_policy": {"Version": "2012-10-17", "Statement": []},
    }
    result = run_bounded(["policy", "simulate", "-"], cwd=tmp_path, input=json.dumps(request))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "ecrsim: error: request 0: resource_policy: not a request key: did you mean 'repository_policy'?\n"
    )
    shown = run_bounded(["policy", "simulate", "--help"], cwd=tmp_path).stdout
    assert '"repository_policy"' in shown and "any other key is an error" in shown


VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**30), 10**30),
        st.floats(),
        st.text(max_size=20),
        st.sampled_from(
            [
                "*",
                "ecr:*",
                "arn:aws:iam::111122223333:user/a",
                "arn:aws:ecr:us-east-1:111122223333:repository/web",
                "AmazonEC2ContainerRegistryReadOnly",
                "*a" * 12 + "*b",
                "{",
                "[" * 3000,
            ]
        ),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        "principal_arn",
        "action",
        "resource_arn",
        "identity_policies",
        "repository_policy",
        "resource_account",
        "context",
        "resource_policy",
        "id",
        "Effect",
    ]
)


@seed(14)
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.dictionaries(KEYS, VALUES, max_size=7))
def test_fuzzed_policy_requests_are_decided_or_refused_by_field(item: dict) -> None:
    from ecrsim.engine.policy.evaluate import decide

    try:
        request = build_request(item)
    except InputError as error:
        assert error.field and "\n" not in error.message
        return
    decide(request)
