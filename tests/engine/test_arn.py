"""The one ARN parser, and what the engine decides with it."""

from __future__ import annotations

import pytest

from ecrsim.engine.arn import parse_arn
from ecrsim.engine.ecr.names import parse_repository_arn
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.identity import add_role, add_user, principal_exists
from ecrsim.engine.policy.matching import parse_caller, resource_account
from ecrsim.engine.world import default_world

ECS_TRUST = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
    '"Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
)


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        (
            "arn:aws:ecr:us-east-1:111122223333:repository/team/web",
            ("ecr", "us-east-1", "111122223333", "repository", "team/web", "web", "/team/"),
        ),
        (
            "arn:aws:iam::111122223333:user/ci/alice",
            ("iam", "", "111122223333", "user", "ci/alice", "alice", "/ci/"),
        ),
        (
            "arn:aws:sts::111122223333:assumed-role/deploy/build-7",
            ("sts", "", "111122223333", "assumed-role", "deploy/build-7", "deploy", "/deploy/"),
        ),
        ("arn:aws:iam::111122223333:root", ("iam", "", "111122223333", "root", "", "", "/")),
        (
            "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
            (
                "iam",
                "",
                "aws",
                "policy",
                "service-role/AmazonECSTaskExecutionRolePolicy",
                "AmazonECSTaskExecutionRolePolicy",
                "/service-role/",
            ),
        ),
        (
            "arn:aws:logs:us-east-1:111122223333:log-group:/aws/ecs/web:*",
            ("logs", "us-east-1", "111122223333", "log-group", "/aws/ecs/web:*", "web:*", "//aws/ecs/"),
        ),
    ],
)
def test_an_arn_splits_into_typed_fields(text: str, fields: tuple[str, ...]) -> None:
    arn = parse_arn(text)
    assert arn is not None and str(arn) == text
    assert (
        arn.service,
        arn.region,
        arn.account,
        arn.resource_type,
        arn.resource_id,
        arn.name,
        arn.path,
    ) == fields


@pytest.mark.parametrize("text", ["", "web", "arn:aws:ecr", "aws:ecr:us-east-1:111122223333:repository/web"])
def test_what_is_not_an_arn_is_none(text: str) -> None:
    assert parse_arn(text) is None


def test_repository_arns_are_checked_by_ecrs_rule() -> None:
    assert parse_repository_arn("arn:aws:ecr:eu-west-1:111122223333:repository/team/web") == (
        "eu-west-1",
        "111122223333",
        "team/web",
    )
    for bad in (
        "arn:aws:ecr:eu-west-1:111122223333:repository/",
        "arn:aws:s3:eu-west-1:111122223333:repository/web",
        "arn:aws:ecr:eu-west-1:1111:repository/web",
        "arn:aws:ecr::111122223333:repository/web",
    ):
        with pytest.raises(ServiceError, match="Invalid ARN"):
            parse_repository_arn(bad)


def test_principals_are_classified_from_the_parsed_arn() -> None:
    session = parse_caller("arn:aws:sts::111122223333:assumed-role/deploy/build-7")
    assert (session.kind, session.name, session.session) == ("role_session", "deploy", "build-7")
    assert session.role_arn == "arn:aws:iam::111122223333:role/deploy"
    assert parse_caller("arn:aws:iam::111122223333:user/ci/alice").name == "alice"
    assert parse_caller("arn:aws:ecr:us-east-1:111122223333:repository/web").kind == "unknown"
    assert resource_account("arn:aws:ecr:us-east-1:111122223333:repository/web") == "111122223333"
    assert resource_account("arn:aws:s3:::bucket") is None


def test_a_principal_exists_when_its_entity_does() -> None:
    world = default_world()
    add_user(world, "111122223333", "alice", path="/ci/")
    add_role(world, "111122223333", "deploy", ECS_TRUST)
    for real in (
        "*",
        "111122223333",
        "lambda.amazonaws.com",
        "arn:aws:iam::999999999999:root",
        "arn:aws:iam::111122223333:user/ci/alice",
        "arn:aws:iam::111122223333:role/deploy",
        "arn:aws:sts::111122223333:assumed-role/deploy/s",
    ):
        assert principal_exists(world, real), real
    for missing in (
        "arn:aws:iam::111122223333:user/bob",
        "arn:aws:iam::111122223333:role/alice",
        "arn:aws:iam::999999999999:user/alice",
        "arn:aws:ecr:us-east-1:111122223333:repository/web",
        "alice",
    ):
        assert not principal_exists(world, missing), missing
