"""Matching a request's action, resource and principal against a statement's patterns.

Sources (iam-evaluation.md §6):
- Action: "The prefix and the action name are case insensitive"; `*` anywhere, `?` one character.
- Resource: case-sensitive; `*` and `?` within segments, `*` also matching `/` and, at a segment's end,
  colons. We match the ARN prefix (partition, service, Region, account) case-insensitively, as
  iam-simulate does, and the resource id case-sensitively. A resource-less request (`*`, e.g.
  ecr:GetAuthorizationToken) is matched only by `"Resource": "*"`.
- Principal: "You cannot use a wildcard to match part of a principal name or ARN"; only a bare `*`.
  A role ARN covers the role's sessions; an account id or `arn:aws:iam::ACCT:root` names the account,
  which delegates to the account's IAM policies rather than granting directly.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from ecrsim.engine.arn import Arn, parse_arn
from ecrsim.engine.policy.variables import Piece

PrincipalKind = Literal["user", "role", "role_session", "federated", "root", "service", "unknown"]
# "direct": a resource policy names the caller, everyone (`*`), or the role of a session; "account": its
# account, which delegates to the account's IAM policies. evaluate._principal refines "direct" into
# "direct" (the caller itself), "anyone" and "role", which permissions boundaries and session policies
# treat differently (guardrails.py).
PrincipalMatch = Literal["direct", "anyone", "role", "account"]

_ACCOUNT_ID = re.compile(r"\d{12}")


# One run of pattern text: (text, literal, ignore_case). A literal run (a policy variable's value) has no
# wildcards; each run carries its own case rule because an ARN's prefix ignores case and its id does not.
_Run = tuple[str, bool, bool]


def _translate(runs: Sequence[_Run], within_segment: bool, names: Iterator[int]) -> str:
    """The regex for a glob, built so that matching it takes time linear in the text per pattern character.

    A naive translation (`*a*b` -> `.*a.*b`) makes the regex engine try every split of the text between
    the stars: O(n^k) for k stars, minutes for `*a*a*a*a*a*a*a*a*b` against 60 characters. But a glob
    needs no such search: between two stars, the earliest place the literal text that follows the first
    star matches is always as good as any later one (everything a later choice can match after it, the
    earlier one can too, the next star absorbing the difference), so each star but the last commits to its
    earliest match. The regex says so with an atomic group, written as a lookahead that captures and a
    backreference that consumes (`(?=(?P<g>.*?SEG))(?P=g)`, CPython's own fnmatch trick, which works on
    every supported Python). Only the last star backtracks, over one segment: O(n x m) in all, for a text
    of n characters and a pattern of m.

    `within_segment` keeps the wildcards off `:` (Arn* conditions). The same commitment holds there:
    every `:` of the text must then meet a `:` of the pattern, which pins each segment holding one, and a
    segment holding none is confined to the colon-free stretch it starts in.
    """
    star, one = (r"[^:]", r"[^:]") if within_segment else (".", ".")
    segments: list[str] = [""]
    for text, literal, ignore_case in runs:
        parts: list[str] = []
        chunks = [text] if literal else text.split("*")
        for index, chunk in enumerate(chunks):
            if index:  # a star before this chunk: close the segment so far
                segments[-1] += _cased(parts, ignore_case)
                segments.append("")
                parts = []
            parts.extend(re.escape(chunk) if literal else (one if c == "?" else re.escape(c) for c in chunk))
        segments[-1] += _cased(parts, ignore_case)
    if len(segments) == 1:
        return segments[0]
    first, *middle, last = segments
    committed = ""
    for segment in middle:
        if segment:  # `**` is one star
            name = f"g{next(names)}"
            committed += f"(?=(?P<{name}>{star}*?{segment}))(?P={name})"
    return f"{first}{committed}{star}*{last}"


def _cased(parts: list[str], ignore_case: bool) -> str:
    text = "".join(parts)
    return f"(?i:{text})" if ignore_case and text else text


def _compile(alternatives: Sequence[tuple[Sequence[_Run], bool]]) -> re.Pattern[str]:
    """One regex for several globs, each a named group `p<i>` (see `which`), so one fullmatch says whether
    any matched and which: the first that does, in order, as alternatives are tried left to right."""
    names = itertools.count()
    return re.compile(
        "|".join(
            f"(?P<p{i}>{_translate(runs, within, names)})" for i, (runs, within) in enumerate(alternatives)
        ),
        re.DOTALL,
    )


def which(found: re.Match[str]) -> int:
    """The index of the glob that matched in a regex made of several (actions_regex, resources_regex)."""
    return int(found.lastgroup[1:])  # type: ignore[index]


@lru_cache(maxsize=4096)
def glob_regex(pieces: tuple[Piece, ...], ignore_case: bool) -> re.Pattern[str]:
    """`*` any run of characters, `?` one character; literal pieces (from variables) match as written."""
    return _compile([(tuple((text, literal, ignore_case) for text, literal in pieces), False)])


def glob(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    return glob_regex(((pattern, False),), ignore_case)


@lru_cache(maxsize=4096)
def actions_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a statement's whole Action list: one fullmatch per request instead of one per pattern
    (`which` says which pattern matched)."""
    return _compile([(((pattern, False, True),), False) for pattern in patterns])


@lru_cache(maxsize=4096)
def resources_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a whole Resource list without policy variables, as `actions_regex` does for actions.
    `*` matches any resource here; a request for resource `*` is the caller's to handle (only
    `"Resource": "*"` matches it)."""
    return _compile([(_arn_runs(((pattern, False),), for_condition=False), False) for pattern in patterns])


def show_values(values: tuple[str, ...], *, bare: bool = False, limit: int = 5) -> str:
    """Values as the trace shows them: `[a, b, … 3 more]`, or a single value as it is when `bare`."""
    if bare and len(values) == 1:
        return values[0]
    more = f", … {len(values) - limit} more" if len(values) > limit else ""
    return f"[{', '.join(values[:limit])}{more}]"


def resource_matches(pieces: tuple[Piece, ...], resource: str) -> bool:
    """Does one (resolved) Resource pattern match the request's resource?"""
    if pieces == (("*", False),):
        return True
    if resource == "*":
        # iam-evaluation.md §6: only "Resource": "*" matches a request for an action with no resource type.
        return False
    return arn_regex(pieces, for_condition=False).fullmatch(resource) is not None


@lru_cache(maxsize=4096)
def arn_regex(pieces: tuple[Piece, ...], *, for_condition: bool) -> re.Pattern[str]:
    """An ARN pattern: the prefix (the first five colon-separated parts), then the resource id.

    In a Resource element the prefix matches case-insensitively and a trailing `*` may run past colons;
    in an Arn* condition every part is matched separately and case-sensitively.
    """
    return _compile([(_arn_runs(pieces, for_condition=for_condition), for_condition)])


def _arn_runs(pieces: tuple[Piece, ...], *, for_condition: bool) -> tuple[_Run, ...]:
    """The pattern's runs, the prefix up to its fifth colon case-insensitive outside conditions."""
    runs: list[_Run] = []
    colons = 0
    prefix_case = not for_condition
    for text, literal in pieces:
        if colons >= 5 or literal:
            runs.append((text, literal, prefix_case and colons < 5))
            continue
        for index, char in enumerate(text):
            if char == ":":
                colons += 1
                if colons == 5:
                    runs.append((text[: index + 1], False, prefix_case))
                    if text[index + 1 :]:
                        runs.append((text[index + 1 :], False, False))
                    break
        else:
            runs.append((text, False, prefix_case))
    return tuple(runs)


def resource_account(resource: str) -> str | None:
    arn = parse_arn(resource)
    return arn.account if arn is not None and _ACCOUNT_ID.fullmatch(arn.account) else None


def _iam_arn(text: str) -> Arn | None:
    """An IAM or STS principal's ARN: `arn:aws...:iam|sts::ACCOUNT:...`, no Region, a 12-digit account."""
    arn = parse_arn(text)
    if (
        arn is None
        or not arn.partition.startswith("aws")
        or arn.service not in ("iam", "sts")
        or arn.region
        or not _ACCOUNT_ID.fullmatch(arn.account)
        or not arn.resource
    ):
        return None
    return arn


@dataclass(frozen=True)
class Caller:
    """The principal making a request, classified once per request."""

    arn: str
    kind: PrincipalKind
    account: str | None  # None for a service principal
    name: str = ""  # user name, role name, or federated user name
    role_arn: str | None = None  # for a role session: the role it is a session of
    session: str | None = None

    @property
    def principal_arn(self) -> str:
        """aws:PrincipalArn: for a role session it is the role's ARN, not the session's."""
        return self.role_arn or self.arn

    def describe(self) -> str:
        """A short phrase naming the caller in a sentence: "user alice", "role deploy"."""
        if self.kind == "user":
            return f"user {self.name}"
        if self.kind == "role":
            return f"role {self.name}"
        if self.kind == "role_session":
            return f"role {self.name} (session {self.session})"
        if self.kind == "federated":
            return f"federated user {self.name}"
        if self.kind == "root":
            return f"the root user of account {self.account}"
        return self.arn


@lru_cache(maxsize=1024)
def parse_caller(principal: str) -> Caller:
    """Classify a principal ARN (or a service principal name such as lambda.amazonaws.com)."""
    arn = _iam_arn(principal)
    if arn is None:
        if not principal.startswith("arn:") and "." in principal:
            return Caller(principal, "service", None, principal)
        return Caller(principal, "unknown", resource_account(principal))
    service, account, kind, path = arn.service, arn.account, arn.resource_type, arn.resource_id
    if service == "iam" and arn.resource == "root":
        return Caller(principal, "root", account)
    if service == "iam" and kind in ("user", "role") and path:
        return Caller(principal, kind, account, arn.name)  # type: ignore[arg-type]
    if service == "sts" and kind == "assumed-role" and path.count("/") == 1:
        role, session = path.split("/")
        role_arn = f"arn:{arn.partition}:iam::{account}:role/{role}"
        return Caller(principal, "role_session", account, role, role_arn, session)
    if service == "sts" and kind == "federated-user" and path:
        return Caller(principal, "federated", account, path)
    return Caller(principal, "unknown", account)


@lru_cache(maxsize=1024)
def session_of_role(session: Caller, role_arn: object) -> Caller:
    """A role session with its role's full ARN, path included, as the request context's aws:PrincipalArn
    carries it: the session ARN drops the path (`assumed-role/deploy/s` for `role/ci/deploy`), so without
    this the trace and hints would name a role that does not exist. Anything else in the key is ignored."""
    if not isinstance(role_arn, str) or role_arn == session.role_arn:
        return session
    if not _names_role_of(role_arn, session):
        return session
    return replace(session, role_arn=role_arn)


def is_valid_caller(principal: str) -> bool:
    return parse_caller(principal).kind != "unknown"


def principal_match(principal_type: str, value: str, caller: Caller) -> PrincipalMatch | None:
    """How one Principal entry of a resource policy names the caller: directly, via its account, or not."""
    if value == "*":
        return "direct"
    if principal_type == "Service":
        return "direct" if caller.kind == "service" and value.lower() == caller.arn.lower() else None
    if principal_type == "Federated":
        return "direct" if value == caller.arn else None
    if caller.account is None:
        return None
    if _ACCOUNT_ID.fullmatch(value) or value.endswith(":root"):
        account = value if _ACCOUNT_ID.fullmatch(value) else resource_account(value)
        return "account" if account == caller.account else None
    if value == caller.arn or (caller.role_arn is not None and _names_role_of(value, caller)):
        return "direct"
    return None


def _names_role_of(value: str, session: Caller) -> bool:
    """Does `value` name the role of a session? A session ARN drops the role's path, so compare the
    account and the role name: `arn:aws:iam::A:role/service-role/deploy` covers `assumed-role/deploy/s`."""
    arn = _iam_arn(value)
    return (
        arn is not None
        and (arn.service, arn.account, arn.resource_type) == ("iam", session.account, "role")
        and bool(arn.resource_id)
        and arn.name == session.name
    )
