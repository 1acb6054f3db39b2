"""The learner's local docker machine: an image store and one stored credential per registry host.

Docker keeps credentials per registry host for the whole machine, whichever AWS profile is current: as
with real Docker, switching profile does not change who docker pushes as until the next login.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecrsim.engine.ecr.model import Layer, _Shared


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

    def copy(self) -> DockerMachine:
        return DockerMachine(
            images=dict(self.images),
            refs=dict(self.refs),
            digests=dict(self.digests),
            credentials=dict(self.credentials),
            build_counter=self.build_counter,
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> DockerMachine:
        return self.copy()
