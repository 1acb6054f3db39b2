"""aws options parsed from AWS's own service models, with the CLI's errors and exit statuses."""

import pytest

from ecrsim.shell.awsargs import (
    USAGE,
    AwsUsageError,
    FileReader,
    OperationArgs,
    parse_globals,
    parse_operation_args,
)
from ecrsim.shell.servicemodel import ServiceModel, load_service

ECR = load_service("ecr")
IAM = load_service("iam")


def no_files(name: str) -> str:
    raise FileNotFoundError(2, "No such file or directory", name)


def parse(
    model: ServiceModel, operation: str, argv: list[str], read_file: FileReader = no_files
) -> OperationArgs:
    return parse_operation_args(model, model.operations[operation], argv, read_file)


def test_models_hold_the_operations_commands_md_lists_with_aws_names() -> None:
    assert ECR.operations["create-repository"].name == "CreateRepository"
    assert IAM.operations["list-attached-user-policies"].name == "ListAttachedUserPolicies"
    assert "get-login" not in ECR.operations and "get-login" not in ECR.other_operations
    assert "initiate-layer-upload" in ECR.other_operations


def test_global_options_are_taken_from_anywhere_on_the_line() -> None:
    args = parse_globals(["--region", "eu-west-1", "ecr", "list-images", "--output=table", "--no-cli-pager"])
    assert (args.region, args.output, args.rest) == ("eu-west-1", "table", ["ecr", "list-images"])


def test_bad_output_format_lists_the_choices() -> None:
    with pytest.raises(AwsUsageError) as caught:
        parse_globals(["--output", "xml"])
    assert "aws: error: argument --output: Invalid choice, valid choices are:" in caught.value.text
    assert caught.value.status == 252


def test_scalars_booleans_lists_and_shorthand_structures() -> None:
    parsed = parse(
        ECR,
        "create-repository",
        [
            "--repository-name", "web",
            "--image-tag-mutability", "IMMUTABLE",
            "--image-scanning-configuration", "scanOnPush=true",
            "--tags", "Key=team,Value=payments", "Key=env,Value=prod",
        ],
    )  # fmt: skip
    assert parsed.params == {
        "repositoryName": "web",
        "tags": [{"Key": "team", "Value": "payments"}, {"Key": "env", "Value": "prod"}],
        "imageTagMutability": "IMMUTABLE",
        "imageScanningConfiguration": {"scanOnPush": True},
    }
    assert parse(ECR, "delete-repository", ["--repository-name", "web", "--force"]).params["force"] is True
    assert (
        parse(ECR, "delete-repository", ["--repository-name", "web", "--no-force"]).params["force"] is False
    )


def test_json_values_and_file_urls() -> None:
    files = {"p.json": '{"Version": "2012-10-17"}'}
    parsed = parse(
        ECR,
        "set-repository-policy",
        ["--repository-name", "web", "--policy-text", "file://p.json"],
        read_file=files.__getitem__,
    )
    assert parsed.params["policyText"] == '{"Version": "2012-10-17"}'
    ids = parse(ECR, "batch-delete-image", ["--repository-name", "w1", "--image-ids", '[{"imageTag": "v1"}]'])
    assert ids.params["imageIds"] == [{"imageTag": "v1"}]


def test_missing_required_options_are_all_named_in_model_order() -> None:
    with pytest.raises(AwsUsageError) as caught:
        parse(ECR, "set-repository-policy", [])
    assert (
        caught.value.text
        == USAGE + "\naws: error: the following arguments are required: --repository-name, --policy-text\n"
    )
    assert caught.value.status == 252


def test_unknown_options_follow_the_usage_block() -> None:
    with pytest.raises(AwsUsageError) as caught:
        parse(ECR, "describe-repositories", ["--names", "web", "extra"])
    assert caught.value.text == USAGE + "\nUnknown options: --names, web, extra\n"


def test_unique_prefixes_abbreviate_options_as_argparse_allows() -> None:
    assert parse(ECR, "describe-repositories", ["--repository", "web"]).params == {"repositoryNames": ["web"]}
    assert parse(ECR, "delete-repository", ["--repository-name", "web", "--forc"]).params["force"] is True
    assert parse_globals(["--reg", "eu-west-1", "--out", "text"]).region == "eu-west-1"
    with pytest.raises(AwsUsageError) as caught:
        parse(ECR, "create-repository", ["--repository-name", "web", "--image", "x"])
    assert caught.value.text.endswith(
        "aws: error: ambiguous option: --image could match --image-tag-mutability, "
        "--image-tag-mutability-exclusion-filters, --image-scanning-configuration\n"
    )


def test_option_without_its_value() -> None:
    with pytest.raises(AwsUsageError) as caught:
        parse(ECR, "create-repository", ["--repository-name"])
    assert caught.value.text.endswith("aws: error: argument --repository-name: expected one argument\n")


def test_client_side_validation_is_botocores() -> None:
    with pytest.raises(AwsUsageError) as caught:
        parse(
            ECR,
            "create-repository",
            ["--repository-name", "a", "--image-scanning-configuration", "scanOnPush=maybe,x=1"],
        )
    assert caught.value.text == (
        "\nParameter validation failed:\n"
        "Invalid length for parameter repositoryName, value: 1, valid min length: 2\n"
        'Unknown parameter in imageScanningConfiguration: "x", must be one of: scanOnPush\n'
        "Invalid type for parameter imageScanningConfiguration.scanOnPush, value: maybe, "
        "type: <class 'str'>, valid types: <class 'bool'>\n"
    )


def test_bad_json_and_bad_shorthand_name_the_parameter() -> None:
    with pytest.raises(AwsUsageError) as caught:
        parse(ECR, "batch-delete-image", ["--repository-name", "web", "--image-ids", "[{"])
    assert caught.value.text.startswith("\nError parsing parameter '--image-ids': Invalid JSON: ")
    assert caught.value.text.endswith("JSON received: [{\n")
    with pytest.raises(AwsUsageError) as caught:
        parse(ECR, "batch-delete-image", ["--repository-name", "web", "--image-ids", "imageTag"])
    assert caught.value.text == (
        "\nError parsing parameter '--image-ids': Expected: '=', received: 'EOF' for input:\n"
        "imageTag\n        ^\n"
    )


def test_missing_file_is_a_paramfile_error() -> None:
    with pytest.raises(AwsUsageError) as caught:
        parse(ECR, "set-repository-policy", ["--repository-name", "web", "--policy-text", "file://nope.json"])
    assert caught.value.text == (
        "\nError parsing parameter '--policy-text': Unable to load paramfile file://nope.json: "
        "[Errno 2] No such file or directory: 'nope.json'\n"
    )


def test_paginated_operations_take_the_cli_pagination_options_and_still_the_token_members() -> None:
    parsed = parse(ECR, "list-images", ["--repository-name", "web", "--max-items", "2"])
    assert parsed.max_items == 2 and "maxResults" not in parsed.params and not parsed.manual
    # The API's own members stay accepted, undocumented, and turn the CLI's pagination off.
    manual = parse(ECR, "list-images", ["--repository-name", "web", "--next-token", "x"])
    assert manual.params["nextToken"] == "x" and manual.manual


def test_help_after_the_operation() -> None:
    assert parse(ECR, "create-repository", ["help"]).help
