"""The `aws` program: AWS CLI v2's behaviour in front of the world's API.

Parse (awsargs), call `world.call`, then shape the response as the CLI does before printing it: drop the
pagination tokens the CLI's auto-pagination consumes, decode IAM policy documents (botocore's
json_decode_policies customisation), turn timestamps into ISO 8601, apply `--query`, and format.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

from ecrsim.engine.errors import ConnectTimeout, ServiceError
from ecrsim.shell.awsargs import (
    PARAM_VALIDATION,
    USAGE_STATUS,
    AwsUsageError,
    GlobalArgs,
    OperationArgs,
    encode_next_token,
    invalid_choice,
    parse_globals,
    parse_operation_args,
    unknown_options,
    usage_error,
)
from ecrsim.shell.help import operation_help, service_help, top_help
from ecrsim.shell.output import cli_values, render
from ecrsim.shell.program import Invocation, Outcome
from ecrsim.shell.servicemodel import SERVICES, Operation, ServiceModel, known_regions, load_service

_REGION_FORMAT = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?")  # botocore's check
CLI_VERSION = "aws-cli/2.22.35 Python/3.12.6 Linux/6.8.0 exe/x86_64.ecrsim"
DEFAULT_OUTPUT = "json"
# Commands the CLI adds to a service beyond its API operations (customisations and waiters).
EXTRA_COMMANDS = {  # listed as choices
    "ecr": ("get-login-password", "wait"),
    "iam": ("wait",),
    "sts": (),
    "ec2": ("wait",),
    "ecs": ("wait",),
    "kms": (),
    "lambda": ("wait",),
    "organizations": (),
    "secretsmanager": (),
}
# Real CLI commands a learner may well type here: answered as "not simulated", not as a typo.
OTHER_COMMANDS = frozenset(
    (
        *("configure", "s3", "s3api", "eks", "ecr-public", "cloudformation", "logs"),
        *("ssm", "sso", "cloudwatch", "dynamodb", "sqs", "sns"),
        *("rds", "route53", "elbv2", "codebuild", "codepipeline", "inspector2"),
    )
)
# botocore's NoCredentialsError, which CLI v2 ends with status 253 (a configuration that prevents the run).
NO_CREDENTIALS = '\nUnable to locate credentials. You can configure credentials by running "aws configure".\n'
GET_LOGIN_HINT = (
    "ecrsim: `aws ecr get-login` was removed in AWS CLI v2. Use:\n"
    "  aws ecr get-login-password --region REGION | "
    "docker login --username AWS --password-stdin ACCOUNT.dkr.ecr.REGION.amazonaws.com\n"
)


def run_aws(inv: Invocation) -> Outcome:
    try:
        return _run(inv)
    except AwsUsageError as error:
        return Outcome(error.status, "", error.text, error.code)


def region_of(env: Mapping[str, str], default: str) -> str:
    return env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or default


def _run(inv: Invocation) -> Outcome:
    args = parse_globals(inv.argv)
    if args.version:
        return Outcome(0, CLI_VERSION + "\n")
    rest = args.rest
    if rest and rest[0].startswith("-"):
        raise unknown_options([token for token in rest if token.startswith("-")])
    if not rest:
        raise usage_error("the following arguments are required: command")
    if rest[0] == "help":
        return Outcome(0, top_help())
    if rest[0] not in SERVICES:
        if rest[0] in OTHER_COMMANDS:
            hint = (
                "choose who acts with `sim as NAME` or `export AWS_PROFILE=NAME`, and where with"
                " `export AWS_REGION=REGION`"
                if rest[0] == "configure"
                else "it offers ecr, iam, sts, ec2, ecs, kms, lambda, organizations and secretsmanager"
            )
            raise AwsUsageError(
                f"ecrsim: aws {rest[0]} is not supported in the simulated terminal: {hint}\n", 2
            )
        raise invalid_choice("command", rest[0], list(SERVICES))
    model = load_service(rest[0])
    if len(rest) < 2:
        raise usage_error("the following arguments are required: operation")
    name = rest[1]
    if name == "help":
        return Outcome(0, service_help(model))
    if name == "get-login-password" and model.name == "ecr":
        return _get_login_password(inv, args, rest[2:])
    if name == "wait" and model.waiters:
        return _wait(inv, args, model, rest[2:])
    operation = model.operations.get(name)
    if operation is None:
        if name in model.other_operations or name in EXTRA_COMMANDS[model.name]:
            raise AwsUsageError(
                f"ecrsim: aws {model.name} {name} is not supported in the simulated terminal "
                f"(try `aws {model.name} help` for what is)\n",
                2,
            )
        choices = [*sorted([*model.other_operations, *model.operations]), *EXTRA_COMMANDS[model.name], "help"]
        error = invalid_choice("operation", name, choices)
        if model.name == "ecr" and name == "get-login":
            error.text += GET_LOGIN_HINT
        raise error
    return _call_operation(inv, args, model, operation, rest[2:])


def _compile_query(query: str | None) -> Any:
    if query is None:
        return None
    # jmespath is imported only for a --query: a one-command script would pay for it at every start.
    import jmespath
    from jmespath.exceptions import JMESPathError

    try:
        return jmespath.compile(query)
    except JMESPathError as error:
        raise AwsUsageError(f"\nBad value for --query {query}: {error}\n", 255) from None


def _search(query: Any, data: Any) -> Any:
    """Apply a compiled --query. An error only the data reveals (an unknown function, a function given the
    wrong type) is what the CLI's last-resort handler prints: the exception's text, exit status 255."""
    from jmespath.exceptions import JMESPathError

    try:
        return query.search(data)
    except JMESPathError as error:
        raise AwsUsageError(f"\n{error}\n", 255) from None


def _profile(inv: Invocation, override: str | None) -> str:
    world = inv.shell.world
    if world.on is not None and override is None:
        # On an instance the CLI finds no configured keys and takes the instance profile's role
        # credentials from the instance metadata service.
        from ecrsim.engine.ec2.vantage import credentials

        found = credentials(world, world.on)
        if found is None:
            raise AwsUsageError(NO_CREDENTIALS, 253, "NoCredentials")
        return found
    profile = override or inv.env.get("AWS_PROFILE") or "default"
    if profile not in world.profiles or world.on is not None:  # an instance holds no one's profiles
        raise AwsUsageError(f"\nThe config profile ({profile}) could not be found\n", 255, "ProfileNotFound")
    return profile


def _check_endpoint(service: str, region: str) -> None:
    """What botocore says before any request when the Region has no endpoint (IAM is global)."""
    if not _REGION_FORMAT.fullmatch(region):
        raise AwsUsageError(
            f"\nProvided region_name '{region}' doesn't match a supported format.\n",
            255,
            "InvalidRegionError",
        )
    if service != "iam" and region not in known_regions():
        host = f"api.ecr.{region}.amazonaws.com" if service == "ecr" else f"{service}.{region}.amazonaws.com"
        raise AwsUsageError(
            f'\nCould not connect to the endpoint URL: "https://{host}/"\n', 255, "EndpointConnectionError"
        )


def _call(
    inv: Invocation, args: GlobalArgs, service: str, operation: str, params: dict[str, Any]
) -> dict[str, Any]:
    region = args.region or region_of(inv.env, inv.shell.default_region)
    profile = _profile(inv, args.profile)
    _check_endpoint(service, region)
    try:
        return inv.shell.world.call(service, operation, params, profile=profile, region=region)
    except ConnectTimeout as timeout:  # botocore's ConnectTimeoutError, after its retries
        raise AwsUsageError(
            f'\nConnect timeout on endpoint URL: "https://{timeout.host}/"\n', 255, "ConnectTimeout"
        ) from None


def _service_error(operation: str, error: ServiceError) -> Outcome:
    return Outcome(
        254,
        "",
        f"\nAn error occurred ({error.code}) when calling the {operation} operation: {error.message}\n",
        error.code,
    )


def _get_login_password(inv: Invocation, args: GlobalArgs, rest: list[str]) -> Outcome:
    if rest == ["help"]:
        return Outcome(0, operation_help(load_service("ecr"), None))
    if rest:
        raise unknown_options(rest)
    try:
        response = _call(inv, args, "ecr", "GetAuthorizationToken", {})
    except ServiceError as error:
        return _service_error("GetAuthorizationToken", error)
    token = response["authorizationData"][0]["authorizationToken"]
    _, _, password = base64.b64decode(token).decode().partition(":")
    return Outcome(0, password + "\n")


def _outfile(argv: list[str]) -> tuple[list[str], str | None]:
    """`aws lambda invoke ... OUTFILE`: the CLI's one positional argument, where the payload is written (every
    other argument of Invoke is an option with one value)."""
    rest, index, outfile = [], 0, None
    while index < len(argv):
        token = argv[index]
        if token.startswith("--"):
            rest.append(token)
            if "=" not in token and index + 1 < len(argv):
                rest.append(argv[index + 1])
                index += 1
        elif token == "help":
            rest.append(token)
        elif outfile is None:
            outfile = token
        else:
            raise unknown_options([token])
        index += 1
    return rest, outfile


def _call_operation(
    inv: Invocation, args: GlobalArgs, model: ServiceModel, operation: Operation, argv: list[str]
) -> Outcome:
    outfile = None
    if model.name == "lambda" and operation.name == "Invoke":
        argv, outfile = _outfile(argv)
        if outfile is None and "help" not in argv:
            raise usage_error("the following arguments are required: outfile")
    parsed = parse_operation_args(model, operation, argv, inv.shell.read_file)
    if parsed.help:
        return Outcome(0, operation_help(model, operation))
    query = _compile_query(args.query)
    paginate = bool(operation.paginator) and args.paginate and not parsed.manual
    if operation.paginator and not paginate and parsed.paging_options:
        # awscli/customizations/paginate.py, ensure_paging_params_not_set
        given = ", ".join(parsed.paging_options)
        text = f"\nCannot specify --no-paginate along with pagination arguments: {given}\n"
        return Outcome(USAGE_STATUS, "", text, PARAM_VALIDATION)
    try:
        if paginate:
            response = _all_pages(
                operation, parsed, lambda params: _call(inv, args, model.name, operation.name, params)
            )
        else:
            response = _call(inv, args, model.name, operation.name, parsed.params)
    except ServiceError as error:
        return _service_error(operation.name, error)
    if paginate:
        response = _paginate(operation, response, parsed)
    if outfile is not None:  # the payload goes to the file, the rest to the screen
        payload = response.pop("Payload", b"")
        inv.shell.world.files[outfile] = payload.decode() if isinstance(payload, bytes) else str(payload)
    data = cli_values(_decode_policies(model, operation.output, response))
    output = args.output or DEFAULT_OUTPUT
    # Text output prints pages as they come and the resume token last, outside any --query.
    resume = data.pop("NextToken", None) if output == "text" and paginate else None
    if query is not None:
        data = _search(query, data)
    text = render(data, output, operation.name)
    if resume is not None:
        text += render({"NextToken": {"NextToken": resume}}, "text", operation.name)
    return Outcome(0, text)


def _wait(inv: Invocation, args: GlobalArgs, model: ServiceModel, argv: list[str]) -> Outcome:
    if not argv:
        raise usage_error("the following arguments are required: subcommand")
    waiter = model.waiters.get(argv[0])
    if waiter is None:
        raise invalid_choice("subcommand", argv[0], list(model.waiters))
    operation = next(op for op in model.operations.values() if op.name == waiter.operation)
    parsed = parse_operation_args(model, operation, argv[1:], inv.shell.read_file)
    if parsed.help:
        return Outcome(0, operation_help(model, operation))
    from ecrsim.shell.waiters import WaiterFailed, wait

    try:
        wait(
            waiter,
            lambda: _call(inv, args, model.name, operation.name, parsed.params),
            lambda seconds: inv.shell.world.advance(f"{seconds}s"),
        )
    except WaiterFailed as failure:
        return Outcome(255, "", f"\n{failure}\n", "WaiterError")
    return Outcome(0)


def _as_list(value: Any) -> list[str]:
    return list(value) if isinstance(value, list) else [value] if value else []


def _all_pages(
    operation: Operation, parsed: OperationArgs, call: Callable[[dict[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    """Every page, as the CLI's paginator fetches them: `--page-size` is the limit member of each call,
    and each next call passes the output token back, until a page has none (or IsTruncated is false).
    The result lists of all pages are joined; the rest is the first page's."""
    paginator = operation.paginator or {}
    params = dict(parsed.params)
    if parsed.page_size is not None and "limit_key" in paginator:
        params[paginator["limit_key"]] = parsed.page_size
    first = dict(call(params))
    response, seen = first, set()
    while True:
        token = response.get(paginator.get("output_token", ""))
        more = response.get(paginator["more_results"], False) if "more_results" in paginator else bool(token)
        # A token seen before would page forever (botocore stops there too, with PaginationError).
        if not token or not more or token in seen or not isinstance(paginator.get("input_token"), str):
            return first
        seen.add(token)
        response = call({**params, paginator["input_token"]: token})
        for expression in _as_list(paginator.get("result_key")):
            joined = _get_path(first, expression)
            if isinstance(joined, list):
                _set_path(first, expression, [*joined, *(_get_path(response, expression) or [])])


def _paginate(operation: Operation, response: dict[str, Any], parsed: OperationArgs) -> dict[str, Any]:
    """The response as the CLI's auto-pagination rebuilds it (botocore's build_full_result): the result
    keys first, then only the paginator's non-aggregate keys (null when absent); tokens and anything else
    are gone. `--starting-token`/`--max-items` slice the result lists and add a NextToken.

    botocore reads the keys as JMESPath; in the ecr, iam and sts models every one is a dotted name
    (tests/shell/test_shell.py checks it), which _get_path and _set_path read and write."""
    paginator = operation.paginator
    if not paginator:
        return response
    result: dict[str, Any] = {}
    start, limit = parsed.starting_token, parsed.max_items
    truncated = False
    for expression in _as_list(paginator.get("result_key")):
        value = _get_path(response, expression)
        if value is None:
            continue
        if isinstance(value, list) and (start or limit is not None):
            end = len(value) if limit is None else start + limit
            truncated = truncated or end < len(value)
            value = value[start:end]
        _set_path(result, expression, value)
    for expression in paginator.get("non_aggregate_keys", []):
        part: dict[str, Any] = {}
        _set_path(part, expression, _get_path(response, expression))
        _merge(result, part)
    if truncated and limit is not None:
        result["NextToken"] = encode_next_token(start + limit)
    return result


def _get_path(source: Any, dotted: str) -> Any:
    """`a.b` as JMESPath reads it: None when a key is missing or a value on the way is not an object."""
    for key in dotted.split("."):
        if not isinstance(source, dict):
            return None
        source = source.get(key)
    return source


def _set_path(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        target = target.setdefault(key, {})
    target[last] = value


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    """botocore's merge_dicts: nested dicts merge, anything else is replaced."""
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _decode_policies(model: ServiceModel, shape_name: str | None, value: Any) -> Any:
    """IAM returns policy documents URL-encoded; botocore hands the CLI decoded JSON objects."""
    if shape_name is None:
        return value
    shape = model.shape(shape_name)
    if shape_name == "policyDocumentType" and isinstance(value, str):
        try:
            return json.loads(unquote(value))
        except ValueError:
            return value
    kind = shape["type"]
    if kind == "structure" and isinstance(value, dict):
        members = shape.get("members", {})
        return {
            key: _decode_policies(model, members[key]["shape"], item) if key in members else item
            for key, item in value.items()
        }
    if kind == "list" and isinstance(value, list):
        return [_decode_policies(model, shape["member"], item) for item in value]
    return value
