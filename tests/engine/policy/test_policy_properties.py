"""Whatever a learner or a scenario feeds in, the engine answers or says what is wrong: never a crash."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ecrsim.engine.policy.document import (
    PolicyError,
    parse_identity_policy,
    parse_resource_policy,
    parse_trust_policy,
)
from ecrsim.engine.policy.evaluate import decide
from ecrsim.engine.policy.types import NamedPolicy, Request
from ecrsim.engine.simulate import run_simulate

# Keys and values IAM uses, so that generated documents often get deep into validation, not only fail
# at the top.
KEYS = st.sampled_from(
    [
        "Version",
        "Statement",
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
        "AWS",
        "Service",
        "StringLike",
        "IpAddress",
        "ForAnyValue:StringEquals",
        "aws:SourceIp",
        "aws:username",
        "principal_arn",
        "action",
        "resource_arn",
        "identity_policies",
        "repository_policy",
        "context",
        "Id",
    ]
) | st.text(max_size=8)
SCALARS = (
    st.sampled_from(
        [
            "2012-10-17",
            "2008-10-17",
            "Allow",
            "Deny",
            "*",
            "ecr:*",
            "ecr:PutImage",
            "ecr:GetAuthorizationToken",
            "111122223333",
            "lambda.amazonaws.com",
            "203.0.113.0/24",
            "${aws:username}",
            "${*}",
            "arn:aws:ecr:us-east-1:111122223333:repository/web-app",
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:iam::111122223333:root",
            "AmazonEC2ContainerRegistryReadOnly",
            "${x, 'y'}",
        ]
    )
    | st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=30,
)

PARSERS = (parse_identity_policy, parse_resource_policy, parse_trust_policy)


@settings(max_examples=200, deadline=None)
@given(document=JSON, as_text=st.booleans(), parser=st.sampled_from(PARSERS))
def test_any_json_parses_or_raises_policy_error(document: Any, as_text: bool, parser: Any) -> None:
    try:
        policy = parser(json.dumps(document) if as_text else document)
    except PolicyError as error:
        assert error.message and "\n" not in error.message
        return
    # Whatever parsed can be evaluated.
    for principal in ("arn:aws:iam::111122223333:user/alice", "lambda.amazonaws.com"):
        for resource in ("*", "arn:aws:ecr:us-east-1:111122223333:repository/web-app"):
            context = {"aws:SourceIp": "203.0.113.1", "aws:TagKeys": ("a", "b")}
            if policy.kind == "identity":
                request = Request(
                    principal, "ecr:PutImage", resource, (NamedPolicy("p", policy),), context=context
                )
            else:
                request = Request(principal, "ecr:PutImage", resource, (), policy, context=context)
            assert decide(request).verdict in ("allow", "implicit_deny", "explicit_deny")


@given(text=st.text(max_size=40))
def test_any_text_parses_or_raises_policy_error(text: str) -> None:
    for parser in PARSERS:
        with contextlib.suppress(PolicyError):
            parser(text)


REQUEST = st.fixed_dictionaries(
    {},
    optional={
        "principal_arn": JSON,
        "action": JSON,
        "resource_arn": JSON,
        "identity_policies": st.lists(JSON, max_size=2),
        "repository_policy": JSON,
        "context": JSON,
        "resource_account": JSON,
    },
)


@settings(max_examples=100, deadline=None)
@given(data=JSON | REQUEST | st.lists(REQUEST, max_size=3))
def test_any_simulate_input_evaluates_or_fails_in_one_line(data: Any) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "input.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = run_simulate(str(path), explain=True)
    if status == 0:
        output = json.loads(stdout.getvalue())
        assert isinstance(output, dict if isinstance(data, dict) else list)
    else:
        assert status == 1
        assert stdout.getvalue() == ""
        lines = stderr.getvalue().splitlines()
        assert len(lines) == 1 and lines[0].startswith("ecrsim: error: ")
