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

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ecrsim.engine.policy.matching import arn_regex, glob_regex, show_values
from ecrsim.engine.policy.types import ContextValue
from ecrsim.engine.policy.variables import Piece, has_variables, resolve, text_of, variable_keys

if TYPE_CHECKING:
    import ipaddress

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
_MEMO_LIMIT = 256
# Patterns are compiled on first use (re caches them): most sessions parse no condition at all.
_OPERATOR = r"(?:(ForAnyValue|ForAllValues):)?([A-Za-z]+?)(IfExists)?"


@dataclass(frozen=True)
class Condition:
    """One key under one operator: `"StringEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"]}`."""

    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    base: str  # "StringLike"
    qualifier: str | None  # "ForAnyValue", "ForAllValues" or None
    if_exists: bool
    key: str  # as written
    values: tuple[str, ...]  # booleans and numbers already turned into their JSON text
    # Worked out once at parse time, so that a check does only what depends on the request.
    key_lower: str = field(init=False, repr=False, compare=False)
    negated: bool = field(init=False, repr=False, compare=False)
    plain: tuple[tuple[Piece, ...], ...] = field(init=False, repr=False, compare=False)
    substitutes: bool = field(init=False, repr=False, compare=False)  # has policy variables to resolve
    label: str = field(init=False, repr=False, compare=False)
    shown: str = field(init=False, repr=False, compare=False)
    relation: str = field(init=False, repr=False, compare=False)
    test: Callable[[str, tuple[Piece, ...]], bool] | None = field(init=False, repr=False, compare=False)
    # For the equality operators and IpAddress, whether a request value matches any of the values as
    # written, worked out once (used when no policy variable needs resolving); None for the others.
    lookup: Callable[[str], bool] | None = field(init=False, repr=False, compare=False)
    # The request-context keys this condition reads: its own key and those of its policy variables.
    reads: tuple[str, ...] = field(init=False, repr=False, compare=False)
    # Results already worked out, by the values of `reads`; a cache, not state.
    memo: dict[Any, tuple[bool, str]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "key_lower", self.key.lower())
        set_(self, "negated", self.base in _NEGATED)
        set_(self, "plain", tuple(((value, False),) for value in self.values))
        variables = self.base.startswith(_VARIABLE_FAMILIES) and any(has_variables(v) for v in self.values)
        set_(self, "substitutes", variables)
        set_(self, "label", f"condition {self.operator} {self.key}")
        set_(self, "shown", show_values(self.values))
        positive = _NEGATED.get(self.base, self.base)
        set_(self, "relation", _relation(positive, self.negated))
        set_(self, "test", _TESTS.get(positive))  # None for Null, which tests presence only
        set_(self, "lookup", _lookup(positive, self.values))
        set_(self, "reads", (self.key_lower, *(k for v in self.values for k in variable_keys(v))))


def parse_operator(name: str) -> tuple[str | None, str, bool] | None:
    """(qualifier, base, if_exists) for a known operator name, else None. `NullIfExists` does not exist."""
    found = re.fullmatch(_OPERATOR, name)
    if found is None or found.group(2) not in BASE_OPERATORS:
        return None
    qualifier, base, if_exists = found.groups()
    if base == "Null" and if_exists:
        return None
    return qualifier, base, bool(if_exists)


def check(condition: Condition, context: Mapping[str, ContextValue], variables: bool) -> tuple[bool, str]:
    """Does the request satisfy this condition? And a clause saying why, for the trace."""
    key = (variables, *map(context.get, condition.reads))
    memo = condition.memo
    result = memo.get(key) if memo else None  # a condition just parsed has nothing to look up
    if result is None:
        result = _check(condition, context, variables)
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[key] = result
    return result


def _check(condition: Condition, context: Mapping[str, ContextValue], variables: bool) -> tuple[bool, str]:
    label = condition.label
    raw = context.get(condition.key_lower)
    present: tuple[str, ...] = (raw,) if isinstance(raw, str) else tuple(raw or ())
    if condition.base == "Null":
        wanted = "true" if not present else "false"
        ok = any(value.lower() == wanted for value in condition.values)
        state = "absent" if not present else "present"
        return ok, f"{label} {'matched' if ok else 'failed'}: the key is {state} in the request"
    if not present:
        return _absent(condition, label)

    negated = condition.negated
    if variables and condition.substitutes:
        policy_values, unresolved = _resolved_values(condition, context)
    else:
        policy_values, unresolved = condition.plain, []
    test = condition.test
    assert test is not None  # only Null has no per-value test, and it returned above
    lookup = condition.lookup if policy_values is condition.plain else None
    # Policy values are ORed; for a negated operator, NORed: a request value satisfies the condition
    # when it matches one of them, or for a negated operator none.
    if condition.qualifier == "ForAllValues" or (negated and condition.qualifier is None):
        # Every request value must satisfy it; a negated operator on a single-valued use is the same:
        # the request value must match none of the policy values.
        failing = None
        for value in present:
            if (lookup(value) if lookup else _matches_any(test, value, policy_values)) == negated:
                failing = value
                break
        if failing is None:
            return True, f"{label} matched ({show_values(present, bare=True)})"
    else:
        for value in present:
            if (lookup(value) if lookup else _matches_any(test, value, policy_values)) != negated:
                return True, f"{label} matched ({show_values(present, bare=True)})"
        failing = show_values(present, bare=True)
    why = f"request value {failing} {condition.relation} {condition.shown}"
    if unresolved:
        why += f" (policy variable in {', '.join(unresolved)} has no value in this request)"
    return False, f"{label} failed: {why}"


def _matches_any(
    test: Callable[[str, tuple[Piece, ...]], bool],
    request_value: str,
    policy_values: Sequence[tuple[Piece, ...]],
) -> bool:
    for pieces in policy_values:  # noqa: SIM110 - a loop, not any() over a generator: this is the cold path
        if test(request_value, pieces):
            return True
    return False


def _lookup(positive: str, values: tuple[str, ...]) -> Callable[[str], bool] | None:
    """`_matches_any` over values as written, worked out once: a set lookup for the equality operators,
    parsed networks for IpAddress."""
    if positive == "StringEquals":
        return frozenset(values).__contains__
    if positive == "StringEqualsIgnoreCase":
        folded = frozenset(value.casefold() for value in values)
        return lambda request: request.casefold() in folded
    if positive == "Bool":
        lowered = frozenset(value.lower() for value in values)
        return lambda request: request.lower() in lowered
    if positive == "IpAddress":
        # The networks parsed once here; a value that is no network matches nothing, as in _ip_address.
        networks = tuple(network for network in map(_network, values) if network is not None)

        def within(request: str) -> bool:
            address = _address(request)
            return address is not None and any(address in network for network in networks)

        return within
    return None


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


def _resolved_values(
    condition: Condition, context: Mapping[str, ContextValue]
) -> tuple[list[tuple[Piece, ...]], list[str]]:
    """The policy values with variables substituted; those that cannot be resolved match nothing."""
    resolved: list[tuple[Piece, ...]] = []
    unresolved: list[str] = []
    for value in condition.values:
        pieces = resolve(value, context)
        if pieces is None:
            unresolved.append(value)
        else:
            resolved.append(pieces)
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
    import base64
    import binascii

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


_EPOCH = r"-?\d+(?:\.\d+)?"


@lru_cache(maxsize=1024)
def _date(text: str) -> float | None:
    """ISO 8601 (W3C profile) or epoch seconds, as seconds since the epoch; a time without zone is UTC."""
    if re.fullmatch(_EPOCH, text):
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
    import ipaddress  # here, not at the top: only IpAddress conditions need it

    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    import ipaddress

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
