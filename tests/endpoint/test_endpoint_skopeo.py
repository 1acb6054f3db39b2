"""skopeo against the endpoint's registry: push and pull, OCI manifests and an OCI image index."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from layouts import OCI_INDEX, OCI_MANIFEST, oci_layout
from live import Running, need, registry_password


@pytest.fixture
def skopeo() -> str:
    path = shutil.which("skopeo")
    need(path is not None, "skopeo is not installed (Debian: apt-get install skopeo)")
    return str(path)


def copy(skopeo: str, source: str, destination: str, password: str) -> subprocess.CompletedProcess[str]:
    creds = f"AWS:{password}"
    command = [skopeo, "copy", "--all", "--src-tls-verify=false", "--dest-tls-verify=false"]
    if source.startswith("docker://"):
        command += ["--src-creds", creds]
    if destination.startswith("docker://"):
        command += ["--dest-creds", creds]
    return subprocess.run([*command, source, destination], capture_output=True, text=True, timeout=120)


def test_an_oci_image_and_an_oci_index_are_pushed_and_pulled(
    running: Running, skopeo: str, tmp_path: Path
) -> None:
    running.run("aws ecr create-repository --repository-name app")
    password = registry_password(running)
    single = oci_layout(tmp_path / "single", "hello")
    multi = oci_layout(tmp_path / "multi", "hello", platforms=("amd64", "arm64"))
    for layout, tag in ((single, "v1"), (multi, "multi")):
        pushed = copy(skopeo, f"oci:{layout}:latest", f"docker://{running.address}/app:{tag}", password)
        assert pushed.returncode == 0, pushed.stderr
    images = json.loads(running.run("aws ecr describe-images --repository-name app"))["imageDetails"]
    by_tag = {detail.get("imageTags", [""])[0]: detail["imageManifestMediaType"] for detail in images}
    assert by_tag == {"v1": OCI_MANIFEST, "multi": OCI_INDEX, "": OCI_MANIFEST}
    pulled = copy(skopeo, f"docker://{running.address}/app:multi", f"oci:{tmp_path / 'out'}:x", password)
    assert pulled.returncode == 0, pulled.stderr
    index = json.loads((tmp_path / "out" / "index.json").read_text())
    assert index["manifests"][0]["mediaType"] == OCI_INDEX
    operations = [record.operation for record in running.records]
    assert "ecr:InitiateLayerUpload" in operations
    assert operations[-1] == "ecr:GetDownloadUrlForLayer"


def test_a_forged_password_is_refused(running: Running, skopeo: str, tmp_path: Path) -> None:
    running.run("aws ecr create-repository --repository-name app")
    layout = oci_layout(tmp_path / "image", "hello")
    pushed = copy(skopeo, f"oci:{layout}:latest", f"docker://{running.address}/app:v1", "not-a-token")
    assert pushed.returncode != 0
    assert "400 (Bad Request)" in pushed.stderr  # what ECR answers a password it did not issue
    # skopeo first asks whether the layer is there (HEAD blob) and gives up on that refusal
    assert running.records[-1].explanation == (
        "REFUSED: ecr:BatchCheckLayerAvailability: DENIED",
        "  AWS says: Your authorization token is invalid.",
        "  the password is not an authorization token this world issued for us-east-1",
    )
