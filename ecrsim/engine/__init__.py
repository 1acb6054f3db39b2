"""The world and its rules: IAM, policy evaluation, registries, images, tokens, docker, the clock.

Standard library only: no Textual, no YAML, no printing.
"""
