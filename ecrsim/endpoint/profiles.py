"""The files a learner's own tools read to reach the endpoint as the world's users.

`config` and `credentials` in the AWS CLI's format (one profile per IAM user with a key, named as
`ecrsim shell` names profiles, each pointing at the endpoint with `endpoint_url`), and `env.sh`, which
exports the variables that make the CLI, boto3 and the SDKs read them (AWS CLI user guide, "Configuration
and credential file settings" and "Environment variables").
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from ecrsim.endpoint.keys import user_keys

if TYPE_CHECKING:
    from ecrsim.engine.world import World


def write_profiles(world: World, directory: Path, *, url: str, region: str, profile: str) -> Path:
    """Write config, credentials and env.sh into `directory` (made if missing); return env.sh's path."""
    directory.mkdir(parents=True, exist_ok=True)
    keys = user_keys(world)
    config, credentials = [], []
    for name, (key_id, secret) in sorted(keys.items()):
        section = name if name == "default" else f"profile {name}"
        config += [
            f"[{section}]",
            f"region = {region}",
            f"endpoint_url = {url}",
            "output = json",
            "cli_timestamp_format = iso8601",
            "",
        ]
        credentials += [f"[{name}]", f"aws_access_key_id = {key_id}", f"aws_secret_access_key = {secret}", ""]
    _write(directory / "config", "\n".join(config))
    _write(directory / "credentials", "\n".join(credentials))
    exports = {
        "AWS_CONFIG_FILE": str((directory / "config").resolve()),
        "AWS_SHARED_CREDENTIALS_FILE": str((directory / "credentials").resolve()),
        "AWS_PROFILE": profile,
        "AWS_ENDPOINT_URL": url,
        "AWS_DEFAULT_REGION": region,
    }
    env = directory / "env.sh"
    _write(env, "".join(f"export {name}={shlex.quote(value)}\n" for name, value in exports.items()))
    return env


def _write(path: Path, text: str) -> None:
    """Written readable by its owner only: the credentials act as the world's users."""
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(text, encoding="utf-8")
