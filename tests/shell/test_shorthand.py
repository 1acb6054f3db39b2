"""The CLI's shorthand grammar and its caret-pointing errors."""

import pytest

from ecrsim.shell.shorthand import ShorthandError, parse_shorthand


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Key=team,Value=payments", {"Key": "team", "Value": "payments"}),
        ("imageTag=v1", {"imageTag": "v1"}),
        ("scanOnPush=true", {"scanOnPush": "true"}),
        ("a=b,c", {"a": ["b", "c"]}),
        ("a=b,c,d=e", {"a": ["b", "c"], "d": "e"}),
        ("a=[b,c],d={e=f,g=[h]}", {"a": ["b", "c"], "d": {"e": "f", "g": ["h"]}}),
        ("a=\"x,y\",b='q'", {"a": "x,y", "b": "q"}),
        ("x=a\\,b", {"x": "a,b"}),
        ("k = v , k2 = v2", {"k": "v", "k2": "v2"}),
        ("a=", {"a": ""}),
        ("url=https://x/y?a=b", {"url": "https://x/y?a=b"}),
    ],
)
def test_parses_like_the_cli(text: str, expected: object) -> None:
    assert parse_shorthand(text) == expected


def test_missing_equals_points_at_the_end() -> None:
    with pytest.raises(ShorthandError) as caught:
        parse_shorthand("imageTag")
    assert str(caught.value) == "Expected: '=', received: 'EOF' for input:\nimageTag\n        ^"


def test_duplicate_key_explains_the_usual_cause() -> None:
    with pytest.raises(ShorthandError) as caught:
        parse_shorthand("Key=a,Key=b")
    assert str(caught.value) == (
        'Second instance of key "Key" encountered for input:\nKey=a,Key=b\n      ^\n'
        'This is often because there is a preceding "," instead of a space.'
    )


@pytest.mark.parametrize("text", ["a=[b", "a={b=c", "a=b,", "a=[b,{c=d]"])
def test_malformed_input_raises_shorthand_error_only(text: str) -> None:
    with pytest.raises(ShorthandError):
        parse_shorthand(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a=b=c", {"a": "b=c"}),  # `=` inside a first value
        ("a=b,c\u00e9\u20ac", {"a": ["b", "c\u00e9\u20ac"]}),  # beyond ASCII
        ("a=\tb", {"a": "b"}),  # white space before a value is skipped
    ],
)
def test_what_a_value_may_hold(text: str, expected: object) -> None:
    assert parse_shorthand(text) == expected


def test_a_first_value_ends_at_a_closing_bracket() -> None:
    with pytest.raises(ShorthandError):
        parse_shorthand("a=x]y")
