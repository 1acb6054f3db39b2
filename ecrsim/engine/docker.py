"""The learner's local docker machine: an image store and one stored credential per registry host.

Docker keeps credentials per registry host for the whole machine, whichever AWS profile is current: as
with real Docker, switching profile does not change who docker pushes as until the next login.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

from ecrsim.engine import upstream
from ecrsim.engine.billing.meter import record_transfer
from ecrsim.engine.ecr.content import build_layers, make_image
from ecrsim.engine.ecr.model import Image, Layer, Vulnerability, _Shared, registry_host
from ecrsim.engine.ecr.registry_calls import RegistryCalls
from ecrsim.engine.ecr.tokens import check_token
from ecrsim.engine.errors import ConnectTimeout, DockerError, ServiceError, UnknownPrincipal
from ecrsim.engine.explanation import ExplanationLine, LineKind, indent, line
from ecrsim.engine.upstream import DOCKER_HUB, DOCKER_HUB_ALIASES

if TYPE_CHECKING:
    from ecrsim.engine.ec2.reach import Path, Target
    from ecrsim.engine.ec2.vantage import Vantage
    from ecrsim.engine.policy.types import ContextValue, Decision
    from ecrsim.engine.world import World


@dataclass(frozen=True)
class Credential(_Shared):
    """What `docker login` stores for a registry host (docker keeps the password, not who it belongs to)."""

    username: str
    password: str


@dataclass(frozen=True)
class BuiltImage(_Shared):
    """An image in the local store; docker's IMAGE ID is its config digest."""

    config: Layer
    layers: tuple[Layer, ...]
    created_at: datetime

    @property
    def image_id(self) -> str:
        return self.config.digest

    @property
    def size(self) -> int:
        return sum(layer.size for layer in self.layers)


@dataclass(frozen=True)
class LocalImage(_Shared):
    """One row of `docker images`: a repository and tag naming a local image."""

    repository: str
    tag: str
    image_id: str
    created_at: datetime
    size: int
    digest: str | None  # the registry manifest digest, once pushed or pulled


@dataclass
class DockerMachine:
    """Local images by id, references (`name:tag`) to image ids, and credentials by registry host."""

    images: dict[str, BuiltImage] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # "name:tag" -> image id
    digests: dict[str, str] = field(default_factory=dict)  # "name:tag" -> manifest digest in its registry
    credentials: dict[str, Credential] = field(default_factory=dict)
    build_counter: int = 0  # each build makes new layers, deterministically
    vantage: Vantage | None = None  # the EC2 instance this machine is; None: the learner's own computer
    # Request context every registry request from this machine carries: a service pulling on behalf of a
    # resource sends its aws:SourceArn and aws:SourceAccount.
    context: dict[str, ContextValue] = field(default_factory=dict)
    # Where docker last pushed or pulled each blob ("HOST/REPOSITORY"), as its distribution metadata
    # remembers: a push to another repository of that registry asks to mount the blob from there.
    blob_sources: dict[str, str] = field(default_factory=dict)

    def copy(self) -> DockerMachine:
        return DockerMachine(
            images=dict(self.images),
            refs=dict(self.refs),
            digests=dict(self.digests),
            credentials=dict(self.credentials),
            build_counter=self.build_counter,
            vantage=self.vantage,
            context=dict(self.context),
            blob_sources=dict(self.blob_sources),
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> DockerMachine:
        return self.copy()


# -- references ------------------------------------------------------------------------------------------
_ECR_HOST = re.compile(r"(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com")


@dataclass(frozen=True)
class Reference:
    """`[HOST/]NAME[:TAG|@DIGEST]` as docker reads it; no tag and no digest means `latest`.

    Docker Hub names are kept familiar (`nginx`, host None), as docker's image store keeps them;
    `docker.io/library/nginx` and `index.docker.io/nginx` are the same name (distribution/reference).
    """

    host: str | None
    name: str
    tag: str | None
    digest: str | None
    default_tag: bool = False  # no tag and no digest was written: docker says "Using default tag: latest"

    @classmethod
    def parse(cls, text: str) -> Reference:
        rest, _, digest = text.partition("@")
        slash = rest.rfind("/")
        colon = rest.rfind(":")
        tag = None
        if colon > slash:
            rest, tag = rest[:colon], rest[colon + 1 :]
        host = None
        first, sep, remainder = rest.partition("/")
        if sep and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
            host, rest = first, remainder
        if host in DOCKER_HUB_ALIASES:
            host, rest = None, rest.removeprefix("library/")
        if rest != rest.lower():
            remote = rest if host or "/" in rest else f"library/{rest}"
            raise DockerError(
                "INVALID_REFERENCE", f"invalid reference format: repository name ({remote}) must be lowercase"
            )
        if not rest or (tag is not None and not _TAG.fullmatch(tag)):
            raise DockerError("INVALID_REFERENCE", "invalid reference format")
        default = tag is None and not digest
        return cls(host, rest, tag if tag or digest else "latest", digest or None, default)

    @property
    def repository(self) -> str:
        return f"{self.host}/{self.name}" if self.host else self.name

    @property
    def registry(self) -> str:
        """The registry host docker talks to: docker.io for a familiar name."""
        return self.host or DOCKER_HUB

    @property
    def path(self) -> str:
        """The repository's path in its registry: Docker Hub's official images live under library/."""
        return self.name if self.host or "/" in self.name else f"library/{self.name}"

    @property
    def qualified(self) -> str:
        """The fully qualified repository (`docker.io/library/nginx`), as `docker push` names it."""
        return f"{self.registry}/{self.path}"

    @property
    def canonical(self) -> str:
        """The fully qualified reference docker prints after a pull (`docker.io/library/nginx:latest`)."""
        return f"{self.qualified}:{self.tag}" if self.tag else f"{self.qualified}@{self.digest}"

    @property
    def local(self) -> str:
        """The key docker's image store uses: `REPOSITORY:TAG`."""
        return f"{self.repository}:{self.tag}" if self.tag else f"{self.repository}@{self.digest}"

    def ecr(self) -> tuple[str, str] | None:
        """(registry id, Region) when the host is a private ECR registry."""
        return ecr_host(self.host or "")


_TAG = re.compile(r"[\w][\w.-]{0,127}")


def ecr_host(host: str) -> tuple[str, str] | None:
    """(registry id, Region) of a private ECR registry host (`https://` and a trailing `/` allowed)."""
    match = _ECR_HOST.fullmatch(host.removeprefix("https://").rstrip("/"))
    return (match.group(1), match.group(2)) if match else None


# -- the local store -------------------------------------------------------------------------------------
def _image_for(world: World, ref: Reference) -> BuiltImage | None:
    image_id = world.docker.refs.get(ref.local)
    return world.docker.images.get(image_id) if image_id else None


def _drop_if_dangling(machine: DockerMachine, image_id: str) -> bool:
    if image_id in machine.refs.values():
        return False
    del machine.images[image_id]
    return True


def _point(machine: DockerMachine, local: str, image_id: str) -> None:
    """Point `local` at an image; the image it named before stays, untagged, as docker keeps it."""
    machine.refs[local] = image_id


def docker_build(
    world: World, tag: str, context: str = ".", vulnerabilities: tuple[Vulnerability, ...] = ()
) -> list[str]:
    """`docker build -t TAG CONTEXT`: a new image with new layers (deterministic from a counter)."""
    ref = Reference.parse(tag)
    machine = world.docker
    machine.build_counter += 1
    config, layers = build_layers(context, machine.build_counter, world.clock.now, vulnerabilities)
    machine.images[config.digest] = BuiltImage(config, layers, world.clock.now)
    _point(machine, ref.local, config.digest)
    machine.digests.pop(ref.local, None)
    return [f"Successfully built {_short(config.digest)}", f"Successfully tagged {ref.local}"]


def docker_tag(world: World, source: str, target: str) -> list[str]:
    src, dst = _tag_reference(source), _tag_reference(target)
    image = _image_for(world, src) or world.docker.images.get(_full_id(world, source) or "")
    if image is None:
        raise DockerError("NO_SUCH_IMAGE", f"Error response from daemon: No such image: {src.local}")
    _point(world.docker, dst.local, image.image_id)
    world.docker.digests.pop(dst.local, None)
    return []


def _tag_reference(text: str) -> Reference:
    """A `docker tag` argument: the API client names the argument it cannot parse (moby image_tag.go)."""
    try:
        return Reference.parse(text)
    except DockerError as error:
        raise DockerError(
            error.code, f'error parsing reference: "{text}" is not a valid repository/tag: {error.text}'
        ) from None


def docker_rmi(world: World, ref_text: str) -> list[str]:
    machine = world.docker
    image_id = _full_id(world, ref_text)
    if image_id is not None:
        names = [local for local, named in machine.refs.items() if named == image_id]
        if len(names) > 1:
            raise DockerError(
                "CONFLICT",
                f"Error response from daemon: conflict: unable to delete {_short(image_id)} "
                "(must be forced) - image is referenced in multiple repositories",
            )
        if not names:
            del machine.images[image_id]
            return [f"Deleted: {image_id}"]
        ref_text = names[0]
    ref = Reference.parse(ref_text)
    image_id = machine.refs.get(ref.local)
    if image_id is None:
        raise DockerError("NO_SUCH_IMAGE", f"Error response from daemon: No such image: {ref.local}")
    del machine.refs[ref.local]
    machine.digests.pop(ref.local, None)
    lines = [f"Untagged: {ref.local}"]
    if _drop_if_dangling(machine, image_id):
        lines.append(f"Deleted: {image_id}")
    return lines


def _full_id(world: World, text: str) -> str | None:
    """An image id or its unique prefix (`3f2a9c`, `sha256:3f2a9c...`), as docker accepts for tag/rmi."""
    prefix = text if text.startswith("sha256:") else f"sha256:{text}"
    if len(prefix) < len("sha256:") + 4:
        return None
    matches = [image_id for image_id in world.docker.images if image_id.startswith(prefix)]
    return matches[0] if len(matches) == 1 else None


def docker_images(world: World) -> list[LocalImage]:
    """`docker images`: one row per reference, plus `<none>` rows for untagged images; newest first."""
    machine = world.docker
    rows = []
    for local, image_id in machine.refs.items():
        image = machine.images[image_id]
        repository, _, tag = local.partition("@") if "@" in local else local.rpartition(":")
        tag = "<none>" if "@" in local else tag
        rows.append(
            LocalImage(repository, tag, image_id, image.created_at, image.size, machine.digests.get(local))
        )
    named = set(machine.refs.values())
    for image_id, image in machine.images.items():
        if image_id not in named:
            rows.append(LocalImage("<none>", "<none>", image_id, image.created_at, image.size, None))
    rows.sort(key=lambda row: row.created_at, reverse=True)
    return rows


def _short(digest: str) -> str:
    return digest.removeprefix("sha256:")[:12]


# -- what docker found, for `sim explain` -----------------------------------------------------------------
def _say(kind: LineKind, text: str) -> ExplanationLine:
    return line(kind, text)


def _record(
    world: World,
    operation: str,
    outcomes: list[ExplanationLine],
    principal: str = "",
    error: DockerError | None = None,
) -> None:
    """Log what docker found for this command (its token check, the registry's answer, its local store);
    a failure is headed by what docker printed."""
    if error is not None:
        head = line(LineKind.VERDICT, f"FAILED: docker {operation}: {error.text}", matched=False)
        outcomes = [head, *(indent(entry) for entry in outcomes)]
    world.record(
        "docker",
        operation,
        outcomes,
        principal_arn=principal,
        error_code=error.code if error else None,
        error_message=error.text if error else None,
    )


def _fail(
    world: World, operation: str, error: DockerError, outcomes: list[ExplanationLine], principal: str = ""
) -> NoReturn:
    _record(world, operation, outcomes, principal, error)
    raise error


def _login_hint(server: str, region: str) -> ExplanationLine:
    return _say(
        LineKind.HINT,
        f"aws ecr get-login-password --region {region}"
        f" | docker login --username AWS --password-stdin {server}",
    )


# -- the machine's network ---------------------------------------------------------------------------------
# What docker prints when the registry never answers: its HTTP client gives up before the TCP connection
# (moby registry: a 15-second client timeout on the /v2/ ping), and a blob download retries, then gives up.
_NO_ANSWER = (
    "net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)"
)


def _reach(
    world: World, target: Target, registry: tuple[str, str], failure: Callable[[ConnectTimeout], DockerError]
) -> Path | None:
    """The path from the machine docker runs on to the registry's `target` host (None on the learner's own
    computer, which reaches AWS over the internet); `failure(timeout)` is raised when there is none."""
    vantage = world.docker.vantage
    if vantage is None:
        return None
    from ecrsim.engine.ec2.vantage import route

    try:
        return route(world, vantage, target, registry[1], registry[0])[0]
    except ConnectTimeout as timeout:
        raise failure(timeout) from None


def _in_region(world: World, region: str) -> bool:
    """Is the machine docker runs on in `region` (the learner's own computer is in none)?"""
    vantage = world.docker.vantage
    return vantage is not None and vantage.region == region


def _context(world: World, target: Target, registry: tuple[str, str]) -> dict[str, ContextValue]:
    """The request context of a registry request from this machine: the path's and the machine's own."""
    vantage = world.docker.vantage
    if vantage is None:
        return world.docker.context
    from ecrsim.engine.ec2.vantage import route

    return {**world.docker.context, **route(world, vantage, target, registry[1], registry[0])[1]}


# -- login -----------------------------------------------------------------------------------------------
def docker_login(world: World, host: str, username: str, password: str) -> list[str]:
    """Store a credential for `host` if ECR accepts it: user `AWS` and an unexpired token from its Region."""
    server = host.removeprefix("https://").rstrip("/")
    registry = ecr_host(server)
    check = None
    if registry is not None and username == "AWS":
        check = check_token(password, world.token_secret, world.clock.now, registry[1])
    principal = check.claims.principal_arn if check and check.claims else ""
    if registry is not None:
        _reach(
            world,
            "dkr",
            registry,
            lambda _: DockerError(
                "TIMEOUT", f'Error response from daemon: Get "https://{server}/v2/": {_NO_ANSWER}'
            ),
        )
    if registry is None:
        why = [
            _say(
                LineKind.LOCAL,
                f"{server} is not a private ECR registry (ACCOUNT.dkr.ecr.REGION.amazonaws.com)",
            )
        ]
    elif check is None:
        why = [
            _say(LineKind.TOKEN, f"ECR's registry takes the user name AWS, not {username}"),
            _login_hint(server, registry[1]),
        ]
    elif not check.valid:
        why = [_say(LineKind.TOKEN, check.reason), _login_hint(server, registry[1])]
    else:
        world.docker.credentials[server] = Credential(username, password)
        stored = _say(
            LineKind.LOCAL, f"docker stored the token for {server}: pushes and pulls there act as {principal}"
        )
        _record(world, "login", [_say(LineKind.TOKEN, check.reason), stored], principal)
        return ["Login Succeeded"]
    # What docker prints when ECR's /v2/ endpoint rejects the basic-auth credential.
    error = DockerError(
        "UNAUTHORIZED",
        f"Error response from daemon: login attempt to https://{server}/v2/ failed with status: "
        "400 Bad Request",
    )
    _fail(world, "login", error, why, principal)


def docker_logout(world: World, host: str) -> list[str]:
    """Forget the host's credential; docker says the same whether or not one was stored (cli logout.go)."""
    server = host.removeprefix("https://").removeprefix("http://").rstrip("/")
    world.docker.credentials.pop(server, None)
    return [f"Removing login credentials for {server}"]


# What docker prints when the registry refuses an expired authorization token (errors.md).
TOKEN_EXPIRED = "denied: Your authorization token has expired. Reauthenticate and try again."


# -- talking to ECR as the stored credential's principal --------------------------------------------------
@dataclass
class _Session(RegistryCalls):
    """One push or pull: the registry's calls as the stored token's principal, and what docker printed."""

    output: list[str]
    operation: str  # "push" or "pull", for the event log
    prefix: str = ""  # pull errors come from the daemon: "Error response from daemon: "

    def send(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """One ECR call as the token's principal, carrying what the machine's path and the machine itself
        add to the request context."""
        context = _context(self.world, "dkr", (self.registry_id, self.region))
        return self.world.call_as(self.caller, "ecr", operation, params, region=self.region, context=context)

    def refused(self, operation: str, params: dict[str, Any], error: ServiceError) -> DockerError:
        """What docker prints for a refused call; a refusal IAM decided is explained by the call's own
        event, and docker adds the rest."""
        image = None
        if operation == "BatchGetImage":
            wanted = params["imageIds"][0]
            image = f":{wanted['imageTag']}" if "imageTag" in wanted else f"@{wanted['imageDigest']}"
        failure, why = self.failure(error, image)
        if why:
            _record(self.world, self.operation, why, self.caller.arn, failure)
        return failure

    def failure(self, error: ServiceError, image: str | None) -> tuple[DockerError, list[ExplanationLine]]:
        """What docker prints for a refused call, and what `sim explain` adds to the call's own event."""
        uri = f"{registry_host(self.registry_id, self.region)}/{self.name}"
        if error.code == "AccessDeniedException":
            return self.denied(f"denied: {error.message}", error.decision), []
        if error.code == "RepositoryNotFoundException":
            text = f"name unknown: {error.message}"
            hint = (
                "check the repository name and Region (aws ecr describe-repositories)"
                if self.prefix
                else f"create it first: aws ecr create-repository --repository-name {self.name}"
                f" --region {self.region}"
            )
            missing = [
                _say(
                    LineKind.REGISTRY,
                    f"registry {self.registry_id} has no repository {self.name} in {self.region}",
                ),
                _say(LineKind.HINT, hint),
            ]
            failure = self.error(
                "NAME_UNKNOWN", f"repository {uri} not found: {text}" if self.prefix else text
            )
            return failure, missing
        if error.code == "ImageTagAlreadyExistsException":
            immutable = [
                _say(
                    LineKind.REGISTRY,
                    f"repository {self.name} has image tag mutability {self.mutability()}: the tag already"
                    " names another image there and cannot be moved",
                ),
                _say(LineKind.HINT, "push the new image under a new tag (e.g. a version or commit id)"),
            ]
            return self.error("TAG_INVALID", f"tag invalid: {error.message}"), immutable
        if error.code in ("KmsException", "KmsError"):
            # The registry's UNKNOWN error: ECR documents no registry code for a KMS failure, and docker
            # prints an error code it has no name for as `unknown: MESSAGE`.
            registry = self.world.account(self.registry_id).registry(self.region)
            key = registry.repositories[self.name].encryption.kms_key
            why = [
                _say(
                    LineKind.KEY,
                    f"repository {self.name} is encrypted with KMS key {key}, which ECR cannot use now:"
                    f" {error.message}",
                ),
                _say(LineKind.HINT, f"aws kms describe-key --key-id {key} shows its KeyState"),
            ]
            return self.error("UNKNOWN", f"unknown: {error.message}"), why
        if error.code == "ImageNotFoundException" or image is not None:
            missing = [_say(LineKind.REGISTRY, f"repository {self.name} has no image {image}")]
            failure = self.error(
                "MANIFEST_UNKNOWN",
                f"manifest for {uri}{image} not found: manifest unknown: Requested image not found",
            )
            return failure, missing
        return self.error(error.code.upper(), f"{error.code}: {error.message}"), []

    def mutability(self) -> str:
        registry = self.world.account(self.registry_id).registry(self.region)
        return registry.repositories[self.name].image_tag_mutability

    def error(self, code: str, text: str, decision: Decision | None = None) -> DockerError:
        return DockerError(code, self.prefix + text, decision=decision, output=tuple(self.output))

    def denied(self, text: str, decision: Decision | None = None) -> DockerError:
        """A registry `denied`: a pull wraps it in the daemon's "pull access denied" sentence."""
        uri = f"{registry_host(self.registry_id, self.region)}/{self.name}"
        return self.error("DENIED", _pull_denied(uri, text) if self.prefix else text, decision)


def _pull_denied(repository: str, text: str) -> str:
    """What the daemon says when a registry refuses a pull (moby distribution/errors.go)."""
    sentence = "repository does not exist or may require 'docker login'"
    return f"pull access denied for {repository}, {sentence}: {text}"


def _session(
    world: World, ref: Reference, output: list[str], operation: str, prefix: str, missing_auth: str
) -> _Session:
    """Whom docker acts as for `ref`: the principal of the token stored for its host, checked now."""
    registry = ref.ecr()
    assert registry is not None and ref.host is not None
    _reach(
        world,
        "dkr",
        registry,
        lambda _: DockerError(
            "TIMEOUT", f'{prefix}Get "https://{ref.host}/v2/": {_NO_ANSWER}', output=tuple(output)
        ),
    )
    credential = world.docker.credentials.get(ref.host)
    hint = _login_hint(ref.host, registry[1])
    if credential is None:
        error = DockerError("UNAUTHORIZED", prefix + missing_auth, output=tuple(output))
        why = _say(LineKind.LOCAL, f"docker has no credentials stored for {ref.host}: it asked anonymously")
        _fail(world, operation, error, [why, hint])
    check = check_token(credential.password, world.token_secret, world.clock.now)
    claims = check.claims
    token = _say(LineKind.TOKEN, f"docker's stored credential for {ref.host}: {check.reason}")
    if claims is None:
        error = DockerError("UNAUTHORIZED", prefix + missing_auth, output=tuple(output))
        _fail(world, operation, error, [token, hint])
    if not check.valid:
        text = _pull_denied(ref.repository, TOKEN_EXPIRED) if prefix else TOKEN_EXPIRED
        error = DockerError("DENIED", prefix + text, output=tuple(output))
        _fail(world, operation, error, [token, hint], claims.principal_arn)
    try:
        # The token, not the session that fetched it, is docker's credential: AWS documents every
        # token as valid for 12 hours (ECR API reference, AuthorizationData.expiresAt: "Authorization
        # tokens are valid for 12 hours"; user guide, registry_auth.html) and names no shorter life for
        # one fetched with temporary credentials, so a role session's token works until its expiresAt
        # even after the session's own credentials have expired.
        caller = replace(world.resolve(claims.principal_arn), expires=None)
    except UnknownPrincipal:  # the principal was deleted after login
        error = DockerError(
            "DENIED",
            prefix + "denied: The security token included in the request is invalid.",
            output=tuple(output),
        )
        gone = _say(LineKind.TOKEN, f"{claims.principal_arn}, whom the token speaks for, no longer exists")
        _fail(world, operation, error, [token, gone], claims.principal_arn)
    _record(world, operation, [token], claims.principal_arn)
    return _Session(world, caller, registry[0], registry[1], ref.name, output, operation, prefix)


# -- push and pull ---------------------------------------------------------------------------------------
def docker_push(world: World, ref_text: str) -> list[str]:
    """`docker push`: check layers, upload the missing ones, put the manifest (each call authorized)."""
    ref = Reference.parse(ref_text)
    if ref.tag is None:
        raise DockerError("INVALID_REFERENCE", "cannot push a digest reference")
    image = _image_for(world, ref)
    output = ["Using default tag: latest"] if ref.default_tag else []
    if image is None:
        error = DockerError(
            "NO_SUCH_IMAGE",
            f"An image does not exist locally with the tag: {ref.repository}",
            output=tuple(output),
        )
        nothing = _say(
            LineKind.LOCAL, f"no local image is named {ref.local}: docker build or docker tag one first"
        )
        _fail(world, "push", error, [nothing])
    output.append(f"The push refers to repository [{ref.qualified if ref.host is None else ref.repository}]")
    top_first = list(reversed(image.layers))
    output.extend(f"{layer.short_id}: Preparing" for layer in top_first)
    if ref.ecr() is None:
        # Docker Hub and public.ecr.aws: the simulated learner owns no namespace there.
        raise DockerError(
            "DENIED", "denied: requested access to the resource is denied", output=tuple(output)
        )
    session = _session(world, ref, output, "push", "", "no basic auth credentials")
    blobs = [image.config, *image.layers]
    present = session.available([blob.digest for blob in blobs])
    push_path = _reach(
        world,
        "dkr",
        (session.registry_id, session.region),
        lambda timeout: DockerError("TIMEOUT", timeout.reason),
    )
    status = {digest: "Layer already exists" for digest in present}
    for blob in blobs:
        if blob.digest not in present:
            status[blob.digest] = _push_blob(world, session, ref, blob)
            if status[blob.digest] == "Pushed":  # a mounted layer crosses no network
                record_transfer(world, blob.size, push_path, _in_region(world, session.region), "push")
    output.extend(f"{layer.short_id}: {status[layer.digest]}" for layer in top_first)
    for blob in blobs:
        world.docker.blob_sources[blob.digest] = f"{ref.host}/{ref.name}"
    pushed = make_image(image.config, image.layers)
    put = session.put_manifest(pushed.manifest, ref.tag)
    mounted = sum(said.startswith("Mounted") for said in status.values())
    uploads = _say(
        LineKind.REGISTRY,
        f"{len(present)} of {len(blobs)} blobs were already in {ref.name}"
        + (f", {mounted} mounted from another repository" if mounted else "")
        + "; the rest uploaded",
    )
    tagged = _say(
        LineKind.REGISTRY,
        f"tag {ref.tag} now names {pushed.digest}"
        if put
        else f"tag {ref.tag} already named this image: no change",
    )
    _record(world, "push", [uploads, tagged], session.caller.arn)
    world.docker.digests[ref.local] = pushed.digest
    output.append(f"{ref.tag}: digest: {pushed.digest} size: {len(pushed.manifest.encode())}")
    return output


def _push_blob(world: World, session: _Session, ref: Reference, blob: Layer) -> str:
    """Send one blob the repository lacks, and what docker prints for it. A blob docker last pushed to or
    pulled from another repository of the same registry is first asked to be mounted from there (the
    registry protocol's cross-repository mount); a registry that starts an upload instead gets the bytes."""
    host, _, source = world.docker.blob_sources.get(blob.digest, "").partition("/")
    upload_id = None
    if host == ref.host and source != ref.name:
        upload_id = session.mount(blob.digest, source)
        if upload_id is None:
            return f"Mounted from {source}"
    if upload_id is None:
        session.upload(blob.blob, blob.digest)
    else:
        session.send_part(upload_id, 0, blob.blob)
        session.finish_upload(upload_id, blob.digest)
    return "Pushed"


_DAEMON = "Error response from daemon: "


def docker_pull(world: World, ref_text: str) -> list[str]:
    """`docker pull` by tag or digest: from a private ECR registry (BatchGetImage, then
    GetDownloadUrlForLayer for each missing layer), or from the public upstream catalogue."""
    ref = Reference.parse(ref_text)
    output = ["Using default tag: latest"] if ref.default_tag else []
    if ref.ecr() is None:
        return _pull_upstream(world, ref, output)
    wanted = f":{ref.tag}" if ref.tag else f"@{ref.digest}"
    path = f"https://{ref.host}/v2/{ref.name}/manifests/{ref.tag or ref.digest}"
    session = _session(world, ref, output, "pull", _DAEMON, f'Head "{path}": no basic auth credentials')
    cache = _through_cache(session, ref)
    got = session.get_manifest(ref.tag or ref.digest or "")
    if got is None:
        error = session.error(
            "MANIFEST_UNKNOWN",
            f"manifest for {ref.repository}{wanted} not found: manifest unknown: Requested image not found",
        )
        missing = _say(
            LineKind.REGISTRY, f"repository {ref.name} has no image {wanted} (BatchGetImage found none)"
        )
        _fail(world, "pull", error, [*cache, missing], session.caller.arn)
    registry = world.account(session.registry_id).registry(session.region)
    pulled = registry.repositories[ref.name].images[got["imageId"]["imageDigest"]].image
    for blob in (pulled.config, *pulled.layers):
        world.docker.blob_sources[blob.digest] = f"{ref.host}/{ref.name}"
    where = (session.registry_id, session.region)

    def unreachable(timeout: ConnectTimeout) -> DockerError:
        """A layer download from S3 with no path: docker retries, then gives up."""
        lost = _say(LineKind.REGISTRY, f"the layers are in Amazon S3: {timeout.reason}")
        _record(world, "pull", [lost], session.caller.arn)
        return session.error(
            "TIMEOUT",
            "error pulling image configuration: download failed after attempts=6:"
            f" dial tcp {timeout.address}:443: i/o timeout",
        )

    layers_path = _reach(world, "s3", where, unreachable)

    def download(layer: Layer) -> None:
        session.download(layer.digest)
        record_transfer(world, layer.size, layers_path, _in_region(world, session.region), "pull")

    printed = _receive(world, ref, pulled, world.clock.now, output, download)
    fetched = sum(entry.endswith("Pull complete") for entry in printed)
    kept = _say(
        LineKind.LOCAL, f"{len(pulled.layers) - fetched} of {len(pulled.layers)} layers were already local"
    )
    _record(world, "pull", [*cache, kept], session.caller.arn)
    return printed


def _through_cache(session: _Session, ref: Reference) -> list[ExplanationLine]:
    """A pull through cache rule's part of a pull: ECR imports what is not cached before it serves the
    manifest. When the import fails, what is cached is still served; with nothing cached the pull fails
    as the registry reports it. AWS does not document what docker prints when the puller lacks
    ecr:CreateRepository: the simulator answers what the registry says of a repository that does not
    exist (the import did not create it)."""
    from ecrsim.engine.ecr.cache_import import UPSTREAM_AUTH_FAILED, sync

    world = session.world
    done = sync(world, session.caller, session.registry_id, session.region, ref.name, ref.tag, ref.digest)
    if done is None:
        return []
    lines = list(done.lines)
    if done.outcome not in ("denied", "unauthenticated"):
        return lines
    repository = world.account(session.registry_id).registry(session.region).repositories.get(ref.name)
    wanted = ref.digest if ref.digest else ref.tag
    if repository is not None and wanted in (repository.images if ref.digest else repository.image_tags):
        lines.append(
            _say(LineKind.REGISTRY, "the upstream check failed (see above): ECR serves what it has cached")
        )
        return lines
    uri = f"{registry_host(session.registry_id, session.region)}/{ref.name}"
    lines += [indent(entry) for entry in done.found]
    if done.outcome == "unauthenticated":
        error = session.error("DENIED", _pull_denied(uri, f"denied: {UPSTREAM_AUTH_FAILED}"))
        _fail(world, "pull", error, lines, session.caller.arn)
    hint = _say(
        LineKind.HINT,
        "the first pull through a cache rule needs ecr:CreateRepository and ecr:BatchImportUpstreamImage",
    )
    if repository is None:
        message = (
            f"The repository with name '{ref.name}' does not exist in the registry with id"
            f" '{session.registry_id}'"
        )
        lines += [
            _say(
                LineKind.REGISTRY,
                "the import was refused (see the decision above): no repository was created",
            ),
            hint,
        ]
        error = session.error("NAME_UNKNOWN", f"repository {uri} not found: name unknown: {message}")
        _fail(world, "pull", error, lines, session.caller.arn)
    lines.append(
        _say(LineKind.REGISTRY, "the import was refused (see the decision above): nothing was imported")
    )
    return lines


def _pull_upstream(world: World, ref: Reference, output: list[str]) -> list[str]:
    """A pull from Docker Hub or public.ecr.aws: the catalogue's images, anonymously."""
    if not upstream.is_upstream(ref.registry, ref.path):
        text = _pull_denied(ref.repository, "denied: requested access to the resource is denied")
        raise DockerError("DENIED", _DAEMON + text, output=tuple(output))
    found = upstream.find(ref.registry, ref.path, ref.tag, ref.digest, world.clock.now)
    if found is None:
        wanted = f":{ref.tag}" if ref.tag else f"@{ref.digest}"
        # Docker Hub's registry repeats its code as the message; ECR Public words it as ECR does.
        detail = "manifest unknown" if ref.host is None else "Requested image not found"
        raise DockerError(
            "MANIFEST_UNKNOWN",
            f"{_DAEMON}manifest for {ref.repository}{wanted} not found: manifest unknown: {detail}",
            output=tuple(output),
        )
    return _receive(world, ref, found.image, found.created_at, output, lambda layer: None)


def _receive(
    world: World,
    ref: Reference,
    pulled: Image,
    created_at: datetime,
    output: list[str],
    download: Callable[[Layer], object],
) -> list[str]:
    """Fetch the layers the machine lacks, store the image under `ref`, and print docker's progress."""
    machine = world.docker
    local_layers = {layer.digest for built in machine.images.values() for layer in built.layers}
    output.append(f"{ref.tag or ref.digest}: Pulling from {ref.path}")
    for layer in pulled.layers:
        if layer.digest in local_layers:
            output.append(f"{layer.short_id}: Already exists")
        else:
            download(layer)
            output.append(f"{layer.short_id}: Pull complete")
    up_to_date = machine.refs.get(ref.local) == pulled.config.digest
    if pulled.config.digest not in machine.images:
        machine.images[pulled.config.digest] = BuiltImage(pulled.config, pulled.layers, created_at)
    _point(machine, ref.local, pulled.config.digest)
    machine.digests[ref.local] = pulled.digest
    output.append(f"Digest: {pulled.digest}")
    status = "Image is up to date for" if up_to_date else "Downloaded newer image for"
    output.append(f"Status: {status} {ref.local}")
    output.append(ref.canonical)
    return output


def docker_pull_as_service(
    world: World, service: str, ref_text: str, context: Mapping[str, ContextValue] | None = None
) -> list[str]:
    """`docker pull` by a service principal itself (Lambda, CodeBuild): it signs with its own service
    credentials, never logs in, and pulls onto a machine of its own, so the learner's images and logins
    stay as they are. The pull is docker's with a token issued to the service on a scratch machine;
    `context` is what the service sends with each request (aws:SourceArn of the resource it acts for).
    Raises DockerError as any pull does."""
    from ecrsim.engine.ecr.tokens import issue_password

    ref = Reference.parse(ref_text)
    registry = ref.ecr()
    own = DockerMachine(context=dict(context or {}))
    if registry is not None and ref.host is not None:
        password, _ = issue_password(service, registry[1], world.clock.now, world.token_secret)
        own.credentials[ref.host] = Credential("AWS", password)
    how = _say(
        LineKind.LOCAL,
        f"{service} pulls with its own service credentials, with no login: it has no IAM policies,"
        " so only the repository policy can allow it",
    )
    _record(world, "pull", [how], service)
    with world.borrowed(own):
        return docker_pull(world, ref_text)
