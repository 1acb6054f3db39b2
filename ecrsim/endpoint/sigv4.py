"""Who signed a request: AWS Signature Version 4 checked with the standard library.

The access key id in the `Authorization` header names the principal; the signature is recomputed with
that key's secret over the canonical request (AWS General Reference, "Create a signed AWS API request":
canonical request, string to sign, the derived signing key). `X-Amz-Date` is taken as the client says:
the simulated clock is not the real one, so a request is never "too old".
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote

_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),"
    r"\s*Signature=(?P<signature>[0-9a-f]{64})"
)


@dataclass(frozen=True)
class Signature:
    """What the `Authorization` header claims: key, scope (date/region/service) and the signature."""

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


def parse_authorization(header: str | None) -> Signature | None:
    """The claims of a SigV4 `Authorization` header, or None when there is none or it is not SigV4."""
    match = _AUTHORIZATION.fullmatch((header or "").strip())
    if match is None:
        return None
    parts = match["credential"].split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        return None
    key, date, region, service, _ = parts
    return Signature(key, date, region, service, tuple(match["signed"].split(";")), match["signature"])


def _canonical_uri(path: str) -> str:
    # Every service but S3 signs the path URI-encoded once more (botocore's SigV4Auth._canonical_uri).
    return quote(path or "/", safe="/~")


def _canonical_query(query: str) -> str:
    pairs = []
    for pair in query.split("&") if query else ():
        key, _, value = pair.partition("=")
        pairs.append((quote(unquote(key), safe="-_.~"), quote(unquote(value), safe="-_.~")))
    return "&".join(f"{key}={value}" for key, value in sorted(pairs))


def string_to_sign(
    claims: Signature,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
) -> str:
    """The string AWS signs for this request; `headers` keyed in lower case."""
    canonical_headers = "".join(
        f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in claims.signed_headers
    )
    payload = headers.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest()
    canonical = "\n".join(
        (
            method,
            _canonical_uri(path),
            _canonical_query(query),
            canonical_headers,
            ";".join(claims.signed_headers),
            payload,
        )
    )
    return "\n".join(
        (
            "AWS4-HMAC-SHA256",
            headers.get("x-amz-date", ""),
            claims.scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        )
    )


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def sign(secret: str, claims: Signature, text: str) -> str:
    """The signature of `text` with the key derived from `secret` for the claims' scope."""
    key = _hmac(f"AWS4{secret}".encode(), claims.date)
    for part in (claims.region, claims.service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def verify(secret: str, claims: Signature, text: str) -> bool:
    return hmac.compare_digest(sign(secret, claims, text), claims.signature)
