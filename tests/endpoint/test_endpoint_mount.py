"""Cross-repository blob mounts (`POST /v2/NAME/blobs/uploads/?mount=DIGEST&from=SOURCE`) as ECR answers
them: a mount only with the registry's BLOB_MOUNTING setting ENABLED and ecr:GetDownloadUrlForLayer on the
source, else an ordinary upload started (202), each outcome explained."""

from __future__ import annotations

import base64
import hashlib
import urllib.error
import urllib.request

import pytest
from live import Running, registry_password

pytest.importorskip("boto3")

BLOB = b"a shared base layer"
DIGEST = "sha256:" + hashlib.sha256(BLOB).hexdigest()


def request(running: Running, method: str, path: str, password: str, body: bytes = b"") -> tuple[int, dict]:
    basic = base64.b64encode(f"AWS:{password}".encode()).decode()
    sent = urllib.request.Request(
        running.url + path, data=body or None, method=method, headers={"Authorization": f"Basic {basic}"}
    )
    try:
        with urllib.request.urlopen(sent, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_a_mount_needs_the_setting_and_read_access_to_the_source(running: Running) -> None:
    running.run("aws ecr create-repository --repository-name base")
    running.run("aws ecr create-repository --repository-name app")
    admin = registry_password(running)
    assert request(running, "POST", f"/v2/base/blobs/uploads/?digest={DIGEST}", admin, BLOB)[0] == 201
    mount = f"/v2/app/blobs/uploads/?mount={DIGEST}&from=base"

    status, headers = request(running, "POST", mount, admin)
    assert status == 202  # blob mounting is off: an ordinary upload starts
    assert headers["Location"].startswith("/v2/app/blobs/uploads/")
    explained = running.run("sim explain")
    assert f"no mount of {DIGEST} from base: blob mounting is DISABLED in registry 111122223333" in explained
    assert request(running, "HEAD", f"/v2/app/blobs/{DIGEST}", admin)[0] == 404

    assert running.run("aws ecr put-account-setting --name BLOB_MOUNTING --value ENABLED") == (
        '{\n    "name": "BLOB_MOUNTING",\n    "value": "ENABLED"\n}\n'
    )
    status, headers = request(running, "POST", mount, admin)
    assert (status, headers["Location"], headers["Docker-Content-Digest"]) == (
        201,
        f"/v2/app/blobs/{DIGEST}",
        DIGEST,
    )
    assert f"mounted {DIGEST} from base into app (201)" in running.run("sim explain")
    assert running.records[-1].operation == "ecr:MountBlob"
    assert request(running, "HEAD", f"/v2/app/blobs/{DIGEST}", admin)[0] == 200


def test_without_read_access_to_the_source_the_client_uploads(running: Running) -> None:
    running.run("aws ecr create-repository --repository-name base")
    running.run("aws ecr create-repository --repository-name app")
    running.run("aws ecr put-account-setting --name BLOB_MOUNTING --value ENABLED")
    assert (
        request(
            running, "POST", f"/v2/base/blobs/uploads/?digest={DIGEST}", registry_password(running), BLOB
        )[0]
        == 201
    )
    running.run("aws iam create-user --user-name ci")
    policy = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken",'
        '"ecr:InitiateLayerUpload","ecr:UploadLayerPart","ecr:CompleteLayerUpload"],"Resource":"*"},'
        '{"Effect":"Deny","Action":"ecr:GetDownloadUrlForLayer","Resource":'
        '"arn:aws:ecr:us-east-1:111122223333:repository/base"}]}'
    )
    running.run(f"aws iam put-user-policy --user-name ci --policy-name push --policy-document '{policy}'")
    created = running.shell.world.call(
        "iam", "CreateAccessKey", {"UserName": "ci"}, profile="admin", region="us-east-1"
    )["AccessKey"]
    ci = registry_password(running, (created["AccessKeyId"], created["SecretAccessKey"]))
    status, headers = request(running, "POST", f"/v2/app/blobs/uploads/?mount={DIGEST}&from=base", ci)
    assert status == 202
    explained = running.run("sim explain")
    assert explained.startswith(
        "DENIED (explicit): ecr:GetDownloadUrlForLayer on arn:aws:ecr:us-east-1:111122223333:repository/base"
    )
    assert "mounting needs ecr:GetDownloadUrlForLayer on base" in explained
    assert request(running, "PUT", f"{headers['Location']}?digest={DIGEST}", ci, BLOB)[0] == 201
