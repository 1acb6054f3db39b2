"""Wildcards match in linear time everywhere a pattern is matched (actions, resources, String*Like and
Arn*Like conditions, lifecycle tag patterns), with the same answers as a plain translation to a regex."""

from __future__ import annotations

import json
import re
import time

from hypothesis import given, seed, settings
from hypothesis import strategies as st

from ecrsim.engine.ecr.lifecycle_policy import evaluate, parse_lifecycle_policy
from ecrsim.engine.policy.matching import actions_regex, arn_regex, glob_regex, resources_regex, which
from ecrsim.engine.world import default_world
from ecrsim.shell import Shell

EVIL = "*a" * 12 + "*b"  # a naive translation backtracks through every split: O(n^12)
NAME = "a" * 60


def naive(pieces: tuple[tuple[str, bool], ...], ignore_case: bool, within: bool = False) -> re.Pattern[str]:
    """The obviously right (and exponential) translation the matcher must agree with."""
    star, one = ("[^:]*", "[^:]") if within else (".*", ".")
    text = "".join(
        re.escape(chunk)
        if literal
        else "".join(star if c == "*" else one if c == "?" else re.escape(c) for c in chunk)
        for chunk, literal in pieces
    )
    return re.compile(text, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


ALPHABET = "aAb:*?/"
patterns = st.lists(st.tuples(st.text(ALPHABET, max_size=6), st.booleans()), min_size=1, max_size=3)
texts = st.text("aAb:/", max_size=10)


@seed(14)
@settings(max_examples=400, deadline=None)
@given(patterns, texts, st.booleans())
def test_glob_answers_as_a_plain_regex_does(
    pieces: list[tuple[str, bool]], text: str, ignore_case: bool
) -> None:
    key = tuple(pieces)
    expected = naive(key, ignore_case).fullmatch(text) is not None
    assert (glob_regex(key, ignore_case).fullmatch(text) is not None) == expected


@seed(14)
@settings(max_examples=400, deadline=None)
@given(st.text("ab:*?", max_size=14), st.text("ab:", max_size=12))
def test_arn_condition_parts_answer_as_a_plain_regex_does(pattern: str, text: str) -> None:
    expected = naive(((pattern, False),), False, within=True).fullmatch(text) is not None
    assert (arn_regex(((pattern, False),), for_condition=True).fullmatch(text) is not None) == expected


def test_the_first_matching_pattern_is_the_one_named() -> None:
    found = actions_regex(("s3:*", "ECR:Get*", "ecr:*Image")).fullmatch("ecr:PutImage")
    assert found is not None and which(found) == 2
    found = resources_regex(("arn:aws:ecr:*:*:repository/x", "ARN:AWS:ECR:*:*:repository/*")).fullmatch(
        "arn:aws:ecr:us-east-1:111122223333:repository/web"
    )
    assert found is not None and which(found) == 1
    # The resource id stays case-sensitive while the prefix is not.
    assert (
        resources_regex(("arn:aws:ecr:*:*:repository/Web",)).fullmatch("arn:aws:ecr:r:1:repository/web")
        is None
    )


def _fast(check: object) -> float:
    start = time.process_time()
    for _ in range(20):
        check()  # type: ignore[operator]
    return time.process_time() - start


def test_wildcard_bombs_are_decided_at_once() -> None:
    arn = f"arn:aws:ecr:us-east-1:111122223333:repository/{NAME}"
    checks = [
        lambda: glob_regex(((EVIL, False),), False).fullmatch(NAME),
        lambda: actions_regex((f"ecr:{EVIL}",)).fullmatch(f"ecr:{NAME}"),
        lambda: resources_regex((f"arn:aws:ecr:*:*:repository/{EVIL}",)).fullmatch(arn),
        lambda: arn_regex(((f"arn:aws:ecr:*:*:repository/{EVIL}", False),), for_condition=True).fullmatch(
            arn
        ),
        lambda: arn_regex(((f"arn:{EVIL}:ecr:*:*:*", False),), for_condition=True).fullmatch(
            f"arn:{NAME}:ecr:r:1:x"
        ),
    ]
    for check in checks:
        assert check() is None
        assert _fast(check) < 1.0


def test_a_policy_full_of_wildcard_bombs_decides_in_a_shell_at_once() -> None:
    shell = Shell(default_world())
    shell.run_line(f"aws ecr create-repository --repository-name {NAME}")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": [f"ecr:{EVIL}"], "Resource": f"arn:aws:ecr:*:*:repository/{EVIL}"},
            {
                "Effect": "Allow",
                "Action": "ecr:*",
                "Resource": "*",
                "Condition": {
                    "StringLike": {"aws:username": EVIL},
                    "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::*:user/{EVIL}"},
                },
            },
        ],
    }
    shell.world.files["p.json"] = json.dumps(policy)
    shell.run_line("aws iam create-user --user-name " + NAME)
    assert (
        shell.run_line(
            f"aws iam put-user-policy --user-name {NAME} --policy-name p --policy-document file://p.json"
        ).status
        == 0
    )
    shell.run_line(f"sim as {NAME}")
    start = time.process_time()
    result = shell.run_line(f"aws ecr describe-repositories --repository-names {NAME}")
    assert result.status == 254 and "AccessDeniedException" in result.stderr
    assert time.process_time() - start < 5


def _policy(count: int, pattern: str) -> str:
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "selection": {
                        "tagStatus": "tagged",
                        "tagPatternList": [pattern],
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": count,
                    },
                    "action": {"type": "expire"},
                },
                {
                    "rulePriority": 2,
                    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
                    "action": {"type": "expire"},
                },
            ]
        }
    )


def test_lifecycle_tag_patterns_know_only_star_and_match_bombs_at_once() -> None:
    from ecrsim.engine.ecr.lifecycle_policy import LifecycleRule

    rule = LifecycleRule(1, "tagged", "imageCountMoreThan", 1, tag_patterns=(EVIL,))
    assert _fast(lambda: rule.selects([NAME] * 10)) < 1.0
    assert LifecycleRule(1, "tagged", "imageCountMoreThan", 1, tag_patterns=("v?",)).selects(["v1"]) is False
    assert (
        LifecycleRule(1, "tagged", "imageCountMoreThan", 1, tag_patterns=("v[12]",)).selects(["v1"]) is False
    )
    assert LifecycleRule(1, "tagged", "imageCountMoreThan", 1, tag_patterns=("v?",)).selects(["v?"]) is True


def test_a_huge_count_number_selects_nothing_and_later_rules_still_run() -> None:
    from datetime import datetime, timedelta, timezone

    from ecrsim.engine.ecr.lifecycle_policy import Candidate

    now = datetime(9000, 1, 1, tzinfo=timezone.utc)
    images = [
        Candidate(f"sha256:{n}", ("prod",) if n == 0 else (), now - timedelta(days=n)) for n in range(3)
    ]
    for count in (99_999_999, 10**12):
        expired = evaluate(parse_lifecycle_policy(_policy(count, "prod*")), images, now)
        # Rule 2 still counts the prod image rule 1 saw (user guide, Example A): it is the one kept.
        assert [(expiry.candidate.digest, expiry.rule.priority) for expiry in expired] == [
            ("sha256:1", 2),
            ("sha256:2", 2),
        ]
