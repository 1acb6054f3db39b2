from __future__ import annotations

import pytest

from ecrsim.engine.world import World

from .helpers import make_world


@pytest.fixture
def world() -> World:
    return make_world()
