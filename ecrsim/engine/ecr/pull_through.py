"""Pull through cache rules: Create/Describe/Update/Delete/ValidatePullThroughCacheRule, the upstreams ECR
supports, and which rule covers a repository (the pull itself is ecr.cache_import's).

AWS's rules, from the ECR user guide (pull-through-cache, pull-through-cache-creating-rule) and the API
reference:
- Upstreams: Amazon ECR Public, Kubernetes (registry.k8s.io) and Quay need no authentication; Docker
  Hub, GitHub Container Registry, GitLab Container Registry, Azure Container Registry and Chainguard need
  a Secrets Manager secret whose name begins with `ecr-pullthroughcache/`; Amazon ECR (ECR to ECR) needs
  an IAM role when the upstream registry belongs to another account.
- The prefix always has an assumed trailing `/`: with prefix `docker-hub`, the repository
  `docker-hub/library/nginx` caches Docker Hub's `library/nginx`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from ecrsim.engine import upstream as catalogue
from ecrsim.engine.api import Call, operation
from ecrsim.engine.ecr.access import page, registry_of
from ecrsim.engine.ecr.model import PullThroughCacheRule, Registry
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import LineKind
from ecrsim.engine.secretsmanager import find_secret

if TYPE_CHECKING:
    from ecrsim.engine.world import World

MAX_RULES = 50  # pull through cache rules per registry (ECR service quotas)
Auth = Literal["none", "secret", "role"]


@dataclass(frozen=True)
class Upstream:
    """One kind of upstream registry: its `upstreamRegistry` name, the URL a rule gives, and its auth."""

    name: str
    url: re.Pattern[str]
    auth: Auth
    host: str | None = None  # the catalogue's host when it is not the URL itself (Docker Hub)


_UPSTREAMS = (
    Upstream("ecr-public", re.compile(r"public\.ecr\.aws"), "none"),
    Upstream("quay", re.compile(r"quay\.io"), "none"),
    Upstream("k8s", re.compile(r"registry\.k8s\.io"), "none"),
    Upstream("docker-hub", re.compile(r"registry-1\.docker\.io"), "secret", catalogue.DOCKER_HUB),
    Upstream("github-container-registry", re.compile(r"ghcr\.io"), "secret"),
    Upstream("gitlab-container-registry", re.compile(r"registry\.gitlab\.com"), "secret"),
    Upstream("azure-container-registry", re.compile(r"[a-z0-9]+\.azurecr\.io"), "secret"),
    Upstream("chainguard", re.compile(r"cgr\.dev"), "secret"),
    Upstream("ecr", re.compile(r"(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com"), "role"),
)


# The members' patterns in ECR's service model (PullThroughCacheRuleRepositoryPrefix, CredentialArn). The CLI
# checks lengths; the service checks patterns and answers with its ValidationException.
_PREFIX_PATTERN = r"^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$"
_PATTERNS = {
    "ecrRepositoryPrefix": _PREFIX_PATTERN,
    "upstreamRepositoryPrefix": _PREFIX_PATTERN,
    "credentialArn": (
        r"^arn:aws(-\w+)*:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr\-pullthroughcache\/[a-zA-Z0-9\/_+=.@-]+$"
    ),
}


def _check_patterns(params: dict[str, Any]) -> None:
    for member, pattern in _PATTERNS.items():
        value = params.get(member)
        if value is not None and not re.fullmatch(pattern, value):
            raise ServiceError(
                "ValidationException",
                f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint:"
                f" Member must satisfy regular expression pattern: {pattern}",
            )


def upstream_of(url: str) -> Upstream | None:
    return next((kind for kind in _UPSTREAMS if kind.url.fullmatch(url)), None)


# -- the rules' API ---------------------------------------------------------------------------------------
def _not_found(prefix: str, registry: Registry) -> ServiceError:
    return ServiceError(
        "PullThroughCacheRuleNotFoundException",
        f"The pull through cache rule with Amazon ECR repository prefix '{prefix}' does not exist in the "
        f"registry with id '{registry.account_id}'",
    )


def _prefix(params: dict[str, Any]) -> str:
    """The prefix as ECR keeps it (the assumed trailing `/` is not part of it), once every member with a
    pattern has been checked against it."""
    _check_patterns(params)
    return str(params["ecrRepositoryPrefix"]).rstrip("/")


def _optional(rule: PullThroughCacheRule) -> dict[str, str]:
    """The members a rule shows only when it has them, in the API's order."""
    members = {
        "credentialArn": rule.credential_arn,
        "customRoleArn": rule.custom_role_arn,
        "upstreamRepositoryPrefix": rule.upstream_prefix,
    }
    return {key: value for key, value in members.items() if value}


def _shown(rule: PullThroughCacheRule, registry: Registry) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "ecrRepositoryPrefix": rule.prefix,
        "upstreamRegistryUrl": rule.upstream_url,
        "createdAt": rule.created_at,
        "registryId": registry.account_id,
        **_optional(rule),
    }
    shown["upstreamRegistry"] = rule.upstream_registry
    if rule.updated_at:
        shown["updatedAt"] = rule.updated_at
    return shown


def _check_secret(call: Call, registry: Registry, arn: str) -> None:
    """A rule's credentialArn must name a secret ECR can read in the registry's account and Region."""
    account = call.world.accounts.get(registry.account_id)
    secret = find_secret(account, registry.region, arn) if account else None
    if secret is None or secret.deleted_at is not None:
        # AWS's message for this error could not be found; the code is the API reference's.
        call.explain(LineKind.VALIDATION, f"no usable Secrets Manager secret {arn} in {registry.region}")
        raise ServiceError(
            "SecretNotFoundException", f"The specified secret '{arn}' could not be found in Secrets Manager."
        )
    call.explain(LineKind.VALIDATION, f"credentials: Secrets Manager secret {secret.name}")


def _check_upstream(
    call: Call, registry: Registry, kind: Upstream, params: dict[str, Any]
) -> tuple[str | None, str | None, str | None]:
    """(credentialArn, customRoleArn, upstreamRepositoryPrefix) after AWS's per-upstream rules."""
    credential, role = params.get("credentialArn"), params.get("customRoleArn")
    upstream_prefix = params.get("upstreamRepositoryPrefix")
    if kind.auth == "secret" and not credential:
        call.explain(
            LineKind.VALIDATION,
            f"{kind.name} requires authentication: store a username and access token in a Secrets Manager"
            " secret named ecr-pullthroughcache/... and pass its ARN as --credential-arn",
        )
        # Text as reported from ECR (aws-controllers-k8s/community#2589).
        raise ServiceError(
            "UnsupportedUpstreamRegistryException",
            "The specified upstream registry requires authentication. Specify a valid Secrets Manager ARN.",
        )
    if kind.auth != "secret" and credential:
        raise ServiceError(
            "InvalidParameterException",
            f"Invalid parameter: credentialArn is not supported for the upstream registry {kind.name}",
        )
    if kind.auth != "role" and (role or upstream_prefix not in (None, "ROOT")):
        raise ServiceError(
            "InvalidParameterException",
            "Invalid parameter: customRoleArn and upstreamRepositoryPrefix are supported only for an "
            "Amazon ECR upstream registry",
        )
    if kind.auth == "role":
        match = kind.url.fullmatch(params["upstreamRegistryUrl"])
        assert match is not None
        if match.group(1) != registry.account_id and not role:
            call.explain(
                LineKind.VALIDATION,
                "an upstream ECR registry in another account needs an IAM role that ECR assumes"
                " (customRoleArn)",
            )
            raise ServiceError(
                "InvalidParameterException",
                "Invalid parameter: customRoleArn is required for a cross-account Amazon ECR upstream"
                " registry",
            )
    if credential:
        _check_secret(call, registry, credential)
    return credential, role, None if upstream_prefix in (None, "ROOT") else upstream_prefix.rstrip("/")


@operation("ecr", "CreatePullThroughCacheRule")
def create_pull_through_cache_rule(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    call.authorize("ecr:CreatePullThroughCacheRule", "*")
    registry = registry_of(call, params)
    prefix = _prefix(params)
    url = params["upstreamRegistryUrl"].removeprefix("https://").rstrip("/")
    kind = upstream_of(url)
    if kind is None:
        # AWS's message could not be found; the code and the supported URLs are the API reference's.
        call.explain(
            LineKind.VALIDATION,
            f"{url} is not an upstream ECR supports (public.ecr.aws, registry-1.docker.io, quay.io, ghcr.io,"
            " registry.gitlab.com, registry.k8s.io, NAME.azurecr.io, cgr.dev,"
            " ACCOUNT.dkr.ecr.REGION.amazonaws.com)",
        )
        raise ServiceError(
            "UnsupportedUpstreamRegistryException", "The specified upstream registry is not supported."
        )
    named = params.get("upstreamRegistry")
    if named and named != kind.name:
        raise ServiceError(
            "InvalidParameterException",
            f"Invalid parameter: upstreamRegistry {named} does not match upstreamRegistryUrl {url}",
        )
    if prefix == "ROOT" and kind.auth != "role":
        raise ServiceError(
            "InvalidParameterException",
            "Invalid parameter: the ROOT prefix is supported only for an Amazon ECR upstream registry",
        )
    if prefix in registry.pull_through_rules:
        raise ServiceError(
            "PullThroughCacheRuleAlreadyExistsException",
            f"The pull through cache rule with Amazon ECR repository prefix '{prefix}' already exists in the "
            f"registry with id '{registry.account_id}'",
        )
    if len(registry.pull_through_rules) >= MAX_RULES:
        raise ServiceError(
            "LimitExceededException",
            f"The maximum number of pull through cache rules ({MAX_RULES}) for the registry has been"
            " reached.",
        )
    credential, role, upstream_prefix = _check_upstream(call, registry, kind, params)
    rule = PullThroughCacheRule(prefix, url, kind.name, call.now, None, credential, role, upstream_prefix)
    registry.pull_through_rules[prefix] = rule
    call.explain(
        LineKind.REGISTRY, f"repositories named {prefix}/... will be synced from {url} ({kind.name})"
    )
    shown = _shown(rule, registry)
    return {key: value for key, value in shown.items() if key != "updatedAt"}


@operation("ecr", "DescribePullThroughCacheRules")
def describe_pull_through_cache_rules(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    call.authorize("ecr:DescribePullThroughCacheRules", "*")
    registry = registry_of(call, params)
    wanted = [
        _prefix({"ecrRepositoryPrefix": prefix}) for prefix in params.get("ecrRepositoryPrefixes") or []
    ]
    for prefix in wanted:
        if prefix not in registry.pull_through_rules:
            raise _not_found(prefix, registry)
    rules = [rule for prefix, rule in registry.pull_through_rules.items() if not wanted or prefix in wanted]
    shown, token = page([_shown(rule, registry) for rule in rules], params)
    response: dict[str, Any] = {"pullThroughCacheRules": shown}
    if token:
        response["nextToken"] = token
    return response


def _rule(call: Call, params: dict[str, Any], action: str) -> tuple[Registry, PullThroughCacheRule]:
    call.authorize(action, "*")
    registry = registry_of(call, params)
    prefix = _prefix(params)
    rule = registry.pull_through_rules.get(prefix)
    if rule is None:
        raise _not_found(prefix, registry)
    return registry, rule


@operation("ecr", "UpdatePullThroughCacheRule")
def update_pull_through_cache_rule(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, rule = _rule(call, params, "ecr:UpdatePullThroughCacheRule")
    kind = upstream_of(rule.upstream_url)
    assert kind is not None
    merged = {
        "upstreamRegistryUrl": rule.upstream_url,
        "credentialArn": params.get("credentialArn", rule.credential_arn),
        "customRoleArn": params.get("customRoleArn", rule.custom_role_arn),
        "upstreamRepositoryPrefix": rule.upstream_prefix,
    }
    credential, role, _ = _check_upstream(call, registry, kind, merged)
    updated = replace(rule, credential_arn=credential, custom_role_arn=role, updated_at=call.now)
    registry.pull_through_rules[rule.prefix] = updated
    return {
        "ecrRepositoryPrefix": rule.prefix,
        "registryId": registry.account_id,
        "updatedAt": call.now,
        **_optional(updated),
    }


@operation("ecr", "DeletePullThroughCacheRule")
def delete_pull_through_cache_rule(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, rule = _rule(call, params, "ecr:DeletePullThroughCacheRule")
    del registry.pull_through_rules[rule.prefix]
    call.explain(
        LineKind.REGISTRY,
        f"rule {rule.prefix} deleted: the repositories it created stay, and are no longer synced",
    )
    shown = _shown(rule, registry)
    return {key: value for key, value in shown.items() if key not in ("upstreamRegistry", "updatedAt")}


@operation("ecr", "ValidatePullThroughCacheRule")
def validate_pull_through_cache_rule(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, rule = _rule(call, params, "ecr:ValidatePullThroughCacheRule")
    problem = upstream_auth_problem(call.world, registry, rule)
    response: dict[str, Any] = {
        "ecrRepositoryPrefix": rule.prefix,
        "registryId": registry.account_id,
        "upstreamRegistryUrl": rule.upstream_url,
        **_optional(rule),
        "isValid": problem is None,
    }
    if problem is not None:
        response["failure"] = problem
        call.explain(
            LineKind.REGISTRY, f"rule {rule.prefix} cannot authenticate to {rule.upstream_url}: {problem}"
        )
    else:
        call.explain(LineKind.REGISTRY, f"rule {rule.prefix}: ECR reached {rule.upstream_url}")
    return response


def upstream_auth_problem(world: World, registry: Registry, rule: PullThroughCacheRule) -> str | None:
    """Why ECR cannot authenticate to the rule's upstream now (its secret deleted or malformed), or None.
    The failure sentences are the simulator's: AWS's texts could not be found."""
    if not rule.credential_arn:
        return None
    account = world.accounts.get(registry.account_id)
    secret = find_secret(account, registry.region, rule.credential_arn) if account else None
    if secret is None or secret.deleted_at is not None:
        return f"The secret {rule.credential_arn} could not be found."
    if secret.credentials() is None:
        return (
            f"The secret {secret.name} does not hold the JSON ECR expects: "
            '{"username": "...", "accessToken": "..."}.'
        )
    return None


def matching_rule(registry: Registry, name: str) -> PullThroughCacheRule | None:
    """The rule whose prefix (with its assumed `/`) begins `name`; the longest wins."""
    found = [
        rule
        for prefix, rule in registry.pull_through_rules.items()
        if prefix == "ROOT" or name.startswith(prefix + "/")
    ]
    return max(found, key=lambda rule: len(rule.prefix) if rule.prefix != "ROOT" else 0, default=None)
