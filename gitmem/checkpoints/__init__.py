"""Checkpoints: snapshots of work in progress as commit chains on refs/gitmem/checkpoints/.

Owns the chain format (`checkpoint`), taking a snapshot without touching the user's index
(`snapshot`), diffs between checkpoints, restoring one (`restore`; the paths it may
write: `restore_paths`; `restore_report`) and pruning.

It may import `store`; it must not import the CLI.
"""
