"""Repository creation templates, and the one function that creates a repository on the owner's behalf.

ECR creates repositories itself in three cases (API_CreateRepositoryCreationTemplate, `appliedFor`):
replication into a registry, a pull through cache's first pull, and a push to a name that does not exist
(CREATE_ON_PUSH). The template whose prefix covers the new name, with the longest prefix, and that is
applied for that case gives the repository its settings: tag mutability, encryption, resource tags, a
repository policy and a lifecycle policy. `ROOT` covers every name no other template covers. Without a
template the repository gets AWS's defaults (ECR user guide, "Private image replication": tag
immutability, scanning and KMS encryption are off on a repository replication creates).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.arn import parse_arn
from ecrsim.engine.ecr.access import page, registry_of
from ecrsim.engine.ecr.encryption import encryption_setting
from ecrsim.engine.ecr.lifecycle import parse_lifecycle_text
from ecrsim.engine.ecr.model import (
    AppliedFor,
    CreationTemplate,
    EncryptionConfiguration,
    Registry,
    Repository,
    RepositoryPolicy,
    StoredLifecyclePolicy,
)
from ecrsim.engine.ecr.names import invalid_parameter
from ecrsim.engine.ecr.policies import MAX_POLICY_TEXT, jackson_text
from ecrsim.engine.ecr.repositories import (
    MAX_TAGS,
    mutability_setting,
    tag_map,
    too_many_tags,
)
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import LineKind
from ecrsim.engine.policy.document import PolicyError, parse_resource_policy

# The service model's Prefix pattern (botocore `Prefix`): a repository namespace, or ROOT.
PREFIX = re.compile(r"^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$")
APPLIED_FOR: tuple[AppliedFor, ...] = ("REPLICATION", "PULL_THROUGH_CACHE", "CREATE_ON_PUSH")
MAX_DESCRIPTION = 256


def _validate_prefix(prefix: str) -> str:
    if not 1 <= len(prefix) <= 256 or not PREFIX.fullmatch(prefix):
        raise invalid_parameter("prefix", f"Member must satisfy regular expression pattern: {PREFIX.pattern}")
    return prefix


def _applied_for(values: list[str]) -> tuple[AppliedFor, ...]:
    if not values or any(value not in APPLIED_FOR for value in values):
        raise invalid_parameter(
            "appliedFor", f"Member must satisfy enum value set: [{', '.join(APPLIED_FOR)}]"
        )
    return tuple(dict.fromkeys(values))  # type: ignore[arg-type]


def _repository_policy(call: Call, text: str) -> RepositoryPolicy | None:
    if not text:
        return None
    if len(text) > MAX_POLICY_TEXT:
        raise invalid_parameter(
            "repositoryPolicy", f"Member must have length less than or equal to {MAX_POLICY_TEXT}"
        )
    try:
        return RepositoryPolicy(text, parse_resource_policy(text))
    except PolicyError as error:
        call.explain(LineKind.VALIDATION, f"ECR refused the template's repository policy: {error}")
        raise invalid_parameter("repositoryPolicy", "Invalid repository policy provided") from None


def _custom_role(call: Call, registry: Registry, arn: str) -> str:
    """customRoleArn: a role of the registry's own account (API_CreateRepositoryCreationTemplate: "This
    role must be in the same account as the registry"), which the caller must be allowed to pass."""
    if not arn:
        return ""
    role = parse_arn(arn)
    if (
        role is None
        or (role.service, role.resource_type, role.account) != ("iam", "role", registry.account_id)
        or not re.fullmatch(r"[\w+=,.@/-]+", role.resource_id)
    ):
        # The constraint is AWS's; the wording of the refusal is the simulator's.
        raise invalid_parameter(
            "customRoleArn", f"must be the ARN of an IAM role in account {registry.account_id}"
        )
    call.authorize("iam:PassRole", arn)
    return arn


def _settings(call: Call, registry: Registry, params: dict[str, Any]) -> dict[str, Any]:
    """The template fields `params` sets, validated as CreateRepositoryCreationTemplate validates them."""
    fields: dict[str, Any] = {}
    if "description" in params:
        if len(params["description"]) > MAX_DESCRIPTION:
            raise invalid_parameter(
                "description", f"Member must have length less than or equal to {MAX_DESCRIPTION}"
            )
        fields["description"] = params["description"]
    if "appliedFor" in params:
        fields["applied_for"] = _applied_for(params["appliedFor"])
    if "imageTagMutability" in params or "imageTagMutabilityExclusionFilters" in params:
        mutability, exclusions = mutability_setting(params, "MUTABLE")
        fields["image_tag_mutability"], fields["mutability_exclusions"] = mutability, exclusions
    if "encryptionConfiguration" in params:
        config = params["encryptionConfiguration"]
        encryption_setting(config, registry)  # refused as CreateRepository refuses it
        fields["encryption"] = EncryptionConfiguration(config["encryptionType"], config.get("kmsKey") or None)
    if "resourceTags" in params:
        tags = tag_map(params["resourceTags"])
        if len(tags) > MAX_TAGS:
            raise too_many_tags(len(tags))
        fields["resource_tags"] = tuple(tags.items())
    if "repositoryPolicy" in params:
        fields["repository_policy"] = _repository_policy(call, params["repositoryPolicy"])
    if "lifecyclePolicy" in params:
        text = params["lifecyclePolicy"]
        fields["lifecycle_policy"] = StoredLifecyclePolicy(text, parse_lifecycle_text(text)) if text else None
    if "customRoleArn" in params:
        fields["custom_role_arn"] = _custom_role(call, registry, params["customRoleArn"])
    return fields


def describe_template(template: CreationTemplate) -> dict[str, Any]:
    """A template as the API shows it (RepositoryCreationTemplate)."""
    shown: dict[str, Any] = {"prefix": template.prefix}
    if template.description:
        shown["description"] = template.description
    shown["encryptionConfiguration"] = (template.encryption or EncryptionConfiguration()).to_api()
    shown["resourceTags"] = [{"Key": key, "Value": value} for key, value in template.resource_tags]
    shown["imageTagMutability"] = template.image_tag_mutability
    if template.mutability_exclusions:
        shown["imageTagMutabilityExclusionFilters"] = [
            {"filterType": "WILDCARD", "filter": pattern} for pattern in template.mutability_exclusions
        ]
    if template.repository_policy:
        shown["repositoryPolicy"] = template.repository_policy.text
    if template.lifecycle_policy:
        shown["lifecyclePolicy"] = template.lifecycle_policy.text
    shown["appliedFor"] = list(template.applied_for)
    if template.custom_role_arn:
        shown["customRoleArn"] = template.custom_role_arn
    shown["createdAt"] = template.created_at
    shown["updatedAt"] = template.updated_at
    return shown


def _not_found(prefix: str, registry: Registry) -> ServiceError:
    # The code is AWS's; the message is the simulator's (AWS documents none).
    return ServiceError(
        "TemplateNotFoundException",
        f"The repository creation template with prefix '{prefix}' does not exist in the registry with id"
        f" '{registry.account_id}'",
    )


def _answer(registry: Registry, template: CreationTemplate) -> dict[str, Any]:
    return {"registryId": registry.account_id, "repositoryCreationTemplate": describe_template(template)}


@operation("ecr", "CreateRepositoryCreationTemplate")
def create_repository_creation_template(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    prefix = _validate_prefix(params["prefix"])
    call.authorize("ecr:CreateRepositoryCreationTemplate", "*")
    registry = registry_of(call, {})
    if "appliedFor" not in params:
        raise invalid_parameter("appliedFor", "Member must not be null")
    if prefix in registry.templates:
        raise ServiceError(
            "TemplateAlreadyExistsException",
            f"The repository creation template with prefix '{prefix}' already exists in the registry"
            f" with id '{registry.account_id}'",
        )
    template = CreationTemplate(
        prefix=prefix,
        created_at=call.now,
        updated_at=call.now,
        **_settings(call, registry, params),
    )
    registry.templates[prefix] = template
    return _answer(registry, template)


@operation("ecr", "UpdateRepositoryCreationTemplate")
def update_repository_creation_template(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    prefix = _validate_prefix(params["prefix"])
    call.authorize("ecr:UpdateRepositoryCreationTemplate", "*")
    registry = registry_of(call, {})
    template = registry.templates.get(prefix)
    if template is None:
        raise _not_found(prefix, registry)
    # What the call leaves out stays as it was.
    template = replace(template, updated_at=call.now, **_settings(call, registry, params))
    registry.templates[prefix] = template
    return _answer(registry, template)


@operation("ecr", "DeleteRepositoryCreationTemplate")
def delete_repository_creation_template(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    prefix = _validate_prefix(params["prefix"])
    call.authorize("ecr:DeleteRepositoryCreationTemplate", "*")
    registry = registry_of(call, {})
    template = registry.templates.pop(prefix, None)
    if template is None:
        raise _not_found(prefix, registry)
    return _answer(registry, template)


@operation("ecr", "DescribeRepositoryCreationTemplates")
def describe_repository_creation_templates(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    prefixes = [_validate_prefix(prefix) for prefix in params.get("prefixes") or []]
    call.authorize("ecr:DescribeRepositoryCreationTemplates", "*")
    registry = registry_of(call, {})
    templates = sorted(registry.templates.values(), key=lambda template: template.prefix)
    if prefixes:
        templates = [template for template in templates if template.prefix in prefixes]
    shown, token = page(templates, params)
    response: dict[str, Any] = {
        "registryId": registry.account_id,
        "repositoryCreationTemplates": [describe_template(template) for template in shown],
    }
    if token:
        response["nextToken"] = token
    return response


def matching_template(registry: Registry, name: str, applied_for: AppliedFor) -> CreationTemplate | None:
    """The template ECR applies to repository `name` created for `applied_for`: of the templates applied
    for that case, the one with the longest prefix covering the name, else ROOT's."""
    covering = [
        template
        for template in registry.templates.values()
        if applied_for in template.applied_for and template.matches(name)
    ]
    return max(covering, key=lambda t: -1 if t.prefix == "ROOT" else len(t.prefix), default=None)


def create_repository_on_behalf(
    call: Call, registry: Registry, name: str, applied_for: AppliedFor
) -> Repository:
    """Create repository `name` in `registry` as ECR does for replication, pull through cache or create on
    push: with the matching template's settings, else AWS's defaults; explain which on the call.

    The caller has already decided that ECR may create it (ecr:CreateRepository, under the registry policy
    where another account or the pull through cache asks).
    """
    template = matching_template(registry, name, applied_for)
    repository = Repository(
        registry_id=registry.account_id, region=registry.region, name=name, created_at=call.now
    )
    where = f"repository {name} in registry {registry.account_id} ({registry.region})"
    if template is None:
        ignored = [t.prefix for t in registry.templates.values() if t.matches(name)]
        aside = (
            f"; template {', '.join(ignored)} covers the name but is not applied for {applied_for}"
            if ignored
            else ""
        )
        call.explain(
            LineKind.REGISTRY,
            f"ECR created {where} for {applied_for} with AWS's defaults, as no creation template applies"
            f"{aside}: MUTABLE tags, AES256 encryption, no scan on push, no repository or lifecycle policy",
        )
    else:
        _apply(template, repository, registry)
        call.explain(
            LineKind.REGISTRY,
            f"ECR created {where} for {applied_for} with creation template '{template.prefix}' (the longest"
            f" prefix covering {name}): {_template_summary(template)}",
        )
    registry.repositories[name] = repository
    return repository


def _apply(template: CreationTemplate, repository: Repository, registry: Registry) -> None:
    repository.image_tag_mutability = template.image_tag_mutability
    repository.mutability_exclusions = template.mutability_exclusions
    if template.encryption is not None:
        repository.encryption = encryption_setting(template.encryption.to_api(), registry)
    repository.tags = dict(template.resource_tags)
    if template.repository_policy is not None:
        policy = template.repository_policy
        repository.policy = RepositoryPolicy(jackson_text(json.loads(policy.text)), policy.policy)
    repository.lifecycle = template.lifecycle_policy


def _template_summary(template: CreationTemplate) -> str:
    parts = [f"{template.image_tag_mutability} tags"]
    if template.encryption is not None:
        parts.append(f"{template.encryption.encryption_type} encryption")
    if template.resource_tags:
        parts.append("tags " + ", ".join(f"{key}={value}" for key, value in template.resource_tags))
    parts.append("its repository policy" if template.repository_policy else "no repository policy")
    parts.append("its lifecycle policy" if template.lifecycle_policy else "no lifecycle policy")
    return ", ".join(parts)
