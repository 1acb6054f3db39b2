"""The base of every error ecrsim raises on purpose, in the engine, the shell, the scenarios, the endpoint
and the UI: an `except EcrsimError` catches the project's refusals and nothing else, so a bare ValueError
from a bug is never taken for a learner's mistake and printed as one.

At the package's root and with no imports, so that the lightest module (the UI's first frame) can name it
without loading the engine.
"""


class EcrsimError(Exception):
    """An error ecrsim raises to say "no" to its input; its message is one line to show."""
