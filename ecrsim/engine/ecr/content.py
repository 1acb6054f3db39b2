"""Content addressing: digests, deterministic layer content for builds, and manifests parsed back.

Nothing here is random. A build's layers are hashes of the build's inputs and a counter the world owns,
so the same commands in the same world give the same digests every run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace
from datetime import datetime
from functools import lru_cache

from ecrsim.engine.ecr.model import (
    CONFIG_V1,
    LAYER_TAR_GZIP,
    MANIFEST_LIST,
    MANIFEST_V2,
    OCI_INDEX,
    OCI_MANIFEST,
    Image,
    Layer,
    Repository,
    Vulnerability,
    manifest_text,
)
from ecrsim.engine.ecr.names import invalid_parameter
from ecrsim.engine.errors import ServiceError

BASE_LAYERS = 3  # layers a build context's base image contributes; shared by every build of that context


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def derived_size(seed: str, low: int, high: int) -> int:
    return low + int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16) % (high - low)


# A simulated layer's bytes: a small self-describing document instead of megabytes of tar. Its digest is a
# real sha256 of what is uploaded, while its declared size and vulnerabilities survive a trip through the
# layer upload API, so `docker push` can use the same UploadLayerPart a learner can call by hand.
_MAGIC = b"ecrsim-layer\n"


def simulated_layer(
    seed: str, size: int, media_type: str = LAYER_TAR_GZIP, vulnerabilities: tuple[Vulnerability, ...] = ()
) -> Layer:
    document = {
        "seed": seed,
        "size": size,
        "mediaType": media_type,
        "vulnerabilities": [asdict(vulnerability) for vulnerability in vulnerabilities],
    }
    blob = _MAGIC + json.dumps(document, sort_keys=True).encode()
    return Layer(sha256_digest(blob), size, media_type, vulnerabilities, blob)


def layer_from_blob(blob: bytes) -> Layer:
    """The layer an upload delivered: a simulated layer keeps what it declares; any other bytes are a
    plain layer of their own length."""
    if blob.startswith(_MAGIC):
        try:
            document = json.loads(blob[len(_MAGIC) :])
            vulnerabilities = tuple(Vulnerability(**raw) for raw in document["vulnerabilities"])
            return Layer(
                sha256_digest(blob), int(document["size"]), document["mediaType"], vulnerabilities, blob
            )
        except (ValueError, KeyError, TypeError):
            pass
    return Layer(sha256_digest(blob), len(blob), blob=blob)


def build_layers(
    context: str,
    build_number: int,
    created_at: datetime,
    vulnerabilities: tuple[Vulnerability, ...] = (),
    size: int | None = None,
) -> tuple[Layer, tuple[Layer, ...]]:
    """The config and layers of one `docker build` of `context`; `size` fixes the layers' total (a
    scenario's image of a stated size), which is otherwise a few tens of MB.

    The base layers depend only on the context (as a shared FROM image would), so a rebuilt image pushes
    only its new layer and docker prints `Layer already exists` for the rest. Declared vulnerabilities sit
    in the new layer.
    """
    seeds = [f"base:{context}:{index}" for index in range(BASE_LAYERS)]
    app_seed = f"app:{context}:{build_number}"
    if size is None:
        sizes = [derived_size(seed, 2_000_000, 30_000_000) for seed in seeds]
        app_size = derived_size(app_seed, 1_000, 5_000_000)
    else:  # the base layers hold nine tenths of the image, the application layer the rest
        sizes = [size * 3 // 10] * BASE_LAYERS
        app_size = size - sum(sizes)
    base = tuple(simulated_layer(seed, layer_size) for seed, layer_size in zip(seeds, sizes, strict=True))
    app = simulated_layer(app_seed, app_size, vulnerabilities=vulnerabilities)
    config_seed = f"config:{context}:{build_number}:{created_at.isoformat()}"
    config = simulated_layer(config_seed, derived_size(config_seed, 1_500, 8_000), CONFIG_V1)
    return config, (*base, app)


def make_image(config: Layer, layers: tuple[Layer, ...]) -> Image:
    text = manifest_text(config, layers)
    return Image(text, sha256_digest(text.encode()), config, layers)


# What PutImage and the registry accept, as ECR does (ECR user guide, "Container image manifest format
# support"): Docker image manifests V2 schema 2 and OCI image manifests, and the lists of them for several
# platforms, Docker manifest lists and OCI image indexes.
IMAGE_MANIFESTS = (MANIFEST_V2, OCI_MANIFEST)
MANIFEST_LISTS = (MANIFEST_LIST, OCI_INDEX)
_UNSUPPORTED = (
    "Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Invalid manifest: "
    f"only {', '.join((*IMAGE_MANIFESTS, *MANIFEST_LISTS))} manifests are supported by the simulator'"
)
# A blob (or, in a list, an image) a manifest references: its digest (None when the entry names none), how
# an error shows the reference, and the media type the manifest gives it.
_Blob = tuple[str | None, str, str]


def _declared_type(document: dict[str, object], media_type: str | None) -> str | None:
    """The manifest's media type: given with PutImage, else its own mediaType, else what its layout says
    (an OCI manifest may leave mediaType out)."""
    declared = media_type or document.get("mediaType")
    if declared is None and isinstance(document.get("manifests"), list):
        return OCI_INDEX
    if declared is None and isinstance(document.get("config"), dict):
        config_type = str(document["config"].get("mediaType", ""))  # type: ignore[union-attr]
        return OCI_MANIFEST if config_type.startswith("application/vnd.oci.") else MANIFEST_V2
    return declared if isinstance(declared, str) else None


def _references(entries: list[object], default_type: str) -> tuple[_Blob, ...]:
    found: list[_Blob] = []
    for entry in entries:
        reference = entry.get("digest") if isinstance(entry, dict) else None
        if not isinstance(reference, str):
            found.append((None, str(reference), default_type))
            continue
        found.append((reference, reference, entry.get("mediaType", default_type)))  # type: ignore[union-attr]
    return tuple(found)


@lru_cache(maxsize=256)
def _read_manifest(
    text: str, media_type: str | None
) -> tuple[str, ServiceError | None, str, tuple[_Blob, ...]]:
    """A manifest's digest, the error PutImage gives for it if it is unusable, its media type, and what it
    references: the blobs of an image manifest (config first), the images of a list.

    Remembered, because the same manifest arrives again and again: re-tagging puts it once more, and a
    team pushes one image to many repositories. The error is a template: raise a copy of it.
    """
    digest = sha256_digest(text.encode())
    try:
        document = json.loads(text)
    except ValueError:
        return digest, invalid_parameter("ImageManifest", "Invalid JSON syntax"), "", ()
    unsupported = ServiceError("InvalidParameterException", _UNSUPPORTED)
    if not isinstance(document, dict) or document.get("schemaVersion") != 2:
        return digest, unsupported, "", ()
    declared = _declared_type(document, media_type)
    if declared in MANIFEST_LISTS and isinstance(document.get("manifests"), list):
        return digest, None, declared, _references(document["manifests"], OCI_MANIFEST)
    if (
        declared not in IMAGE_MANIFESTS
        or not isinstance(document.get("config"), dict)
        or not isinstance(document.get("layers"), list)
    ):
        return digest, unsupported, "", ()
    return digest, None, declared, _references([document["config"], *document["layers"]], LAYER_TAR_GZIP)


def image_from_manifest(text: str, media_type: str | None, repository: Repository) -> Image:
    """Parse a manifest given to PutImage; every blob it references must already be in the repository,
    and every image a manifest list or index names.

    A blob takes the media type the manifest gives it (an upload does not say whether it is a layer or a
    config), and the repository remembers it. A list stands for its first image where an image's parts
    are asked for (its size, its layers, what a simulated pull fetches).
    """
    digest, problem, declared, references = _read_manifest(text, media_type)
    known = repository.images.get(digest)
    if known is not None:  # re-tagging an image the repository holds: nothing new to check
        return known.image
    if problem is not None:
        raise ServiceError(problem.code, problem.message)
    if declared in MANIFEST_LISTS:
        images = [repository.images.get(reference) if reference else None for reference, _, _ in references]
        if not images or None in images:
            raise ServiceError(
                "ReferencedImagesNotFoundException",
                "The manifest list is referencing an image that does not exist.",
            )
        first = images[0].image  # type: ignore[union-attr]
        return Image(text, digest, first.config, first.layers, declared)
    # The manifest says what each blob is (config or layer); the repository knows its size and contents.
    present = repository.layers
    blobs: list[Layer] = []
    missing: list[str] = []
    for reference, shown, kind in references:
        layer = present.get(reference) if reference is not None else None
        if layer is None:
            missing.append(shown)
            continue
        if layer.media_type != kind:  # e.g. an uploaded blob first named as an image config
            layer = present[reference] = replace(layer, media_type=kind)
        blobs.append(layer)
    if missing:
        # Real text: "Layers with digests '[sha256:...]' required for pushing image into repository ..."
        raise ServiceError(
            "LayersNotFoundException",
            f"Layers with digests '[{', '.join(missing)}]' required for pushing image into repository "
            f"with name '{repository.name}' in registry with id '{repository.registry_id}' do not exist",
        )
    return Image(text, digest, blobs[0], tuple(blobs[1:]), declared)
