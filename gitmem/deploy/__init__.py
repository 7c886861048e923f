"""Deployments: CI environment detection and the deploy records CI writes as notes.

Owns reading the CI provider's environment (`ci_env`, standard library only: the CLI's parser
imports it) and building and writing deploy records (`deploy`).

It may import `store` and `records`; it must not import the CLI.
"""
