"""Memory in and out of the layouts people already keep.

Owns reading ADR directories (`adr`: adr-tools, MADR, log4brains), folders of Markdown memory
files and gitmem's own exports into records (`importing`), and writing records out as JSONL,
Markdown files or ADRs (`exporting`).

It may import `store`, `search` (filters) and `records`; it must not import the CLI or another
domain package.
"""
