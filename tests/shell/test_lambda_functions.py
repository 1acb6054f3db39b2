"""Lambda functions from ECR images through the simulated terminal: the rules Lambda applies to the image
(same Region, its own repository policy statement, the other account's consent) and what happens when the
image goes away or Lambda's access is revoked."""

from __future__ import annotations

import json

import pytest

from ecrsim.engine.identity import add_user
from ecrsim.engine.world import default_world
from ecrsim.shell import Shell

HOST = "111122223333.dkr.ecr.us-east-1.amazonaws.com"
OTHER = "444455556666"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
NO_ACCESS = "Lambda does not have permission to access the ECR image. Check the ECR permissions."


def run(shell: Shell, line: str) -> str:
    result = shell.run_line(line)
    assert result.status == 0, result.stderr
    return result.stdout.strip()


def create(
    shell: Shell, image: str, name: str = "thumbs", role: str = "arn:aws:iam::111122223333:role/fn"
) -> str:
    return (
        f"aws lambda create-function --function-name {name} --package-type Image --code ImageUri={image}"
        f" --role {role}"
    )


@pytest.fixture
def shell() -> Shell:
    """An image fn:v1 in 111122223333 and an execution role Lambda may assume."""
    world = default_world()
    world.files["trust.json"] = json.dumps(TRUST)
    shell = Shell(world)
    run(shell, "aws ecr create-repository --repository-name fn")
    run(shell, f"aws ecr get-login-password | docker login --username AWS --password-stdin {HOST}")
    run(shell, f"docker build -t {HOST}/fn:v1 .")
    run(shell, f"docker push {HOST}/fn:v1")
    run(shell, "aws iam create-role --role-name fn --assume-role-policy-document file://trust.json")
    return shell


def test_lambda_adds_its_statement_with_the_callers_permissions(shell: Shell) -> None:
    created = json.loads(run(shell, create(shell, f"{HOST}/fn:v1")))
    assert (created["State"], created["StateReasonCode"]) == ("Pending", "Creating")
    policy = json.loads(
        run(shell, "aws ecr get-repository-policy --repository-name fn --query policyText --output text")
    )
    assert policy["Statement"] == [
        {
            "Sid": "LambdaECRImageRetrievalPolicy",
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        }
    ]
    pending = shell.run_line("aws lambda invoke --function-name thumbs out.json")
    assert pending.error_code == "ResourceConflictException" and "following state: Pending" in pending.stderr
    run(shell, "sim advance 1m")
    assert json.loads(run(shell, "aws lambda invoke --function-name thumbs out.json"))["StatusCode"] == 200
    assert "fn@sha256:" in shell.world.files["out.json"]


def test_a_caller_who_may_not_set_the_policy_gets_lambdas_access_error(shell: Shell) -> None:
    add_user(shell.world, "111122223333", "dev", inline={
        "lambda": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["lambda:*", "iam:PassRole"], "Resource": "*"}]}})  # fmt: skip
    result = shell.run_line(create(shell, f"{HOST}/fn:v1") + " --profile dev")
    assert result.error_code == "AccessDeniedException"
    assert result.stderr.strip().endswith(NO_ACCESS)
    assert "could not add its statement" in run(shell, "sim explain")


def test_the_image_must_exist_and_be_in_the_functions_region(shell: Shell) -> None:
    missing = shell.run_line(create(shell, f"{HOST}/fn:v9"))
    assert missing.error_code == "InvalidParameterValueException"
    assert f"Source image {HOST}/fn:v9 does not exist. Provide a valid source image." in missing.stderr
    elsewhere = shell.run_line(create(shell, "111122223333.dkr.ecr.eu-west-1.amazonaws.com/fn:v1"))
    assert "is not valid. Provide a valid source image." in elsewhere.stderr
    assert "function's own Region (us-east-1), not eu-west-1" in run(shell, "sim explain")


def test_the_role_must_trust_lambda(shell: Shell) -> None:
    trust = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Principal": {"Service": "ec2.amazonaws.com"}}]}
    shell.world.files["ec2.json"] = json.dumps(trust)
    run(shell, "aws iam create-role --role-name ec2role --assume-role-policy-document file://ec2.json")
    result = shell.run_line(create(shell, f"{HOST}/fn:v1", role="arn:aws:iam::111122223333:role/ec2role"))
    assert "The role defined for the function cannot be assumed by Lambda." in result.stderr


def test_a_deleted_image_fails_the_function_and_new_code_restores_it(shell: Shell) -> None:
    run(shell, create(shell, f"{HOST}/fn:v1"))
    run(shell, "sim advance 1m")
    run(shell, "aws ecr batch-delete-image --repository-name fn --image-ids imageTag=v1")
    failed = shell.run_line("aws lambda invoke --function-name thumbs out.json")
    assert failed.error_code == "ResourceConflictException"
    assert "following state: 'Failed'. StateReasonCode: 'ImageDeleted'" in failed.stderr
    query = "--query Configuration.[State,StateReasonCode] --output text"
    state = f"aws lambda get-function --function-name thumbs {query}"
    assert run(shell, state).split() == ["Failed", "ImageDeleted"]
    run(shell, f"docker tag {HOST}/fn:v1 {HOST}/fn:v2")
    run(shell, f"docker push {HOST}/fn:v2")
    run(shell, f"aws lambda update-function-code --function-name thumbs --image-uri {HOST}/fn:v2")
    run(shell, "sim advance 1m")
    assert run(shell, state).split() == ["Active", "None"]


def test_revoking_lambdas_statement_fails_the_function_with_image_access_denied(shell: Shell) -> None:
    run(shell, create(shell, f"{HOST}/fn:v1"))
    run(shell, "sim advance 1m")
    run(shell, "aws ecr delete-repository-policy --repository-name fn")
    query = (
        "aws lambda get-function --function-name thumbs --query Configuration.StateReasonCode --output text"
    )
    assert run(shell, query) == "ImageAccessDenied"


def cross_account(shell: Shell, statements: list[dict[str, object]]) -> None:
    """Account 444455556666 holds shared/fn:v1 with a repository policy of `statements`."""
    world = shell.world
    world.add_account(OTHER)
    add_user(world, OTHER, "owner", managed=["AdministratorAccess"])
    other = f"{OTHER}.dkr.ecr.us-east-1.amazonaws.com"
    for line in (
        "aws ecr create-repository --repository-name shared --profile owner",
        f"aws ecr get-login-password --profile owner | docker login --username AWS --password-stdin {other}",
        f"docker tag {HOST}/fn:v1 {other}/shared:v1",
        f"docker push {other}/shared:v1",
    ):
        run(shell, line)
    if statements:
        world.files["shared.json"] = json.dumps({"Version": "2012-10-17", "Statement": statements})
        run(
            shell,
            "aws ecr set-repository-policy --repository-name shared --policy-text file://shared.json"
            " --profile owner",
        )


ACCOUNT_PULL = {
    "Sid": "CrossAccountPermission",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
}
LAMBDA_PULL = {
    "Sid": "LambdaECRImageCrossAccountRetrievalPolicy",
    "Effect": "Allow",
    "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    "Condition": {"StringLike": {"aws:sourceARN": "arn:aws:lambda:us-east-1:111122223333:function:*"}},
}


@pytest.mark.parametrize(
    ("statements", "works"),
    [([ACCOUNT_PULL, LAMBDA_PULL], True), ([LAMBDA_PULL], False), ([ACCOUNT_PULL], False), ([], False)],
    ids=["both", "lambda-only", "account-only", "none"],
)
def test_an_image_in_another_account_needs_both_statements(
    shell: Shell, statements: list[dict[str, object]], works: bool
) -> None:
    cross_account(shell, statements)
    result = shell.run_line(create(shell, f"{OTHER}.dkr.ecr.us-east-1.amazonaws.com/shared:v1"))
    assert (result.status == 0) is works, result.stderr
    if not works:
        assert result.error_code == "AccessDeniedException" and NO_ACCESS in result.stderr
