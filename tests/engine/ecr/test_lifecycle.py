from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from ecrsim.engine.ecr.lifecycle_policy import (
    Candidate,
    LifecyclePolicyError,
    evaluate,
    parse_lifecycle_policy,
)
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.world import World

from .helpers import A, ecr, push

NOW = datetime(2026, 2, 1, tzinfo=timezone.utc)


def rule(priority: int, tag_status: str, count_type: str, count: int, **selection: object) -> dict:
    chosen: dict[str, object] = {"tagStatus": tag_status, "countType": count_type, "countNumber": count}
    if count_type == "sinceImagePushed":
        chosen["countUnit"] = "days"
    chosen.update(selection)
    return {
        "rulePriority": priority,
        "description": f"rule {priority}",
        "selection": chosen,
        "action": {"type": "expire"},
    }


def policy_text(*rules: dict) -> str:
    return json.dumps({"rules": list(rules)})


def image(name: str, days_old: int, *tags: str) -> Candidate:
    return Candidate(name, tags, NOW - timedelta(days=days_old))


def test_count_rule_keeps_the_newest() -> None:
    policy = parse_lifecycle_policy(
        policy_text(rule(1, "tagged", "imageCountMoreThan", 2, tagPrefixList=["v"]))
    )
    images = [image("a", 3, "v1"), image("b", 2, "v2"), image("c", 1, "v3"), image("d", 9, "other")]
    assert [expiry.candidate.digest for expiry in evaluate(policy, images, NOW)] == ["a"]


def test_count_rule_breaks_ties_by_push_order() -> None:
    policy = parse_lifecycle_policy(policy_text(rule(1, "untagged", "imageCountMoreThan", 1)))
    images = [image("first", 0), image("second", 0)]
    assert [expiry.candidate.digest for expiry in evaluate(policy, images, NOW)] == ["first"]


def test_age_rule_and_untagged() -> None:
    policy = parse_lifecycle_policy(policy_text(rule(1, "untagged", "sinceImagePushed", 7)))
    images = [image("old", 8), image("young", 6), image("tagged-old", 30, "v1")]
    assert [expiry.candidate.digest for expiry in evaluate(policy, images, NOW)] == ["old"]


def test_an_image_matched_by_a_higher_priority_rule_is_out_of_reach_of_later_rules() -> None:
    # prod images are kept by rule 1 (fewer than 5); rule 2 would expire everything older than a day.
    policy = parse_lifecycle_policy(
        policy_text(
            rule(1, "tagged", "imageCountMoreThan", 5, tagPrefixList=["prod"]),
            rule(2, "any", "sinceImagePushed", 1),
        )
    )
    images = [image("p1", 10, "prod-1"), image("d1", 10, "dev-1"), image("u1", 10)]
    expired = {expiry.candidate.digest: expiry.rule.priority for expiry in evaluate(policy, images, NOW)}
    assert expired == {"d1": 2, "u1": 2}


def test_multiple_prefixes_must_all_match_and_patterns_use_wildcards() -> None:
    both = parse_lifecycle_policy(
        policy_text(rule(1, "tagged", "sinceImagePushed", 1, tagPrefixList=["prod", "v"]))
    )
    images = [image("x", 5, "prod-a"), image("y", 5, "prod-b", "v2")]
    assert [expiry.candidate.digest for expiry in evaluate(both, images, NOW)] == ["y"]
    pattern = parse_lifecycle_policy(
        policy_text(rule(1, "tagged", "sinceImagePushed", 1, tagPatternList=["*-rc*"]))
    )
    images = [image("rc", 5, "1.0-rc1"), image("final", 5, "1.0")]
    assert [expiry.candidate.digest for expiry in evaluate(pattern, images, NOW)] == ["rc"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "Could not map policyString into LifecyclePolicy."),
        ("{}", 'object has missing required properties (["rules"])'),
        (
            policy_text(rule(1, "any", "sinceImagePushed", 1), rule(2, "untagged", "sinceImagePushed", 1)),
            "The rule with tagStatus 'any' must have the highest value for rulePriority.",
        ),
        (
            policy_text(
                rule(1, "untagged", "sinceImagePushed", 1), rule(1, "untagged", "imageCountMoreThan", 1)
            ),
            "The rulePriority of each rule must be unique.",
        ),
        (
            policy_text(rule(1, "tagged", "imageCountMoreThan", 1)),
            "tagPrefixList or tagPatternList is required when tagStatus is tagged",
        ),
        (
            policy_text(rule(1, "sometimes", "imageCountMoreThan", 1)),
            'instance value (sometimes) not found in enum (possible values: ["any", "tagged", "untagged"])',
        ),
        (
            policy_text(rule(1, "untagged", "imageCountMoreThan", 0)),
            "numeric instance is lower than the required minimum (minimum: 1, found: 0)",
        ),
        (
            policy_text(*(rule(i, "untagged", "imageCountMoreThan", 1) for i in range(1, 52))),
            "array is too long: must have at most 50 elements but instance has 51 elements",
        ),
    ],
)
def test_validation_messages(text: str, message: str) -> None:
    with pytest.raises(LifecyclePolicyError) as caught:
        parse_lifecycle_policy(text)
    assert str(caught.value) == message


def test_put_get_delete_and_the_api_wrapping(world: World) -> None:
    ecr(world, "CreateRepository", repositoryName="web")
    text = policy_text(rule(1, "untagged", "sinceImagePushed", 14))
    assert (
        ecr(world, "PutLifecyclePolicy", repositoryName="web", lifecyclePolicyText=text)[
            "lifecyclePolicyText"
        ]
        == text
    )
    got = ecr(world, "GetLifecyclePolicy", repositoryName="web")
    # epoch 0: ECR has not run the policy yet
    assert got["lifecyclePolicyText"] == text and got["lastEvaluatedAt"] == datetime(
        1970, 1, 1, tzinfo=timezone.utc
    )
    bad = policy_text(rule(1, "tagged", "imageCountMoreThan", 1))
    with pytest.raises(ServiceError) as caught:
        ecr(world, "PutLifecyclePolicy", repositoryName="web", lifecyclePolicyText=bad)
    assert caught.value.message == (
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: "
        "'Lifecycle policy validation failure: tagPrefixList or tagPatternList is required when tagStatus "
        "is tagged'"
    )
    ecr(world, "DeleteLifecyclePolicy", repositoryName="web")
    with pytest.raises(ServiceError) as caught:
        ecr(world, "GetLifecyclePolicy", repositoryName="web")
    assert caught.value.code == "LifecyclePolicyNotFoundException"
    assert caught.value.message == (
        f"Lifecycle policy does not exist for the repository with name 'web' in the registry with id '{A}'"
    )


def test_preview_shows_what_would_expire_without_expiring_it(world: World) -> None:
    ecr(world, "CreateRepository", repositoryName="web")
    old = push(world, "web", "latest")
    push(world, "web", "latest")
    text = policy_text(rule(1, "untagged", "imageCountMoreThan", 1), rule(2, "any", "imageCountMoreThan", 50))
    with pytest.raises(ServiceError) as caught:
        ecr(world, "GetLifecyclePolicyPreview", repositoryName="web")
    assert caught.value.code == "LifecyclePolicyPreviewNotFoundException"
    # Only one untagged image: a count rule of 1 keeps it.
    started = ecr(world, "StartLifecyclePolicyPreview", repositoryName="web", lifecyclePolicyText=text)
    assert started["status"] == "IN_PROGRESS"
    preview = ecr(world, "GetLifecyclePolicyPreview", repositoryName="web")
    assert preview["previewResults"] == [] and preview["summary"] == {"expiringImageTotalCount": 0}
    world.clock.advance("2d")  # move time without running the policy: the preview sees the aged images
    aged = policy_text(rule(1, "untagged", "sinceImagePushed", 1))
    ecr(world, "StartLifecyclePolicyPreview", repositoryName="web", lifecyclePolicyText=aged)
    preview = ecr(world, "GetLifecyclePolicyPreview", repositoryName="web")
    assert [(r["imageDigest"], r["appliedRulePriority"], r["action"]) for r in preview["previewResults"]] == [
        (old, 1, {"type": "EXPIRE"})
    ]
    assert len(ecr(world, "ListImages", repositoryName="web")["imageIds"]) == 2


def test_a_simulated_month(world: World) -> None:
    """Daily releases: prod-N tags and a moving `latest`; keep 5 prod images, untagged ones for 7 days."""
    ecr(world, "CreateRepository", repositoryName="web")
    text = policy_text(
        rule(1, "tagged", "imageCountMoreThan", 5, tagPrefixList=["prod"]),
        rule(2, "untagged", "sinceImagePushed", 7),
    )
    ecr(world, "PutLifecyclePolicy", repositoryName="web", lifecyclePolicyText=text)
    for day in range(30):
        push(world, "web", f"prod-{day}")
        push(world, "web", "latest")
        world.advance("1d")
    ids = ecr(world, "ListImages", repositoryName="web")["imageIds"]
    tags = sorted(entry["imageTag"] for entry in ids if "imageTag" in entry)
    assert tags == ["latest", *(f"prod-{day}" for day in range(25, 30))]
    # Untagged: the former `latest` images pushed within the last 7 days (days 23..28).
    assert sum("imageTag" not in entry for entry in ids) == 6
    expiries = [event for event in world.events if event.operation == "PolicyExecutionEvent"]
    assert expiries and all(event.resource.endswith(":repository/web") for event in expiries)
    expired = [
        entry.text for event in expiries for entry in event.outcomes if entry.text.startswith("expired")
    ]
    assert any(text.endswith("): rule 1 (tags prod*, beyond the newest 5)") for text in expired)
    assert any(text.endswith("): rule 2 (untagged, pushed more than 7 days ago)") for text in expired)


def test_user_guide_example_a_a_later_rule_counts_what_an_earlier_one_saw() -> None:
    """Lifecycle policy examples, "Filtering on multiple rules", Example A: only Image A expires."""
    policy = parse_lifecycle_policy(
        policy_text(
            rule(1, "tagged", "imageCountMoreThan", 1, tagPrefixList=["prod"]),
            rule(2, "tagged", "imageCountMoreThan", 1, tagPrefixList=["beta"]),
        )
    )
    images = [image("A", 10, "beta-1", "prod-1"), image("B", 9, "beta-2", "prod-2"), image("C", 8, "beta-3")]
    assert [(expiry.candidate.digest, expiry.rule.priority) for expiry in evaluate(policy, images, NOW)] == [
        ("A", 1)
    ]


def test_an_image_an_earlier_rule_kept_still_takes_a_place_in_a_later_rules_count() -> None:
    policy = parse_lifecycle_policy(
        policy_text(
            rule(1, "tagged", "imageCountMoreThan", 1, tagPrefixList=["prod"]),
            rule(2, "tagged", "imageCountMoreThan", 1, tagPrefixList=["beta"]),
        )
    )
    # Rule 1 keeps X; rule 2 counts X as its newest beta image, so Z is one too many.
    images = [image("Y", 5, "prod-0"), image("Z", 3, "beta-0"), image("X", 1, "prod-1", "beta-1")]
    assert [expiry.candidate.digest for expiry in evaluate(policy, images, NOW)] == ["Y", "Z"]


def test_only_one_rule_may_select_untagged_images() -> None:
    with pytest.raises(LifecyclePolicyError) as caught:
        parse_lifecycle_policy(
            policy_text(
                rule(1, "untagged", "sinceImagePushed", 1), rule(2, "untagged", "imageCountMoreThan", 5)
            )
        )
    assert str(caught.value) == "Only one rule can select Untagged images."
