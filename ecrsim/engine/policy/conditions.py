"""Condition operators: every family, IfExists, ForAnyValue/ForAllValues, with a sentence saying why.

Sources (iam-evaluation.md §5):
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
- Several values for one key are ORed; for a negated operator they act as NOR (the request value must
  match none of them).
- A missing key makes a condition false, except for negated operators ("such as StringNotLike"), where it
  makes it true; `...IfExists` makes it true; `Null` tests presence itself.
- `ForAllValues` is true when every request value matches (and when the key is absent or empty: "do not use
  ForAllValues with an Allow effect"); `ForAnyValue` needs one matching value and is false when absent.
- Key names are case-insensitive; value case depends on the operator.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

from ecrsim.engine.policy.matching import arn_regex, glob_regex
from ecrsim.engine.policy.types import ContextValue
from ecrsim.engine.policy.variables import Piece, has_variables, resolve, text_of

# The negated operators and the positive test each one negates.
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
_ORDER: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "Equals": (operator.eq, "is not equal to"),
    "LessThan": (operator.lt, "is not less than"),
    "LessThanEquals": (operator.le, "is not less than or equal to"),
    "GreaterThan": (operator.gt, "is not greater than"),
    "GreaterThanEquals": (operator.ge, "is not greater than or equal to"),
}
_POSITIVE = (
    "StringEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "ArnEquals",
    "ArnLike",
    *(f"{family}{order}" for family in ("Numeric", "Date") for order in _ORDER),
)
BASE_OPERATORS = frozenset((*_POSITIVE, *_NEGATED, "Null"))
# Policy variables are substituted in String, ARN and Bool values only (reference_policies_variables.html).
_VARIABLE_FAMILIES = ("String", "Arn", "Bool")
_OPERATOR = re.compile(r"(?:(ForAnyValue|ForAllValues):)?([A-Za-z]+?)(IfExists)?")


@dataclass(frozen=True)
class Condition:
    """One key under one operator: `"StringEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"]}`."""

    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    base: str  # "StringLike"
    qualifier: str | None  # "ForAnyValue", "ForAllValues" or None
    if_exists: bool
    key: str  # as written
    values: tuple[str, ...]  # booleans and numbers already turned into their JSON text

    @property
    def key_lower(self) -> str:
        return self.key.lower()


def parse_operator(name: str) -> tuple[str | None, str, bool] | None:
    """(qualifier, base, if_exists) for a known operator name, else None. `NullIfExists` does not exist."""
    found = _OPERATOR.fullmatch(name)
    if found is None or found.group(2) not in BASE_OPERATORS:
        return None
    qualifier, base, if_exists = found.groups()
    if base == "Null" and if_exists:
        return None
    return qualifier, base, bool(if_exists)


def check(condition: Condition, context: Mapping[str, ContextValue], variables: bool) -> tuple[bool, str]:
    """Does the request satisfy this condition? And a clause saying why, for the trace."""
    label = f"condition {condition.operator} {condition.key}"
    raw = context.get(condition.key_lower)
    present: tuple[str, ...] = (raw,) if isinstance(raw, str) else tuple(raw or ())
    if condition.base == "Null":
        wanted = "true" if not present else "false"
        ok = any(value.lower() == wanted for value in condition.values)
        state = "absent" if not present else "present"
        return ok, f"{label} {'matched' if ok else 'failed'}: the key is {state} in the request"
    if not present:
        return _absent(condition, label)

    negated = condition.base in _NEGATED
    positive = _NEGATED.get(condition.base, condition.base)
    policy_values, unresolved = _policy_values(condition, context, variables)
    test = _TESTS[positive]

    def satisfies(request_value: str) -> bool:
        hit = any(test(request_value, pieces) for pieces in policy_values)
        return not hit if negated else hit

    shown = _show(condition.values)
    if condition.qualifier == "ForAllValues":
        failing = next((value for value in present if not satisfies(value)), None)
        ok = failing is None
        why = f"request value {failing} {_relation(positive, negated)} {shown}" if failing is not None else ""
    elif condition.qualifier == "ForAnyValue" or not negated:
        ok = any(satisfies(value) for value in present)
        why = f"request value {_show(present, bare=True)} {_relation(positive, negated)} {shown}"
    else:
        # A negated operator on a single-valued use: the request value must match none of the values.
        failing = next((value for value in present if not satisfies(value)), None)
        ok = failing is None
        why = f"request value {failing} {_relation(positive, negated)} {shown}"
    if ok:
        return True, f"{label} matched ({_show(present, bare=True)})"
    if unresolved:
        why += f" (policy variable in {', '.join(unresolved)} has no value in this request)"
    return False, f"{label} failed: {why}"


def _absent(condition: Condition, label: str) -> tuple[bool, str]:
    """A key the request does not carry (iam-evaluation.md §5, "Missing keys")."""
    if condition.if_exists:
        return True, f"{label} matched: the key is absent and the operator ends in IfExists"
    if condition.qualifier == "ForAllValues":
        return True, f"{label} matched: the key is absent, and ForAllValues is true for no values"
    if condition.qualifier == "ForAnyValue":
        return False, f"{label} failed: the key is absent, and ForAnyValue needs at least one value"
    if condition.base in _NEGATED:
        return True, f"{label} matched: the key is absent, and a negated operator is true for a missing key"
    return False, f"{label} failed: the key is absent from the request"


def _policy_values(
    condition: Condition, context: Mapping[str, ContextValue], variables: bool
) -> tuple[list[tuple[Piece, ...]], list[str]]:
    """The policy values with variables substituted; those that cannot be resolved match nothing."""
    substitute = variables and condition.base.startswith(_VARIABLE_FAMILIES)
    resolved: list[tuple[Piece, ...]] = []
    unresolved: list[str] = []
    for value in condition.values:
        if substitute and has_variables(value):
            pieces = resolve(value, context)
            if pieces is None:
                unresolved.append(value)
                continue
            resolved.append(pieces)
        else:
            resolved.append(((value, False),))
    return resolved, unresolved


def _relation(positive: str, negated: bool) -> str:
    if negated:
        return "matches one of"
    if positive == "IpAddress":
        return "not in"
    if positive.endswith("Like"):
        return "matches none of"
    for family in ("Numeric", "Date"):
        if positive.startswith(family):
            return _ORDER[positive[len(family) :]][1]
    return "is not one of"


def _show(values: tuple[str, ...], *, bare: bool = False) -> str:
    if bare and len(values) == 1:
        return values[0]
    return "[" + ", ".join(values) + "]"


# Per-value tests: does one request value satisfy one (resolved) policy value?


def _string_equals(request: str, pieces: tuple[Piece, ...]) -> bool:
    return request == text_of(pieces)


def _string_equals_ignore_case(request: str, pieces: tuple[Piece, ...]) -> bool:
    return request.casefold() == text_of(pieces).casefold()


def _string_like(request: str, pieces: tuple[Piece, ...]) -> bool:
    return glob_regex(pieces, False).fullmatch(request) is not None


def _bool(request: str, pieces: tuple[Piece, ...]) -> bool:
    return request.lower() == text_of(pieces).lower()


def _binary_equals(request: str, pieces: tuple[Piece, ...]) -> bool:
    """Base64 values compared byte for byte; text that is not Base64 is compared as written."""
    policy = text_of(pieces)
    try:
        return base64.b64decode(request, validate=True) == base64.b64decode(policy, validate=True)
    except (binascii.Error, ValueError):
        return request == policy


def _ip_address(request: str, pieces: tuple[Piece, ...]) -> bool:
    network = _network(text_of(pieces))
    address = _address(request)
    return network is not None and address is not None and address in network


def _arn(request: str, pieces: tuple[Piece, ...]) -> bool:
    """ArnEquals and ArnLike behave identically: each colon-separated part matched with `*` and `?`."""
    return arn_regex(pieces, for_condition=True).fullmatch(request) is not None


def _ordered(parse: Callable[[str], float | None], compare: Callable[[float, float], bool]):  # type: ignore[no-untyped-def]
    def test(request: str, pieces: tuple[Piece, ...]) -> bool:
        left, right = parse(request), parse(text_of(pieces))
        return left is not None and right is not None and compare(left, right)

    return test


@lru_cache(maxsize=1024)
def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


_EPOCH = re.compile(r"-?\d+(?:\.\d+)?")


@lru_cache(maxsize=1024)
def _date(text: str) -> float | None:
    """ISO 8601 (W3C profile) or epoch seconds, as seconds since the epoch; a time without zone is UTC."""
    if _EPOCH.fullmatch(text):
        return float(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


@lru_cache(maxsize=1024)
def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


_TESTS: dict[str, Callable[[str, tuple[Piece, ...]], bool]] = {
    "StringEquals": _string_equals,
    "StringEqualsIgnoreCase": _string_equals_ignore_case,
    "StringLike": _string_like,
    "Bool": _bool,
    "BinaryEquals": _binary_equals,
    "IpAddress": _ip_address,
    "ArnEquals": _arn,
    "ArnLike": _arn,
    **{f"Numeric{order}": _ordered(_number, compare) for order, (compare, _) in _ORDER.items()},
    **{f"Date{order}": _ordered(_date, compare) for order, (compare, _) in _ORDER.items()},
}
