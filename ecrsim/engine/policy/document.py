"""Policy documents parsed and validated once, into frozen objects that evaluation reads quickly.

Three kinds, with the rules AWS applies when a policy is saved:
- identity (CreatePolicy, PutUserPolicy...): no Principal; exactly one of Resource/NotResource;
  Sids alphanumeric and unique.
- resource (ECR SetRepositoryPolicy): Principal or NotPrincipal required; no Resource/NotResource (ECR
  rejects them: the statements apply to the repository the policy is attached to); no
  ecr:GetAuthorizationToken (rejected since 2020, iam-evaluation.md §4.2); Sids need not be unique.
- trust (CreateRole's assume-role policy): Principal required; no NotPrincipal; no Resource.

`PolicyError.message` is the text of IAM's MalformedPolicyDocument, chosen from what IAM prints:
- "This policy contains invalid Json": the text is not JSON at all (does not start with `{`).
- "Syntax errors in policy.": JSON that does not parse, wrong shapes or types, unknown keys, a bad Effect,
  both Action and NotAction, an unknown condition operator, a bad condition value.
- "The policy failed legacy parsing": a Version other than 2012-10-17 or 2008-10-17.
- "Policy document should not specify a principal.": Principal/NotPrincipal in an identity policy.
- "Policy statement must contain actions." / "Policy statement must contain resources."
- "Missing required field Principal" / "Has prohibited field Resource" (and NotResource, NotPrincipal):
  IAM's wording for trust policies, used for repository policies too.
- "Invalid principal in policy": a principal that is not `*`, an account id, an IAM or STS ARN, a service
  name, or one with a partial wildcard.
- "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc." / "Vendor X is not valid".
- "Resource X must be in ARN format or \"*\"." / "Partition \"P\" is not valid for resource \"X\"."
- "Statement IDs (SID) must be alpha-numeric. ..." / "Statement IDs (SID) in a single policy must be unique."
- "Repository policies cannot grant ecr:GetAuthorizationToken ...": the reason ECR's "Invalid repository
  policy provided" has in that case.
The world turns a PolicyError into the API's error (MalformedPolicyDocument for IAM, ECR's
InvalidParameterException 'Invalid repository policy provided'); the message stays for `sim explain`.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ecrsim.engine.arn import parse_arn
from ecrsim.engine.policy.conditions import Condition, parse_operator
from ecrsim.engine.policy.matching import actions_regex, resources_regex, show_values
from ecrsim.engine.policy.variables import variable_keys
from ecrsim.errors import EcrsimError

# "endpoint": a VPC endpoint policy, a resource-based policy that names both principals and resources;
# "registry": an ECR registry policy, and "key": a KMS key policy, shaped the same way.
PolicyKind = Literal["identity", "resource", "trust", "endpoint", "registry", "key"]

VERSIONS = ("2012-10-17", "2008-10-17")
_TOP_KEYS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
_PRINCIPAL_TYPES = ("AWS", "Service", "Federated")
_VENDOR = re.compile(r"[A-Za-z0-9-]+")
_ACTION_NAME = re.compile(r"[A-Za-z0-9*?_-]+")
# Compiled on first use (re caches them): only resource and trust policies name principals.
_AWS_PRINCIPAL = (
    r"\d{12}|arn:aws[a-z-]*:iam::\d{12}:(?:root|(?:user|role)/[\w+=,.@/-]+)"
    r"|arn:aws[a-z-]*:sts::\d{12}:(?:assumed-role/[\w+=,.@-]+/[\w+=,.@-]+|federated-user/[\w+=,.@-]+)"
)
_SERVICE_PRINCIPAL = r"[a-z0-9][a-z0-9.-]*\.amazonaws\.com(?:\.cn)?"
_PARTITIONS = frozenset({"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "*"})
_SID = r"[0-9A-Za-z]*"


class PolicyError(EcrsimError):
    """A malformed policy document; `message` is IAM's MalformedPolicyDocument text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_SYNTAX = "Syntax errors in policy."
_SERIALS = itertools.count(1)


@dataclass(frozen=True)
class Statement:
    """One statement, validated; `actions`/`resources` are the patterns as written."""

    index: int
    sid: str | None
    effect: Literal["Allow", "Deny"]
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...] | None  # None: no Resource element (repository and trust policies)
    not_resource: bool
    principals: (
        tuple[tuple[str, str], ...] | None
    )  # (type, value): ("AWS", "*"), ("Service", "x.amazonaws.com")
    not_principal: bool
    conditions: tuple[Condition, ...]
    variables: bool  # policy variables are resolved (Version 2012-10-17 only)
    action_pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)  # all of Action at once
    actions_shown: str = field(init=False, repr=False, compare=False)
    # The trace's clause for each pattern of Action when it is the one that matched, written once here
    # rather than for every request (evaluate._action).
    action_clauses: tuple[str, ...] = field(init=False, repr=False, compare=False)
    resource_clauses: tuple[str, ...] = field(init=False, repr=False, compare=False)  # likewise, Resource
    resources_shown: str = field(init=False, repr=False, compare=False)
    # The request-context keys (lower case) whose values can change this statement's outcome, and those
    # its Resource element reads (policy variables).
    context_keys: tuple[str, ...] = field(init=False, repr=False, compare=False)
    resource_keys: tuple[str, ...] = field(init=False, repr=False, compare=False)
    # Whether the outcome can depend on the request's action and resource at all: `"Action": "*"` and
    # `"Resource": "*"` match every one of them with the same words, so the evaluator's memo leaves
    # them out of its key (one entry serves every repository).
    reads_action: bool = field(init=False, repr=False, compare=False)
    # All of Resource at once (matching.resources_regex), when no pattern has a policy variable to resolve.
    resource_pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    reads_resource: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "action_pattern", actions_regex(self.actions))
        object.__setattr__(self, "actions_shown", show_values(self.actions))
        object.__setattr__(self, "action_clauses", tuple(f"action matched {a}" for a in self.actions))
        clauses = tuple(f"resource matched {r}" for r in self.resources or ())
        object.__setattr__(self, "resource_clauses", clauses)
        object.__setattr__(self, "resources_shown", show_values(self.resources or ()))
        resource_keys: list[str] = []
        if self.variables:
            resource_keys = [key for resource in self.resources or () for key in variable_keys(resource)]
        keys = [key for condition in self.conditions for key in condition.reads] + resource_keys
        object.__setattr__(self, "context_keys", tuple(dict.fromkeys(keys)))
        object.__setattr__(self, "resource_keys", tuple(dict.fromkeys(resource_keys)))
        object.__setattr__(self, "reads_action", self.not_action or self.actions != ("*",))
        plain = self.resources is not None and not (self.variables and any("${" in r for r in self.resources))
        object.__setattr__(self, "resource_pattern", resources_regex(self.resources) if plain else None)
        object.__setattr__(
            self,
            "reads_resource",
            self.resources is not None and (self.not_resource or self.resources != ("*",)),
        )

    @property
    def label(self) -> str:
        """How the trace names the statement: its Sid, else its position."""
        return f'"{self.sid}"' if self.sid else f"#{self.index}"


@dataclass(frozen=True)
class Policy:
    """A parsed, validated policy document: identity, resource (repository) or trust."""

    kind: PolicyKind
    version: str | None
    statements: tuple[Statement, ...]
    id: str | None = None
    # A number no other policy object in this process has or will have: what the evaluator's memo of
    # whole decisions names a policy by, so that it keeps no policy alive and can never mistake one
    # policy for another (as an id() could, once reused).
    serial: int = field(init=False, repr=False, compare=False)
    # Every request-context key (lower case) some statement reads, and those some Resource element reads.
    reads: tuple[str, ...] = field(init=False, repr=False, compare=False)
    resource_keys: tuple[str, ...] = field(init=False, repr=False, compare=False)
    # Whether some statement's outcome depends on the request's action, or its resource (as
    # Statement.reads_action and reads_resource): if not, the evaluator's plans leave it out of their key.
    reads_action: bool = field(init=False, repr=False, compare=False)
    reads_resource: bool = field(init=False, repr=False, compare=False)
    # The evaluator's plans for this policy (evaluate._plan); a cache, not state.
    memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "serial", next(_SERIALS))
        statements = self.statements
        set_(self, "reads", tuple(dict.fromkeys(k for s in statements for k in s.context_keys)))
        set_(self, "resource_keys", tuple(dict.fromkeys(k for s in statements for k in s.resource_keys)))
        set_(self, "reads_action", any(statement.reads_action for statement in statements))
        set_(self, "reads_resource", any(statement.reads_resource for statement in statements))

    def principals(self) -> tuple[str, ...]:
        """Every AWS and Service principal the policy names (not `*`), so the world can check they exist."""
        named: dict[str, None] = {}
        for statement in self.statements:
            for kind, value in statement.principals or ():
                if kind in ("AWS", "Service") and value != "*":
                    named[value] = None
        return tuple(named)


def parse_identity_policy(doc: str | Mapping[str, Any]) -> Policy:
    return _parse(doc, "identity")


def parse_resource_policy(doc: str | Mapping[str, Any], *, reject_authorization_token: bool = True) -> Policy:
    """A repository policy. `reject_authorization_token=False` takes a policy as stored (as
    `policy simulate` does), without the SetRepositoryPolicy check against ecr:GetAuthorizationToken."""
    policy = _parse(doc, "resource")
    if reject_authorization_token:
        for statement in policy.statements:
            if not statement.not_action and any(
                a.lower() == "ecr:getauthorizationtoken" for a in statement.actions
            ):
                raise PolicyError(
                    "Repository policies cannot grant ecr:GetAuthorizationToken: it has no resource type,"
                    " so only identity-based policies can allow it."
                )
    return policy


def parse_trust_policy(doc: str | Mapping[str, Any]) -> Policy:
    return _parse(doc, "trust")


def parse_endpoint_policy(doc: str | Mapping[str, Any]) -> Policy:
    """A VPC endpoint policy: a Principal (often `*`) and a Resource in every statement (PrivateLink guide,
    "Control access to VPC endpoints using endpoint policies")."""
    return _parse(doc, "endpoint")


def parse_registry_policy(doc: str | Mapping[str, Any]) -> Policy:
    """An ECR registry policy: a Principal and a Resource in every statement (ECR user guide, "Private
    registry policy examples")."""
    return _parse(doc, "registry")


def parse_key_policy(doc: str | Mapping[str, Any]) -> Policy:
    """A KMS key policy: a Principal and a Resource (`*`, the key itself) in every statement (KMS developer
    guide, "Key policies in AWS KMS")."""
    return _parse(doc, "key")


def parse_resource_control_policy(doc: str | Mapping[str, Any]) -> Policy:
    """An RCP: a resource-based policy whose Principal is always `*` (narrowed by conditions) and which
    names its resources (Organizations user guide, "RCP syntax"). Service control policies parse as
    identity policies: no Principal, a Resource in every statement ("SCP syntax")."""
    policy = _parse(doc, "endpoint")
    for statement in policy.statements:
        if statement.not_principal or statement.principals != (("AWS", "*"),):
            raise PolicyError('The Principal element of a resource control policy must be "*".')
    return policy


def _parse(doc: str | Mapping[str, Any], kind: PolicyKind) -> Policy:
    data = _decode(doc)
    if not isinstance(data, Mapping) or not set(data) <= _TOP_KEYS or "Statement" not in data:
        raise PolicyError(_SYNTAX)
    version = data.get("Version")
    if version is not None and version not in VERSIONS:
        raise PolicyError("The policy failed legacy parsing")
    policy_id = data.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise PolicyError(_SYNTAX)
    raw = data["Statement"]
    raw_statements = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(raw_statements, list) or not raw_statements:
        raise PolicyError(_SYNTAX)
    variables = version == "2012-10-17"
    statements = tuple(_statement(index, s, kind, variables) for index, s in enumerate(raw_statements))
    if kind not in ("resource", "key"):
        sids = [s.sid for s in statements if s.sid]
        if len(sids) != len(set(sids)):
            raise PolicyError("Statement IDs (SID) in a single policy must be unique.")
    return Policy(kind, version, statements, policy_id)


def _decode(doc: str | Mapping[str, Any]) -> Any:
    if not isinstance(doc, str):
        return doc
    if not doc.lstrip().startswith("{"):
        raise PolicyError("This policy contains invalid Json")
    try:
        return json.loads(doc)
    except (ValueError, RecursionError):
        raise PolicyError(_SYNTAX) from None


def _statement(index: int, raw: Any, kind: PolicyKind, variables: bool) -> Statement:
    if not isinstance(raw, Mapping) or not set(raw) <= _STATEMENT_KEYS:
        raise PolicyError(_SYNTAX)
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(_SYNTAX)
    # Resource-based policies take any Sid text (a KMS default key policy's is "Enable IAM User Permissions").
    if sid and kind not in ("resource", "key") and not re.fullmatch(_SID, sid):
        raise PolicyError(
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular"
            " expression [0-9A-Za-z]*"
        )
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(_SYNTAX)
    principals, not_principal = _principal_element(raw, kind)
    actions, not_action = _action_element(raw)
    resources, not_resource = _resource_element(raw, kind)
    return Statement(
        index=index,
        sid=sid or None,
        effect=effect,
        actions=actions,
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        principals=principals,
        not_principal=not_principal,
        conditions=_conditions(raw.get("Condition")),
        variables=variables,
    )


def _strings(value: Any) -> tuple[str, ...]:
    """A string or a list of strings (IAM accepts both wherever a list is allowed)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise PolicyError(_SYNTAX)
    return tuple(items)


def _principal_element(
    raw: Mapping[str, Any], kind: PolicyKind
) -> tuple[tuple[tuple[str, str], ...] | None, bool]:
    has, has_not = "Principal" in raw, "NotPrincipal" in raw
    if kind == "identity":
        if has or has_not:
            raise PolicyError("Policy document should not specify a principal.")
        return None, False
    if has and has_not:
        raise PolicyError(_SYNTAX)
    if kind == "trust" and has_not:
        raise PolicyError("Has prohibited field NotPrincipal")
    if not has and not has_not:
        raise PolicyError("Missing required field Principal")
    value = raw["Principal" if has else "NotPrincipal"]
    if value == "*":
        return (("AWS", "*"),), has_not
    if not isinstance(value, Mapping) or not value or not set(value) <= set(_PRINCIPAL_TYPES):
        raise PolicyError("Invalid principal in policy")
    entries: list[tuple[str, str]] = []
    for principal_type in _PRINCIPAL_TYPES:
        if principal_type not in value:
            continue
        names = value[principal_type]
        items = [names] if isinstance(names, str) else names
        if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
            raise PolicyError("Invalid principal in policy")
        for name in items:
            if not _valid_principal(principal_type, name):
                raise PolicyError("Invalid principal in policy")
            entries.append((principal_type, name))
    return tuple(entries), has_not


def _valid_principal(principal_type: str, name: str) -> bool:
    """No partial wildcards: "You cannot use a wildcard to match part of a principal name or ARN"."""
    if principal_type == "AWS":
        return name == "*" or re.fullmatch(_AWS_PRINCIPAL, name) is not None
    if principal_type == "Service":
        return re.fullmatch(_SERVICE_PRINCIPAL, name) is not None
    return bool(name) and "*" not in name and "?" not in name


def _action_element(raw: Mapping[str, Any]) -> tuple[tuple[str, ...], bool]:
    has, has_not = "Action" in raw, "NotAction" in raw
    if has and has_not:
        raise PolicyError(_SYNTAX)
    if not has and not has_not:
        raise PolicyError("Policy statement must contain actions.")
    actions = _strings(raw["Action" if has else "NotAction"])
    if not actions:
        raise PolicyError("Policy statement must contain actions.")
    for action in actions:
        if action == "*":
            continue
        vendor, colon, name = action.partition(":")
        if not colon:
            raise PolicyError("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
        if not _VENDOR.fullmatch(vendor):
            raise PolicyError(f"Vendor {vendor} is not valid")
        if not _ACTION_NAME.fullmatch(name):
            raise PolicyError(_SYNTAX)
    return actions, has_not


def _resource_element(raw: Mapping[str, Any], kind: PolicyKind) -> tuple[tuple[str, ...] | None, bool]:
    has, has_not = "Resource" in raw, "NotResource" in raw
    if kind in ("resource", "trust"):
        if has or has_not:
            raise PolicyError(f"Has prohibited field {'Resource' if has else 'NotResource'}")
        return None, False
    if has and has_not:
        raise PolicyError(_SYNTAX)
    if not has and not has_not:
        raise PolicyError("Policy statement must contain resources.")
    resources = _strings(raw["Resource" if has else "NotResource"])
    if not resources:
        raise PolicyError("Policy statement must contain resources.")
    for resource in resources:
        if resource == "*":
            continue
        arn = parse_arn(resource)
        if arn is None:
            raise PolicyError(f'Resource {resource} must be in ARN format or "*".')
        if arn.partition not in _PARTITIONS:
            raise PolicyError(f'Partition "{arn.partition}" is not valid for resource "{resource}".')
    return resources, has_not


def _conditions(raw: Any) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise PolicyError(_SYNTAX)
    conditions: list[Condition] = []
    for name, block in raw.items():
        parsed = parse_operator(name)
        if parsed is None or not isinstance(block, Mapping) or not block:
            raise PolicyError(_SYNTAX)
        qualifier, base, if_exists = parsed
        for key, value in block.items():
            if not isinstance(key, str) or ":" not in key:
                raise PolicyError(
                    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
                )
            conditions.append(Condition(name, base, qualifier, if_exists, key, _condition_values(value)))
    return tuple(conditions)


def _condition_values(value: Any) -> tuple[str, ...]:
    """Strings, booleans and numbers, or a list of them; booleans and numbers as their JSON text."""
    items = value if isinstance(value, list) else [value]
    values: list[str] = []
    for item in items:
        if isinstance(item, bool):
            values.append("true" if item else "false")
        elif isinstance(item, (str, int, float)):
            values.append(item if isinstance(item, str) else json.dumps(item))
        else:
            raise PolicyError(_SYNTAX)
    return tuple(values)
