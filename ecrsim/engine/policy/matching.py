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

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from ecrsim.engine.policy.variables import Piece

PrincipalKind = Literal["user", "role", "role_session", "federated", "root", "service", "unknown"]
PrincipalMatch = Literal["direct", "account"]

_IAM_ARN = re.compile(r"arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)")
_ACCOUNT_ID = re.compile(r"\d{12}")
_RESOURCE_ACCOUNT = re.compile(r"arn:[^:]*:[^:]*:[^:]*:(\d{12}):")


@lru_cache(maxsize=4096)
def glob_regex(pieces: tuple[Piece, ...], ignore_case: bool, within_segment: bool = False) -> re.Pattern[str]:
    """`*` any run of characters, `?` one character; literal pieces (from variables) match as written.

    `within_segment` keeps the wildcards inside one colon-separated ARN segment (the Arn* condition
    operators match "each of the six colon-separated parts separately").
    """
    star, one = (r"[^:]*", r"[^:]") if within_segment else (".*", ".")
    parts: list[str] = []
    for text, literal in pieces:
        if literal:
            parts.append(re.escape(text))
            continue
        for char in text:
            parts.append(star if char == "*" else one if char == "?" else re.escape(char))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def glob(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    return glob_regex(((pattern, False),), ignore_case)


@lru_cache(maxsize=4096)
def actions_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a statement's whole Action list: one fullmatch per request instead of one per pattern.
    Pattern i is group i + 1, so `match.lastindex` says which one matched (the first that does, in order:
    alternatives are tried left to right)."""
    return re.compile("|".join(f"({glob(p, True).pattern})" for p in patterns), re.DOTALL | re.IGNORECASE)


@lru_cache(maxsize=4096)
def resources_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a whole Resource list without policy variables, pattern i as group i + 1, as
    `actions_regex` does for actions. `*` matches any resource here; a request for resource `*` is the
    caller's to handle (only `"Resource": "*"` matches it)."""
    groups = (".*" if p == "*" else arn_regex(((p, False),), for_condition=False).pattern for p in patterns)
    return re.compile("|".join(f"({group})" for group in groups), re.DOTALL)


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
    prefix: list[Piece] = []
    rest: list[Piece] = []
    colons = 0
    for text, literal in pieces:
        if colons >= 5 or literal:
            (rest if colons >= 5 else prefix).append((text, literal))
            continue
        for index, char in enumerate(text):
            if char == ":":
                colons += 1
                if colons == 5:
                    prefix.append((text[: index + 1], False))
                    if text[index + 1 :]:
                        rest.append((text[index + 1 :], False))
                    break
        else:
            prefix.append((text, False))
    head = glob_regex(tuple(prefix), False, for_condition).pattern
    tail = glob_regex(tuple(rest), False).pattern
    return re.compile(f"{head}{tail}" if for_condition else f"(?i:{head}){tail}", re.DOTALL)


def resource_account(resource: str) -> str | None:
    found = _RESOURCE_ACCOUNT.match(resource)
    return found.group(1) if found else None


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
    found = _IAM_ARN.fullmatch(principal)
    if found is None:
        if not principal.startswith("arn:") and "." in principal:
            return Caller(principal, "service", None, principal)
        return Caller(principal, "unknown", resource_account(principal))
    partition, service, account, rest = found.groups()
    kind, _, path = rest.partition("/")
    if service == "iam" and rest == "root":
        return Caller(principal, "root", account)
    if service == "iam" and kind in ("user", "role") and path:
        return Caller(principal, kind, account, path.rsplit("/", 1)[-1])  # type: ignore[arg-type]
    if service == "sts" and kind == "assumed-role" and path.count("/") == 1:
        role, session = path.split("/")
        role_arn = f"arn:{partition}:iam::{account}:role/{role}"
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
    found = _IAM_ARN.fullmatch(role_arn)
    if found is None or found.group(2) != "iam" or found.group(3) != session.account:
        return session
    kind, _, path = found.group(4).partition("/")
    if kind != "role" or path.rsplit("/", 1)[-1] != session.name:
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
    if value == caller.arn or (caller.role_arn is not None and _same_role(value, caller)):
        return "direct"
    return None


def _same_role(value: str, session: Caller) -> bool:
    """Does `value` name the role of a session? A session ARN drops the role's path, so compare the
    account and the role name: `arn:aws:iam::A:role/service-role/deploy` covers `assumed-role/deploy/s`."""
    found = _IAM_ARN.fullmatch(value)
    if found is None or found.group(2) != "iam" or found.group(3) != session.account:
        return False
    kind, _, path = found.group(4).partition("/")
    return kind == "role" and path.rsplit("/", 1)[-1] == session.name
