from __future__ import annotations

import json

import pytest

from ecrsim.engine.errors import ServiceError
from ecrsim.engine.world import World

from .helpers import A, B, ecr


def policy(principal: object, actions: object = "ecr:*", **extra: object) -> str:
    statement = {"Sid": "S", "Effect": "Allow", "Principal": principal, "Action": actions, **extra}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.fixture
def web(world: World) -> World:
    ecr(world, "CreateRepository", repositoryName="web")
    return world


def test_set_get_delete_round_trip_returns_the_text_as_ecr_reserialises_it(web: World) -> None:
    text = policy({"AWS": B}, ["ecr:BatchGetImage"])
    stored = (
        '{\n  "Version" : "2012-10-17",\n  "Statement" : [ {\n    "Sid" : "S",\n    "Effect" : "Allow",\n'
        f'    "Principal" : {{\n      "AWS" : "{B}"\n    }},\n'
        '    "Action" : [ "ecr:BatchGetImage" ]\n  } ]\n}'
    )
    assert ecr(web, "SetRepositoryPolicy", repositoryName="web", policyText=text) == {
        "registryId": A,
        "repositoryName": "web",
        "policyText": stored,
    }
    assert ecr(web, "GetRepositoryPolicy", repositoryName="web")["policyText"] == stored
    assert ecr(web, "DeleteRepositoryPolicy", repositoryName="web")["policyText"] == stored
    with pytest.raises(ServiceError) as caught:
        ecr(web, "GetRepositoryPolicy", repositoryName="web")
    assert caught.value.code == "RepositoryPolicyNotFoundException"
    assert caught.value.message == (
        f"Repository policy does not exist for the repository with name 'web' in the registry with id '{A}'"
    )


INVALID = (
    "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'"
)


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*"}]}),
        policy("*", "ecr:BatchGetImage", Resource="*"),
        policy("*", "ecr:GetAuthorizationToken"),
    ],
    ids=["syntax", "no-principal", "resource", "get-authorization-token"],
)
def test_invalid_policies(web: World, text: str) -> None:
    with pytest.raises(ServiceError) as caught:
        ecr(web, "SetRepositoryPolicy", repositoryName="web", policyText=text)
    assert (caught.value.code, caught.value.message) == ("InvalidParameterException", INVALID)


def test_unknown_principal(web: World) -> None:
    with pytest.raises(ServiceError) as caught:
        ecr(
            web,
            "SetRepositoryPolicy",
            repositoryName="web",
            policyText=policy({"AWS": f"arn:aws:iam::{A}:user/ghost"}),
        )
    assert (
        caught.value.message
        == "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Principal not found'"
    )
    # Accounts, existing users and service principals are fine.
    for principal in (A, f"arn:aws:iam::{B}:user/bob", {"Service": "lambda.amazonaws.com"}):
        named = principal if isinstance(principal, dict) else {"AWS": principal}
        ecr(web, "SetRepositoryPolicy", repositoryName="web", policyText=policy(named, ["ecr:BatchGetImage"]))


def test_policy_text_limit(web: World) -> None:
    with pytest.raises(ServiceError) as caught:
        ecr(web, "SetRepositoryPolicy", repositoryName="web", policyText=" " * 10241)
    assert caught.value.code == "InvalidParameterException"


def test_a_policy_that_locks_the_caller_out_needs_force(web: World) -> None:
    lockout = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "ecr:SetRepositoryPolicy"}],
        }
    )
    with pytest.raises(ServiceError) as caught:
        ecr(web, "SetRepositoryPolicy", repositoryName="web", policyText=lockout)
    assert "force" in caught.value.message
    ecr(web, "SetRepositoryPolicy", repositoryName="web", policyText=lockout, force=True)
    with pytest.raises(ServiceError) as caught:
        ecr(web, "SetRepositoryPolicy", repositoryName="web", policyText=policy("*"), force=True)
    assert caught.value.code == "AccessDeniedException"
    assert "with an explicit deny in a resource-based policy" in caught.value.message


def test_a_repository_policy_grants_a_same_account_user_alone(web: World) -> None:
    with pytest.raises(ServiceError):
        ecr(web, "ListImages", "nobody", repositoryName="web")
    text = policy({"AWS": f"arn:aws:iam::{A}:user/nobody"}, ["ecr:ListImages"])
    ecr(web, "SetRepositoryPolicy", repositoryName="web", policyText=text)
    assert ecr(web, "ListImages", "nobody", repositoryName="web") == {"imageIds": []}
    decision = web.last_decision()
    assert decision is not None and decision.allowed


def test_a_service_principal_names_the_registry_it_pulls_from(web: World) -> None:
    """A service principal has no account: it reaches a repository through `registryId` and the
    repository policy, and without `registryId` it is told to name one (no ARN with an empty account)."""
    ecr(
        web,
        "SetRepositoryPolicy",
        repositoryName="web",
        policyText=policy({"Service": "lambda.amazonaws.com"}),
    )
    service = web.resolve("lambda.amazonaws.com")

    def list_images(**params: object) -> dict:
        return web.call_as(
            service, "ecr", "ListImages", {"repositoryName": "web", **params}, region="us-east-1"
        )

    assert list_images(registryId=A) == {"imageIds": []}
    assert web.events[-1].resource == f"arn:aws:ecr:us-east-1:{A}:repository/web"
    with pytest.raises(ServiceError) as error:
        list_images()
    assert error.value.code == "InvalidParameterException"
    assert "registryId" in error.value.message and "lambda.amazonaws.com" in error.value.message
    assert web.events[-1].decisions == ()
