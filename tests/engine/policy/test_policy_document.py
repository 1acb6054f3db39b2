"""Parsing and validating identity, repository and trust policies with IAM's own error messages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecrsim.engine.policy.document import (
    PolicyError,
    parse_identity_policy,
    parse_resource_policy,
    parse_trust_policy,
)

ALICE = "arn:aws:iam::111122223333:user/alice"


def identity(**statement: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **statement}]}


def error_of(parse: Any, document: Any) -> str:
    with pytest.raises(PolicyError) as raised:
        parse(document)
    return raised.value.message


def test_identity_policy_parses_from_text_or_mapping() -> None:
    document = identity(Action=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Resource="*")
    parsed = parse_identity_policy(json.dumps(document))
    assert parsed == parse_identity_policy(document)
    assert parsed.statements[0].actions == ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
    assert parsed.statements[0].variables


def test_single_statement_object_and_absent_version() -> None:
    parsed = parse_identity_policy({"Statement": {"Effect": "Deny", "Action": "ecr:*", "Resource": "*"}})
    assert parsed.version is None
    assert not parsed.statements[0].variables  # no Version: 2008-10-17 semantics, no policy variables
    assert parsed.statements[0].effect == "Deny"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "This policy contains invalid Json"),
        ('{"Version": "2012-10-17", "Statement": [],}', "Syntax errors in policy."),
        ({"Version": "2012-10-18", "Statement": []}, "The policy failed legacy parsing"),
        ({"Version": "2012-10-17"}, "Syntax errors in policy."),
        ({"Version": "2012-10-17", "Statement": [], "Extra": 1}, "Syntax errors in policy."),
        (
            identity(Action="ecr:*", Resource="*", Principal="*"),
            "Policy document should not specify a principal.",
        ),
        (identity(Resource="*"), "Policy statement must contain actions."),
        (identity(Action=[], Resource="*"), "Policy statement must contain actions."),
        (identity(Action="ecr:*"), "Policy statement must contain resources."),
        (identity(Action="ecr:*", NotAction="ecr:PutImage", Resource="*"), "Syntax errors in policy."),
        (identity(Action="ecr:*", Resource="*", NotResource="*"), "Syntax errors in policy."),
        (
            identity(Action="PutImage", Resource="*"),
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
        ),
        (identity(Action="ec r:PutImage", Resource="*"), "Vendor ec r is not valid"),
        (
            identity(Action="ecr:*", Resource="repository/web"),
            'Resource repository/web must be in ARN format or "*".',
        ),
        (
            identity(Action="ecr:*", Resource="arn:aws:ecr:us-east-1"),
            'Resource arn:aws:ecr:us-east-1 must be in ARN format or "*".',
        ),
        (
            identity(Action="ecr:*", Resource="arn:amazon:ecr:us-east-1:1:repository/x"),
            'Partition "amazon" is not valid for resource "arn:amazon:ecr:us-east-1:1:repository/x".',
        ),
        (identity(Action="ecr:*", Resource="*", Effect="allow"), "Syntax errors in policy."),
        (
            identity(Action="ecr:*", Resource="*", Condition={"StringEqualz": {"aws:Key": "x"}}),
            "Syntax errors in policy.",
        ),
        (
            identity(Action="ecr:*", Resource="*", Condition={"NullIfExists": {"aws:Key": "true"}}),
            "Syntax errors in policy.",
        ),
        (
            identity(Action="ecr:*", Resource="*", Condition={"StringEquals": {"aws:Key": {"x": 1}}}),
            "Syntax errors in policy.",
        ),
        (
            identity(Action="ecr:*", Resource="*", Condition={"StringEquals": {"Key": "x"}}),
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
        ),
        (
            identity(Action="ecr:*", Resource="*", Sid="has space"),
            "Statement IDs (SID) must be alpha-numeric."
            " Check that your input satisfies the regular expression [0-9A-Za-z]*",
        ),
        (
            {"Statement": [dict(identity(Action="ecr:*", Resource="*")["Statement"][0], Sid="A")] * 2},
            "Statement IDs (SID) in a single policy must be unique.",
        ),
        (identity(Action="ecr:*", Resource="*", Unknown=1), "Syntax errors in policy."),
    ],
)
def test_identity_policy_errors(document: Any, message: str) -> None:
    assert error_of(parse_identity_policy, document) == message


def test_every_condition_family_and_modifier_is_accepted() -> None:
    operators = [
        "StringEquals", "StringNotEqualsIgnoreCase", "StringLikeIfExists", "NumericGreaterThanEquals",
        "DateLessThan", "Bool", "BinaryEquals", "IpAddress", "NotIpAddressIfExists", "ArnNotLike", "Null",
        "ForAnyValue:StringLike", "ForAllValues:StringEqualsIfExists",
    ]  # fmt: skip
    condition = {operator: {"aws:Key": ["1", True, 2.5]} for operator in operators}
    parsed = parse_identity_policy(identity(Action="ecr:*", Resource="*", Condition=condition))
    assert [c.operator for c in parsed.statements[0].conditions] == operators
    assert parsed.statements[0].conditions[0].values == ("1", "true", "2.5")


def repository(**statement: Any) -> dict[str, Any]:
    return {
        "Version": "2008-10-17",
        "Statement": [{"Effect": "Allow", "Action": "ecr:BatchGetImage", **statement}],
    }


def test_repository_policy_principal_forms() -> None:
    forms = ["*", {"AWS": "*"}, {"AWS": "111122223333"}, {"AWS": ["arn:aws:iam::111122223333:root", ALICE]}]
    forms += [
        {"AWS": "arn:aws:sts::111122223333:assumed-role/deploy/ci"},
        {"Service": "lambda.amazonaws.com"},
    ]
    for principal in forms:
        assert parse_resource_policy(repository(Principal=principal)).statements[0].principals


def test_policy_principals_lists_what_the_world_must_check_exists() -> None:
    policy = parse_resource_policy(
        {
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": [ALICE, "111122223333"]}, "Action": "ecr:*"},
                {
                    "Effect": "Deny",
                    "NotPrincipal": {"Service": "lambda.amazonaws.com", "AWS": ALICE},
                    "Action": "ecr:*",
                },
                {"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"},
            ]
        }
    )
    assert policy.principals() == (ALICE, "111122223333", "lambda.amazonaws.com")


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ({}, "Missing required field Principal"),
        ({"Principal": "*", "Resource": "*"}, "Has prohibited field Resource"),
        (
            {"Principal": "*", "NotResource": "arn:aws:ecr:*:*:repository/x"},
            "Has prohibited field NotResource",
        ),
        ({"Principal": "*", "NotPrincipal": {"AWS": ALICE}}, "Syntax errors in policy."),
        ({"Principal": "everyone"}, "Invalid principal in policy"),
        ({"Principal": {"AWS": "arn:aws:iam::111122223333:user/*"}}, "Invalid principal in policy"),
        ({"Principal": {"AWS": "arn:aws:iam::111122223333:*"}}, "Invalid principal in policy"),
        ({"Principal": {"AWS": "1111"}}, "Invalid principal in policy"),
        ({"Principal": {"AWS": []}}, "Invalid principal in policy"),
        ({"Principal": {"CanonicalUser": "abc"}}, "Invalid principal in policy"),
        ({"Principal": {"Service": "lambda"}}, "Invalid principal in policy"),
    ],
)
def test_repository_policy_errors(statement: dict[str, Any], message: str) -> None:
    assert error_of(parse_resource_policy, repository(**statement)) == message


def test_repository_policy_rejects_get_authorization_token_unless_taken_as_stored() -> None:
    document = repository(Principal="*", Action=["ecr:BatchGetImage", "ecr:GetAuthorizationToken"])
    assert "ecr:GetAuthorizationToken" in error_of(parse_resource_policy, document)
    assert parse_resource_policy(document, reject_authorization_token=False).statements
    assert parse_resource_policy(repository(Principal="*", Action="ecr:*")).statements  # wildcards are fine


def test_repository_policy_sids_may_repeat_and_contain_spaces() -> None:
    statement = {"Sid": "allow pull", "Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}
    assert len(parse_resource_policy({"Statement": [statement, statement]}).statements) == 2


def test_trust_policy_rules() -> None:
    trust = {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "sts:AssumeRole"}
    assert parse_trust_policy({"Version": "2012-10-17", "Statement": [trust]}).statements
    assert (
        error_of(parse_trust_policy, {"Statement": [{**trust, "Principal": None}]})
        == "Invalid principal in policy"
    )
    no_principal = {k: v for k, v in trust.items() if k != "Principal"}
    assert error_of(parse_trust_policy, {"Statement": [no_principal]}) == "Missing required field Principal"
    not_principal = {**no_principal, "NotPrincipal": {"AWS": ALICE}}
    assert error_of(parse_trust_policy, {"Statement": [not_principal]}) == "Has prohibited field NotPrincipal"
    assert (
        error_of(parse_trust_policy, {"Statement": [{**trust, "Resource": "*"}]})
        == "Has prohibited field Resource"
    )
