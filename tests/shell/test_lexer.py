"""Command lines split as bash would split them; what the simulator cannot run is refused by name."""

from collections.abc import Mapping

import pytest

from ecrsim.shell.lexer import LexError
from ecrsim.shell.lexer import split_pipeline as split


def _run(command: str) -> str:
    """A stand-in for the shell: `$(CMD)` prints CMD's words bracketed, then two newlines."""
    return f"[{command}]\n\n"


def split_pipeline(line: str, env: Mapping[str, str] | None = None) -> list[list[str]]:
    return split(line, env or {}, _run)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("aws ecr list-images", [["aws", "ecr", "list-images"]]),
        ("  ", []),
        ("# only a comment", []),
        ("aws ecr x # a comment", [["aws", "ecr", "x"]]),
        ("echo a#b", [["echo", "a#b"]]),
        ("echo 'a | b' \"c d\"", [["echo", "a | b", "c d"]]),
        ('echo "it\'s" \'say "hi"\'', [["echo", "it's", 'say "hi"']]),
        ('echo "a\\"b" a\\ b \'\\n\'', [["echo", 'a"b', "a b", "\\n"]]),
        ("echo x'y'\"z\"", [["echo", "xyz"]]),
        ("a|b | c", [["a"], ["b"], ["c"]]),
        ("echo '' \"\"", [["echo", "", ""]]),
    ],
)
def test_words_and_pipes(line: str, expected: list[list[str]]) -> None:
    assert split_pipeline(line) == expected


def test_variables_expand_unquoted_and_in_double_quotes_but_not_single() -> None:
    env = {"AWS_REGION": "eu-west-1", "ACCT": "111122223333"}
    assert split_pipeline('echo $AWS_REGION "${ACCT}.dkr" \'$ACCT\' $NOPE "$NOPE" x$', env) == [
        ["echo", "eu-west-1", "111122223333.dkr", "$ACCT", "", "x$"]
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # Unquoted: split on blanks, trailing newlines dropped; quoted: one word, inner blanks kept.
        ("echo $(a  b) x", [["echo", "[a", "b]", "x"]]),
        ('echo "$(a  b)"x', [["echo", "[a  b]x"]]),
        ("echo pre$(a b)post", [["echo", "pre[a", "b]post"]]),
        ("echo `a  b`", [["echo", "[a", "b]"]]),
        ("echo `a \\`b\\``", [["echo", "[a", "`b`]"]]),  # the inner command is "a `b`"
        ("echo $(a $(b c)) d", [["echo", "[a", "$(b", "c)]", "d"]]),  # the inner command is "a $(b c)"
        ("echo $(a ')' \"(\" (x))", [["echo", "[a", "')'", '"("', "(x)]"]]),
        # An assignment's value is never split, as a leading word or export's argument.
        ("V=$(a b) cmd $(c d)", [["V=[a b]", "cmd", "[c", "d]"]]),
        ("export V=$(a b)", [["export", "V=[a b]"]]),
        ("cmd V=$(a b)", [["cmd", "V=[a", "b]"]]),
        ("$(a) | cat", [["[a]"], ["cat"]]),
    ],
)
def test_command_substitution_splits_as_bash(line: str, expected: list[list[str]]) -> None:
    assert split_pipeline(line) == expected


def test_an_unquoted_expansion_that_is_empty_leaves_no_word_but_the_command_stays() -> None:
    assert split("$E $(x) | cat", {"E": ""}, lambda command: "\n") == [[], ["cat"]]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("a && b", "ecrsim: '&&' is not supported in the simulated terminal"),
        ("a || b", "ecrsim: '||' is not supported"),
        ("a; b", "ecrsim: ';' is not supported"),
        ("aws ecr x > out.json", "ecrsim: '>' is not supported"),
        ("a < in", "ecrsim: '<' is not supported"),
        ("a &", "ecrsim: '&' is not supported"),
        ("echo $((1 + 2))", "ecrsim: arithmetic expansion $((...)) is not supported"),
        ("echo $(whoami", "bash: unexpected EOF while looking for matching `)'"),
        ("echo $(echo ')'", "bash: unexpected EOF while looking for matching `)'"),
        ("echo `whoami", "bash: unexpected EOF while looking for matching ``'"),
        ('echo "$(whoami)', "bash: unexpected EOF while looking for matching `\"'"),
        ("echo 'open", "bash: unexpected EOF while looking for matching `''"),
        ('echo "open', "bash: unexpected EOF while looking for matching `\"'"),
        ("| a", "bash: syntax error near unexpected token `|'"),
        ("a |", "bash: syntax error: unexpected end of file"),
    ],
)
def test_unsupported_and_malformed_lines_get_one_clear_line(line: str, message: str) -> None:
    with pytest.raises(LexError) as caught:
        split_pipeline(line)
    assert caught.value.message.startswith(message)
    assert "\n" not in caught.value.message
    assert caught.value.status == 2
