"""`ecrsim policy simulate FILE_OR_-`: decide requests given as JSON, like the IAM policy simulator.

The contract is shared/spec/policy-simulate.md. Every input is validated before anything is printed, so a
malformed request gives one line on stderr (`ecrsim: error: request 3: identity_policies[1]: ...`) and
exit status 1, never a partial output or a traceback. Decisions themselves never change the status.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from typing import Any

from ecrsim.engine.hostfiles import read_stream, read_text
from ecrsim.engine.policy.document import (
    Policy,
    PolicyError,
    parse_identity_policy,
    parse_resource_control_policy,
    parse_resource_policy,
)
from ecrsim.engine.policy.evaluate import decide
from ecrsim.engine.policy.explain import render_decision
from ecrsim.engine.policy.guardrails import rcp_full_access, scp_full_access
from ecrsim.engine.policy.managed import MANAGED_POLICY_NAMES, managed_policy
from ecrsim.engine.policy.matching import is_valid_caller
from ecrsim.engine.policy.types import ContextValue, Decision, NamedPolicy, OrgLevel, Request
from ecrsim.errors import EcrsimError

_ACTION = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9]+")
_ACCOUNT = re.compile(r"\d{12}")


class InputError(EcrsimError):
    """A malformed request: which field, and what is wrong with it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def run_simulate(path_or_dash: str, *, explain: bool) -> int:
    try:
        text = read_stream(sys.stdin) if path_or_dash == "-" else read_text(path_or_dash)
    except (OSError, UnicodeDecodeError) as error:
        return _fail(f"cannot read {path_or_dash}: {getattr(error, 'strerror', None) or error}")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        return _fail(f"the input is not valid JSON: {error}")
    single = isinstance(data, dict)
    items = [data] if single else data
    if not isinstance(items, list):
        return _fail("the input must be a JSON object (one request) or an array of them")
    requests: list[Request] = []
    for index, item in enumerate(items):
        try:
            requests.append(build_request(item))
        except InputError as error:
            return _fail(f"request {index}: {error}")
        except Exception as error:  # a bug must still be one line, never a traceback
            return _fail(f"request {index}: cannot be read ({type(error).__name__}: {error})")
    decisions = [decide(request) for request in requests]
    results = [decision_json(decision) for decision in decisions]
    print(json.dumps(results[0] if single else results, indent=2, ensure_ascii=False))
    if explain:
        print("\n\n".join(render_decision(decision) for decision in decisions), file=sys.stderr)
    return 0


# The members of one request (docs/policy-simulate.md), and the annotations a file of test vectors may
# carry, which are ignored. Any other key is refused: a misspelt `resource_policy` silently dropped would
# decide a different request and answer it wrongly.
REQUEST_KEYS = (
    "principal_arn",
    "action",
    "resource_arn",
    "identity_policies",
    "repository_policy",
    "resource_account",
    "context",
    "service_control_policies",
    "resource_control_policies",
    "permissions_boundary",
    "session_policies",
)
ANNOTATION_KEYS = ("id", "description", "expected", "source", "notes", "account")


def build_request(item: Any) -> Request:
    """One request of the input, validated; raises InputError naming the field."""
    if not isinstance(item, Mapping):
        raise InputError("request", "must be a JSON object")
    for key in item:
        if key not in REQUEST_KEYS and key not in ANNOTATION_KEYS:
            from difflib import get_close_matches

            # Of the close keys, the one nearest in length: a misspelling rarely adds ten characters.
            close = get_close_matches(str(key), REQUEST_KEYS, n=3, cutoff=0.5)
            close.sort(key=lambda known: abs(len(known) - len(str(key))))
            hint = f"did you mean {close[0]!r}?" if close else f"the keys are {', '.join(REQUEST_KEYS)}"
            raise InputError(str(key)[:100], f"not a request key: {hint}")
    principal = _string(item, "principal_arn")
    if not is_valid_caller(principal):
        raise InputError(
            "principal_arn",
            f"{principal!r} is not a user, role, assumed-role, federated-user or root ARN, nor a service"
            " principal such as lambda.amazonaws.com",
        )
    action = _string(item, "action")
    if not _ACTION.fullmatch(action):
        raise InputError("action", f"{action!r} is not an action such as ecr:PutImage")
    resource = _string(item, "resource_arn")
    if resource != "*" and (not resource.startswith("arn:") or resource.count(":") < 5):
        raise InputError("resource_arn", f"{resource!r} is neither an ARN nor *")
    account = item.get("resource_account")
    if account is not None and not (isinstance(account, str) and _ACCOUNT.fullmatch(account)):
        raise InputError("resource_account", "must be a 12-digit account id or null")
    return Request(
        principal_arn=principal,
        action=action,
        resource_arn=resource,
        identity_policies=_identity_policies(item.get("identity_policies")),
        resource_policy=_repository_policy(item.get("repository_policy")),
        resource_account=account,
        context=_context(item.get("context")),
        scps=_levels(item.get("service_control_policies"), "service_control_policies", scp=True),
        rcps=_levels(item.get("resource_control_policies"), "resource_control_policies", scp=False),
        boundary=_boundary(item.get("permissions_boundary")),
        session_policies=_session_policies(item.get("session_policies")),
    )


def decision_json(decision: Decision) -> dict[str, Any]:
    """The output object of policy-simulate.md, plus the deciding `rule` and the `hint`."""
    return {
        "decision": decision.verdict,
        "rule": decision.rule,
        "reason": decision.reason,
        "message": decision.message,
        "hint": decision.hint,
        "statements": [
            {
                "policy": trace.policy,
                "sid": trace.sid,
                "index": trace.index,
                "effect": trace.effect,
                "matched": trace.matched,
                "why": trace.why,
            }
            for trace in decision.statements
        ],
    }


def _fail(message: str) -> int:
    print(f"ecrsim: error: {' '.join(message.split())}", file=sys.stderr)
    return 1


def _string(item: Mapping[str, Any], field: str) -> str:
    value = item.get(field)
    if not isinstance(value, str) or not value:
        raise InputError(field, "required, a non-empty string")
    return value


def _identity_policies(
    value: Any, key: str = "identity_policies", prefix: str = "identity:"
) -> tuple[NamedPolicy, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InputError(key, "must be an array of policy documents or managed policy names")
    return tuple(
        _identity_policy(entry, f"{key}[{index}]", f"{prefix}{index}") for index, entry in enumerate(value)
    )


def _identity_policy(entry: Any, field: str, name: str) -> NamedPolicy:
    """A policy document (object or JSON text), or the name of an AWS managed policy."""
    if isinstance(entry, str) and not entry.lstrip().startswith("{"):
        managed = managed_policy(entry)
        if managed is None:
            known = ", ".join(MANAGED_POLICY_NAMES)
            raise InputError(field, f"no AWS managed policy named {entry!r} (known: {known})")
        return NamedPolicy(managed.name, managed.policy)
    if not isinstance(entry, (str, Mapping)):
        raise InputError(field, "must be a policy document or the name of an AWS managed policy")
    try:
        return NamedPolicy(name, parse_identity_policy(entry))
    except PolicyError as error:
        raise InputError(field, error.message) from None


def _boundary(value: Any) -> NamedPolicy | None:
    return None if value is None else _identity_policy(value, "permissions_boundary", "inline")


def _session_policies(value: Any) -> tuple[NamedPolicy, ...] | None:
    """None when absent (no session policy caps the caller); [] would deny everything, as AWS would."""
    return None if value is None else _identity_policies(value, "session_policies", "")


def _levels(value: Any, key: str, *, scp: bool) -> tuple[OrgLevel, ...] | None:
    """The organization's policies by level, root first: `[{"target": "r-ab12", "policies": [...]}, ...]`.
    Each level must allow. An SCP level names FullAWSAccess by name where it has it; every RCP level has
    RCPFullAWSAccess, as in AWS, where it cannot be detached."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise InputError(key, 'must be an array of levels, each {"target": "...", "policies": [...]}')
    full = scp_full_access() if scp else rcp_full_access()
    levels = []
    for index, level in enumerate(value):
        field = f"{key}[{index}]"
        if not isinstance(level, Mapping) or not isinstance(level.get("policies"), list):
            raise InputError(field, 'must be {"target": "...", "policies": [...]}')
        target = level.get("target", f"level {index}")
        if not isinstance(target, str) or set(level) - {"target", "policies"}:
            raise InputError(field, 'has only "target" (a string) and "policies"')
        policies = [] if scp else [full]
        for number, entry in enumerate(level["policies"]):
            where = f"{field}.policies[{number}]"
            if entry == full.name:
                policies.append(full)
                continue
            if not isinstance(entry, (str, Mapping)):
                raise InputError(where, f"must be a policy document or {full.name!r}")
            try:
                parse = parse_identity_policy if scp else parse_resource_control_policy
                policies.append(NamedPolicy(str(number), parse(entry)))
            except PolicyError as error:
                raise InputError(where, error.message) from None
        levels.append(OrgLevel(target, tuple(policies)))
    return tuple(levels)


def _repository_policy(value: Any) -> Policy | None:
    if value is None:
        return None
    if not isinstance(value, (str, Mapping)):
        raise InputError("repository_policy", "must be a policy document or null")
    try:
        # Taken as stored: the simulator decides what a policy does, not whether ECR would accept it.
        return parse_resource_policy(value, reject_authorization_token=False)
    except PolicyError as error:
        raise InputError("repository_policy", error.message) from None


def _context(value: Any) -> dict[str, ContextValue]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError("context", "must be an object of condition keys")
    context: dict[str, ContextValue] = {}
    for key, raw in value.items():
        if isinstance(raw, list):
            items = tuple(_scalar(item, f"context.{key}") for item in raw)
            context[key] = items
        else:
            context[key] = _scalar(raw, f"context.{key}")
    return context


def _scalar(value: Any, field: str) -> str:
    """Context values as AWS passes them: text; booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return value if isinstance(value, str) else json.dumps(value)
    raise InputError(field, "must be a string, number or boolean, or an array of them")
