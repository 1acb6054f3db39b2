"""`ecrsim policy simulate` end to end, as a user runs it (shared/spec/policy-simulate.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ALICE = "arn:aws:iam::111122223333:user/alice"
REPO = "arn:aws:ecr:us-east-1:111122223333:repository/web-app"
PULL = {
    "principal_arn": ALICE,
    "identity_policies": ["AmazonEC2ContainerRegistryReadOnly"],
    "repository_policy": None,
    "action": "ecr:BatchGetImage",
    "resource_arn": REPO,
}
PUSH = {**PULL, "action": "ecr:PutImage", "id": "ignored", "description": "ignored", "expected": "allow"}


def simulate(data: Any, *args: str) -> subprocess.CompletedProcess[str]:
    text = data if isinstance(data, str) else json.dumps(data)
    return subprocess.run(
        [sys.executable, "-m", "ecrsim", "policy", "simulate", "-", *args],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_one_request_in_one_object_out() -> None:
    result = simulate(PULL)
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["decision"] == "allow"
    assert output["message"] is None
    assert output["statements"] == [
        {
            "policy": "AmazonEC2ContainerRegistryReadOnly",
            "sid": None,
            "index": 0,
            "effect": "Allow",
            "matched": True,
            "why": "action matched ecr:BatchGetImage, resource matched *, no conditions",
        }
    ]
    assert result.stderr == ""


def test_array_in_array_out_in_order_and_denials_still_exit_zero() -> None:
    result = simulate([PUSH, PULL])
    assert result.returncode == 0
    first, second = json.loads(result.stdout)
    assert (first["decision"], second["decision"]) == ("implicit_deny", "allow")
    assert first["message"] == (
        f"User: {ALICE} is not authorized to perform: ecr:PutImage on resource: {REPO}"
        " because no identity-based policy allows the ecr:PutImage action"
    )
    assert first["hint"].startswith("add ecr:PutImage")


def test_explain_prints_the_trace_on_stderr() -> None:
    result = simulate(PUSH, "--explain")
    assert result.returncode == 0
    assert json.loads(result.stdout)["decision"] == "implicit_deny"
    assert "DENIED (implicit): ecr:PutImage" in result.stderr
    assert "[ ] #0 Allow: action ecr:PutImage not in Action" in result.stderr
    assert "Hint: add ecr:PutImage" in result.stderr


def test_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(PULL), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "ecrsim", "policy", "simulate", str(path)], capture_output=True, text=True
    )
    assert json.loads(result.stdout)["decision"] == "allow"


NO_ACTIONS = {"Statement": {"Effect": "Allow", "Resource": "*"}}
NO_PRINCIPAL = {"Statement": [{"Effect": "Allow", "Action": "ecr:*"}]}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ("{not json", "the input is not valid JSON: Expecting property name enclosed in double quotes"),
        ("42", "the input must be a JSON object (one request) or an array of them"),
        (
            [PULL, PULL, PULL, {**PULL, "identity_policies": [NO_ACTIONS]}],
            "request 3: identity_policies[0]: Policy statement must contain actions.",
        ),
        (
            {**PULL, "identity_policies": ["NoSuchPolicy"]},
            "request 0: identity_policies[0]: no AWS managed policy named 'NoSuchPolicy'",
        ),
        ({**PULL, "principal_arn": "alice"}, "request 0: principal_arn: 'alice' is not"),
        ({**PULL, "action": None}, "request 0: action: required, a non-empty string"),
        ({**PULL, "resource_arn": "web-app"}, "request 0: resource_arn: 'web-app' is neither an ARN nor *"),
        (
            {**PULL, "repository_policy": NO_PRINCIPAL},
            "request 0: repository_policy: Missing required field Principal",
        ),
        ({**PULL, "context": {"aws:SourceIp": {"a": 1}}}, "request 0: context.aws:SourceIp: must be"),
        (
            {**PULL, "service_control_policies": [["FullAWSAccess"]]},
            'request 0: service_control_policies[0]: must be {"target": "...", "policies": [...]}',
        ),
        (
            {**PULL, "resource_control_policies": [{"policies": [NO_ACTIONS]}]},
            "request 0: resource_control_policies[0].policies[0]: Missing required field Principal",
        ),
        ({**PULL, "permissions_boundary": 3}, "request 0: permissions_boundary: must be a policy document"),
        ({**PULL, "session_policies": {}}, "request 0: session_policies: must be an array"),
    ],
)
def test_malformed_input_exits_1_with_one_line(data: Any, error: str) -> None:
    result = simulate(data)
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"ecrsim: error: {error}")


def test_missing_file_is_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ecrsim", "policy", "simulate", "/nonexistent/requests.json"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert (
        result.stderr == "ecrsim: error: cannot read /nonexistent/requests.json: No such file or directory\n"
    )


def test_multivalued_context_and_repository_policy_as_stored() -> None:
    request = {
        "principal_arn": ALICE,
        "identity_policies": [
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "ecr:TagResource",
                        "Resource": "*",
                        "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}},
                    }
                ],
            }
        ],
        "action": "ecr:TagResource",
        "resource_arn": REPO,
        "context": {"aws:TagKeys": ["team", "cost-center"]},
    }
    result = simulate(request)
    output = json.loads(result.stdout)
    assert output["decision"] == "implicit_deny"
    assert "request value cost-center is not one of [team, env]" in output["statements"][0]["why"]


DENY_DELETE = {"Statement": {"Effect": "Deny", "Action": "ecr:BatchDeleteImage", "Resource": "*"}}


def test_the_policies_above_iam_each_decide_and_name_themselves() -> None:
    """SCP levels, RCP levels (RCPFullAWSAccess at each, as in AWS), a boundary and session policies."""
    session = "arn:aws:sts::111122223333:assumed-role/ci/build"
    base = {**PULL, "principal_arn": session, "identity_policies": ["AmazonEC2ContainerRegistryFullAccess"]}
    requests = [
        {
            **base,
            "action": "ecr:BatchDeleteImage",
            "service_control_policies": [
                {"target": "r-ab12", "policies": ["FullAWSAccess"]},
                {"target": "ou-ab12-11111111", "policies": ["FullAWSAccess", DENY_DELETE]},
            ],
        },
        {**base, "service_control_policies": [{"target": "r-ab12", "policies": []}]},
        {**base, "resource_control_policies": [{"target": "r-ab12", "policies": []}]},
        {**base, "action": "ecr:PutImage", "permissions_boundary": "AmazonEC2ContainerRegistryReadOnly"},
        {**base, "action": "ecr:PutImage", "session_policies": ["AmazonEC2ContainerRegistryReadOnly"]},
    ]
    result = simulate(requests)
    assert result.returncode == 0, result.stderr
    rules = [output["rule"] for output in json.loads(result.stdout)]
    assert rules == [
        "service_control_policy_deny",
        "service_control_policy_missing_allow",
        "identity_allow",
        "permissions_boundary_missing_allow",
        "session_policy_missing_allow",
    ]
