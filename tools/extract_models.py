"""Extract the parts of botocore's service models that the simulated `aws` command and `ecrsim endpoint`
need.

Why a committed extract instead of importing botocore at run time: botocore is a 100 MB dependency that
takes about half a second to import, and the shell must start (and run a `--script` of hundreds of
commands) in a fraction of that. What the shell needs from it is small and stable: for each operation
commands.md lists, AWS's own operation name, the CLI's kebab-case name, the input members with their
types, required flags, enums and length/pattern constraints; the output shapes (for the CLI's response
customisations); the paginator (the CLI hides pagination tokens); the waiters; a one-sentence summary
of each doc string for `aws SERVICE OPERATION help`; and the commercial partition's Regions (a Region
outside it has no endpoint, which the CLI reports as a connection failure). The endpoint adds what the
wire needs: the protocol, ECR's JSON target prefix, the query protocol's XML namespace and result
wrappers, and the operations only it serves. Copying those facts from
botocore's own JSON, rather than typing them by hand, keeps option names and types exactly AWS's.

Run with a Python that has botocore installed (the system Python here; ecrsim's venv does not):

    python3 tools/extract_models.py    # writes ecrsim/shell/models/{ecr,iam,sts,regions}.json
"""

from __future__ import annotations

import gzip
import html
import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

from botocore import xform_name  # the CLI derives its option and command names with this function

OPERATIONS: dict[str, list[str]] = {
    "ecr": [
        "GetAuthorizationToken", "CreateRepository", "DescribeRepositories", "DeleteRepository",
        "SetRepositoryPolicy", "GetRepositoryPolicy", "DeleteRepositoryPolicy", "PutImageTagMutability",
        "PutImageScanningConfiguration", "PutLifecyclePolicy", "GetLifecyclePolicy", "DeleteLifecyclePolicy",
        "StartLifecyclePolicyPreview", "GetLifecyclePolicyPreview", "ListImages", "DescribeImages",
        "BatchGetImage", "BatchDeleteImage", "PutImage", "TagResource", "UntagResource",
        "ListTagsForResource", "DescribeRegistry", "StartImageScan", "DescribeImageScanFindings",
        "PutRegistryPolicy", "GetRegistryPolicy", "DeleteRegistryPolicy", "CreateRepositoryCreationTemplate",
        "DescribeRepositoryCreationTemplates", "UpdateRepositoryCreationTemplate",
        "DeleteRepositoryCreationTemplate", "PutReplicationConfiguration", "DescribeImageReplicationStatus",
        "PutAccountSetting", "GetAccountSetting",
        "CreatePullThroughCacheRule", "DescribePullThroughCacheRules", "UpdatePullThroughCacheRule",
        "DeletePullThroughCacheRule", "ValidatePullThroughCacheRule", "PutRegistryScanningConfiguration",
        "GetRegistryScanningConfiguration", "BatchGetRepositoryScanningConfiguration",
        "UpdateImageStorageClass",
    ],
    "iam": [
        "CreateUser", "DeleteUser", "ListUsers", "GetUser", "CreateGroup", "AddUserToGroup",
        "RemoveUserFromGroup", "CreateRole", "DeleteRole", "CreatePolicy", "DeletePolicy",
        "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy",
        "AttachRolePolicy", "DetachRolePolicy", "PutUserPolicy", "GetUserPolicy", "DeleteUserPolicy",
        "PutRolePolicy", "GetRolePolicy", "DeleteRolePolicy", "ListAttachedUserPolicies",
        "ListUserPolicies", "ListAttachedRolePolicies", "CreateInstanceProfile", "GetInstanceProfile",
        "AddRoleToInstanceProfile", "RemoveRoleFromInstanceProfile", "DeleteInstanceProfile",
        "ListInstanceProfiles",
        "GetRole", "PutUserPermissionsBoundary", "PutRolePermissionsBoundary",
        "DeleteUserPermissionsBoundary", "DeleteRolePermissionsBoundary",
    ],
    "sts": ["GetCallerIdentity", "AssumeRole"],
    "ec2": [
        "CreateVpc", "DescribeVpcs", "ModifyVpcAttribute", "DeleteVpc", "CreateSubnet", "DescribeSubnets",
        "ModifySubnetAttribute", "DeleteSubnet", "CreateRouteTable", "DescribeRouteTables",
        "AssociateRouteTable", "DisassociateRouteTable", "DeleteRouteTable", "CreateRoute", "DeleteRoute",
        "CreateInternetGateway", "DescribeInternetGateways", "AttachInternetGateway", "DetachInternetGateway",
        "DeleteInternetGateway", "AllocateAddress", "DescribeAddresses", "ReleaseAddress", "CreateNatGateway",
        "DescribeNatGateways", "DeleteNatGateway", "CreateSecurityGroup", "DescribeSecurityGroups",
        "DeleteSecurityGroup", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
        "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateVpcEndpoint",
        "DescribeVpcEndpoints", "ModifyVpcEndpoint", "DeleteVpcEndpoints", "RunInstances",
        "DescribeInstances", "TerminateInstances",
    ],
    "ecs": [
        "CreateCluster", "DescribeClusters", "DeleteCluster", "RegisterTaskDefinition",
        "DescribeTaskDefinition", "RunTask", "DescribeTasks", "ListTasks", "StopTask",
    ],
    "kms": [
        "CreateKey", "DescribeKey", "ListKeys", "CreateAlias", "ListAliases", "GetKeyPolicy", "PutKeyPolicy",
        "DisableKey", "EnableKey", "ScheduleKeyDeletion", "CancelKeyDeletion",
    ],
    "lambda": [
        "CreateFunction", "GetFunction", "GetFunctionConfiguration", "UpdateFunctionCode", "DeleteFunction",
        "ListFunctions", "Invoke",
    ],
    "organizations": [
        "CreateOrganization", "DescribeOrganization", "ListRoots", "ListAccounts", "CreateAccount",
        "DescribeCreateAccountStatus", "CreateOrganizationalUnit", "ListOrganizationalUnitsForParent",
        "MoveAccount", "CreatePolicy", "DescribePolicy", "ListPolicies", "ListPoliciesForTarget",
        "AttachPolicy", "DetachPolicy", "DeletePolicy", "EnablePolicyType",
    ],
    "secretsmanager": ["CreateSecret", "DescribeSecret", "DeleteSecret"],
}  # fmt: skip
# Operations only `ecrsim endpoint` serves: the layer calls a registry client's push and pull turn into, and
# the access-key calls a learner makes with the real CLI. The simulated terminal keeps calling them "not
# simulated" (they stay in otherOperations), while the endpoint serialises them from AWS's shapes.
ENDPOINT_OPERATIONS: dict[str, list[str]] = {
    "ecr": [
        "BatchCheckLayerAvailability", "InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload",
        "GetDownloadUrlForLayer",
    ],
    "iam": ["CreateAccessKey", "DeleteAccessKey", "UpdateAccessKey", "ListAccessKeys"],
    "sts": [],
    "ec2": [],
    "ecs": [],
    "kms": [],
    "lambda": [],
    "organizations": [],
    "secretsmanager": [],
}  # fmt: skip

SHAPE_KEYS = ("type", "required", "min", "max", "pattern", "enum", "sensitive")
OUT_DIR = Path(__file__).resolve().parent.parent / "ecrsim" / "shell" / "models"


def first_sentence(doc: str | None) -> str:
    """The first sentence of an HTML doc string, as plain text: enough for `help`, small to ship."""
    if not doc:
        return ""
    text = html.unescape(re.sub(r"<[^>]+>", " ", doc))
    text = re.sub(r"\s+", " ", text).strip()
    match = re.search(r"(?<![ .][A-Za-z])\.(\s|$)", text)
    return text[: match.start() + 1] if match else text


def load_json(directory: Path, stem: str) -> dict[str, Any]:
    for path, opener in ((directory / f"{stem}.json", open), (directory / f"{stem}.json.gz", gzip.open)):
        if path.exists():
            with opener(path, "rt", encoding="utf-8") as handle:
                return json.load(handle)
    raise FileNotFoundError(directory / f"{stem}.json")


def service_dir(service: str) -> Path:
    spec = importlib.util.find_spec("botocore")
    if spec is None or spec.origin is None:
        sys.exit("extract_models: botocore is not installed in this Python")
    root = Path(spec.origin).parent / "data" / service
    return max(p for p in root.iterdir() if p.is_dir())  # the newest API version


def compact_shape(shape: dict[str, Any], *, with_cli_names: bool) -> dict[str, Any]:
    out: dict[str, Any] = {key: shape[key] for key in SHAPE_KEYS if key in shape}
    if shape.get("documentation"):
        out["doc"] = first_sentence(shape["documentation"])
    for key in ("member", "key", "value"):
        if key in shape:
            out[key] = shape[key]["shape"]
    if "members" in shape:
        members = {}
        for name, ref in shape["members"].items():
            member: dict[str, Any] = {"shape": ref["shape"]}
            if with_cli_names:
                member["cli"] = xform_name(name, "-")
            if ref.get("documentation"):
                member["doc"] = first_sentence(ref["documentation"])
            members[name] = member
        out["members"] = members
    return out


def reachable(shapes: dict[str, Any], root: str) -> list[str]:
    seen: list[str] = []
    stack = [root]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.append(name)
        shape = shapes[name]
        stack.extend(shape[key]["shape"] for key in ("member", "key", "value") if key in shape)
        stack.extend(ref["shape"] for ref in shape.get("members", {}).values())
    return seen


def extract(service: str) -> dict[str, Any]:
    directory = service_dir(service)
    model = load_json(directory, "service-2")
    paginators = load_json(directory, "paginators-1")["pagination"]
    shapes = model["shapes"]
    inputs: set[str] = set()
    outputs: set[str] = set()
    operations: dict[str, Any] = {}
    endpoint_operations: dict[str, Any] = {}
    for name in OPERATIONS[service] + ENDPOINT_OPERATIONS[service]:
        op = model["operations"][name]
        entry: dict[str, Any] = {"cli": xform_name(name, "-"), "doc": first_sentence(op.get("documentation"))}
        if "input" in op:
            entry["input"] = op["input"]["shape"]
            inputs.update(reachable(shapes, entry["input"]))
        if "output" in op:
            entry["output"] = op["output"]["shape"]
            if "resultWrapper" in op["output"]:  # the query protocol's <OperationResult> element
                entry["resultWrapper"] = op["output"]["resultWrapper"]
            outputs.update(reachable(shapes, entry["output"]))
        if name in paginators:
            entry["paginator"] = paginators[name]
        (operations if name in OPERATIONS[service] else endpoint_operations)[name] = entry
    has_waiters = (directory / "waiters-2.json").exists()
    waiter_configs = load_json(directory, "waiters-2")["waiters"] if has_waiters else {}
    waiters = {
        xform_name(name, "-"): {"name": name, **config}
        for name, config in waiter_configs.items()
        if config["operation"] in operations
    }
    kept = {
        name: compact_shape(shapes[name], with_cli_names=name in inputs) for name in sorted(inputs | outputs)
    }
    meta = model["metadata"]
    return {
        "service": service,
        "serviceFullName": meta["serviceFullName"],
        "apiVersion": meta["apiVersion"],
        # How `ecrsim endpoint` speaks the service on the wire: ECR's JSON 1.1 target prefix, IAM's and
        # STS's query-protocol XML namespace.
        "protocol": meta["protocol"],
        **{key: meta[key] for key in ("targetPrefix", "jsonVersion", "xmlNamespace") if key in meta},
        "operations": operations,
        "endpointOperations": endpoint_operations,
        # The CLI names of every other operation: `aws ecr OTHER` is then "not simulated", not a typo.
        # `aws SERVICE wait NAME`: the waiters whose operation the simulator offers.
        "waiters": waiters,
        "otherOperations": sorted(xform_name(op, "-") for op in model["operations"] if op not in operations),
        "shapes": kept,
    }


def regions() -> dict[str, Any]:
    """The commercial partition's Regions: a Region outside it has no endpoint for the CLI to reach."""
    partitions = load_json(service_dir("ecr").parent.parent, "endpoints")["partitions"]
    aws = next(p for p in partitions if p["partition"] == "aws")
    return {"partition": "aws", "dnsSuffix": aws["dnsSuffix"], "regions": sorted(aws["regions"])}


def main() -> int:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    outputs = {service: extract(service) for service in OPERATIONS}
    outputs["regions"] = regions()
    for name, data in outputs.items():
        path = OUT_DIR / f"{name}.json"
        path.write_text(json.dumps(data, separators=(",", ":"), sort_keys=False) + "\n")
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
