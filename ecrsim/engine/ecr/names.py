"""Validation of what a learner types: repository names, image tags, digests, repository ARNs.

Each failure is the InvalidParameterException AWS returns, word for word where the text is known
(../shared/reference/errors.md).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ecrsim.engine.arn import parse_arn
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.policy.matching import glob_regex

# The pattern in ECR's API model (botocore `RepositoryName`); the message quotes the older form AWS still
# prints (localstack/localstack#8051, real CLI text).
REPOSITORY_NAME = re.compile(r"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*")
REPOSITORY_NAME_SHOWN = "(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"
DIGEST = re.compile(r"[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+")
MAX_TAG_LENGTH = 300


def invalid_parameter(member: str, constraint: str) -> ServiceError:
    return ServiceError(
        "InvalidParameterException",
        f"Invalid parameter at '{member}' failed to satisfy constraint: '{constraint}'",
    )


def validate_repository_name(name: str) -> None:
    if len(name) < 2:
        raise invalid_parameter("repositoryName", "must have length greater than or equal to 2")
    if len(name) > 256:
        raise invalid_parameter("repositoryName", "must have length less than or equal to 256")
    if not REPOSITORY_NAME.fullmatch(name):
        raise invalid_parameter(
            "repositoryName", f"must satisfy regular expression '{REPOSITORY_NAME_SHOWN}'"
        )


def validate_image_tag(tag: str) -> None:
    if not tag:
        raise invalid_parameter("imageTag", "must have length greater than or equal to 1")
    if len(tag) > MAX_TAG_LENGTH:
        raise invalid_parameter("imageTag", f"must have length less than or equal to {MAX_TAG_LENGTH}")


def wildcard_match(tag: str, pattern: str) -> bool:
    """An image tag against a WILDCARD filter (lifecycle tagPatternList, tag mutability exclusions):
    `*` matches any run of characters, everything else itself (a `?` or `[` too), case-sensitively."""
    return _wildcard(pattern).fullmatch(tag) is not None


@lru_cache(maxsize=1024)
def _wildcard(pattern: str) -> re.Pattern[str]:
    # The policy engine's glob, which matches in linear time; `?` goes in as a literal piece.
    return glob_regex(tuple((text, text == "?") for text in re.split(r"(\?)", pattern) if text), False)


def is_digest(text: str) -> bool:
    return DIGEST.fullmatch(text) is not None


def parse_repository_arn(arn: str) -> tuple[str, str, str]:
    """`arn:aws:ecr:REGION:ACCOUNT:repository/NAME` -> (region, account, name)."""
    parsed = parse_arn(arn)
    if (
        parsed is None
        or (parsed.service, parsed.resource_type) != ("ecr", "repository")
        or not re.fullmatch(r"[a-z0-9-]+", parsed.region)
        or not re.fullmatch(r"\d{12}", parsed.account)
        or not parsed.resource_id
    ):
        raise invalid_parameter("resourceArn", "Invalid ARN")
    return parsed.region, parsed.account, parsed.resource_id
