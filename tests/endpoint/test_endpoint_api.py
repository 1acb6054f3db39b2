"""ECR's JSON protocol and IAM's and STS's query protocol, through boto3, with SigV4 checked."""

from __future__ import annotations

import base64
import json

import pytest
from live import Running

boto3 = pytest.importorskip("boto3")
from botocore.exceptions import ClientError  # noqa: E402

READ_ONLY = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"


def client(running: Running, service: str, key: tuple[str, str], token: str | None = None):
    return boto3.client(
        service,
        endpoint_url=running.url,
        region_name="us-east-1",
        aws_access_key_id=key[0],
        aws_secret_access_key=key[1],
        aws_session_token=token,
    )


def error_of(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_create_and_describe_repositories_as_the_world_sees_them(running: Running) -> None:
    ecr = client(running, "ecr", running.keys())
    created = ecr.create_repository(repositoryName="team/app", imageTagMutability="IMMUTABLE")["repository"]
    assert created["repositoryUri"] == "111122223333.dkr.ecr.us-east-1.amazonaws.com/team/app"
    described = ecr.describe_repositories()["repositories"]
    assert [(r["repositoryName"], r["imageTagMutability"]) for r in described] == [("team/app", "IMMUTABLE")]
    assert created["createdAt"].isoformat() == "2026-01-05T09:00:00+00:00"  # the simulated clock
    assert "team/app" in running.run("aws ecr describe-repositories --query repositories[].repositoryName")
    assert [r.line() for r in running.records] == [
        "2026-01-05T09:00:00Z arn:aws:iam::111122223333:user/admin ecr:CreateRepository OK",
        "2026-01-05T09:00:00Z arn:aws:iam::111122223333:user/admin ecr:DescribeRepositories OK",
    ]
    code, message = error_of(ecr.create_repository, repositoryName="team/app")
    assert code == "RepositoryAlreadyExistsException"
    assert "team/app" in message


def test_get_authorization_token_is_a_docker_password_for_the_world(running: Running) -> None:
    data = client(running, "ecr", running.keys()).get_authorization_token()["authorizationData"][0]
    user, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    assert user == "AWS"
    assert data["proxyEndpoint"] == "https://111122223333.dkr.ecr.us-east-1.amazonaws.com"
    assert data["expiresAt"].isoformat() == "2026-01-05T21:00:00+00:00"
    login = f"docker login -u AWS -p {password} 111122223333.dkr.ecr.us-east-1.amazonaws.com"
    assert "Login Succeeded" in running.run(login)


def test_local_uris_point_pasted_commands_at_the_endpoint(running: Running) -> None:
    running.endpoint.local_uris = True
    ecr = client(running, "ecr", running.keys())
    assert (
        ecr.create_repository(repositoryName="app")["repository"]["repositoryUri"] == f"{running.address}/app"
    )
    data = ecr.get_authorization_token()["authorizationData"][0]
    assert data["proxyEndpoint"] == running.url


def test_a_denial_is_aws_text_and_its_explanation_is_logged(running: Running) -> None:
    running.run("aws iam create-user --user-name reader")
    running.run(f"aws iam attach-user-policy --user-name reader --policy-arn {READ_ONLY}")
    key = client(running, "iam", running.keys()).create_access_key(UserName="reader")["AccessKey"]
    reader = client(running, "ecr", (key["AccessKeyId"], key["SecretAccessKey"]))
    assert reader.describe_repositories()["repositories"] == []
    code, message = error_of(reader.create_repository, repositoryName="app")
    assert code == "AccessDeniedException"
    assert message == (
        "User: arn:aws:iam::111122223333:user/reader is not authorized to perform: ecr:CreateRepository on "
        "resource: arn:aws:ecr:us-east-1:111122223333:repository/app because no identity-based policy "
        "allows the ecr:CreateRepository action"
    )
    denied = running.records[-1]
    assert denied.line().endswith("user/reader ecr:CreateRepository AccessDeniedException")
    assert denied.explanation[0] == (
        "DENIED (implicit): ecr:CreateRepository on arn:aws:ecr:us-east-1:111122223333:repository/app"
    )
    assert any("AmazonEC2ContainerRegistryReadOnly" in line for line in denied.explanation)
    # `sim explain` typed on the endpoint's input explains the last request, as the log did.
    assert running.run("sim explain").splitlines() == list(denied.explanation)
    assert reader.describe_repositories()["repositories"] == []
    assert running.run("sim explain").startswith(
        "ALLOWED: ecr:DescribeRepositories on arn:aws:ecr:us-east-1:111122223333:repository/*\n"
        "  caller: arn:aws:iam::111122223333:user/reader\n"
    )


def test_a_key_made_at_run_time_signs_until_it_is_deactivated_or_deleted(running: Running) -> None:
    iam = client(running, "iam", running.keys())
    iam.create_user(UserName="carol")
    iam.put_user_policy(
        UserName="carol",
        PolicyName="ecr",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}
        ),
    )
    key = iam.create_access_key(UserName="carol")["AccessKey"]
    carol = client(running, "ecr", (key["AccessKeyId"], key["SecretAccessKey"]))
    assert carol.create_repository(repositoryName="carols")["repository"]["repositoryName"] == "carols"
    assert (
        iam.get_user_policy(UserName="carol", PolicyName="ecr")["PolicyDocument"]["Statement"][0]["Action"]
        == "ecr:*"
    )
    listed = iam.list_access_keys(UserName="carol")["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["Status"]) for k in listed] == [(key["AccessKeyId"], "Active")]
    iam.update_access_key(UserName="carol", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert error_of(carol.describe_repositories)[0] == "UnrecognizedClientException"
    iam.update_access_key(UserName="carol", AccessKeyId=key["AccessKeyId"], Status="Active")
    assert carol.describe_repositories()["repositories"]
    iam.delete_access_key(UserName="carol", AccessKeyId=key["AccessKeyId"])
    assert error_of(carol.describe_repositories) == (
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )


def test_an_assumed_role_acts_until_its_session_expires_on_the_simulated_clock(running: Running) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam = client(running, "iam", running.keys())
    iam.create_role(RoleName="pusher", AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(RoleName="pusher", PolicyArn=READ_ONLY)
    sts = client(running, "sts", running.keys())
    credentials = sts.assume_role(
        RoleArn="arn:aws:iam::111122223333:role/pusher", RoleSessionName="ci", DurationSeconds=3600
    )["Credentials"]
    key = (credentials["AccessKeyId"], credentials["SecretAccessKey"])
    role_sts = client(running, "sts", key, credentials["SessionToken"])
    assert role_sts.get_caller_identity()["Arn"] == "arn:aws:sts::111122223333:assumed-role/pusher/ci"
    role_ecr = client(running, "ecr", key, credentials["SessionToken"])
    assert role_ecr.describe_repositories()["repositories"] == []
    assert error_of(client(running, "ecr", key).describe_repositories)[0] == "UnrecognizedClientException"
    running.run("sim advance 2h")
    assert error_of(role_ecr.describe_repositories) == (
        "ExpiredTokenException",
        "The security token included in the request is expired",
    )


def test_a_bad_signature_is_refused_in_each_protocol(running: Running) -> None:
    key_id, _ = running.keys()
    ecr = client(running, "ecr", (key_id, "not-the-secret"))
    code, message = error_of(ecr.describe_repositories)
    assert code == "InvalidSignatureException"
    assert message.startswith(
        "The request signature we calculated does not match the signature you provided."
    )
    assert (
        error_of(client(running, "iam", (key_id, "not-the-secret")).list_users)[0] == "SignatureDoesNotMatch"
    )
    assert error_of(client(running, "sts", ("AKIANOTAKEYOFTHISWORLD", "x")).get_caller_identity)[0] == (
        "InvalidClientTokenId"
    )
    assert running.records[0].explanation == (
        "REFUSED: ecr:DescribeRepositories: InvalidSignatureException",
        f"  AWS says: {message}",
        f"  the signature does not match the one computed with the secret of {key_id}",
    )
    # Nobody was authenticated: no API call reached the world, and `sim explain` says why.
    assert not any(event.decisions for event in running.shell.world.events)
    assert running.run("sim explain").splitlines() == [
        "REFUSED: sts:GetCallerIdentity: InvalidClientTokenId",
        "  AWS says: The security token included in the request is invalid.",
        "  no IAM user or role session of this world holds access key AKIANOTAKEYOFTHISWORLD (or it is "
        "inactive, or the session token does not match)",
    ]


def test_kms_keys_and_a_repository_encrypted_with_one_through_boto3(running: Running) -> None:
    kms = client(running, "kms", running.keys())
    key = kms.create_key(Description="ledger")["KeyMetadata"]
    kms.create_alias(AliasName="alias/ledger", TargetKeyId=key["KeyId"])
    assert kms.describe_key(KeyId="alias/ledger")["KeyMetadata"]["Arn"] == key["Arn"]
    ecr = client(running, "ecr", running.keys())
    created = ecr.create_repository(
        repositoryName="ledger", encryptionConfiguration={"encryptionType": "KMS", "kmsKey": "alias/ledger"}
    )["repository"]
    assert created["encryptionConfiguration"] == {"encryptionType": "KMS", "kmsKey": key["Arn"]}
    kms.disable_key(KeyId=key["KeyId"])
    with pytest.raises(ClientError) as caught:
        ecr.create_repository(
            repositoryName="other", encryptionConfiguration={"encryptionType": "KMS", "kmsKey": key["Arn"]}
        )
    assert caught.value.response["Error"] == {"Code": "KmsException", "Message": f"{key['Arn']} is disabled."}
    assert caught.value.response["kmsError"] == "DisabledException"  # the member ECR's KmsException carries
    assert [r.operation for r in running.records][-1] == "ecr:CreateRepository"


def test_registry_settings_over_the_wire(running: Running) -> None:
    ecr = client(running, "ecr", running.keys())
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "ecr:ReplicateImage",
                "Resource": "arn:aws:ecr:us-east-1:111122223333:repository/*",
            }
        ],
    }
    assert ecr.put_registry_policy(policyText=json.dumps(policy))["registryId"] == "111122223333"
    assert error_of(ecr.put_registry_policy, policyText="{}")[0] == "InvalidParameterException"
    template = ecr.create_repository_creation_template(prefix="ROOT", appliedFor=["REPLICATION"])
    assert template["repositoryCreationTemplate"]["createdAt"].isoformat() == "2026-01-05T09:00:00+00:00"
    rules = [{"destinations": [{"region": "us-west-2", "registryId": "111122223333"}]}]
    ecr.put_replication_configuration(replicationConfiguration={"rules": rules})
    assert ecr.describe_registry()["replicationConfiguration"]["rules"] == rules
    assert error_of(ecr.delete_repository_creation_template, prefix="prod")[0] == "TemplateNotFoundException"
