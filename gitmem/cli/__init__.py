"""The argparse definitions of the `git mem` commands, grouped by area.

Owns every command's options and help text (`common.add_command` gives each the house layout
and its `--json`). `main.build_parser` builds only the invoked command's parser, and these
modules import only argparse, the standard library and the memory types' declaration
(`store.types`, which imports `re` alone), so `git mem hook` on every commit pays for no core
module. Two parsers read a declaration lazily, with what it costs: `deploy` the CI providers
(`deploy.ci_env`, standard library only) and `report` the report kinds (their builders: ~40 ms,
paid by `git mem report` and `git mem -h` alone).

It must not import `gitmem.main` or `commands`, nor anything else at module level.
"""
