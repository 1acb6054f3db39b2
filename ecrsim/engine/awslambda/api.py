"""The Lambda API operations for functions packaged as container images: CreateFunction, GetFunction,
GetFunctionConfiguration, UpdateFunctionCode, DeleteFunction, ListFunctions and Invoke, with Lambda's
shapes (botocore's `lambda` model) and errors. Each is authorized as `lambda:<Operation>` on the function's
ARN (`lambda:InvokeFunction` for Invoke); creating a function also needs iam:PassRole on its execution role
(Lambda developer guide, "Lambda execution role").
"""

from __future__ import annotations

import json
import re
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.awslambda.image import LAMBDA, fetch, invalid, pull
from ecrsim.engine.awslambda.model import OPTIMIZE, LambdaFunction
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import LineKind

_NAME = re.compile(r"(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?([a-zA-Z0-9_-]{1,64})")
_ROLE = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+")


def _functions(call: Call) -> dict[str, LambdaFunction]:
    account = call.world.accounts[call.caller.account_id or ""]
    return account.functions.setdefault(call.region, {})


def _arn(call: Call, name: str) -> str:
    return f"arn:aws:lambda:{call.region}:{call.caller.account_id}:function:{name}"


def _name(params: dict[str, Any]) -> str:
    given = params.get("FunctionName") or ""
    match = _NAME.fullmatch(given)
    if match is None:
        raise ServiceError(
            "ValidationException",
            f"1 validation error detected: Value '{given}' at 'functionName' failed to satisfy constraint:"
            " Member must satisfy regular expression pattern:"
            " (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?"
            "([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
        )
    return match.group(2)


def _function(call: Call, params: dict[str, Any], action: str) -> LambdaFunction:
    """The named function, after authorizing `action` on it (Lambda authorizes before it looks)."""
    name = _name(params)
    call.authorize(action, _arn(call, name))
    function = _functions(call).get(name)
    if function is None:
        raise ServiceError("ResourceNotFoundException", f"Function not found: {_arn(call, name)}")
    function.settle(call.now)
    return function


def _configuration(function: LambdaFunction) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "FunctionName": function.name,
        "FunctionArn": function.arn,
        "Role": function.role,
        "CodeSize": 0,
        "Description": function.description,
        "Timeout": function.timeout,
        "MemorySize": function.memory,
        "LastModified": function.last_modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "CodeSha256": function.digest.removeprefix("sha256:"),
        "Version": "$LATEST",
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": f"{function.revision:08d}-0000-4000-8000-{function.digest[7:19]}",
        "State": function.state,
    }
    if function.state_reason:
        shown["StateReason"] = function.state_reason
        shown["StateReasonCode"] = function.state_reason_code
    if function.update_status:
        shown["LastUpdateStatus"] = function.update_status
    if function.update_reason:
        shown["LastUpdateStatusReason"] = function.update_reason
        shown["LastUpdateStatusReasonCode"] = function.update_reason_code
    shown.update(
        PackageType="Image",
        Architectures=["x86_64"],
        EphemeralStorage={"Size": 512},
        SnapStart={"ApplyOn": "None", "OptimizationStatus": "Off"},
        LoggingConfig={"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function.name}"},
    )
    return shown


def _assumable(call: Call, role_arn: str, name: str) -> None:
    """Lambda assumes the execution role to run the function: its trust policy must let
    lambda.amazonaws.com assume it."""
    if not _ROLE.fullmatch(role_arn):
        raise ServiceError(
            "ValidationException",
            f"1 validation error detected: Value '{role_arn}' at 'role' failed to satisfy constraint:"
            " Member must satisfy regular expression pattern:"
            " arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
        )
    call.authorize("iam:PassRole", role_arn, context={"iam:PassedToService": LAMBDA})
    try:
        call.world.call_as(
            call.world.resolve(LAMBDA),
            "sts",
            "AssumeRole",
            {"RoleArn": role_arn, "RoleSessionName": name},
            region=call.region,
        )
    except ServiceError:
        call.explain(LineKind.RULE, f"the trust policy of {role_arn} does not let {LAMBDA} assume it")
        raise ServiceError(
            "InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda."
        ) from None


@operation("lambda", "CreateFunction")
def create_function(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name = _name(params)
    arn = _arn(call, name)
    call.authorize("lambda:CreateFunction", arn)
    if params.get("PackageType") != "Image" or not (params.get("Code") or {}).get("ImageUri"):
        raise ServiceError(
            "InvalidParameterValueException",
            "ecrsim simulates functions packaged as container images: --package-type Image --code"
            " ImageUri=ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG",
        )
    if name in _functions(call):
        raise ServiceError("ResourceConflictException", f"Function already exist: {name}")
    _assumable(call, params["Role"], name)
    uri = params["Code"]["ImageUri"]
    resolved = fetch(call, uri, arn)
    function = LambdaFunction(
        name,
        arn,
        params["Role"],
        uri,
        resolved,
        call.now,
        call.now + OPTIMIZE,
        description=params.get("Description") or "",
        timeout=int(params.get("Timeout") or 3),
        memory=int(params.get("MemorySize") or 128),
    )
    _functions(call)[name] = function
    call.explain(LineKind.REGISTRY, f"{name} runs {resolved}: Lambda translates a tag to its digest once")
    return _configuration(function)


def _check_image(call: Call, function: LambdaFunction) -> None:
    """Lambda's periodic fetch of the image: a deleted image or revoked access fails the function."""
    if function.state != "Active":
        return
    failure = pull(call, function.resolved_uri, function.arn)
    if failure is None:
        return
    if failure.code == "DENIED":
        function.fail("ImageAccessDenied", "Lambda does not have permission to access the ECR image.")
    else:
        function.fail("ImageDeleted", "The function is trying to use a deleted image.")


@operation("lambda", "GetFunction")
def get_function(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    function = _function(call, params, "lambda:GetFunction")
    _check_image(call, function)
    return {
        "Configuration": _configuration(function),
        "Code": {
            "RepositoryType": "ECR",
            "ImageUri": function.image_uri,
            "ResolvedImageUri": function.resolved_uri,
        },
    }


@operation("lambda", "GetFunctionConfiguration")
def get_function_configuration(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    function = _function(call, params, "lambda:GetFunctionConfiguration")
    _check_image(call, function)
    return _configuration(function)


@operation("lambda", "ListFunctions")
def list_functions(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    call.authorize("lambda:ListFunctions", "*")
    functions = list(_functions(call).values())
    for function in functions:
        function.settle(call.now)
    return {"Functions": [_configuration(f) for f in sorted(functions, key=lambda f: f.name)]}


@operation("lambda", "UpdateFunctionCode")
def update_function_code(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    function = _function(call, params, "lambda:UpdateFunctionCode")
    uri = params.get("ImageUri")
    if not uri:
        raise invalid(str(uri))
    if function.state == "Pending" or function.update_status == "InProgress":
        raise ServiceError(
            "ResourceConflictException",
            "The operation cannot be performed at this time. An update is in progress for resource:"
            f" {function.arn}",
        )
    function.resolved_uri = fetch(call, uri, function.arn)
    function.image_uri = uri
    function.last_modified, function.ready_at = call.now, call.now + OPTIMIZE
    function.revision += 1
    if function.state == "Failed":  # new code brings a failed function back once optimized
        function.state, function.state_reason, function.state_reason_code = "Pending", None, None
    function.update_status, function.update_reason, function.update_reason_code = "InProgress", None, None
    return _configuration(function)


@operation("lambda", "DeleteFunction")
def delete_function(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    function = _function(call, params, "lambda:DeleteFunction")
    del _functions(call)[function.name]
    return {}


@operation("lambda", "Invoke")
def invoke(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    function = _function(call, params, "lambda:InvokeFunction")
    _check_image(call, function)
    if function.state != "Active":
        call.explain(
            LineKind.RULE,
            f"{function.name} is {function.state}"
            + (f" ({function.state_reason_code}: {function.state_reason})" if function.state_reason else "")
            + ": Lambda invokes only an Active function",
        )
        if function.state == "Failed":  # Lambda's words for a failed function (seen in real responses)
            raise ServiceError(
                "ResourceConflictException",
                f"The operation cannot be performed at this time. The resource {function.arn} is currently in"
                f" the following state: 'Failed'. StateReasonCode: '{function.state_reason_code}'",
            )
        raise ServiceError(
            "ResourceConflictException",
            "The operation cannot be performed at this time."
            f" The function is currently in the following state: {function.state}",
        )
    payload = {"statusCode": 200, "body": f"hello from {function.resolved_uri}"}
    return {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": json.dumps(payload).encode()}
