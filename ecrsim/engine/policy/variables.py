"""Policy variables: `${aws:username}` in a Resource or a condition value, resolved per request.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
- Only policies with "Version": "2012-10-17" have variables; in older ones `${...}` is literal text. The
  caller decides that (Statement.variables) and only calls `resolve` when it is true.
- A variable whose key is absent from the request makes any match against it fail: `resolve` returns None.
- `${aws:PrincipalTag/team, 'company-wide'}` gives a default for an absent key.
- `${*}`, `${?}` and `${$}` are escapes for a literal `*`, `?` and `$`.

A resolved template is a tuple of pieces `(text, literal)`. A value that came from the request or from an
escape is literal: a `*` in it is a plain character, never a wildcard, which is exactly why `${*}` exists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from ecrsim.engine.policy.types import ContextValue

Piece = tuple[str, bool]  # (text, literal): a literal piece has no wildcards

# Compiled on first use (re caches them): most policies have no variables.
_VARIABLE = r"\$\{([^}]*)\}"
_BODY = r"\s*([^\s,']+)\s*(?:,\s*'([^']*)'\s*)?"
_ESCAPES = frozenset("*?$")


def has_variables(text: str) -> bool:
    return "${" in text


@lru_cache(maxsize=4096)
def variable_keys(text: str) -> tuple[str, ...]:
    """The lower-case context keys the variables of `text` read (escapes read none)."""
    if "${" not in text:
        return ()
    keys = (re.fullmatch(_BODY, match.group(1)) for match in re.finditer(_VARIABLE, text))
    return tuple(body.group(1).lower() for body in keys if body is not None and body.group(1) not in _ESCAPES)


def resolve(template: str, context: Mapping[str, ContextValue]) -> tuple[Piece, ...] | None:
    """Substitute every variable; None when one of them has no value and no default.

    `context` is keyed by lower-case key names (condition key names are case-insensitive).
    """
    keys = variable_keys(template)
    return _resolve(template, keys, tuple(map(context.get, keys)))


@lru_cache(maxsize=4096)
def _resolve(
    template: str, keys: tuple[str, ...], values: tuple[ContextValue | None, ...]
) -> tuple[Piece, ...] | None:
    """`resolve` for the values its variables read: the same template and values give the same pieces."""
    context = dict(zip(keys, values, strict=True))
    pieces: list[Piece] = []
    position = 0
    for match in re.finditer(_VARIABLE, template):
        if match.start() > position:
            pieces.append((template[position : match.start()], False))
        value = _value(match.group(1), context)
        if value is None:
            return None
        pieces.append((value, True))
        position = match.end()
    if position < len(template):
        pieces.append((template[position:], False))
    return tuple(pieces)


def text_of(pieces: tuple[Piece, ...]) -> str:
    if len(pieces) == 1:
        return pieces[0][0]
    return "".join(text for text, _ in pieces)


def _value(body: str, context: Mapping[str, ContextValue]) -> str | None:
    if body in _ESCAPES:
        return body
    parsed = re.fullmatch(_BODY, body)
    if parsed is None:
        return None
    key, default = parsed.groups()
    value = context.get(key.lower())
    # A multivalued key cannot be substituted: it has no single value.
    if isinstance(value, str):
        return value
    return default
