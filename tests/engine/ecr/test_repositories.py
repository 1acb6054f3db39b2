from __future__ import annotations

import json

import pytest

from ecrsim.engine.errors import ServiceError
from ecrsim.engine.identity import add_user
from ecrsim.engine.world import World

from .helpers import REGION, A, ecr, push


def test_create_repository_shape(world: World) -> None:
    repository = ecr(world, "CreateRepository", repositoryName="web")["repository"]
    assert repository == {
        "repositoryArn": f"arn:aws:ecr:{REGION}:{A}:repository/web",
        "registryId": A,
        "repositoryName": "web",
        "repositoryUri": f"{A}.dkr.ecr.{REGION}.amazonaws.com/web",
        "createdAt": world.clock.now,
        "imageTagMutability": "MUTABLE",
        "imageScanningConfiguration": {"scanOnPush": False},
        "encryptionConfiguration": {"encryptionType": "AES256"},
    }
    assert repository["createdAt"].tzinfo is not None


def test_create_with_settings_and_kms_default_key(world: World) -> None:
    repository = ecr(
        world,
        "CreateRepository",
        repositoryName="team/api",
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={"encryptionType": "KMS"},
    )["repository"]
    assert repository["imageTagMutability"] == "IMMUTABLE"
    assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
    # ECR made the AWS managed key aws/ecr and stored its key ARN (it resolves the key with DescribeKey).
    managed = world.call("kms", "DescribeKey", {"KeyId": "alias/aws/ecr"}, profile="admin", region=REGION)
    assert managed["KeyMetadata"]["KeyManager"] == "AWS"
    assert repository["encryptionConfiguration"] == {
        "encryptionType": "KMS",
        "kmsKey": managed["KeyMetadata"]["Arn"],
    }


def test_create_twice_is_already_exists(world: World) -> None:
    ecr(world, "CreateRepository", repositoryName="web")
    with pytest.raises(ServiceError) as caught:
        ecr(world, "CreateRepository", repositoryName="web")
    assert caught.value.code == "RepositoryAlreadyExistsException"
    assert (
        caught.value.message == f"The repository with name 'web' already exists in the registry with id '{A}'"
    )


def test_bad_name_is_rejected_before_anything_else(world: World) -> None:
    with pytest.raises(ServiceError) as caught:
        ecr(world, "CreateRepository", "nobody", repositoryName="Web")
    assert caught.value.code == "InvalidParameterException"


def test_repositories_are_per_region(world: World) -> None:
    ecr(world, "CreateRepository", repositoryName="web")
    assert ecr(world, "DescribeRepositories", region="eu-west-1")["repositories"] == []
    with pytest.raises(ServiceError) as caught:
        ecr(world, "DescribeRepositories", region="eu-west-1", repositoryNames=["web"])
    assert (
        caught.value.message == f"The repository with name 'web' does not exist in the registry with id '{A}'"
    )


def test_describe_pages(world: World) -> None:
    for name in ("aa", "bb", "cc"):
        ecr(world, "CreateRepository", repositoryName=name)
    first = ecr(world, "DescribeRepositories", maxResults=2)
    assert [r["repositoryName"] for r in first["repositories"]] == ["aa", "bb"]
    rest = ecr(world, "DescribeRepositories", maxResults=2, nextToken=first["nextToken"])
    assert [r["repositoryName"] for r in rest["repositories"]] == ["cc"]
    assert "nextToken" not in rest


def test_delete_needs_force_when_images_remain(world: World) -> None:
    ecr(world, "CreateRepository", repositoryName="web")
    push(world, "web", "v1")
    with pytest.raises(ServiceError) as caught:
        ecr(world, "DeleteRepository", repositoryName="web")
    assert caught.value.code == "RepositoryNotEmptyException"
    assert caught.value.message == (
        f"The repository with name 'web' in registry with id '{A}' cannot be deleted because it still "
        "contains images"
    )
    ecr(world, "DeleteRepository", repositoryName="web", force=True)
    assert ecr(world, "DescribeRepositories")["repositories"] == []


def test_delete_missing_repository(world: World) -> None:
    with pytest.raises(ServiceError) as caught:
        ecr(world, "DeleteRepository", repositoryName="ghost")
    assert caught.value.code == "RepositoryNotFoundException"


def test_unauthorized_caller_learns_nothing_about_existence(world: World) -> None:
    with pytest.raises(ServiceError) as caught:
        ecr(world, "DescribeRepositories", "nobody", repositoryNames=["ghost"])
    assert caught.value.code == "AccessDeniedException"
    assert caught.value.message == (
        f"User: arn:aws:iam::{A}:user/nobody is not authorized to perform: ecr:DescribeRepositories on "
        f"resource: arn:aws:ecr:{REGION}:{A}:repository/ghost because no identity-based policy allows the "
        "ecr:DescribeRepositories action"
    )


def test_settings_change(world: World) -> None:
    ecr(world, "CreateRepository", repositoryName="web")
    assert ecr(world, "PutImageTagMutability", repositoryName="web", imageTagMutability="IMMUTABLE") == {
        "registryId": A,
        "repositoryName": "web",
        "imageTagMutability": "IMMUTABLE",
    }
    with pytest.raises(ServiceError) as caught:
        ecr(world, "PutImageTagMutability", repositoryName="web", imageTagMutability="SOMETIMES")
    assert caught.value.code == "InvalidParameterException"
    scanning = ecr(
        world,
        "PutImageScanningConfiguration",
        repositoryName="web",
        imageScanningConfiguration={"scanOnPush": True},
    )
    assert scanning["imageScanningConfiguration"] == {"scanOnPush": True}
    described = ecr(world, "DescribeRepositories", repositoryNames=["web"])["repositories"][0]
    assert described["imageTagMutability"] == "IMMUTABLE"
    assert described["imageScanningConfiguration"] == {"scanOnPush": True}


def test_resource_tags(world: World) -> None:
    arn = ecr(world, "CreateRepository", repositoryName="web", tags=[{"Key": "team", "Value": "a"}])[
        "repository"
    ]["repositoryArn"]
    ecr(
        world,
        "TagResource",
        resourceArn=arn,
        tags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "b"}],
    )
    assert ecr(world, "ListTagsForResource", resourceArn=arn)["tags"] == [
        {"Key": "team", "Value": "b"},
        {"Key": "env", "Value": "prod"},
    ]
    ecr(world, "UntagResource", resourceArn=arn, tagKeys=["team"])
    assert ecr(world, "ListTagsForResource", resourceArn=arn)["tags"] == [{"Key": "env", "Value": "prod"}]
    with pytest.raises(ServiceError) as caught:
        ecr(world, "TagResource", resourceArn=arn, tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert caught.value.code == "TooManyTagsException"
    with pytest.raises(ServiceError) as caught:
        ecr(world, "ListTagsForResource", resourceArn="not-an-arn")
    assert (
        caught.value.message
        == "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'"
    )


def test_resource_tag_conditions_are_in_the_request_context(world: World) -> None:
    only_team_a = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "ecr:DescribeImages",
                "Resource": "*",
                "Condition": {"StringEquals": {"ecr:ResourceTag/team": "a"}},
            }
        ],
    }
    add_user(world, A, "carol", inline={"team-a": json.dumps(only_team_a)})
    ecr(world, "CreateRepository", repositoryName="mine", tags=[{"Key": "team", "Value": "a"}])
    ecr(world, "CreateRepository", repositoryName="theirs", tags=[{"Key": "team", "Value": "b"}])
    assert ecr(world, "DescribeImages", "carol", repositoryName="mine")["imageDetails"] == []
    with pytest.raises(ServiceError) as caught:
        ecr(world, "DescribeImages", "carol", repositoryName="theirs")
    assert caught.value.code == "AccessDeniedException"


def test_request_tag_conditions_on_create(world: World) -> None:
    must_tag = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["ecr:CreateRepository", "ecr:TagResource"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestTag/team": "a"}},
            }
        ],
    }
    add_user(world, A, "dave", inline={"must-tag": json.dumps(must_tag)})
    with pytest.raises(ServiceError):
        ecr(world, "CreateRepository", "dave", repositoryName="untagged")
    ecr(world, "CreateRepository", "dave", repositoryName="tagged", tags=[{"Key": "team", "Value": "a"}])


def test_describe_registry(world: World) -> None:
    assert ecr(world, "DescribeRegistry") == {"registryId": A, "replicationConfiguration": {"rules": []}}


def test_describe_repositories_without_max_results_pages_at_100(world: World) -> None:
    names = [f"r{number:03d}" for number in range(101)]
    for name in names:
        ecr(world, "CreateRepository", repositoryName=name)
    first = ecr(world, "DescribeRepositories")
    assert [r["repositoryName"] for r in first["repositories"]] == names[:100] and first["nextToken"]
    rest = ecr(world, "DescribeRepositories", nextToken=first["nextToken"])
    assert [r["repositoryName"] for r in rest["repositories"]] == ["r100"] and "nextToken" not in rest
