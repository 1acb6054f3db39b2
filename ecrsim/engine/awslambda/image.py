"""The rules for the container image a Lambda function runs, as Lambda applies them when a function is
created or its code updated, and when it fetches the image again.

From the Lambda developer guide ("Create a Lambda function using a container image", "Amazon ECR
permissions") and the Knowledge Center article "lambda-ecr-image":
- the image is in an Amazon ECR private repository in the function's own Region;
- Lambda (the service principal `lambda.amazonaws.com`) pulls it with ecr:BatchGetImage and
  ecr:GetDownloadUrlForLayer, which only the repository policy can grant it; when the repository policy
  lacks them, Lambda adds a statement `LambdaECRImageRetrievalPolicy` itself, provided the principal
  creating the function may call ecr:GetRepositoryPolicy and ecr:SetRepositoryPolicy on the repository;
- for a repository in another account, that account's repository policy must allow the function's account
  (ecr:BatchGetImage and ecr:GetDownloadUrlForLayer) and Lambda with an aws:sourceARN condition naming the
  function account's functions (`LambdaECRImageCrossAccountRetrievalPolicy`), and the principal creating
  the function needs those two actions on the repository in its own policies.
Lambda's pull is the engine's service pull (`docker_pull_as_service`) with the function's ARN as
aws:SourceArn, so the repository policy decides it exactly as it decides `sim as lambda.amazonaws.com`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ecrsim.engine.arn import parse_arn
from ecrsim.engine.docker import Reference
from ecrsim.engine.errors import DockerError, ServiceError
from ecrsim.engine.explanation import LineKind

if TYPE_CHECKING:
    from ecrsim.engine.api import Call

LAMBDA = "lambda.amazonaws.com"
PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
# The text Lambda answers when its pull is refused (real responses: "Lambda does not have permission to
# access the ECR image. Check the ECR permissions. (Service: Lambda, Status Code: 403 ...)").
NO_ACCESS = "Lambda does not have permission to access the ECR image. Check the ECR permissions."


def invalid(uri: str) -> ServiceError:
    return ServiceError(
        "InvalidParameterValueException", f"Source image {uri} is not valid. Provide a valid source image."
    )


def missing(uri: str) -> ServiceError:
    return ServiceError(
        "InvalidParameterValueException", f"Source image {uri} does not exist. Provide a valid source image."
    )


def parse(call: Call, uri: str) -> tuple[Reference, str, str]:
    """The image reference, its registry's account and Region; InvalidParameterValueException for what is
    not an image in an ECR private repository of the function's Region."""
    try:
        ref = Reference.parse(uri)
    except DockerError:
        raise invalid(uri) from None
    registry = ref.ecr()
    if registry is None or ref.default_tag:
        call.explain(
            LineKind.VALIDATION,
            "a function's image is ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG or @DIGEST",
        )
        raise invalid(uri)
    if registry[1] != call.region:
        call.explain(
            LineKind.VALIDATION,
            "Lambda runs images from Amazon ECR in the function's own Region"
            f" ({call.region}), not {registry[1]}",
        )
        raise invalid(uri)
    return ref, registry[0], registry[1]


def _statement(call: Call, registry_id: str) -> dict[str, Any]:
    """The statement Lambda adds to a repository policy for itself."""
    statement: dict[str, Any] = {
        "Sid": "LambdaECRImageRetrievalPolicy",
        "Effect": "Allow",
        "Principal": {"Service": LAMBDA},
        "Action": PULL_ACTIONS,
    }
    if registry_id != call.caller.account_id:
        statement["Sid"] = "LambdaECRImageCrossAccountRetrievalPolicy"
        statement["Condition"] = {
            "StringLike": {
                "aws:sourceARN": f"arn:aws:lambda:{call.region}:{call.caller.account_id}:function:*"
            }
        }
    return statement


def _grant_lambda(call: Call, ref: Reference, registry_id: str) -> bool:
    """Add Lambda's statement to the repository policy with the caller's own permissions, as Lambda does;
    False when the caller may not read or set the policy."""
    world, where = call.world, {"registryId": registry_id, "repositoryName": ref.name}
    try:
        try:
            text = world.call_as(call.caller, "ecr", "GetRepositoryPolicy", where, region=call.region)[
                "policyText"
            ]
            document = json.loads(text)
        except ServiceError as error:
            if error.code != "RepositoryPolicyNotFoundException":
                raise
            document = {"Version": "2012-10-17", "Statement": []}
        statements = document.get("Statement")
        document["Statement"] = [
            *(statements if isinstance(statements, list) else [statements]),
            _statement(call, registry_id),
        ]
        world.call_as(
            call.caller,
            "ecr",
            "SetRepositoryPolicy",
            {**where, "policyText": json.dumps(document)},
            region=call.region,
        )
    except ServiceError as error:
        call.explain(
            LineKind.RULE,
            f"Lambda could not add its statement to {ref.name}'s repository policy: {call.caller.arn} may not"
            f" call ecr:GetRepositoryPolicy and ecr:SetRepositoryPolicy there ({error.code})",
        )
        return False
    call.explain(
        LineKind.RULE,
        f"Lambda added the statement {_statement(call, registry_id)['Sid']} to {ref.name}'s repository policy"
        f" with {call.caller.arn}'s permissions (ecr:GetRepositoryPolicy, ecr:SetRepositoryPolicy)",
    )
    return True


def _caller_may_pull(call: Call, ref: Reference, registry_id: str, region: str) -> bool:
    """Across accounts, the principal creating the function must be able to pull the image itself: its own
    policies and the repository policy must both allow it."""
    repository = call.world.account(registry_id).registry(region).repositories.get(ref.name)
    if repository is None:
        raise missing(ref.repository + (f":{ref.tag}" if ref.tag else f"@{ref.digest}"))
    arn = f"arn:aws:ecr:{region}:{registry_id}:repository/{ref.name}"
    policy = repository.policy.policy if repository.policy else None
    return all(
        call.decide(action, arn, resource_policy=policy, resource_account=registry_id).allowed
        for action in PULL_ACTIONS
    )


def fetch(call: Call, uri: str, function_arn: str) -> str:
    """Check Lambda may use `uri` for the function `function_arn` now, granting itself access where the
    caller may; the image's digest. Raises what CreateFunction and UpdateFunctionCode raise."""
    ref, registry_id, region = parse(call, uri)
    if registry_id not in call.world.accounts:
        raise missing(uri)
    if registry_id != call.caller.account_id and not _caller_may_pull(call, ref, registry_id, region):
        call.explain(
            LineKind.RULE,
            f"across accounts, {call.caller.arn} must be allowed ecr:BatchGetImage and"
            " ecr:GetDownloadUrlForLayer on the repository by its own policies and by the repository policy",
        )
        raise ServiceError("AccessDeniedException", NO_ACCESS)
    failure = pull(call, uri, function_arn)
    if failure is not None and failure.code == "DENIED" and _grant_lambda(call, ref, registry_id):
        failure = pull(call, uri, function_arn)
    if failure is None:
        return _resolved(call, ref, registry_id, region)
    if failure.code == "DENIED":
        raise ServiceError("AccessDeniedException", NO_ACCESS)
    raise missing(uri)


def pull(call: Call, uri: str, function_arn: str) -> DockerError | None:
    """Lambda's own pull of `uri` for the function, as the service principal; what failed, or None."""
    arn = parse_arn(function_arn)
    assert arn is not None  # the simulator made this ARN
    account = arn.account
    context = {"aws:SourceArn": function_arn, "aws:SourceAccount": account}
    try:
        call.world.docker_pull_as_service(LAMBDA, uri, context)
    except DockerError as error:
        call.explain(LineKind.REGISTRY, f"Lambda's pull of {uri} failed: {error.text}")
        return error
    return None


def _resolved(call: Call, ref: Reference, registry_id: str, region: str) -> str:
    """`REPOSITORY@DIGEST`: Lambda translates a tag to the digest it names now."""
    repository = call.world.account(registry_id).registry(region).repositories[ref.name]
    digest = ref.digest or repository.image_tags[ref.tag or ""]
    return f"{ref.repository}@{digest}"
