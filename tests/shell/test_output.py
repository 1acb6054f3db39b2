"""Responses rendered as AWS CLI v2 renders them (the table and text expectations were produced by the
real awscli formatter modules on the same data)."""

from datetime import datetime, timedelta, timezone

from ecrsim.shell.output import cli_values, format_json, format_table, format_text
from ecrsim.shell.yamlout import format_yaml

REPOSITORY = {
    "repositoryArn": "arn:aws:ecr:us-east-1:111122223333:repository/web",
    "registryId": "111122223333",
    "repositoryName": "web",
    "repositoryUri": "111122223333.dkr.ecr.us-east-1.amazonaws.com/web",
    "createdAt": datetime(2026, 1, 5, 9, tzinfo=timezone.utc),
    "imageTagMutability": "MUTABLE",
    "imageScanningConfiguration": {"scanOnPush": False},
    "encryptionConfiguration": {"encryptionType": "AES256"},
}
IMAGE_IDS = {"imageIds": [{"imageDigest": "sha256:abc", "imageTag": "v1"}, {"imageDigest": "sha256:abd"}]}


def test_timestamps_print_as_iso_8601_with_offset() -> None:
    values = cli_values({"a": datetime(2026, 1, 5, 9, tzinfo=timezone(timedelta(hours=2))), "b": [1]})
    assert values == {"a": "2026-01-05T09:00:00+02:00", "b": [1]}


def test_json_is_indented_four_spaces_in_response_order() -> None:
    text = format_json(cli_values({"repository": REPOSITORY}))
    assert text.splitlines()[:3] == [
        "{",
        '    "repository": {',
        '        "repositoryArn": "arn:aws:ecr:us-east-1:111122223333:repository/web",',
    ]
    assert '        "createdAt": "2026-01-05T09:00:00+00:00",' in text
    assert text.endswith("}\n")


def test_json_prints_nothing_for_an_empty_response_but_null_for_a_query_miss() -> None:
    assert format_json({}) == ""
    assert format_json(None) == "null\n"


def test_text_sorts_scalar_columns_and_names_nested_rows() -> None:
    assert format_text(cli_values({"repositories": [REPOSITORY]})) == (
        "REPOSITORIES\t2026-01-05T09:00:00+00:00\tMUTABLE\t111122223333\t"
        "arn:aws:ecr:us-east-1:111122223333:repository/web\tweb\t111122223333.dkr.ecr.us-east-1.amazonaws.com/web\n"
        "ENCRYPTIONCONFIGURATION\tAES256\nIMAGESCANNINGCONFIGURATION\tFalse\n"
    )
    assert format_text(IMAGE_IDS) == "IMAGEIDS\tsha256:abc\tv1\nIMAGEIDS\tsha256:abd\t\n"
    assert format_text(["a", "b"]) == "a\tb\n"


def test_table_boxes_a_list_of_structures_under_the_operation_name() -> None:
    assert format_table(IMAGE_IDS, "ListImages") == (
        "-------------------------------\n"
        "|         ListImages          |\n"
        "+-----------------------------+\n"
        "||         imageIds          ||\n"
        "|+--------------+------------+|\n"
        "||  imageDigest | imageTag   ||\n"
        "|+--------------+------------+|\n"
        "||  sha256:abc  |  v1        ||\n"
        "||  sha256:abd  |            ||\n"
        "|+--------------+------------+|\n"
    )


def test_table_wider_than_80_columns_turns_single_rows_vertical() -> None:
    lines = format_table(cli_values({"repositories": [REPOSITORY]}), "DescribeRepositories").splitlines()
    assert all(len(line) == 79 for line in lines)
    assert "||  repositoryName     |  web                                                ||" in lines


def test_table_prints_nothing_for_empty_data() -> None:
    assert format_table({}, "X") == ""


def test_yaml_block_style_sorted_keys_and_quoting_like_the_cli() -> None:
    assert format_yaml(cli_values({"repositories": [REPOSITORY], "nextToken": None})) == (
        "nextToken: null\n"
        "repositories:\n"
        "- createdAt: '2026-01-05T09:00:00+00:00'\n"
        "  encryptionConfiguration:\n"
        "    encryptionType: AES256\n"
        "  imageScanningConfiguration:\n"
        "    scanOnPush: false\n"
        "  imageTagMutability: MUTABLE\n"
        "  registryId: '111122223333'\n"
        "  repositoryArn: arn:aws:ecr:us-east-1:111122223333:repository/web\n"
        "  repositoryName: web\n"
        "  repositoryUri: 111122223333.dkr.ecr.us-east-1.amazonaws.com/web\n"
    )


def test_yaml_quotes_what_would_not_read_back_as_the_same_string() -> None:
    data = {
        "a": "true",
        "b": "",
        "c": "it's",
        "d": "x: y",
        "e": "*",
        "f": "line\nbreak",
        "g": [],
        "h": {},
        "i": 3,
    }
    assert format_yaml(data) == (
        "a: 'true'\nb: ''\nc: it's\nd: 'x: y'\ne: '*'\nf: 'line\n\n  break'\ng: []\nh: {}\ni: 3\n"
    )
