"""The scenario format (docs/scenario-format.md) as pydantic models, and schema errors as lines.

Every model forbids unknown keys: a misspelt key in a hand-written file must never be silently ignored.
Pydantic reports every error of a file at once; `validate` turns each into one located line
`FILE:LINE:COL: error: FIELD.PATH: WHAT`, using the marks the loader recorded, with a "did you mean"
suggestion for a misspelt key.
"""

from __future__ import annotations

import difflib
import json
import re
from datetime import date, datetime, time, timezone
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ecrsim.engine.clock import DurationError, parse_duration, parse_timestamp
from ecrsim.scenarios.loader import MAX_DEPTH, DataPath, Document, dotted
from ecrsim.scenarios.problems import Problem, ScenarioProblems


def _duration(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("duration", "expected a duration such as 90m, 13h, 2d or 1d12h")
    try:
        if not value.strip().startswith("-"):
            parse_duration(value)
            return value.strip()
    except DurationError:
        pass
    raise PydanticCustomError("duration", "expected a duration such as 90m, 13h, 2d or 1d12h")


def _text(value: Any) -> Any:
    """Let `output: 3` mean the text "3": YAML reads bare numbers as numbers."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _account_id(value: Any) -> str:
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not re.fullmatch(r"\d{12}", text):
        raise PydanticCustomError(
            "account_id", 'expected a 12-digit account id in quotes, e.g. "111122223333"'
        )
    return text


def _timestamp(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = parse_timestamp(value)
        except ValueError:
            raise PydanticCustomError(
                "timestamp", "expected a timestamp such as 2026-01-05T09:00:00Z"
            ) from None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time(), timezone.utc)
    if not isinstance(value, datetime):
        raise PydanticCustomError("timestamp", "expected a timestamp such as 2026-01-05T09:00:00Z")
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _when(value: Any) -> datetime | str:
    """An image's push time: `-2d` (relative to world.time) or a timestamp."""
    if isinstance(value, str) and value.strip().startswith("-"):
        try:
            parse_duration(value)
        except DurationError:
            raise PydanticCustomError(
                "when", "expected -DURATION (such as -2d or -90m) or a timestamp"
            ) from None
        return value.strip()
    return _timestamp(value)


def _document(value: Any) -> dict[str, Any]:
    """A JSON document written as YAML or as a JSON string (policies, lifecycle policies)."""
    if isinstance(value, str):
        # The YAML around it is held to MAX_DEPTH by the loader; JSON written as a string must be too.
        too_deep = PydanticCustomError("json", "nested more than {depth} levels deep", {"depth": MAX_DEPTH})
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise PydanticCustomError("json", "not valid JSON: {error}", {"error": exc.msg}) from None
        except RecursionError:  # deeper than Python can parse
            raise too_deep from None
        if _too_deep(value):
            raise too_deep
    if not isinstance(value, dict):
        raise PydanticCustomError(
            "document", "expected a JSON object (a mapping), written as YAML or as JSON"
        )
    return value


def _too_deep(value: Any) -> bool:
    """Whether a parsed JSON value nests more than MAX_DEPTH levels (walked without recursion)."""
    level: list[tuple[Any, int]] = [(value, 1)]
    while level:
        item, depth = level.pop()
        if depth > MAX_DEPTH:
            return True
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        level.extend((child, depth + 1) for child in children)
    return False


def _file_content(value: Any) -> str:
    """A virtual file: text as written, or a mapping/list serialized as the JSON a command would read."""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2, default=str)
    raise PydanticCustomError("file", "expected the file's text, or a mapping to store as JSON")


def _context_value(value: Any) -> str | tuple[str, ...]:
    if isinstance(value, list):
        return tuple(_context_value(v) for v in value)  # type: ignore[misc]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise PydanticCustomError("context", "expected a string or a list of strings")


def _tags(value: Any) -> Any:
    """Resource tags as a mapping, or as the API's [{Key, Value}] list."""
    if isinstance(value, list) and all(isinstance(t, dict) and set(t) == {"Key", "Value"} for t in value):
        return {t["Key"]: t["Value"] for t in value}
    return value


# Each type validated by a function says what it accepts in `ecrsim schema` (the JSON Schema editors use):
# what a hand-written YAML file may hold there, not the Python value it becomes.
_STRING = {"type": "string"}
AccountId = Annotated[
    str,
    PlainValidator(_account_id),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": r"^[0-9]{12}$"}, {"type": "integer"}]}),
]
Duration = Annotated[
    str, PlainValidator(_duration), WithJsonSchema({**_STRING, "examples": ["90m", "13h", "2d"]})
]
Text = Annotated[str, BeforeValidator(_text, json_schema_input_type=str | int | float)]
Timestamp = Annotated[
    datetime, PlainValidator(_timestamp), WithJsonSchema({**_STRING, "examples": ["2026-01-05T09:00:00Z"]})
]
JsonDocument = Annotated[
    dict[str, Any], PlainValidator(_document), WithJsonSchema({"anyOf": [{"type": "object"}, _STRING]})
]
Name = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    """Unknown keys are errors; the keys this model knows are noted for the "did you mean" hint."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _note_known_keys(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, dict) and isinstance(info.context, dict):
            known = set()
            for name, f in cls.model_fields.items():
                aliases = f.validation_alias.choices if isinstance(f.validation_alias, AliasChoices) else ()
                known.update([f.alias or name, *(a for a in aliases if isinstance(a, str))])
            info.context.setdefault("known_keys", {})[id(data)] = known
        return data


# ---- outcomes -------------------------------------------------------------------------------------------


class OutputOutcome(Strict):
    output: Text


class ErrorOutcome(Strict):
    error: Name
    message: Text | None = None
    status: int | None = None


def _outcome_kind(value: Any) -> str | None:
    if value == "ok":
        return "outcome:ok"
    if isinstance(value, dict):
        if "error" in value:
            return "outcome:error"
        if "output" in value:
            return "outcome:output"
    return None


Outcome = Annotated[
    Annotated[Literal["ok"], Tag("outcome:ok")]
    | Annotated[OutputOutcome, Tag("outcome:output")]
    | Annotated[ErrorOutcome, Tag("outcome:error")],
    Discriminator(
        _outcome_kind,
        custom_error_type="outcome",
        custom_error_message="expected `ok`, `{output: TEXT}` or `{error: CODE, message: TEXT, status: N}`",
    ),
]


# ---- commands -------------------------------------------------------------------------------------------


class Command(Strict):
    as_: Name | None = Field(None, alias="as")
    run: Name


class Check(Strict):
    """One goal of a task or fix question. `expect` may be an error: what must stay refused (the other
    repositories, actions, principals) is checked like what must work. `label` is what the goal view shows."""

    label: Text | None = None
    as_: Name | None = Field(None, alias="as")
    run: Name
    expect: Outcome = "ok"


def _command(value: Any) -> Any:
    return {"run": value} if isinstance(value, str) else value


CommandItem = Annotated[Command, BeforeValidator(_command, json_schema_input_type=str | Command)]


# ---- the world --------------------------------------------------------------------------------------------


class Principal(Strict):
    name: Name
    managed_policies: list[Name] = []
    inline_policies: dict[str, JsonDocument] = {}


class User(Principal):
    groups: list[Name] = []
    permissions_boundary: Name | None = None  # a managed policy's name or ARN


class Group(Principal):
    members: list[Name] = Field([], validation_alias=AliasChoices("members", "users"))


class Role(Principal):
    trust: JsonDocument
    description: str | None = None
    permissions_boundary: Name | None = None


class CustomerPolicy(Strict):
    name: Name
    document: JsonDocument
    description: str | None = None


def _policies(value: Any) -> Any:
    """`policies` as a mapping name -> document, like inline_policies, or as a list of {name, document}."""
    if isinstance(value, dict):
        return [{"name": k, "document": v} for k, v in value.items()]
    return value


Policies = Annotated[
    list[CustomerPolicy],
    BeforeValidator(_policies, json_schema_input_type=list[CustomerPolicy] | dict[str, JsonDocument]),
]


class Image(Strict):
    tags: list[Name] = []
    pushed: Annotated[
        datetime | str,
        PlainValidator(_when),
        WithJsonSchema({**_STRING, "examples": ["-2d", "2026-01-03T09:00:00Z"]}),
    ] = "-0m"
    # Its compressed size (what ECR stores and bills), e.g. `1.5GB`, `800MB`; by default a few tens of MB.
    size: Annotated[str, Field(pattern=r"^\d+(\.\d+)?(MB|GB)$")] | None = None


class Repository(Strict):
    name: Name
    account: AccountId | None = None
    region: Name | None = None
    tag_mutability: Literal["MUTABLE", "IMMUTABLE"] = "MUTABLE"
    scan_on_push: bool = False
    encryption: Literal["AES256", "KMS"] = "AES256"
    tags: Annotated[
        dict[str, str], BeforeValidator(_tags, json_schema_input_type=dict[str, str] | list[dict[str, str]])
    ] = {}
    policy: JsonDocument | None = None
    lifecycle_policy: JsonDocument | None = None
    images: list[Image] = []


class Account(Strict):
    id: AccountId
    users: list[User] = []
    groups: list[Group] = []
    roles: list[Role] = []
    policies: Policies = []
    repositories: list[Repository] = []


class OrganizationalUnit(Strict):
    name: Name
    accounts: list[AccountId] = []


class OrganizationPolicy(Strict):
    """An SCP or RCP and where it is attached: `root`, an OU's name, or an account id."""

    name: Name
    document: JsonDocument
    description: str | None = None
    targets: list[Name] = ["root"]


class Organization(Strict):
    id: Annotated[str, Field(pattern=r"^o-[a-z0-9]{10,32}$")]
    accounts: list[AccountId] = []
    # With a management account the organization also has policies above IAM: SCPs reach the principals of
    # its member accounts, RCPs their resources (each type enabled when the scenario lists one).
    management_account: AccountId | None = None
    units: list[OrganizationalUnit] = []
    service_control_policies: list[OrganizationPolicy] = []
    resource_control_policies: list[OrganizationPolicy] = []


class World(Strict):
    account: AccountId = "111122223333"
    region: Name = "us-east-1"
    time: Timestamp = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    users: list[User] = []
    groups: list[Group] = []
    roles: list[Role] = []
    policies: Policies = []
    accounts: list[Account] = []
    organization: Organization | None = None
    repositories: list[Repository] = []
    local_images: list[Name] = []
    files: dict[
        str,
        Annotated[
            str, PlainValidator(_file_content), WithJsonSchema({"type": ["string", "object", "array"]})
        ],
    ] = {}
    context: dict[
        str,
        Annotated[
            str | tuple[str, ...],
            PlainValidator(_context_value),
            WithJsonSchema({"type": ["string", "number", "boolean", "array"]}),
        ],
    ] = {}


# ---- steps ------------------------------------------------------------------------------------------------


class AsStep(Strict):
    as_: Name = Field(alias="as")


class SayStep(Strict):
    say: Text


class RunStep(Strict):
    run: Name
    expect: Outcome | None = None


class AdvanceStep(Strict):
    advance: Duration


class Choice(Strict):
    text: Text
    outcome: Outcome | None = None
    apply: list[CommandItem] | None = None
    why: Text | None = None  # the author's sentence on this choice, shown beside the simulation's reason


class AllowedExtra(Strict):
    """Access a learner's solution may open beyond the reference solution's without being refused (the
    least-privilege verdict). Each field is a shell-style pattern (`*`, `?`): `principal` a user or role
    name, `action` an ECR action such as `ecr:Describe*`, `repository` a repository name."""

    principal: Name = "*"
    action: Name = "*"
    repository: Name = "*"


class AskStep(Strict):
    ask: Text
    probe: Name | None = None
    check: list[Check] | None = None
    choices: Annotated[list[Choice], Field(min_length=2)]
    answer: int | list[int] | None = None
    multiple: bool = False
    explain: Text | None = None
    allow_extra: list[AllowedExtra] = []  # fix questions: access a right choice may open beyond another

    @property
    def is_predict(self) -> bool:
        return self.probe is not None


class TaskStep(Strict):
    task: Text
    hints: list[Text] = []
    check: Annotated[list[Check], Field(min_length=1)]
    solution: Annotated[list[CommandItem], Field(min_length=1)]
    allow_extra: list[AllowedExtra] = []


STEP_KINDS = ("ask", "task", "run", "say", "advance", "as")


def _step_kind(value: Any) -> str:
    if isinstance(value, dict):
        for kind in STEP_KINDS:
            if kind in value:
                return f"step:{kind}"
    return "step:unknown"


def _unknown_step(value: Any) -> Any:
    keys = ", ".join(f"`{k}`" for k in STEP_KINDS)
    hint = ""
    if isinstance(value, dict):
        for key in value:
            close = difflib.get_close_matches(str(key), STEP_KINDS, n=1, cutoff=0.6)
            if close:
                hint = f" (did you mean `{close[0]}` for `{key}`?)"
                break
    raise PydanticCustomError(
        "step", "a step is a mapping with one of {keys}{hint}", {"keys": keys, "hint": hint}
    )


Step = Annotated[
    Annotated[AskStep, Tag("step:ask")]
    | Annotated[TaskStep, Tag("step:task")]
    | Annotated[RunStep, Tag("step:run")]
    | Annotated[SayStep, Tag("step:say")]
    | Annotated[AdvanceStep, Tag("step:advance")]
    | Annotated[AsStep, Tag("step:as")]
    | Annotated[Any, PlainValidator(_unknown_step), WithJsonSchema({"not": {}}), Tag("step:unknown")],
    Discriminator(_step_kind),
]


ScenarioId = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]


class Scenario(Strict):
    id: ScenarioId
    title: Text
    summary: Text
    topics: list[Name] = []
    domain: Annotated[int, Field(ge=1, le=4)]
    difficulty: Annotated[int, Field(ge=1, le=3)]
    references: list[Name] = []
    # The scenarios to play first: the pack's learning path (pack.learning_path) puts each after these.
    requires: list[ScenarioId] = []
    world: World = Field(default_factory=World)
    steps: Annotated[list[Step], Field(min_length=1)]


# ---- errors as lines --------------------------------------------------------------------------------------

# Pydantic's type errors name Python types ("a valid dictionary or instance of World"); say it in YAML terms.
_TYPE_WORDS = {
    "model_type": "expected a mapping of keys",
    "model_attributes_type": "expected a mapping of keys",
    "dict_type": "expected a mapping",
    "list_type": "expected a list",
    "string_type": "expected text",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
}
# Regular expressions mean little to an instructor: say what the pattern asks for.
_PATTERN_WORDS = {
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$": "expected lowercase letters, digits and dashes, like `token-expires`",
    r"^o-[a-z0-9]{10,32}$": "expected an organization id like `o-a1b2c3d4e5`",
}


def validate(document: Document) -> Scenario:
    """The scenario in `document`, or ScenarioProblems with one located line per schema error."""
    context: dict[str, Any] = {}
    try:
        scenario = Scenario.model_validate(document.data, context=context)
    except ValidationError as exc:
        problems = [_problem(document, error, context.get("known_keys", {})) for error in exc.errors()]
        raise ScenarioProblems(document.problems + _unique(problems)) from None
    problems = document.problems + _question_problems(scenario, document)
    if problems:
        raise ScenarioProblems(problems)
    return scenario


def _question_problems(scenario: Scenario, document: Document) -> list[Problem]:
    """What the schema alone cannot say about a question: its form, and an answer key that fits it."""
    problems: list[Problem] = []
    for i, step in enumerate(scenario.steps):
        if not isinstance(step, AskStep):
            continue
        at: DataPath = ("steps", i)
        if (step.probe is None) == (step.check is None):
            what = "both `probe` and `check`" if step.probe is not None else "neither `probe` nor `check`"
            problems.append(
                document.problem(
                    at,
                    f"{dotted(at)}: a question has `probe` (predict the outcome) or `check` (pick the fix); "
                    f"this one has {what}",
                )
            )
            continue
        needs, forbids = ("outcome", "apply") if step.is_predict else ("apply", "outcome")
        for j, choice in enumerate(step.choices):
            where = (*at, "choices", j)
            if getattr(choice, needs) is None:
                problems.append(document.problem(where, f"{dotted(where)}: missing required key `{needs}`"))
            if getattr(choice, forbids) is not None:
                form = "predict (with `probe`)" if forbids == "outcome" else "fix (with `check`)"
                problems.append(
                    document.problem(
                        (*where, forbids),
                        f"{dotted((*where, forbids))}: `{forbids}` belongs to {form} questions",
                        key=True,
                    )
                )
        if step.answer is not None:
            where = (*at, "answer")
            answers = step.answer if isinstance(step.answer, list) else [step.answer]
            if isinstance(step.answer, list) and not step.multiple:
                problems.append(
                    document.problem(where, f"{dotted(where)}: a list of answers needs `multiple: true`")
                )
            for a in answers:
                if not 1 <= a <= len(step.choices):
                    problems.append(
                        document.problem(
                            where,
                            f"{dotted(where)}: {a} is not a choice (choices are 1 to {len(step.choices)})",
                        )
                    )
    return problems


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _problem(document: Document, error: Any, known_keys: dict[int, set[str]]) -> Problem:
    path, parent = _data_path(document.data, error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(path[-1])
        known = sorted(known_keys.get(id(parent), ()))
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        if (
            key in STEP_KINDS
            and isinstance(parent, dict)
            and any(k in parent for k in STEP_KINDS if k != key)
        ):
            other = _step_kind(parent).split(":")[1]
            what = f"`{key}` cannot share a step with `{other}`; make it a step of its own"
        elif close:
            what = f"unknown key `{key}` (did you mean `{close[0]}`?)"
        else:
            what = f"unknown key `{key}`; expected one of {', '.join(f'`{k}`' for k in known)}"
        return document.problem(path, f"{dotted(path)}: {what}", key=True)
    if kind == "missing":
        return document.problem(path[:-1], f"{dotted(path[:-1])}: missing required key `{path[-1]}`")
    if kind in _TYPE_WORDS:
        what = f"{_TYPE_WORDS[kind]} (got {_shown(error['input'])})"
    else:
        what = _PATTERN_WORDS.get(error.get("ctx", {}).get("pattern", "")) or error["msg"]
        what = what[:1].lower() + what[1:]
        if kind == "literal_error":
            given = error["input"]
            case = isinstance(given, str) and f"'{given.upper()}'" in error.get("ctx", {}).get("expected", "")
            what += f" (got {_shown(given)}{'; case matters' if case else ''})"
    return document.problem(path, f"{dotted(path)}: {what}")


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[DataPath, Any]:
    """Follow pydantic's error location through the data, skipping union tags that are not data keys.

    Returns the data path and the container holding its last element (for unknown-key suggestions).
    """
    path: list[str | int] = []
    current, parent = data, None
    for i, part in enumerate(loc):
        inside_dict = isinstance(current, dict) and part in current
        if inside_dict or (isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)):
            parent, current = current, current[part]
            path.append(part)
        elif (
            i == len(loc) - 1
            and isinstance(current, dict)
            and not str(part).startswith(("step:", "outcome:"))
        ):
            parent = current
            path.append(part)  # a missing key (not in the data) or the last step of the walk
    return tuple(path), parent


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
