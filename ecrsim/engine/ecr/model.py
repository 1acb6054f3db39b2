"""What a private registry holds: repositories, images, layers, policies, scans and upload sessions.

Everything that never changes once made (an image, a layer, a parsed policy, a scan result) is a frozen
value shared between world copies; the containers that change (a registry's repositories, a repository's
tags and images) are copied by `Registry.copy()`. A world copy therefore costs one dict copy per
repository field, never a copy of an image.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from ecrsim.engine.ecr.names import wildcard_match
from ecrsim.engine.records import quick_init

if TYPE_CHECKING:
    from ecrsim.engine.ecr.lifecycle_policy import LifecyclePolicy, LifecyclePreview
    from ecrsim.engine.policy.document import Policy

MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
CONFIG_V1 = "application/vnd.docker.container.image.v1+json"
LAYER_TAR_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"

TagMutability = Literal["MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"]
ImageStatus = Literal["ACTIVE", "ARCHIVED", "ACTIVATING"]
Severity = Literal["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED"]
SEVERITIES: tuple[Severity, ...] = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED")


class _Shared:
    """Frozen values are shared, not copied, by `copy.deepcopy` (world copies stay cheap)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _Shared:
        return self


@dataclass(frozen=True)
class Vulnerability(_Shared):
    """A known vulnerability a layer declares (the world's stand-in for what a scanner would find).

    `package_manager` is where the package came from as Amazon Inspector names it: `OS` for the
    distribution's packages, which basic scanning also covers, or a language ecosystem (`NODEPKG`,
    `PYTHONPKG`), which only enhanced scanning reads (ECR user guide, image-scanning). `published` is the
    day the CVE became known (ISO date, empty: long known): a scan finds only what was known when it ran,
    and continuous scanning keeps looking.
    """

    name: str  # e.g. CVE-2023-4911
    severity: Severity
    package: str = ""
    version: str = ""
    description: str = ""
    package_manager: str = "OS"
    fixed_in: str = ""
    score: float = 0.0  # CVSS v3 base score
    published: str = ""

    @property
    def uri(self) -> str:
        """Where a finding points: the distribution's tracker for an OS package, else NVD."""
        if self.package_manager == "OS":
            return f"https://security-tracker.debian.org/tracker/{self.name}"
        return f"https://nvd.nist.gov/vuln/detail/{self.name}"


@dataclass(frozen=True)
class Layer(_Shared):
    """A content-addressed blob: a filesystem layer, or an image's config.

    Vulnerabilities travel with the layer, so an image re-tagged with PutImage or pulled and pushed to
    another repository keeps its findings.
    """

    digest: str
    size: int
    media_type: str = LAYER_TAR_GZIP
    vulnerabilities: tuple[Vulnerability, ...] = ()
    blob: bytes = field(default=b"", repr=False, compare=False)  # the bytes an upload sends

    @property
    def short_id(self) -> str:
        """The 12 hex digits docker prints for a layer in push and pull progress."""
        return self.digest.removeprefix("sha256:")[:12]


@quick_init
@dataclass(frozen=True, init=False)
class Image(_Shared):
    """An image manifest and what it references; its digest is the sha256 of the manifest's bytes."""

    manifest: str
    digest: str
    config: Layer
    layers: tuple[Layer, ...]
    media_type: str = MANIFEST_V2

    @cached_property
    def size(self) -> int:
        """ECR's imageSizeInBytes: the sum of the compressed layers. Worked out once per image (the image
        is frozen), since DescribeImages asks it of every image it lists."""
        return sum(layer.size for layer in self.layers)

    @property
    def vulnerabilities(self) -> tuple[Vulnerability, ...]:
        seen: dict[str, Vulnerability] = {}
        for layer in self.layers:
            for vulnerability in layer.vulnerabilities:
                seen.setdefault(vulnerability.name, vulnerability)
        return tuple(seen.values())


def manifest_text(config: Layer, layers: tuple[Layer, ...]) -> str:
    """A Docker image manifest v2 schema 2, laid out as docker serializes it (Go MarshalIndent, 3 spaces)."""
    document = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_V2,
        "config": {"mediaType": config.media_type, "size": config.size, "digest": config.digest},
        "layers": [
            {"mediaType": layer.media_type, "size": layer.size, "digest": layer.digest} for layer in layers
        ],
    }
    return json.dumps(document, indent=3)


@quick_init
@dataclass(frozen=True, init=False)
class StoredImage(_Shared):
    """An image as one repository holds it: when it arrived, when it was last pulled, and its storage
    class: archived at `archived_at`, restored (back in standard storage) from `restored_at` on."""

    image: Image
    pushed_at: datetime
    last_pulled_at: datetime | None = None
    archived_at: datetime | None = None
    restored_at: datetime | None = None  # when the last restore completes (or completed)

    @property
    def digest(self) -> str:
        return self.image.digest

    def status(self, now: datetime) -> ImageStatus:
        """ACTIVE, ARCHIVED, or ACTIVATING while a restore runs (DescribeImages' imageStatus)."""
        if self.archived_at is None or (self.restored_at is not None and self.restored_at <= now):
            return "ACTIVE"
        return "ARCHIVED" if self.restored_at is None else "ACTIVATING"


ScanType = Literal["BASIC", "ENHANCED"]


@dataclass(frozen=True)
class ScanResult(_Shared):
    """One scan of one image, started at `started_at` and done at `completed_at` (ecr.findings says
    how long a scan takes and what it finds); `continuous` scans keep finding CVEs published later."""

    scan_type: ScanType
    started_at: datetime
    completed_at: datetime
    image: Image
    continuous: bool = False


def severity_counts(vulnerabilities: tuple[Vulnerability, ...]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for vulnerability in vulnerabilities:
        counts[vulnerability.severity] = counts.get(vulnerability.severity, 0) + 1
    return {severity: counts[severity] for severity in SEVERITIES if severity in counts}


@dataclass(frozen=True)
class ScanningRule(_Shared):
    """One rule of a registry's scanning configuration: a frequency and the repository filters it covers."""

    frequency: Literal["SCAN_ON_PUSH", "CONTINUOUS_SCAN", "MANUAL"]
    filters: tuple[str, ...]


@dataclass(frozen=True)
class ScanningConfiguration(_Shared):
    """PutRegistryScanningConfiguration's value. A registry that never had one is BASIC with no rules."""

    scan_type: ScanType = "BASIC"
    rules: tuple[ScanningRule, ...] = ()


@dataclass(frozen=True)
class PullThroughCacheRule(_Shared):
    """A pull through cache rule: repositories named `PREFIX/...` are synced from an upstream registry."""

    prefix: str  # the ECR repository prefix, without the assumed trailing `/`
    upstream_url: str
    upstream_registry: str  # ecr-public, docker-hub, quay, ...
    created_at: datetime
    updated_at: datetime | None = None
    credential_arn: str | None = None
    custom_role_arn: str | None = None
    upstream_prefix: str | None = None  # ECR to ECR only; None is ROOT


@dataclass(frozen=True)
class EncryptionConfiguration(_Shared):
    """A repository's encryption at rest: AES256, or KMS / KMS_DSSE with a key (aws/ecr by default)."""

    encryption_type: Literal["AES256", "KMS", "KMS_DSSE"] = "AES256"
    kms_key: str | None = None

    def to_api(self) -> dict[str, str]:
        result = {"encryptionType": self.encryption_type}
        if self.kms_key:
            result["kmsKey"] = self.kms_key
        return result


@dataclass(frozen=True)
class RepositoryPolicy(_Shared):
    """The policy text as ECR re-serialised it (what GetRepositoryPolicy returns) and its parsed form."""

    text: str
    policy: Policy


@dataclass(frozen=True)
class StoredLifecyclePolicy(_Shared):
    """The lifecycle policy text as set (GetLifecyclePolicy returns it verbatim) and its parsed form."""

    text: str
    policy: LifecyclePolicy
    evaluated_at: datetime | None = None  # when the policy last ran; never yet after PutLifecyclePolicy


AppliedFor = Literal["REPLICATION", "PULL_THROUGH_CACHE", "CREATE_ON_PUSH"]


@dataclass(frozen=True)
class CreationTemplate(_Shared):
    """A repository creation template: the settings ECR gives a repository it creates on the registry
    owner's behalf (replication, pull through cache, create on push) whose name is under `prefix`."""

    prefix: str  # as given, without the assumed trailing "/"; ROOT matches every repository
    applied_for: tuple[AppliedFor, ...]
    created_at: datetime
    updated_at: datetime
    description: str = ""
    image_tag_mutability: TagMutability = "MUTABLE"
    mutability_exclusions: tuple[str, ...] = ()
    encryption: EncryptionConfiguration | None = None  # None: the repository gets ECR's default (AES256)
    resource_tags: tuple[tuple[str, str], ...] = ()
    repository_policy: RepositoryPolicy | None = None
    lifecycle_policy: StoredLifecyclePolicy | None = None
    custom_role_arn: str = ""

    def matches(self, repository_name: str) -> bool:
        """Whether the template covers `repository_name`: ROOT covers all, `prod` covers `prod/...` (ECR
        assumes a "/" after every prefix, API_CreateRepositoryCreationTemplate)."""
        return self.prefix == "ROOT" or repository_name.startswith(self.prefix.rstrip("/") + "/")


@dataclass(frozen=True)
class ReplicationDestination(_Shared):
    region: str
    registry_id: str


@dataclass(frozen=True)
class ReplicationRule(_Shared):
    """One rule of a registry's replication configuration: where to copy, and which repositories
    (PREFIX_MATCH filters; none means every repository)."""

    destinations: tuple[ReplicationDestination, ...]
    prefixes: tuple[str, ...] = ()

    def selects(self, repository_name: str) -> bool:
        return not self.prefixes or any(repository_name.startswith(prefix) for prefix in self.prefixes)


@dataclass(frozen=True)
class Replica(_Shared):
    """One push's replication to one destination, as DescribeImageReplicationStatus reports it, with
    when it lands on the simulated clock and the tag it carries."""

    destination: ReplicationDestination
    status: Literal["IN_PROGRESS", "COMPLETE", "FAILED"]
    due: datetime
    image: StoredImage  # what the push stored: the copy lands even if the source image is deleted meanwhile
    tag: str | None = None
    failure_code: str | None = None


@dataclass(frozen=True)
class Upload(_Shared):
    """A layer upload in progress (InitiateLayerUpload .. CompleteLayerUpload)."""

    upload_id: str
    received: bytes = b""
    last_byte: int = -1


@dataclass
class Repository:
    """A private repository: settings, images by digest, tags, layers present, and what was said of them."""

    registry_id: str
    region: str
    name: str
    created_at: datetime
    image_tag_mutability: TagMutability = "MUTABLE"
    mutability_exclusions: tuple[str, ...] = ()  # WILDCARD filters of the *_WITH_EXCLUSION settings
    scan_on_push: bool = False
    encryption: EncryptionConfiguration = field(default_factory=EncryptionConfiguration)
    tags: dict[str, str] = field(default_factory=dict)  # resource tags, in the order they were added
    policy: RepositoryPolicy | None = None
    lifecycle: StoredLifecyclePolicy | None = None
    lifecycle_preview: LifecyclePreview | None = None
    images: dict[str, StoredImage] = field(default_factory=dict)  # by manifest digest, in push order
    image_tags: dict[str, str] = field(default_factory=dict)  # image tag -> manifest digest
    layers: dict[str, Layer] = field(default_factory=dict)  # blobs present in the repository, by digest
    uploads: dict[str, Upload] = field(default_factory=dict)  # by upload id
    scans: dict[str, ScanResult] = field(default_factory=dict)  # by manifest digest
    # Layers mounted from another repository of the registry (engine.ecr.mounting): referenced, not
    # stored again, so storage counts them where they came from.
    mounted: frozenset[str] = frozenset()

    @property
    def arn(self) -> str:
        return f"arn:aws:ecr:{self.region}:{self.registry_id}:repository/{self.name}"

    @property
    def uri(self) -> str:
        return f"{registry_host(self.registry_id, self.region)}/{self.name}"

    def tag_is_immutable(self, tag: str) -> bool:
        """Whether a push may not move `tag`: an exclusion filter flips the repository's setting for the
        tags it matches (ECR user guide, image-tag-mutability)."""
        if self.image_tag_mutability in ("MUTABLE", "IMMUTABLE"):
            return self.image_tag_mutability == "IMMUTABLE"
        excluded = any(wildcard_match(tag, pattern) for pattern in self.mutability_exclusions)
        return excluded != (self.image_tag_mutability == "IMMUTABLE_WITH_EXCLUSION")

    def tags_of(self, digest: str) -> list[str]:
        return [tag for tag, tagged in self.image_tags.items() if tagged == digest]

    def tags_by_digest(self) -> dict[str, list[str]]:
        """Every image's tags in one pass (describe calls on large repositories stay linear)."""
        result: dict[str, list[str]] = {}
        for tag, digest in self.image_tags.items():
            result.setdefault(digest, []).append(tag)
        return result

    def copy(self) -> Repository:
        return Repository(
            registry_id=self.registry_id,
            region=self.region,
            name=self.name,
            created_at=self.created_at,
            image_tag_mutability=self.image_tag_mutability,
            mutability_exclusions=self.mutability_exclusions,
            scan_on_push=self.scan_on_push,
            encryption=self.encryption,
            tags=dict(self.tags),
            policy=self.policy,
            lifecycle=self.lifecycle,
            lifecycle_preview=self.lifecycle_preview,
            images=dict(self.images),
            image_tags=dict(self.image_tags),
            layers=dict(self.layers),
            uploads=dict(self.uploads),
            scans=dict(self.scans),
            mounted=self.mounted,
        )


def registry_host(account_id: str, region: str) -> str:
    return f"{account_id}.dkr.ecr.{region}.amazonaws.com"


class Repositories(dict[str, Repository]):
    """A registry's repositories by name, shared between world copies until one of them reaches for one.

    Copying every repository at every world copy made a scenario's check quadratic in its tasks (each task
    adds a repository and forks the world a few times). Instead a copy shares the Repository objects, and
    each side copies one the first time it hands it out (`[name]`, `get`, `values`, `items`), since whoever
    asks may change it. A copy of the world thus costs one dict copy here, and a command pays for the
    repositories it touches.
    """

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._shared: set[str] = set()

    def share(self) -> Repositories:
        """A copy holding the same repositories; from now on both sides copy one before handing it out."""
        clone = Repositories(self)
        clone._shared = set(self)
        self._shared = set(self)
        return clone

    def _own(self, name: str) -> Repository:
        repository = dict.__getitem__(self, name)
        if name in self._shared:
            self._shared.discard(name)
            repository = repository.copy()
            dict.__setitem__(self, name, repository)
        return repository

    def __getitem__(self, name: str) -> Repository:
        return self._own(name)

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return self._own(name) if name in self else default

    def values(self) -> list[Repository]:  # type: ignore[override]
        return [self._own(name) for name in list(self)]

    def items(self) -> list[tuple[str, Repository]]:  # type: ignore[override]
        return [(name, self._own(name)) for name in list(self)]

    def unchanged(self) -> list[Repository]:
        """Every repository for a reader that changes none (the bill): nothing is copied."""
        return list(dict.values(self))

    def __setitem__(self, name: str, repository: Repository) -> None:
        self._shared.discard(name)
        dict.__setitem__(self, name, repository)

    def __delitem__(self, name: str) -> None:
        self._shared.discard(name)
        dict.__delitem__(self, name)


@dataclass
class Registry:
    """An account's default private registry in one Region (registry id = account id), with what is set
    for the whole registry: its policy, repository creation templates, replication rules, and the
    replications its pushes started."""

    account_id: str
    region: str
    repositories: Repositories = field(default_factory=Repositories)
    upload_counter: int = 0  # makes upload ids deterministic
    # The registry policy (PutRegistryPolicy), stored as ECR returns it.
    policy: RepositoryPolicy | None = None
    templates: dict[str, CreationTemplate] = field(default_factory=dict)  # by prefix
    replication: tuple[ReplicationRule, ...] = ()
    replications: dict[tuple[str, str], tuple[Replica, ...]] = field(default_factory=dict)  # (repo, digest)
    settings: dict[str, str] = field(default_factory=dict)  # account settings set (account_settings.py)
    pull_through_rules: dict[str, PullThroughCacheRule] = field(default_factory=dict)  # by prefix
    # When ECR last asked the upstream about a cached repository's tag: (repository, tag) -> time.
    upstream_checks: dict[tuple[str, str], datetime] = field(default_factory=dict)
    scanning: ScanningConfiguration | None = None  # None: never set (BASIC, repository settings decide)

    @property
    def host(self) -> str:
        return registry_host(self.account_id, self.region)

    def copy(self) -> Registry:
        return Registry(
            account_id=self.account_id,
            region=self.region,
            repositories=self.repositories.share(),
            upload_counter=self.upload_counter,
            policy=self.policy,
            templates=dict(self.templates),
            replication=self.replication,
            replications=dict(self.replications),
            settings=dict(self.settings),
            pull_through_rules=dict(self.pull_through_rules),
            upstream_checks=dict(self.upstream_checks),
            scanning=self.scanning,
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> Registry:
        return self.copy()
