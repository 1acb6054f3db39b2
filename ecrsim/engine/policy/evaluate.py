"""AWS's decision for one request, with every statement considered and why it did or did not apply.

The algorithm is iam-evaluation.md §8, from the IAM evaluation-logic pages and the ECR guide:
1. An explicit Deny in any policy that applies wins (identity or repository policy).
2. A service principal has no identity policies: the repository policy alone decides.
3. Same account: the union. A repository policy naming the caller directly (user, role, session, `*`)
   allows alone; naming the account only delegates to the account's IAM policies.
4. Cross account: both the caller's identity policies and the repository policy must allow.
5. Resource `*` (ecr:GetAuthorizationToken and registry-level actions): the repository policy is never
   consulted, neither its Allows nor its Denies (§4.2).
6. `resource_policy_required` (role trust policies): the resource policy must allow; an identity allow
   alone is not enough ("IAM role trust policies ... are the exceptions", §1 step 4).
7. The root user of an account may do anything in that account unless explicitly denied.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ecrsim.engine.arn import parse_arn
from ecrsim.engine.policy import guardrails
from ecrsim.engine.policy.conditions import check
from ecrsim.engine.policy.document import Policy, Statement
from ecrsim.engine.policy.matching import (
    Caller,
    PrincipalMatch,
    parse_caller,
    principal_match,
    resource_account,
    resource_matches,
    session_of_role,
    show_values,
    which,
)
from ecrsim.engine.policy.types import ContextValue, Decision, NamedPolicy, Request, StatementTrace, Verdict
from ecrsim.engine.policy.variables import has_variables, resolve

_IDENTITY = guardrails.NOUN["identity"]
_RESOURCE = guardrails.NOUN["resource"]


def decide(
    request: Request,
    *,
    resource_policy_required: bool = False,
    context: Mapping[str, ContextValue] | None = None,
) -> Decision:
    """Decide `request`. `context` is `lower_context` of the request, for a caller that has it already
    (the world keeps it per caller and clock value); it must be exactly that.

    A Decision is a value of the request's inputs: the principal, action, resource, the policies (frozen
    objects) and the values of the context keys they read. The same inputs again give the same Decision
    object, trace included, for the cost of one dictionary lookup.
    """
    if context is None:
        context = lower_context(request.principal_arn, request.context)
    resource_policy = request.resource_policy
    guarded = request.scps or request.rcps or request.boundary or request.session_policies is not None
    policies = (
        tuple([(named.name, named.policy.serial) for named in request.identity_policies]),
        resource_policy.serial if resource_policy is not None else None,
        guardrails.key(request) if guarded else None,
    )
    reads = _READS.get(policies)
    if reads is None:
        extra = [guard.policy for guard in guardrails.guards(request)] if guarded else []
        reads = _reads(request.identity_policies, resource_policy, extra)
        _remember(_READS, policies, reads)
    key = (
        request.principal_arn,
        request.action,
        request.resource_arn,
        request.resource_account,
        request.resource_policy_name,
        resource_policy_required,
        policies,
        tuple(map(context.get, reads)),
    )
    decision = _DECISIONS.get(key)
    if decision is None:
        decision = _decide(request, context, resource_policy_required)
        _remember(_DECISIONS, key, decision)
    return decision


# Whole decisions are remembered by their inputs, policies named by serial number (Policy.serial), so
# that an entry keeps no policy alive; the oldest entry goes when there are too many.
_RECENT = 1024
_DECISIONS: dict[tuple[object, ...], Decision] = {}
_READS: dict[tuple[object, ...], tuple[str, ...]] = {}


def _remember(memo: dict[Any, Any], key: object, value: object) -> None:
    if len(memo) >= _RECENT:
        del memo[next(iter(memo))]
    memo[key] = value


def forget() -> None:
    """Forget every outcome the policy engine remembers across policies: whole decisions and the
    patterns, variables, dates and addresses it has worked out. Policies and conditions keep their
    own memos (Policy.memo, Condition.memo), which go with the policy objects. For measuring a cold engine."""
    from ecrsim.engine.policy import conditions, matching, variables

    _DECISIONS.clear()
    _READS.clear()
    for module in (conditions, matching, variables):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def _reads(
    identity_policies: tuple[NamedPolicy, ...],
    resource_policy: Policy | None,
    guardrail_policies: list[Policy],
) -> tuple[str, ...]:
    """Every context key a decision over these policies can read: the statements' own, and
    aws:PrincipalArn, which gives a role session its role's full ARN (matching.session_of_role)."""
    keys = dict.fromkeys(("aws:principalarn",))
    for policy in [named.policy for named in identity_policies] + guardrail_policies:
        keys.update(dict.fromkeys(policy.reads))
    if resource_policy is not None:
        keys.update(dict.fromkeys(resource_policy.reads))
    return tuple(keys)


def _decide(
    request: Request, context: Mapping[str, ContextValue], resource_policy_required: bool
) -> Decision:
    caller = parse_caller(request.principal_arn)
    if caller.kind == "role_session":
        caller = session_of_role(caller, context.get("aws:principalarn"))
    owner = request.resource_account or resource_account(request.resource_arn) or caller.account
    traces: list[StatementTrace | None] = []  # a None is an open statement's, filled in below
    denies: list[_Open] = []
    identity_allows: list[_Open] = []
    resource_allows: list[_Open] = []
    near_misses: list[tuple[_Open, str]] = []
    # Where an open statement's hit goes, by the index its _Outcome names.
    lists: tuple[list[Any], ...] = ([], denies, identity_allows, resource_allows, near_misses)

    sources = [(named.name, named.policy, False) for named in request.identity_policies]
    if request.resource_policy is not None:
        sources.append((request.resource_policy_name, request.resource_policy, True))
    for name, policy, is_resource_policy in sources:
        skip = _not_consulted(request, caller, name, is_resource_policy, resource_policy_required)
        if skip:
            traces.extend([_trace(name, statement, False, skip) for statement in policy.statements])
            continue
        start = len(traces)
        plan = _plan(name, policy, caller, request, context, is_resource_policy)
        traces.extend(plan.traces)
        # Only the statements that cover the request can match or nearly match: the others' traces are
        # the plan's, and no hit. An open statement's outcome says which list its hit joins, if any.
        for entry in plan.open:
            trace, hit, joins = entry.fixed or entry.outcome(context)
            traces[start + entry.position] = trace
            if joins:
                lists[joins].append(hit)

    guarded = request.scps or request.rcps or request.boundary or request.session_policies is not None
    # The Allows of the policies above IAM, by kind and organization level ("" for a boundary or session).
    allows = _guardrail_hits(request, caller, context, traces, denies) if guarded else {}
    judge = _Judge(request, caller, owner, tuple(traces))  # type: ignore[arg-type]
    if denies:
        # Where several policy types deny, AWS names one: see guardrails.DENY_ORDER.
        hit = min(denies, key=lambda h: guardrails.DENY_ORDER[h.kind])
        return judge.explicit_deny(hit.kind, hit)
    if not guarded:
        return judge.grants(identity_allows, resource_allows, near_misses, resource_policy_required)
    # Organizations first: every level of RCPs (the resource's account), then of SCPs (the caller's),
    # must allow (IAM user guide, "Policy evaluation logic", steps 2 and 3).
    for kind, levels in (("rcp", request.rcps), ("scp", request.scps)):
        for level in levels or ():
            if not allows.get((kind, level.target)) and not guardrails.exempt(kind, caller):  # type: ignore[arg-type]
                return judge.level_without_allow(kind, level.target)
    caps = {
        kind: bool(allows.get((kind, "")))
        for kind, present in (
            ("boundary", request.boundary is not None),
            ("session", request.session_policies is not None),
        )
        if present
    }
    return judge.grants(identity_allows, resource_allows, near_misses, resource_policy_required, caps)


def _guardrail_hits(
    request: Request,
    caller: Caller,
    context: Mapping[str, ContextValue],
    traces: list[StatementTrace | None],
    denies: list[_Open],
) -> dict[tuple[str, str], list[_Open]]:
    """Evaluate the request's SCPs, RCPs, boundary and session policies: their traces join `traces`, their
    Denies `denies`; returns their Allows by (kind, level)."""
    allows: dict[tuple[str, str], list[_Open]] = {}
    for guard in guardrails.guards(request):
        skip = guardrails.exempt(guard.kind, caller)
        if skip:
            traces.extend(
                [_trace(guard.name, statement, False, skip) for statement in guard.policy.statements]
            )
            continue
        start = len(traces)
        plan = _plan(guard.name, guard.policy, caller, request, context, False)
        traces.extend(plan.traces)
        for entry in plan.open:
            trace, hit, joins = entry.fixed or entry.outcome(context)
            traces[start + entry.position] = trace
            if joins == 1:
                hit.kind = guard.kind
                denies.append(hit)
            elif joins == 2:
                allows.setdefault((guard.kind, guard.level), []).append(hit)
    return allows


class _Judge:
    """Turns what matched into a Decision: the rule, the sentences and the hint."""

    def __init__(
        self, request: Request, caller: Caller, owner: str | None, traces: tuple[StatementTrace, ...]
    ):
        self.request = request
        self.caller = caller
        self.owner = owner
        self.traces = traces
        self.action = request.action
        self.resource = request.resource_arn
        self.policy_name = request.resource_policy_name

    @property
    def who(self) -> str:
        return self.caller.describe()

    def explicit_deny(self, kind: str, hit: _Open) -> Decision:
        reason = f"Explicitly denied: {hit} denies {self.action}, and an explicit deny overrides every allow."
        hint = f"remove or narrow the Deny {hit}: no Allow anywhere can override it"
        rule = "explicit_deny"
        if kind in guardrails.RULE_STEM:
            rule = f"{guardrails.RULE_STEM[kind]}_deny"
            if kind in ("scp", "rcp"):
                reason += (
                    f" {guardrails.NOUN[kind][:-1].capitalize()}ies are set by the organization's"
                    " management account: nothing in this account can lift them."
                )
                hint = f"the organization's management account must remove or narrow the Deny {hit}"
        noun = guardrails.NOUN[kind]
        return self._decision("explicit_deny", rule, reason, f"with an explicit deny in {_a(noun)}", hint)

    def level_without_allow(self, kind: str, level: str) -> Decision:
        """No policy of this type attached at `level` of the organization allows the request."""
        noun = guardrails.NOUN[kind]
        whose = "resource's" if kind == "rcp" else "caller's"
        return self._decision(
            "implicit_deny",
            f"{guardrails.RULE_STEM[kind]}_missing_allow",
            f"Implicitly denied: no {noun} attached at {level} allows {self.action}; every level of the"
            f" organization above the {whose} account must allow it, whatever IAM allows.",
            f"because no {noun} allows the {self.action} action",
            f"the management account must attach at {level} a {noun} that allows {self.action}"
            + (" (FullAWSAccess allows everything)" if kind == "scp" else ""),
        )

    def capped(self, kind: str, path: str) -> Decision:
        """An allow that a permissions boundary or session policy does not let through."""
        noun = guardrails.NOUN[kind]
        whose = "this role session" if kind == "session" else self.who
        return self._decision(
            "implicit_deny",
            f"{guardrails.RULE_STEM[kind]}_missing_allow",
            f"Implicitly denied: {path}, but the {noun} of {whose} does not allow {self.action};"
            f" a {noun} only caps permissions, so both must allow.",
            f"because no {noun} allows the {self.action} action",
            f"allow {self.action}{self._on()} in the {noun}"
            + (" (or assume the role again with a wider --policy)" if kind == "session" else ""),
        )

    def grants(
        self,
        identity_allows: list[_Open],
        resource_allows: list[_Open],
        near_misses: list[tuple[_Open, str]],
        resource_policy_required: bool,
        caps: Mapping[str, bool] | None = None,
    ) -> Decision:
        direct = account = None
        if resource_allows:
            # The grant least capped first: one naming the caller itself, then everyone (`*`), then the
            # role of a session (which boundary and session policies cap, guardrails.py).
            for level in ("direct", "anyone", "role"):
                direct = direct or next((h for h in resource_allows if h.level == level), None)
            account = next((h for h in resource_allows if h.level == "account"), None)
        decision = self._grants(identity_allows, direct, account, near_misses, resource_policy_required)
        if not caps or not decision.allowed or decision.rule in ("root_user", "service_principal_grant"):
            return decision
        # A boundary or session policy caps every path but a same-account grant naming the caller itself
        # (and, for the boundary, everyone).
        if decision.rule == "same_account_direct_grant" and direct is not None:
            capped_by = {"direct": (), "anyone": ("session",), "role": ("boundary", "session")}[direct.level]
            path = f"{direct} allows the caller's role"
        else:
            capped_by = ("boundary", "session")
            path = f"{decision.reason.removeprefix('Allowed: ').rstrip('.')}"
        for kind in capped_by:
            if caps.get(kind) is False:
                return self.capped(kind, path)
        return decision

    def _grants(
        self,
        identity_allows: list[_Open],
        direct: _Open | None,
        account: _Open | None,
        near_misses: list[tuple[_Open, str]],
        resource_policy_required: bool,
    ) -> Decision:
        caller = self.caller
        granted = direct or account
        same = caller.account is not None and caller.account == self.owner
        identity = identity_allows[0] if identity_allows else None
        root = caller.kind == "root"

        policy = f"the {self.policy_name} policy"
        if caller.kind == "service":
            if direct:
                return self._allow(
                    "service_principal_grant",
                    f"{policy} grants {caller.arn} directly ({direct});"
                    " a service principal is decided by the resource policy alone",
                )
            return self._deny(
                "service_principal_not_granted",
                f"a service principal has no identity-based policies,"
                f" and no statement of {policy} grants {caller.arn} {self.action}",
                _RESOURCE,
                f'add a statement with "Principal": {{"Service": "{caller.arn}"}}'
                f" allowing {self.action} to {policy}",
                near_misses,
            )
        if root and same and not resource_policy_required:
            return self._allow(
                "root_user", f"{self.who} may do anything in its own account unless explicitly denied"
            )
        if resource_policy_required and not granted:
            return self._deny(
                "resource_policy_missing_allow",
                f"{policy} does not allow {self.who} to perform {self.action},"
                " and here an identity-based allow alone is not enough",
                _RESOURCE,
                f"name {caller.principal_arn} (or account {caller.account}) as a Principal"
                f" allowed {self.action} in {policy}",
                near_misses,
            )
        if same and direct:
            return self._allow(
                "same_account_direct_grant",
                f"{direct} names {self.who} directly,"
                " and within one account that is enough without an identity-based policy",
            )
        if identity or root:
            source = str(identity) if identity else "the root user's implicit permissions"
            if same:
                return self._allow(
                    "identity_allow", f"an identity-based policy allows {self.action}{self._on()} ({source})"
                )
            if granted:
                return self._allow(
                    "cross_account_allow",
                    f"cross-account access needs both sides, and both allow: {source}"
                    f" in account {caller.account}, and {granted} in account {self.owner}",
                )
            if self._resource_policy_grants():
                hint = (
                    f"account {self.owner}, which owns the repository, must name account {caller.account}"
                    f" (or {caller.principal_arn}) in {policy} for {self.action}"
                )
            else:
                hint = (
                    f"{policy} cannot grant {self.action}{self._why_not_resource_policy()}: do it as a"
                    f" principal of account {self.owner}"
                )
            return self._deny(
                "cross_account_missing_resource_allow",
                f"an identity-based policy allows {self.action} ({source}), but the resource belongs to"
                f" account {self.owner}, and cross-account access also needs {policy} to allow the caller",
                _RESOURCE,
                hint,
                near_misses,
            )
        add = f"add {self.action}{self._on()} to an identity policy of {self._attach_to()}"
        if same and account:
            return self._deny(
                "account_delegation_without_identity_allow",
                f"{account} names account {caller.account}, which only delegates to that account's IAM"
                f" policies, and no identity-based policy of {self.who} allows {self.action}",
                _IDENTITY,
                f"{add}, or name {caller.principal_arn} instead of the account in {policy}",
                near_misses,
            )
        if granted:
            return self._deny(
                "cross_account_missing_identity_allow",
                f"{granted} in account {self.owner} allows the caller, but cross-account access also needs"
                f" an identity-based policy in account {caller.account}, and none allows {self.action}",
                _IDENTITY,
                f"account {caller.account}, the caller's, must {add}",
                near_misses,
            )
        reason = f"no identity-based policy of {self.who} allows {self.action}{self._on()}"
        if self.resource == "*":
            reason += f" (an action with no resource type, which {policy} can never grant)"
            hint = f'add a statement allowing {self.action} on "Resource": "*" to an identity policy of'
            hint += f" {self._attach_to()}"
        else:
            reason += f", and {policy} does not grant it" if self.request.resource_policy else ""
            if not self._could_have_resource_policy():
                hint = add
            elif not self._resource_policy_grants():
                hint = f"{add} ({policy} cannot grant {self.action}{self._why_not_resource_policy()})"
            elif same:
                hint = f"{add}, or allow {caller.principal_arn} in {policy}"
            else:
                hint = add
        return self._deny("no_allow", reason, _IDENTITY, hint, near_misses)

    def _could_have_resource_policy(self) -> bool:
        """Is the resource one a resource-based policy is attached to here: a repository (or this request
        came with a policy, as AssumeRole does with the role's trust policy)? An IAM user, a VPC or an
        ECS task has none, so a hint must never propose one."""
        if self.request.resource_policy is not None:
            return True
        arn = parse_arn(self.resource)
        return arn is not None and (arn.service, arn.resource_type) == ("ecr", "repository")

    def _resource_policy_grants(self) -> bool:
        """Could the resource policy grant this request at all? Not for an action with no resource
        type (`*`), nor one over every repository (`repository/*`, e.g. DescribeRepositories), nor one
        that creates the repository its policy would be attached to."""
        return (
            self.resource != "*"
            and not self.resource.endswith("/*")
            and self.action.lower() not in _CREATES_ITS_RESOURCE
        )

    def _why_not_resource_policy(self) -> str:
        if self.action.lower() in _CREATES_ITS_RESOURCE:
            return ": it is attached to a repository, and this creates the repository"
        return ": it applies to one repository, and this request is not about one"

    def _on(self) -> str:
        return " on *" if self.resource == "*" else f" on {self.resource}"

    def _attach_to(self) -> str:
        """Where an identity policy goes: a session's permissions come from its role."""
        if self.caller.kind == "role_session":
            return f"role {self.caller.name}"
        return self.who

    def _allow(self, rule: str, reason: str) -> Decision:
        return Decision("allow", rule, f"Allowed: {reason}.", None, self.traces, *self._subject())

    def _deny(
        self, rule: str, reason: str, kind: str, hint: str, near_misses: list[tuple[_Open, str]]
    ) -> Decision:
        if near_misses:
            hit, why = near_misses[0]
            failed = why.rsplit(", ", 1)[-1]
            hint = f"{hit} would apply here, but its {failed}"
        return self._decision(
            "implicit_deny",
            rule,
            f"Implicitly denied: {reason}.",
            f"because no {kind} allows the {self.action} action",
            hint,
        )

    def _decision(self, verdict: Verdict, rule: str, reason: str, tail: str, hint: str) -> Decision:
        message = (
            f"User: {self.caller.arn} is not authorized to perform: {self.action}"
            f" on resource: {self.resource} {tail}"
        )
        return Decision(verdict, rule, reason, message, self.traces, *self._subject(), hint=hint)

    def _subject(self) -> tuple[str, str, str]:
        return self.request.principal_arn, self.action, self.resource


# Actions a repository policy can never grant: the policy lives on the repository they create.
_CREATES_ITS_RESOURCE = frozenset({"ecr:createrepository"})


def _a(kind: str) -> str:
    """AWS writes "in an identity-based policy", "in a resource-based policy", "in a permissions boundary"."""
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def lower_context(principal_arn: str, request_context: Mapping[str, ContextValue]) -> dict[str, ContextValue]:
    """The request context with lower-case keys (condition key names are case-insensitive), plus the keys
    AWS derives from the principal itself."""
    caller = parse_caller(principal_arn)
    context: dict[str, ContextValue] = {}
    if caller.kind == "service":
        context["aws:principalservicename"] = caller.arn
    elif caller.account is not None:
        context["aws:principalarn"] = caller.principal_arn
        context["aws:principalaccount"] = caller.account
        if caller.kind == "user":
            context["aws:username"] = caller.name
    context.update(lower_keys(request_context))
    return context


def lower_keys(context: Mapping[str, ContextValue]) -> dict[str, ContextValue]:
    """Context keys in lower case, multi-valued keys as tuples."""
    return {key.lower(): value if isinstance(value, str) else tuple(value) for key, value in context.items()}


def _not_consulted(
    request: Request, caller: Caller, name: str, is_resource_policy: bool, resource_policy_required: bool
) -> str | None:
    """Why a whole policy is left out of this decision, shown on each of its statements; None if it counts."""
    if not is_resource_policy and caller.kind == "service":
        return "not evaluated: a service principal has no identity-based policies"
    if is_resource_policy and request.resource_arn == "*" and not resource_policy_required:
        return (
            f"not evaluated: {request.action} has no resource type (resource *),"
            f" so the {name} policy is never consulted"
        )
    return None


def _trace(policy: str, statement: Statement, matched: bool, why: str) -> StatementTrace:
    return StatementTrace(policy, statement.sid, statement.index, statement.effect, matched, why)


# An open statement's outcome: its trace, what it adds to the decision's lists, and which list (an index
# into _decide's `lists`): nothing (0), a Deny that matched (1), an Allow that matched in an identity (2)
# or resource policy (3), or (hit, why) for an Allow that failed only on a condition, a near miss (4).
# The hit is the _Open statement itself.
_Outcome = tuple[StatementTrace, Any, int]
_MEMO_LIMIT = 1024


class _Open:
    """A statement that covers the request (its caller, action and resource), so that its outcome is open:
    its conditions decide it, and it can match or nearly match, which makes it a hit the decision names
    ("statement "Pull" of the repository policy"). Its outcomes are remembered here by the values of the
    context keys it reads, so a moved clock re-checks only the statements that read it."""

    __slots__ = (
        "fixed",
        "kind",
        "level",
        "outcomes",
        "policy",
        "position",
        "resource_policy",
        "statement",
        "why",
    )

    def __init__(
        self,
        policy: str,
        position: int,
        statement: Statement,
        why: str,
        level: PrincipalMatch | None,
        resource_policy: bool,
    ):
        self.policy = policy  # its name in the request
        self.position = position  # in the policy's statements
        self.statement = statement
        self.why = why  # the scope's clauses: principal, action, resource
        self.level = level
        self.resource_policy = resource_policy
        self.kind = "resource" if resource_policy else "identity"  # or a guardrail's kind, once it denies
        self.outcomes: dict[tuple[ContextValue | None, ...], _Outcome] = {}
        # A statement with no conditions matched, whatever the context.
        self.fixed: _Outcome | None = None

    def __str__(self) -> str:
        where = f"the {self.policy} policy" if self.resource_policy else self.policy
        return f"statement {self.statement.label} of {where}"

    def outcome(self, context: Mapping[str, ContextValue]) -> _Outcome:
        """The statement's outcome under its conditions (Statement.conditions is not empty)."""
        statement = self.statement
        key = tuple(map(context.get, statement.context_keys))
        outcomes = self.outcomes
        outcome = outcomes.get(key) if outcomes else None
        if outcome is not None:
            return outcome
        why = self.why
        for condition in statement.conditions:
            matched, clause = check(condition, context, statement.variables)
            why = f"{why}, {clause}"
            if not matched:
                break
        trace = StatementTrace(self.policy, statement.sid, statement.index, statement.effect, matched, why)
        if matched:
            outcome = self.matched(trace)
        elif statement.effect == "Allow":
            outcome = (trace, (self, why), 4)
        else:
            outcome = (trace, None, 0)
        if len(outcomes) >= _MEMO_LIMIT:
            outcomes.clear()
        outcomes[key] = outcome
        return outcome

    def matched(self, trace: StatementTrace) -> _Outcome:
        """The outcome of the statement when it applies: a hit among the denies or the allows."""
        joins = 1 if self.statement.effect == "Deny" else 3 if self.resource_policy else 2
        return trace, self, joins


class _Plan:
    """One policy's statements sorted for one request's name, action, resource and caller (and the values
    of the context keys its Resource elements read): the traces of those that do not cover the request
    (most of them, in practice: their Action does not name the action), which no condition can change,
    and the open ones, whose conditions decide. A request that repeats these costs one dictionary lookup
    per policy and a loop over the open statements only (see benchmarks/policy_eval.py)."""

    __slots__ = ("open", "traces")

    def __init__(self, traces: list[StatementTrace | None], open_: list[_Open]):
        self.traces = traces  # in statement order; None where an open statement's trace goes
        self.open = open_


def _plan(
    name: str,
    policy: Policy,
    caller: Caller,
    request: Request,
    context: Mapping[str, ContextValue],
    resource_policy: bool,
) -> _Plan:
    """The policy's plan for this request, remembered on the policy."""
    reads = policy.resource_keys
    key = (
        name,
        request.action if policy.reads_action else None,
        request.resource_arn if policy.reads_resource else None,
        (caller.arn, caller.role_arn, request.boundary is not None) if resource_policy else None,
        tuple(map(context.get, reads)) if reads else None,
    )
    memo = policy.memo
    # A policy never evaluated before (just written or parsed) has nothing to look up.
    plan = memo.get(key) if memo else None
    if plan is not None:
        return plan
    traces: list[StatementTrace | None] = []
    open_: list[_Open] = []
    action = request.action
    for position, statement in enumerate(policy.statements):
        found = statement.action_pattern.fullmatch(action)
        if not found and not resource_policy and not statement.not_action:
            # Most statements of an identity policy, in practice: one regex test decides, and the clause
            # is the only one (no principal to name first).
            why = _not_in_action(statement, action)
            traces.append(StatementTrace(name, statement.sid, statement.index, statement.effect, False, why))
            continue
        matched, why, level = _scope(statement, found, caller, request, context, resource_policy)
        if not matched:
            traces.append(StatementTrace(name, statement.sid, statement.index, statement.effect, False, why))
            continue
        traces.append(None)
        entry = _Open(name, position, statement, why, level, resource_policy)
        if not statement.conditions:
            trace = StatementTrace(
                name, statement.sid, statement.index, statement.effect, True, f"{why}, no conditions"
            )
            entry.fixed = entry.matched(trace)
        open_.append(entry)
    plan = _Plan(traces, open_)
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = plan
    return plan


def _scope(
    statement: Statement,
    found: re.Match[str] | None,
    caller: Caller,
    request: Request,
    context: Mapping[str, ContextValue],
    resource_policy: bool,
) -> tuple[bool, str, PrincipalMatch | None]:
    """Does the statement cover this caller (resource policies), action and resource? Conditions aside.
    `found` is the statement's Action pattern matched against the action."""
    level: PrincipalMatch | None = None
    ok, why = _action(statement, request.action, found)
    if ok and statement.resources is not None:
        ok, clause = _resource(statement, request.resource_arn, context)
        why = f"{why}, {clause}"
    if resource_policy:
        level, clause = _principal(statement, caller, bounded=request.boundary is not None)
        if level is None:
            return False, clause, None
        why = f"{clause}, {why}"
    return ok, why, level


def _principal(statement: Statement, caller: Caller, *, bounded: bool) -> tuple[PrincipalMatch | None, str]:
    entries = statement.principals or ()
    matches = [(principal_match(kind, value, caller), value) for kind, value in entries]
    if statement.not_principal and statement.effect == "Deny" and bounded:
        # access_policies_boundaries.html: "The NotPrincipal element with a Deny effect will always deny
        # any IAM principal that has a permissions boundary policy attached, regardless of the values
        # specified in the NotPrincipal element."
        return (
            "direct",
            "principal: a NotPrincipal Deny applies to every principal with a permissions boundary",
        )
    if statement.not_principal:
        excepted = next(
            (value for level, value in matches if level == "direct" or (level and caller.kind == "root")),
            None,
        )
        if excepted is not None:
            clause = f"principal: NotPrincipal lists the caller ({excepted}), so the statement does not apply"
            if caller.kind != "root" and all(level != "account" for level, _ in matches):
                # reference_policies_elements_notprincipal.html: list the account too, or "AWS might
                # validate the account first" and deny the whole account.
                clause += f" (AWS advises listing its account arn:aws:iam::{caller.account}:root too)"
            return None, clause
        return "direct", "principal: the caller is not listed in NotPrincipal, so the statement applies"
    for wanted in ("direct", "account"):
        value = next((value for level, value in matches if level == wanted), None)
        if value is None:
            continue
        if wanted == "account":
            return (
                "account",
                f"principal {value} names account {caller.account} (delegates to its IAM policies)",
            )
        if value == "*":
            return "anyone", "principal * matches everyone"
        if value != caller.arn:
            return "role", f"principal {value} names the caller's role"
        return "direct", f"principal {value} names the caller"
    return None, f"principal does not name {caller.arn} (names {show_values(tuple(v for _, v in entries))})"


def _action(statement: Statement, action: str, found: re.Match[str] | None) -> tuple[bool, str]:
    if statement.not_action:
        if found:
            return False, f"action {action} is listed in NotAction {statement.actions_shown}"
        return True, f"action {action} is not listed in NotAction, so it applies"
    if not found:
        return False, _not_in_action(statement, action)
    return True, statement.action_clauses[which(found)]


def _not_in_action(statement: Statement, action: str) -> str:
    return f"action {action} not in Action {statement.actions_shown}"


def _resource(statement: Statement, resource: str, context: Mapping[str, ContextValue]) -> tuple[bool, str]:
    patterns = statement.resources or ()
    hit: str | None = None
    unresolved = False
    compiled = statement.resource_pattern
    if compiled is not None:
        if resource == "*":  # iam-evaluation.md §6: only "Resource": "*" matches a resource-less request
            hit = "*" if "*" in patterns else None
        else:
            found = compiled.fullmatch(resource)
            if found and not statement.not_resource:  # the common case, its clause written at parse time
                return True, statement.resource_clauses[which(found)]
            hit = patterns[which(found)] if found else None
        patterns = ()
    for pattern in patterns:
        if statement.variables and has_variables(pattern):
            pieces = resolve(pattern, context)
            if pieces is None:
                unresolved = True
                continue
        else:
            pieces = ((pattern, False),)
        if resource_matches(pieces, resource):
            hit = pattern
            break
    note = " (a policy variable in it has no value in this request)" if unresolved else ""
    element = "NotResource" if statement.not_resource else "Resource"
    if statement.not_resource:
        if hit is not None:
            return False, f"resource {resource} is listed in NotResource ({hit})"
        return True, f"resource {resource} is not listed in NotResource, so it applies{note}"
    if hit is not None:
        return True, f"resource matched {hit}"
    if resource == "*":
        return False, (
            f'resource * (an action with no resource type) is matched only by "Resource": "*",'
            f" not {statement.resources_shown}{note}"
        )
    return False, f"resource {resource} does not match {element} {statement.resources_shown}{note}"
