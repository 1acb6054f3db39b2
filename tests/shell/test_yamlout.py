"""`--output yaml` byte for byte as the PyYAML/ruamel emitter family writes it (the CLI uses ruamel).

PyYAML is the oracle here (tests may import it; the shell may not). Its resolver is YAML 1.1 and the
CLI's is YAML 1.2, so strings the two resolve differently (`yes`, `on`, `1:20`, `0o17`) are left out
of the comparison; everything else, quoting choice, escapes and folding at column 80, must match.
"""

from __future__ import annotations

import json

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ecrsim.shell.yamlout import _RESOLVES, format_yaml

_PYYAML_RESOLVER = yaml.resolver.Resolver()


def pyyaml(data: object) -> str:
    return yaml.safe_dump(data, default_flow_style=False, allow_unicode=True, width=80)


def same_resolution(text: str) -> bool:
    pyyaml_tag = _PYYAML_RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    return (pyyaml_tag != "tag:yaml.org,2002:str") == bool(_RESOLVES.match(text))


def test_a_pretty_policy_folds_as_a_double_quoted_scalar() -> None:
    policy = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*"}]}, indent=2
    )
    data = {"policyText": policy, "registryId": "111122223333", "repositoryName": "web"}
    assert format_yaml(data) == pyyaml(data)
    assert format_yaml(data).startswith('policyText: "{\\n  \\"Version\\": \\"2012-10-17\\",\\n')


def test_long_messages_fold_at_spaces_past_column_80() -> None:
    message = (
        "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: ecr:BatchGetImage on resource"
    )
    data = {"failures": [{"failureReason": message, "imageId": {"imageTag": "v1"}}]}
    assert format_yaml(data) == pyyaml(data)
    assert format_yaml(data).splitlines()[1:3] == [
        "- failureReason: 'User: arn:aws:iam::111122223333:user/bob is not authorized to perform:",
        "    ecr:BatchGetImage on resource'",
    ]


def test_top_level_scalars_end_the_document_when_plain() -> None:
    assert format_yaml("web") == "web\n...\n"
    assert format_yaml("111122223333") == "'111122223333'\n"
    assert format_yaml(None) == "null\n...\n"
    assert format_yaml([]) == "[]\n"


text = st.text(alphabet=st.sampled_from(list("ab yz09:#-'\"{}[],.?!&*|>%@`\n\t\\é~=")), max_size=140)


@settings(max_examples=400, deadline=None)
@given(text)
def test_any_string_in_any_position_matches_the_emitter(value: str) -> None:
    if not same_resolution(value):
        return
    data = {"key": value, "list": [value, {"deep": [value]}], "z": 1}
    assert format_yaml(data) == pyyaml(data)
