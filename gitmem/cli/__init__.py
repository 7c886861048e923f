"""The argparse definitions of the `git mem` commands, grouped by area.

These modules import only argparse and the standard library: `git mem hook` runs on every
commit and builds its parser from here, so none of gitmem's core modules may be imported.
"""
