"""Turn `aws SERVICE OPERATION --option value ...` into API parameters, as AWS CLI v2 does.

Everything here is driven by the extracted service models: each input member becomes `--kebab-name`,
booleans become `--flag`/`--no-flag`, lists take one or more values, structures and maps take shorthand or
JSON, and any value may be `file://NAME`. Errors come out in the CLI's words and with its exit status 252:
argparse-style usage errors, "Error parsing parameter ...", and botocore's client-side
"Parameter validation failed" (botocore checks required members, types and minimum lengths, but not
maximum lengths, patterns or enums: those are the service's to reject).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ecrsim.errors import EcrsimError
from ecrsim.shell import runinstances_options, secgroup_options
from ecrsim.shell.servicemodel import Operation, ServiceModel

USAGE = (
    "usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\n"
    "To see help text, you can run:\n"
    "\n"
    "  aws help\n"
    "  aws <command> help\n"
    "  aws <command> <subcommand> help\n"
)
USAGE_STATUS = 252
# The error code of every exit-252 rejection: botocore calls its client-side check ParamValidationError,
# and scenarios name all of the CLI's own usage errors so.
PARAM_VALIDATION = "ParamValidation"
OUTPUT_FORMATS = ("json", "text", "table", "yaml", "yaml-stream")
# Pagination options the CLI adds to every paginated operation, in place of the API's token members.
PAGINATION_OPTIONS = ("--starting-token", "--page-size", "--max-items")

# Global options, in the CLI's order: name -> takes a value. Accepted anywhere on the line, as the CLI does.
GLOBAL_OPTIONS: dict[str, bool] = {
    "--debug": False,
    "--endpoint-url": True,
    "--no-verify-ssl": False,
    "--no-paginate": False,
    "--output": True,
    "--query": True,
    "--profile": True,
    "--region": True,
    "--version": False,
    "--color": True,
    "--no-sign-request": False,
    "--ca-bundle": True,
    "--cli-read-timeout": True,
    "--cli-connect-timeout": True,
    "--cli-binary-format": True,
    "--no-cli-pager": False,
    "--cli-auto-prompt": False,
    "--no-cli-auto-prompt": False,
}
# Real global options that have no meaning against a simulated endpoint: refused by name, not misread.
UNSUPPORTED_GLOBALS = (
    "--debug", "--endpoint-url", "--no-verify-ssl", "--no-sign-request", "--ca-bundle", "--cli-auto-prompt"
)  # fmt: skip


class AwsUsageError(EcrsimError):
    """Text for stderr, the exit status and the error code of a command line the CLI itself rejects.

    A 255 failure (profile, endpoint, waiter) is named by `code` as botocore names its exception."""

    def __init__(self, text: str, status: int = USAGE_STATUS, code: str | None = None) -> None:
        super().__init__(text)
        self.text = text
        self.status = status
        self.code = PARAM_VALIDATION if status == USAGE_STATUS else code


def usage_error(message: str) -> AwsUsageError:
    return AwsUsageError(f"{USAGE}\naws: error: {message}\n")


def unknown_options(items: list[str]) -> AwsUsageError:
    return AwsUsageError(f"{USAGE}\nUnknown options: {', '.join(items)}\n")


def parameter_error(cli_name: str, message: str) -> AwsUsageError:
    return AwsUsageError(f"\nError parsing parameter '{cli_name}': {message}\n")


def invalid_choice(argument: str, value: str, choices: list[str]) -> AwsUsageError:
    """argparse's invalid-choice error as the CLI customises it: the choices two per line."""
    lines = ["Invalid choice, valid choices are:\n"]
    for index in range(0, len(choices), 2):
        lines.append(" | ".join(f"{choice:<40}" for choice in choices[index : index + 2]))
    from difflib import get_close_matches  # only a mistyped command needs it

    possible = get_close_matches(value, choices, cutoff=0.8)
    if possible:
        lines.append(f"\n\nInvalid choice: {value!r}, maybe you meant:\n")
        lines.extend(f"  * {word}" for word in possible)
    return usage_error(f"argument {argument}: " + "\n".join(lines))


@dataclass
class GlobalArgs:
    """The CLI's global options from anywhere on the line, and the words left for the command."""

    region: str | None = None
    profile: str | None = None
    output: str | None = None
    query: str | None = None
    version: bool = False
    paginate: bool = True  # False with --no-paginate: one API call, its response as it comes
    rest: list[str] = field(default_factory=list)  # everything that is not a global option


def resolve_option(name: str, choices: Iterable[str]) -> str | None:
    """argparse's abbreviations, which the CLI keeps: a unique prefix of a long option stands for it."""
    options = list(choices)
    if name in options or not name.startswith("--") or name == "--":
        return name if name in options else None
    matches = [option for option in options if option.startswith(name)]
    if len(matches) > 1:
        raise usage_error(f"ambiguous option: {name} could match {', '.join(matches)}")
    return matches[0] if matches else None


def parse_globals(argv: list[str]) -> GlobalArgs:
    """Pull the global options out of the whole line, wherever they appear."""
    args = GlobalArgs()
    index = 0
    while index < len(argv):
        token = argv[index]
        written, has_inline, inline = token.partition("=")
        name = resolve_option(written, GLOBAL_OPTIONS)
        index += 1
        if name is None:
            args.rest.append(token)
        elif name in UNSUPPORTED_GLOBALS:
            raise AwsUsageError(f"ecrsim: aws {name} is not supported in the simulated terminal\n", 2)
        elif name == "--version":
            args.version = True
        elif name == "--no-paginate":
            args.paginate = False
        elif GLOBAL_OPTIONS[name]:
            if has_inline:
                value = inline
            elif index < len(argv) and not argv[index].startswith("--"):
                value, index = argv[index], index + 1
            else:
                raise usage_error(f"argument {name}: expected one argument")
            if name == "--output" and value not in OUTPUT_FORMATS:
                raise invalid_choice("--output", value, list(OUTPUT_FORMATS))
            if name in ("--region", "--profile", "--output", "--query"):
                setattr(args, name[2:], value)
    return args


# -- operation arguments --------------------------------------------------------------------------------
FileReader = Callable[[str], str]  # file://NAME -> contents; raises OSError/UnicodeDecodeError to show


@dataclass
class OperationArgs:
    """An operation's API parameters, and the CLI's own options that are not parameters."""

    params: dict[str, Any]
    help: bool = False
    max_items: int | None = None
    starting_token: int = 0
    page_size: int | None = None
    paging_options: tuple[str, ...] = ()  # which of the CLI's pagination options were given
    manual: bool = False  # the API's own token or limit member was given: the CLI stops paginating


def _load_paramfile(value: str, cli_name: str, read_file: FileReader) -> str:
    for prefix in ("file://", "fileb://"):
        if value.startswith(prefix):
            try:
                return read_file(value[len(prefix) :])
            except (OSError, UnicodeDecodeError) as error:  # as awscli's paramfile.get_file catches
                raise parameter_error(cli_name, f"Unable to load paramfile {value}: {error}") from None
    return value


class _Converter:
    """Builds one parameter value from its CLI string(s) and the member's shape."""

    def __init__(self, model: ServiceModel, read_file: FileReader) -> None:
        self.model = model
        self.read_file = read_file

    def convert(self, cli_name: str, shape_name: str, values: list[str]) -> Any:
        shape = self.model.shape(shape_name)
        kind = shape["type"]
        values = [_load_paramfile(value, cli_name, self.read_file) for value in values]
        if kind == "list":
            if values[0].lstrip().startswith("["):
                return self.json_value(cli_name, values[0])
            return [self.list_item(cli_name, shape["member"], value) for value in values]
        if kind in ("structure", "map"):
            return self.compound(cli_name, shape_name, values[0])
        return self.scalar(cli_name, shape, values[0])

    def list_item(self, cli_name: str, shape_name: str, value: str) -> Any:
        shape = self.model.shape(shape_name)
        if shape["type"] in ("structure", "map", "list"):
            return self.compound(cli_name, shape_name, value)
        return self.scalar(cli_name, shape, value)

    def compound(self, cli_name: str, shape_name: str, value: str) -> Any:
        if value.lstrip().startswith(("{", "[")):
            return self.json_value(cli_name, value)
        from ecrsim.shell.shorthand import ShorthandError, parse_shorthand  # only a structure value needs it

        try:
            parsed = parse_shorthand(value)
        except ShorthandError as error:
            raise parameter_error(cli_name, str(error)) from None
        return self.typed(shape_name, parsed)

    @staticmethod
    def json_value(cli_name: str, value: str) -> Any:
        try:
            return json.loads(value)
        except (ValueError, RecursionError) as error:  # RecursionError: nested past Python's stack
            raise parameter_error(cli_name, f"Invalid JSON: {error}\nJSON received: {value}") from None

    def scalar(self, cli_name: str, shape: dict[str, Any], value: str) -> Any:
        kind = shape["type"]
        if kind in ("integer", "long"):
            try:
                return int(value)
            except ValueError:
                raise parameter_error(
                    cli_name, f"invalid literal for int() with base 10: {value!r}"
                ) from None
        if kind in ("float", "double"):
            try:
                return float(value)
            except ValueError:
                raise parameter_error(cli_name, f"could not convert string to float: {value!r}") from None
        if kind == "boolean":
            return value.lower() == "true"
        if kind == "blob":
            return value.encode()
        return value

    def typed(self, shape_name: str, value: Any) -> Any:
        """Shorthand yields strings; give them the model's types, as the CLI's BackCompatVisitor does."""
        shape = self.model.shape(shape_name)
        kind = shape["type"]
        if kind == "structure" and isinstance(value, dict):
            members = shape.get("members", {})
            return {
                key: self.typed(members[key]["shape"], item) if key in members else item
                for key, item in value.items()
            }
        if kind == "map" and isinstance(value, dict):
            return {key: self.typed(shape["value"], item) for key, item in value.items()}
        if kind == "list":
            items = value if isinstance(value, list) else [value]
            return [self.typed(shape["member"], item) for item in items]
        if isinstance(value, str) and kind in ("integer", "long", "float", "double"):
            try:
                return int(value) if kind in ("integer", "long") else float(value)
            except ValueError:
                return value  # left for validation to report, as botocore does
        if isinstance(value, str) and kind == "boolean" and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return value


def _option_table(model: ServiceModel, operation: Operation) -> dict[str, tuple[str, dict[str, Any]]]:
    """CLI option -> (member name, member). A paginated operation's own token and limit members stay
    accepted, undocumented, as the CLI keeps them (awscli/customizations/paginate.py)."""
    return {"--" + member["cli"]: (name, member) for name, member in model.input_members(operation).items()}


def paging_members(operation: Operation) -> tuple[str, ...]:
    """The API's own pagination members (nextToken, maxResults, Marker, MaxItems) of a paginated
    operation: giving any of them turns the CLI's pagination off."""
    paginator = operation.paginator or {}
    tokens = paginator.get("input_token", [])
    return (
        *(tokens if isinstance(tokens, list) else [tokens]),
        *([paginator["limit_key"]] if "limit_key" in paginator else []),
    )


def parse_operation_args(
    model: ServiceModel, operation: Operation, argv: list[str], read_file: FileReader
) -> OperationArgs:
    options = _option_table(model, operation)
    booleans = {
        f"--no-{opt[2:]}": opt
        for opt, (_, m) in options.items()
        if model.shape(m["shape"])["type"] == "boolean"
    }
    raw: dict[str, list[str]] = {}
    flags: dict[str, bool] = {}
    extra: dict[str, str] = {}
    unknown: list[str] = []
    want_help = False
    index = 0
    # The CLI's own options on some commands (`--protocol`, `--port` ... on security group rules).
    run_instances = runinstances_options.applies(model.name, operation.cli_name)
    custom = (
        *secgroup_options.options_for(model.name, operation.cli_name),
        *(runinstances_options.OPTIONS if run_instances else ()),
    )
    known = [
        *options,
        *booleans,
        "--cli-input-json",
        *(PAGINATION_OPTIONS if operation.paginator else ()),
        *custom,
    ]
    while index < len(argv):
        token = argv[index]
        written, has_inline, inline = token.partition("=")
        name = resolve_option(written, known) or written
        index += 1
        if token == "help":  # the CLI takes a bare `help` anywhere among the options
            want_help = True
        elif name in booleans or (
            name in options and model.shape(options[name][1]["shape"])["type"] == "boolean"
        ):
            positive = booleans.get(name, name)
            flags[positive] = name == positive
        elif (
            name in options
            or name == "--cli-input-json"
            or (operation.paginator and name in PAGINATION_OPTIONS)
            or name in custom
        ):
            kind = model.shape(options[name][1]["shape"])["type"] if name in options else "string"
            values = [inline] if has_inline else []
            while not has_inline and index < len(argv) and not argv[index].startswith("--"):
                values.append(argv[index])
                index += 1
                if kind != "list":
                    break
            if not values:
                expected = "expected at least one argument" if kind == "list" else "expected one argument"
                raise usage_error(f"argument {name}: {expected}")
            if name in options:
                raw[name] = values
            else:
                extra[name] = values[0]
        else:
            unknown.append(token)
    if want_help:
        return OperationArgs(params={}, help=True)
    missing = [
        opt
        for opt, (member_name, _) in options.items()
        if member_name in model.required(operation)
        and opt not in raw
        and opt not in flags
        and not (run_instances and member_name in runinstances_options.FILLED)
    ]
    if missing and "--cli-input-json" not in extra:  # the JSON may hold them; validation will tell
        raise usage_error(f"the following arguments are required: {', '.join(missing)}")
    if unknown:
        raise unknown_options(unknown)
    converter = _Converter(model, read_file)
    params: dict[str, Any] = {}
    for opt, (member_name, member) in options.items():  # model order, as botocore serialises
        if opt in raw:
            params[member_name] = converter.convert(opt, member["shape"], raw[opt])
        elif opt in flags:
            params[member_name] = flags[opt]
    if "--cli-input-json" in extra:
        _add_input_json(params, _load_paramfile(extra["--cli-input-json"], "--cli-input-json", read_file))
    try:
        secgroup_options.add_permission(params, extra)
        if run_instances:
            runinstances_options.add_count(params, extra)
    except (secgroup_options.RuleOptionError, runinstances_options.CountError) as error:
        raise AwsUsageError(f"\n{error}\n", secgroup_options.ERROR_STATUS) from None
    result = OperationArgs(params=params)
    for option in ("--max-items", "--page-size"):  # argparse `type=int` options
        if option in extra and not re.fullmatch(r"\s*[-+]?\d+\s*", extra[option]):
            raise usage_error(f"argument {option}: invalid int value: '{extra[option]}'")
    if "--max-items" in extra:
        result.max_items = int(extra["--max-items"])
    if "--page-size" in extra:
        result.page_size = int(extra["--page-size"])
    if "--starting-token" in extra:
        result.starting_token = decode_starting_token(extra["--starting-token"])
    result.paging_options = tuple(option for option in PAGINATION_OPTIONS if option in extra)
    result.manual = any(member in params for member in paging_members(operation))
    if operation.input:
        errors = validate(model, operation.input, params, "input")
        if errors:
            raise AwsUsageError("\nParameter validation failed:\n" + "\n".join(errors) + "\n")
    return result


def _add_input_json(params: dict[str, Any], text: str) -> None:
    """`--cli-input-json`: members the command line did not give come from the JSON document."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        # The CLI names this argument without its dashes here.
        raise parameter_error("cli-input-json", f"Invalid JSON: {error}\nJSON received: {text}") from None
    if not isinstance(document, dict):  # the CLI fails on `.keys()` of whatever else it was given
        raise AwsUsageError(f"\n'{type(document).__name__}' object has no attribute 'keys'\n", 255)
    for key, value in document.items():
        params.setdefault(key, value)


# -- pagination tokens -----------------------------------------------------------------------------------
def encode_next_token(offset: int) -> str:
    """The CLI's NextToken for `--max-items`: an opaque base64 blob; ours holds the offset."""
    return base64.b64encode(json.dumps({"boto_truncate_amount": offset}).encode()).decode()


def decode_starting_token(token: str) -> int:
    try:
        return int(json.loads(base64.b64decode(token, validate=True))["boto_truncate_amount"])
    except (ValueError, KeyError, TypeError):
        raise AwsUsageError(f"\nBad starting token: {token}\n", 255) from None


# -- botocore's client-side validation -------------------------------------------------------------------
_PYTHON_TYPES = {
    "string": "<class 'str'>",
    "integer": "<class 'int'>",
    "long": "<class 'int'>",
    "boolean": "<class 'bool'>",
    "structure": "<class 'dict'>",
    "map": "<class 'dict'>",
    "list": "<class 'list'>, <class 'tuple'>",
    "float": "<class 'float'>, <class 'decimal.Decimal'>, <class 'int'>",
    "double": "<class 'float'>, <class 'decimal.Decimal'>, <class 'int'>",
    "timestamp": "<class 'datetime.datetime'>, <class 'str'>",
    "blob": "<class 'bytes'>, <class 'bytearray'>, file-like object",
}
_ACCEPTS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "structure": (dict,),
    "map": (dict,),
    "list": (list, tuple),
    "float": (float, int),
    "double": (float, int),
    "timestamp": (str,),
    "blob": (bytes, bytearray, str),
}


def validate(model: ServiceModel, shape_name: str, value: Any, path: str) -> list[str]:
    """botocore's ParamValidator messages for `value` against `shape_name`, in botocore's order."""
    shape = model.shape(shape_name)
    kind = shape["type"]
    accepts = _ACCEPTS.get(kind, (object,))
    if not isinstance(value, accepts) or (kind in ("integer", "long") and isinstance(value, bool)):
        return [
            f"Invalid type for parameter {path}, value: {value}, type: {type(value)}, "
            f"valid types: {_PYTHON_TYPES.get(kind, kind)}"
        ]
    errors: list[str] = []
    if kind == "structure":
        members = shape.get("members", {})
        errors.extend(
            f'Missing required parameter in {path}: "{name}"'
            for name in shape.get("required", [])
            if name not in value
        )
        errors.extend(
            f'Unknown parameter in {path}: "{key}", must be one of: {", ".join(members)}'
            for key in value
            if key not in members
        )
        for key, item in value.items():  # botocore reports unknown members before checking known ones
            if key in members:
                child = key if path == "input" else f"{path}.{key}"
                errors.extend(validate(model, members[key]["shape"], item, child))
    elif kind == "list":
        if "min" in shape and len(value) < shape["min"]:
            errors.append(
                f"Invalid length for parameter {path}, value: {len(value)}, valid min length: {shape['min']}"
            )
        for index, item in enumerate(value):
            errors.extend(validate(model, shape["member"], item, f"{path}[{index}]"))
    elif kind == "map":
        for key, item in value.items():
            errors.extend(validate(model, shape["key"], key, f"{path} (key: {key})"))
            errors.extend(validate(model, shape["value"], item, f"{path}.{key}"))
    elif kind == "string" and "min" in shape and len(value) < shape["min"]:
        errors.append(
            f"Invalid length for parameter {path}, value: {len(value)}, valid min length: {shape['min']}"
        )
    elif kind in ("integer", "long") and "min" in shape and value < shape["min"]:
        errors.append(f"Invalid value for parameter {path}, value: {value}, valid min value: {shape['min']}")
    return errors
