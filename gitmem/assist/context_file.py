"""`git mem context --write FILE`: keep a marked section of an assistant's own instructions file
(AGENTS.md, CLAUDE.md, a Cursor rules file) equal to the context pack.

Everything outside the markers is the user's and is never touched; the section is replaced
whole, so running it twice leaves the file byte-identical (and unwritten: its mtime too). The
markers are HTML comments, invisible where the Markdown is rendered.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from gitmem.errors import UsageError
from gitmem.store.files import atomic_write

START = "<!-- gitmem:context:start -->"
END = "<!-- gitmem:context:end -->"
NOTICE = (
    "<!-- Written by `git mem context --write`: this section is replaced each time it runs; "
    "edit outside the markers. -->"
)
# A new Cursor rules file needs its own front matter, or Cursor never applies it.
CURSOR_FRONT_MATTER = (
    "---\ndescription: The project's memory (gitmem): decisions, facts, procedures\n"
    "alwaysApply: true\n---\n\n"
)


class Written(NamedTuple):
    path: Path
    created: bool  # the file did not exist
    changed: bool  # False: it already held this section; nothing was written


def section(markdown: str) -> str:
    return f"{START}\n{NOTICE}\n\n{markdown.rstrip()}\n{END}\n"


def target(work_tree: Path, value: str, cwd: Path) -> Path:
    """FILE as given (relative to the cwd) -> its path, refused unless it stays inside the work
    tree once every symbolic link is resolved (a file there may be a link pointing out)."""
    path = Path(os.path.normpath(cwd / value))
    root = work_tree.resolve()
    if not path.resolve().is_relative_to(root):
        raise UsageError(f"{value}: outside the repository ({root}); refusing to write there")
    if path.resolve() == root or path.is_dir():
        raise UsageError(f"{value}: is a directory; name the file to write")
    if path.resolve().is_relative_to(root / ".git"):
        raise UsageError(f"{value}: inside .git; refusing to write there")
    return path


def update(path: Path, markdown: str, *, shown_as: str) -> Written:
    """Put `markdown` between the markers of `path` (appended, with the markers, when the file
    has none; a new file holds just the section). Malformed markers: a UsageError naming the
    line, nothing written."""
    try:
        old: str | None = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        old = None
    except UnicodeDecodeError as error:
        raise UsageError(f"{shown_as}: not UTF-8 text ({error.reason}); nothing written") from None
    text = updated_text(old, markdown, shown_as)
    if text == old:
        return Written(path, created=False, changed=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text.encode())
    return Written(path, created=old is None, changed=True)


def updated_text(old: str | None, markdown: str, shown_as: str) -> str:
    """The file's text with the section in place (`old` None: a new file)."""
    if old is None:
        intro = CURSOR_FRONT_MATTER if shown_as.endswith(".mdc") else ""
        return intro + section(markdown)
    return _replaced(old, section(markdown), shown_as)


def _replaced(old: str, new_section: str, shown_as: str) -> str:
    lines = old.splitlines(keepends=True)
    starts = [number for number, line in enumerate(lines) if line.strip() == START]
    ends = [number for number, line in enumerate(lines) if line.strip() == END]
    if not starts and not ends:
        # One blank line between the user's text and the section.
        blank = 0 if not old else 2 - len(old) + len(old.rstrip("\n"))
        return old + "\n" * max(blank, 0) + new_section
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        where = min(starts + ends) + 1
        raise UsageError(
            f"{shown_as}:{where}: the gitmem context markers must appear once each, "
            f"{START} before {END}; fix them by hand, nothing written"
        )
    before = "".join(lines[: starts[0]])
    after = "".join(lines[ends[0] + 1 :])
    return before + new_section + after
