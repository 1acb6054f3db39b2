from __future__ import annotations

import pytest

from ecrsim.engine.ecr.names import parse_repository_arn, validate_image_tag, validate_repository_name
from ecrsim.engine.errors import ServiceError


@pytest.mark.parametrize("name", ["ab", "team/web", "a.b-c_d", "x" * 256, "a__b", "a--b/c"])
def test_valid_repository_names(name: str) -> None:
    validate_repository_name(name)


@pytest.mark.parametrize(
    ("name", "constraint"),
    [
        ("a", "must have length greater than or equal to 2"),
        ("x" * 257, "must have length less than or equal to 256"),
        (
            "Web",
            "must satisfy regular expression "
            "'(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'",
        ),
        (
            "web/",
            "must satisfy regular expression "
            "'(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'",
        ),
    ],
)
def test_invalid_repository_names_get_aws_text(name: str, constraint: str) -> None:
    with pytest.raises(ServiceError) as caught:
        validate_repository_name(name)
    assert caught.value.code == "InvalidParameterException"
    assert (
        caught.value.message
        == f"Invalid parameter at 'repositoryName' failed to satisfy constraint: '{constraint}'"
    )


def test_tag_length_limits() -> None:
    validate_image_tag("x" * 300)
    with pytest.raises(ServiceError):
        validate_image_tag("x" * 301)
    with pytest.raises(ServiceError):
        validate_image_tag("")


def test_repository_arn() -> None:
    assert parse_repository_arn("arn:aws:ecr:us-east-1:111122223333:repository/team/web") == (
        "us-east-1",
        "111122223333",
        "team/web",
    )
    with pytest.raises(ServiceError, match="Invalid ARN"):
        parse_repository_arn("arn:aws:s3:::bucket")
