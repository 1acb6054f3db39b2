"""A faster constructor for the frozen records every API call makes (Request, Decision, Event).

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__`, since the class
refuses plain assignment; that costs about twice what filling the instance dictionary in one step does,
and an API call builds several such records. `quick_init` gives a class the same constructor (same
parameters, defaults and default factories) built the cheaper way; the class stays a frozen dataclass in
every other respect (fields, equality, hashing, `dataclasses.replace`).
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import TypeVar

_Record = TypeVar("_Record", bound=type)


def quick_init(cls: _Record) -> _Record:
    """Install the constructor on `cls`, a `@dataclass(frozen=True, init=False)` class."""
    namespace: dict[str, object] = {"_MISSING": MISSING}
    parameters: list[str] = []
    values: list[str] = []
    for field in fields(cls):
        name = field.name
        if field.default is not MISSING:
            namespace[f"_default_{name}"] = field.default
            parameters.append(f"{name}=_default_{name}")
            values.append(name)
        elif field.default_factory is not MISSING:
            namespace[f"_factory_{name}"] = field.default_factory
            parameters.append(f"{name}=_MISSING")
            values.append(f"_factory_{name}() if {name} is _MISSING else {name}")
        else:
            parameters.append(name)
            values.append(name)
    assignments = ", ".join(f"{field.name}={value}" for field, value in zip(fields(cls), values, strict=True))
    source = f"def __init__(self, {', '.join(parameters)}):\n    self.__dict__.update({assignments})\n"
    exec(source, namespace)  # the source is built above from the class's own field names
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"  # type: ignore[attr-defined]
    cls.__init__ = init  # type: ignore[misc]
    return cls
