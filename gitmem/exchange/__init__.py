"""Memory in and out of the layouts people already keep.

Owns reading `~/.global/memory/<project>/` trees (`global_tree`), ADR directories (`adr`:
adr-tools, MADR, log4brains), folders of Markdown memory files and gitmem's own exports into
records (`importing`), and writing records out as JSONL, Markdown files or ADRs (`exporting`).

It may import `store`, `search` (filters) and `records`, and uses `sessions` (a tree's
conversations become transcripts) and `checkpoints` (its checkpoints become chains); it
must not import the CLI.
"""
