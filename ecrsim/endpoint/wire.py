"""Values on the wire <-> the engine's values, driven by AWS's shapes (ecrsim/shell/models).

One walker per direction and protocol, and nothing per operation: a shape says whether a value is a
structure, a list, a map, a timestamp or a blob, and the walker converts it as botocore's serializers
and parsers expect (AWS JSON 1.1: timestamps as epoch seconds, blobs base64; the query protocol:
`Name.member.N` lists, `Name.entry.N.key` maps, ISO 8601 timestamps in the XML answer, policy documents
URL-encoded as IAM sends them). Members a shape does not name never reach the wire.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from ecrsim.errors import EcrsimError
from ecrsim.shell.servicemodel import ServiceModel

# IAM answers with policy documents URL-encoded (botocore's json_decode_policies undoes it).
_URL_ENCODED = frozenset({"policyDocumentType"})


class WireError(EcrsimError):
    """A value the shape does not allow (not base64, not a number): the service's serialization error."""


# -- AWS JSON 1.1 ----------------------------------------------------------------------------------------
def json_in(model: ServiceModel, shape_name: str, value: Any) -> Any:
    """A request member as the engine takes it: blobs decoded, timestamps as datetimes."""
    shape = model.shapes[shape_name]
    kind = shape.get("type")
    if value is None:
        return None
    if kind == "structure" and isinstance(value, Mapping):
        members = shape.get("members", {})
        return {
            name: json_in(model, members[name]["shape"], item) if name in members else item
            for name, item in value.items()
        }
    if kind == "list" and isinstance(value, list):
        return [json_in(model, shape["member"], item) for item in value]
    if kind == "map" and isinstance(value, Mapping):
        return {key: json_in(model, shape["value"], item) for key, item in value.items()}
    if kind == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error:
            raise WireError(f"{shape_name} is not valid base64") from None
    if kind == "timestamp" and isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    return value


def json_out(model: ServiceModel, shape_name: str, value: Any) -> Any:
    """A response member as AWS JSON 1.1 writes it."""
    shape = model.shapes[shape_name]
    kind = shape.get("type")
    if kind == "structure":
        members = shape.get("members", {})
        return {
            name: json_out(model, members[name]["shape"], item)
            for name, item in value.items()
            if name in members and item is not None
        }
    if kind == "list":
        return [json_out(model, shape["member"], item) for item in value]
    if kind == "map":
        return {key: json_out(model, shape["value"], item) for key, item in value.items()}
    if kind == "timestamp" and isinstance(value, datetime):
        return value.timestamp()
    if kind == "blob":
        return base64.b64encode(value if isinstance(value, bytes) else str(value).encode()).decode()
    return value


# -- the query protocol ----------------------------------------------------------------------------------
def query_in(model: ServiceModel, shape_name: str, form: Mapping[str, str], prefix: str = "") -> Any:
    """The members of a query-protocol request found under `prefix` (None when there are none)."""
    shape = model.shapes[shape_name]
    kind = shape.get("type")
    if kind == "structure":
        found = {}
        for name, member in shape.get("members", {}).items():
            value = query_in(model, member["shape"], form, f"{prefix}.{name}" if prefix else name)
            if value is not None:
                found[name] = value
        return found if found or not prefix else None
    if kind == "list":
        items = []
        while (
            item := query_in(model, shape["member"], form, f"{prefix}.member.{len(items) + 1}")
        ) is not None:
            items.append(item)
        return items if items or prefix in form else None  # `Name=` is an empty list
    if kind == "map":
        entries: dict[str, Any] = {}
        while (key := form.get(f"{prefix}.entry.{len(entries) + 1}.key")) is not None:
            entries[key] = query_in(model, shape["value"], form, f"{prefix}.entry.{len(entries) + 1}.value")
        return entries or None
    text = form.get(prefix)
    if text is None:
        return None
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("double", "float"):
            return float(text)
    except ValueError:
        raise WireError(f"{prefix}: '{text}' is not a number") from None
    if kind == "boolean":
        return text.lower() == "true"
    if kind == "timestamp":
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    return text


def xml_out(model: ServiceModel, shape_name: str, value: Any, tag: str) -> str:
    """`<tag>value</tag>` as IAM and STS write a response member (lists as `<member>` elements)."""
    shape = model.shapes[shape_name]
    kind = shape.get("type")
    if kind == "structure":
        members = shape.get("members", {})
        inner = "".join(
            xml_out(model, members[name]["shape"], item, name)
            for name, item in value.items()
            if name in members and item is not None
        )
    elif kind == "list":
        inner = "".join(xml_out(model, shape["member"], item, "member") for item in value)
    elif kind == "map":
        inner = "".join(
            f"<entry><key>{escape(str(key))}</key>{xml_out(model, shape['value'], item, 'value')}</entry>"
            for key, item in value.items()
        )
    elif kind == "timestamp" and isinstance(value, datetime):
        inner = value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    elif kind == "boolean":
        inner = "true" if value else "false"
    elif shape_name in _URL_ENCODED:
        text = value if isinstance(value, str) else json.dumps(value)
        inner = escape(quote(text, safe=""))
    else:
        inner = escape(str(value))
    return f"<{tag}>{inner}</{tag}>"
