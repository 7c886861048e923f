"""The API every command and assistant uses: find, read and change records.

Owns the `Store` facade (where each record lives, resolving id prefixes, reading and writing
files and notes with the index kept fresh), `finder` (list and search), `actions` (save, update,
delete, supersede, shared by the CLI and MCP; the new memory a save writes: `new_record`) and
`doctor` (checking a repository).

It may import `store` and `search`; it must not import a domain package or the CLI.
"""
