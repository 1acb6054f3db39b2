"""Condition operators, one family at a time, with the docs' rules for missing keys and sets."""

from __future__ import annotations

from typing import Any

import pytest

from ecrsim.engine.policy.conditions import check
from ecrsim.engine.policy.document import parse_identity_policy


def evaluate(operator: str, key: str, values: Any, context: dict[str, Any]) -> tuple[bool, str]:
    policy = parse_identity_policy(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {operator: {key: values}},
            },
        }
    )
    request = {k.lower(): (tuple(v) if isinstance(v, list) else v) for k, v in context.items()}
    return check(policy.statements[0].conditions[0], request, variables=True)


CASES = [
    # (operator, policy values, request value, expected)
    ("StringEquals", "payments", "payments", True),
    ("StringEquals", "payments", "Payments", False),
    ("StringEquals", ["a", "payments"], "payments", True),
    ("StringNotEquals", ["a", "b"], "c", True),
    ("StringNotEquals", ["a", "b"], "b", False),  # NOR over the values
    ("StringEqualsIgnoreCase", "PAYMENTS", "payments", True),
    ("StringNotEqualsIgnoreCase", "PAYMENTS", "payments", False),
    ("StringLike", "pay*", "payments", True),
    ("StringLike", "pay?ents", "payments", True),
    ("StringLike", "Pay*", "payments", False),
    ("StringNotLike", ["dev-*", "test-*"], "prod-1", True),
    ("StringNotLike", ["dev-*", "test-*"], "test-1", False),
    ("NumericEquals", "10", "10.0", True),
    ("NumericNotEquals", "10", "11", True),
    ("NumericLessThan", 10, "9", True),
    ("NumericLessThan", "10", "10", False),
    ("NumericLessThanEquals", "10", "10", True),
    ("NumericGreaterThan", "10", "11", True),
    ("NumericGreaterThanEquals", "10", "9", False),
    ("NumericEquals", "10", "ten", False),
    ("DateGreaterThan", "2026-01-01T00:00:00Z", "2026-01-05T09:00:00Z", True),
    ("DateLessThan", "2026-01-01T00:00:00Z", "2026-01-05T09:00:00Z", False),
    ("DateEquals", "2026-01-05T09:00:00Z", "1767603600", True),  # epoch seconds
    ("DateLessThanEquals", "2026-01-05", "2026-01-05T00:00:00+00:00", True),
    ("DateNotEquals", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00+01:00", False),
    ("Bool", "true", "true", True),
    ("Bool", True, "TRUE", True),
    ("Bool", "true", "false", False),
    ("BinaryEquals", "QmluYXJ5", "QmluYXJ5", True),
    ("BinaryEquals", "QmluYXJ5", "QmluYXJ6", False),
    ("IpAddress", "203.0.113.0/24", "203.0.113.9", True),
    ("IpAddress", "203.0.113.0/24", "198.51.100.7", False),
    ("IpAddress", "203.0.113.7", "203.0.113.7", True),  # a bare address is /32
    ("IpAddress", "2001:db8::/32", "2001:db8:1234::1", True),  # IPv6
    ("IpAddress", "2001:db8::/32", "2001:db9::1", False),
    ("IpAddress", "203.0.113.0/24", "2001:db8::1", False),
    ("NotIpAddress", ["203.0.113.0/24", "2001:db8::/32"], "198.51.100.7", True),
    ("NotIpAddress", ["203.0.113.0/24", "2001:db8::/32"], "2001:db8::5", False),
    ("ArnEquals", "arn:aws:iam::111122223333:role/*", "arn:aws:iam::111122223333:role/deploy", True),
    (
        "ArnLike",
        "arn:aws:lambda:*:111122223333:function:*",
        "arn:aws:lambda:us-east-1:111122223333:function:f",
        True,
    ),
    ("ArnLike", "arn:aws:iam::*:role/x", "arn:aws:iam::111122223333:role/x", True),
    ("ArnLike", "arn:aws:iam::1111*", "arn:aws:iam::111122223333:role/x", False),  # parts matched separately
    ("ArnNotLike", "arn:aws:iam::*:role/admin-*", "arn:aws:iam::111122223333:role/deploy", True),
    ("ArnNotEquals", "arn:aws:iam::111122223333:role/deploy", "arn:aws:iam::111122223333:role/deploy", False),
]


@pytest.mark.parametrize(("operator", "values", "request_value", "expected"), CASES)
def test_operator_families(operator: str, values: Any, request_value: str, expected: bool) -> None:
    assert evaluate(operator, "aws:Key", values, {"aws:Key": request_value})[0] is expected


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("StringEquals", False),
        ("StringLike", False),
        ("NumericLessThan", False),
        ("IpAddress", False),
        ("ArnLike", False),
        ("StringNotEquals", True),  # negated operators are true for a missing key
        ("StringNotLike", True),
        ("ArnNotLike", True),
        ("NotIpAddress", True),
        ("StringEqualsIfExists", True),
        ("StringNotEqualsIfExists", True),
        ("ForAllValues:StringEquals", True),  # true for no values
        ("ForAnyValue:StringEquals", False),
    ],
)
def test_missing_keys(operator: str, expected: bool) -> None:
    ok, why = evaluate(operator, "aws:SourceVpce", "vpce-1", {})
    assert ok is expected
    assert "absent" in why


def test_if_exists_still_tests_a_present_key() -> None:
    assert evaluate("StringEqualsIfExists", "aws:Key", "a", {"aws:Key": "a"})[0]
    assert not evaluate("StringEqualsIfExists", "aws:Key", "a", {"aws:Key": "b"})[0]


def test_null_tests_presence() -> None:
    assert evaluate("Null", "aws:TokenIssueTime", "true", {})[0]
    assert not evaluate("Null", "aws:TokenIssueTime", "true", {"aws:TokenIssueTime": "x"})[0]
    assert evaluate("Null", "aws:TokenIssueTime", False, {"aws:TokenIssueTime": "x"})[0]


def test_for_all_values_and_for_any_value_on_multivalued_keys() -> None:
    allowed = ["team", "env"]
    assert evaluate("ForAllValues:StringEquals", "aws:TagKeys", allowed, {"aws:TagKeys": ["team"]})[0]
    assert not evaluate("ForAllValues:StringEquals", "aws:TagKeys", allowed, {"aws:TagKeys": ["team", "x"]})[
        0
    ]
    assert evaluate("ForAllValues:StringEquals", "aws:TagKeys", allowed, {"aws:TagKeys": []})[0]
    assert evaluate("ForAnyValue:StringEquals", "aws:TagKeys", allowed, {"aws:TagKeys": ["x", "env"]})[0]
    assert not evaluate("ForAnyValue:StringEquals", "aws:TagKeys", allowed, {"aws:TagKeys": ["x"]})[0]
    assert not evaluate("ForAnyValue:StringEquals", "aws:TagKeys", allowed, {"aws:TagKeys": []})[0]
    # ForAnyValue with a negated operator: some request value matches none of the policy values.
    assert evaluate("ForAnyValue:StringNotEquals", "aws:TagKeys", allowed, {"aws:TagKeys": ["team", "x"]})[0]
    assert not evaluate(
        "ForAllValues:StringNotEquals", "aws:TagKeys", allowed, {"aws:TagKeys": ["team", "x"]}
    )[0]


def test_key_names_are_case_insensitive() -> None:
    assert evaluate("IpAddress", "AWS:SOURCEIP", "203.0.113.0/24", {"aws:SourceIp": "203.0.113.1"})[0]
    assert evaluate("StringEquals", "ecr:ResourceTag/Team", "x", {"ecr:resourcetag/team": "x"})[0]


def test_variables_in_condition_values() -> None:
    assert evaluate(
        "StringEquals", "aws:Key", "${aws:username}", {"aws:Key": "alice", "aws:username": "alice"}
    )[0]
    ok, why = evaluate("StringEquals", "aws:Key", "${aws:username}", {"aws:Key": "alice"})
    assert not ok
    assert "policy variable" in why
    # Numeric values take no variables: the text stays as written and is not a number.
    assert not evaluate("NumericEquals", "aws:Key", "${aws:n}", {"aws:Key": "1", "aws:n": "1"})[0]


def test_failure_explains_the_request_value_and_the_policy_values() -> None:
    ok, why = evaluate("IpAddress", "aws:SourceIp", ["203.0.113.0/24"], {"aws:SourceIp": "198.51.100.7"})
    assert not ok
    assert (
        why == "condition IpAddress aws:SourceIp failed: request value 198.51.100.7 not in [203.0.113.0/24]"
    )
    ok, why = evaluate("StringNotEquals", "aws:Key", ["a", "b"], {"aws:Key": "b"})
    assert why == "condition StringNotEquals aws:Key failed: request value b matches one of [a, b]"
