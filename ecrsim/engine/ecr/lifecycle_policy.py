"""Lifecycle policy documents: AWS's validation, and which images a policy expires.

Evaluation follows the ECR user guide, "Lifecycle policy evaluation rules"
(https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html#lp_evaluation_rules):
rules run from the lowest rulePriority up; an image that matches the tag filter of a rule cannot be
expired by a rule with a lower priority, though that rule still counts it; only one rule may select
untagged images; a rule with tagStatus `any` must have the highest rulePriority;
imageCountMoreThan keeps the newest N images (by push time) of those a rule selects; sinceImagePushed
expires images pushed more than N days ago. If several prefixes or patterns are listed, an image must
match all of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from ecrsim.engine.ecr.names import wildcard_match
from ecrsim.errors import EcrsimError

MAX_RULES = 50
_LONGEST = datetime.max - datetime.min  # a countNumber of more days than this selects nothing
MIN_TEXT, MAX_TEXT = 100, 30720

TagStatus = Literal["tagged", "untagged", "any"]
CountType = Literal["imageCountMoreThan", "sinceImagePushed"]


class LifecyclePolicyError(EcrsimError):
    """A policy AWS rejects; `str(error)` is what follows `Lifecycle policy validation failure: `."""


@dataclass(frozen=True)
class LifecycleRule:
    """One rule of a lifecycle policy: which images it selects (by tag) and how many or how old."""

    priority: int
    tag_status: TagStatus
    count_type: CountType
    count_number: int
    tag_prefixes: tuple[str, ...] = ()
    tag_patterns: tuple[str, ...] = ()
    description: str = ""

    def selects(self, tags: Sequence[str]) -> bool:
        """Does an image with these tags match this rule's tagging requirements?"""
        if self.tag_status == "any":
            return True
        if self.tag_status == "untagged":
            return not tags
        if not tags:
            return False
        prefixes_ok = all(any(tag.startswith(prefix) for tag in tags) for prefix in self.tag_prefixes)
        patterns_ok = all(any(wildcard_match(tag, pattern) for tag in tags) for pattern in self.tag_patterns)
        return prefixes_ok and patterns_ok

    def __deepcopy__(self, memo: dict[int, Any]) -> LifecycleRule:
        return self


@dataclass(frozen=True)
class LifecyclePolicy:
    """A validated lifecycle policy, shared between world copies like every parsed document."""

    rules: tuple[LifecycleRule, ...]  # in evaluation order (ascending rulePriority)

    def __deepcopy__(self, memo: dict[int, Any]) -> LifecyclePolicy:
        return self


@dataclass(frozen=True)
class Candidate:
    """What evaluation needs to know of an image."""

    digest: str
    tags: tuple[str, ...]
    pushed_at: datetime


@dataclass(frozen=True)
class Expiry:
    """An image a rule expires, with the rule, so a preview can say which rule did it."""

    candidate: Candidate
    rule: LifecycleRule


_RULE_KEYS = {"rulePriority", "description", "selection", "action"}
_SELECTION_KEYS = {"tagStatus", "tagPrefixList", "tagPatternList", "countType", "countUnit", "countNumber"}


def _missing(required: set[str], given: Mapping[str, Any]) -> None:
    missing = sorted(required - set(given))
    if missing:
        raise LifecyclePolicyError(f"object has missing required properties ({json.dumps(missing)})")


def _unexpected(allowed: set[str], given: Mapping[str, Any]) -> None:
    extra = sorted(set(given) - allowed)
    if extra:
        raise LifecyclePolicyError(
            f"object instance has properties which are not allowed by the schema: ({json.dumps(extra)})"
        )


def _enum(value: Any, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise LifecyclePolicyError(
            f"instance value ({value}) not found in enum (possible values: {json.dumps(sorted(allowed))})"
        )


def _strings(value: Any, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item for item in value):
        raise LifecyclePolicyError(f"{name} must be a non-empty list of non-empty strings")
    return tuple(value)


def _parse_rule(raw: Any) -> LifecycleRule:
    if not isinstance(raw, dict):
        raise LifecyclePolicyError(
            'instance type does not match any allowed primitive type (allowed: ["object"])'
        )
    _missing({"rulePriority", "selection", "action"}, raw)
    _unexpected(_RULE_KEYS, raw)
    priority = raw["rulePriority"]
    if not isinstance(priority, int) or isinstance(priority, bool) or priority < 1:
        raise LifecyclePolicyError(
            f"numeric instance is lower than the required minimum (minimum: 1, found: {priority})"
        )
    action = raw["action"]
    if not isinstance(action, dict):
        raise LifecyclePolicyError(
            'instance type does not match any allowed primitive type (allowed: ["object"])'
        )
    _missing({"type"}, action)
    _unexpected({"type"}, action)
    _enum(action["type"], ["expire"])
    selection = raw["selection"]
    if not isinstance(selection, dict):
        raise LifecyclePolicyError(
            'instance type does not match any allowed primitive type (allowed: ["object"])'
        )
    _missing({"tagStatus", "countType", "countNumber"}, selection)
    _unexpected(_SELECTION_KEYS, selection)
    _enum(selection["tagStatus"], ["any", "tagged", "untagged"])
    _enum(selection["countType"], ["imageCountMoreThan", "sinceImagePushed"])
    count = selection["countNumber"]
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise LifecyclePolicyError(
            f"numeric instance is lower than the required minimum (minimum: 1, found: {count})"
        )
    if selection["countType"] == "sinceImagePushed":
        if "countUnit" not in selection:
            raise LifecyclePolicyError("countUnit is required when countType is sinceImagePushed")
        _enum(selection["countUnit"], ["days"])
    elif "countUnit" in selection:
        raise LifecyclePolicyError("countUnit is not allowed when countType is imageCountMoreThan")
    prefixes = _strings(selection["tagPrefixList"], "tagPrefixList") if "tagPrefixList" in selection else ()
    patterns = (
        _strings(selection["tagPatternList"], "tagPatternList") if "tagPatternList" in selection else ()
    )
    if selection["tagStatus"] == "tagged":
        if not prefixes and not patterns:
            raise LifecyclePolicyError("tagPrefixList or tagPatternList is required when tagStatus is tagged")
        if prefixes and patterns:
            raise LifecyclePolicyError("tagPrefixList and tagPatternList cannot both be specified")
    elif prefixes or patterns:
        raise LifecyclePolicyError(
            "tagPrefixList and tagPatternList can only be used when tagStatus is tagged"
        )
    description = raw.get("description", "")
    return LifecycleRule(
        priority=priority,
        tag_status=selection["tagStatus"],
        count_type=selection["countType"],
        count_number=count,
        tag_prefixes=prefixes,
        tag_patterns=patterns,
        description=description if isinstance(description, str) else "",
    )


def parse_lifecycle_policy(text: str) -> LifecyclePolicy:
    """Validate as PutLifecyclePolicy does; raise LifecyclePolicyError with AWS's wording where known."""
    try:
        document = json.loads(text)
    except ValueError:
        raise LifecyclePolicyError("Could not map policyString into LifecyclePolicy.") from None
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise LifecyclePolicyError('object has missing required properties (["rules"])')
    if not document["rules"]:
        raise LifecyclePolicyError(
            "array is too short: must have at least 1 elements but instance has 0 elements"
        )
    if len(document["rules"]) > MAX_RULES:
        raise LifecyclePolicyError(
            f"array is too long: must have at most {MAX_RULES} elements "
            f"but instance has {len(document['rules'])} elements"
        )
    rules = sorted((_parse_rule(raw) for raw in document["rules"]), key=lambda rule: rule.priority)
    priorities = [rule.priority for rule in rules]
    if len(set(priorities)) != len(priorities):
        raise LifecyclePolicyError("The rulePriority of each rule must be unique.")
    if any(rule.tag_status == "any" for rule in rules[:-1]):
        raise LifecyclePolicyError(
            "The rule with tagStatus 'any' must have the highest value for rulePriority."
        )
    if sum(rule.tag_status == "untagged" for rule in rules) > 1:
        raise LifecyclePolicyError("Only one rule can select Untagged images.")
    return LifecyclePolicy(tuple(rules))


def evaluate(policy: LifecyclePolicy, images: Sequence[Candidate], now: datetime) -> list[Expiry]:
    """The images the policy expires at `now`, each with the rule that expires it, in rule order."""
    claimed: set[str] = set()
    expired: list[Expiry] = []
    for rule in policy.rules:
        # A rule counts every image its tag filter matches, those a higher rule has seen too, but
        # expires none of those: they are out of its reach, expired or kept (user guide, lifecycle
        # policy examples, "Filtering on multiple rules", Example A).
        selected = [image for image in images if rule.selects(image.tags)]
        if rule.count_type == "imageCountMoreThan":
            # Images come in push order, so among equal push times the later push counts as newer.
            newest_first = sorted(selected, key=lambda image: image.pushed_at)[::-1]
            victims = newest_first[rule.count_number :]
        elif rule.count_number <= _LONGEST.days:  # no image is older than a datetime's whole range
            age = timedelta(days=rule.count_number)
            victims = [image for image in selected if now - image.pushed_at > age]
        else:
            victims = []
        expired.extend(Expiry(image, rule) for image in victims if image.digest not in claimed)
        claimed.update(image.digest for image in selected)
    return expired


@dataclass(frozen=True)
class LifecyclePreview:
    """What StartLifecyclePolicyPreview found; GetLifecyclePolicyPreview shows it."""

    text: str
    expiries: tuple[Expiry, ...]

    def __deepcopy__(self, memo: dict[int, Any]) -> LifecyclePreview:
        return self
