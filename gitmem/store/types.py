"""Memory types: the one declaration of the built-in ones, joined at run time by custom types.

Everything that knows about types reads this: record validation and folders, the capture rules,
the editor template `git mem save --edit` starts from, the context-pack section a type goes to,
and the help text. A type declared in `.memory/config.toml` ([types] name = "folder") joins the
built-in ones through `registry`.

Imported by the post-commit hook (through the capture rules): re only, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping

from gitmem import LaterPattern, NamedTuple

TYPE_NAME_RE = LaterPattern(r"[a-z][a-z0-9_-]{0,39}")  # for custom types (store.config)

# The context-pack section of config-declared types: one shared section after the built-in
# ones (assist/pack_sections.py lays the sections out), so no custom type can crowd out decisions.
OTHER_SECTION = "other"


class MemoryType(NamedTuple):
    name: str
    folder: str  # under .memory/
    meaning: str  # one line, for help text
    section: str  # the context pack's section (assist/pack_sections.py)
    template: str = ""  # the body `git mem save --edit` starts from


BUILTIN_TYPES = (
    MemoryType("fact", "facts", "something true about the project", "facts"),
    MemoryType(
        "decision",
        "decisions",
        "a decision, with its rationale",
        "decisions",
        "## Context\n\n<!-- What forces are at play? Why does this need deciding? -->\n\n"
        "## Decision\n\n<!-- What we will do. -->\n\n"
        "## Alternatives\n\n<!-- What else was considered, and why not. -->\n\n"
        "## Consequences\n\n<!-- What becomes easier or harder. -->\n",
    ),
    MemoryType(
        "code",
        "patterns",
        "a code pattern",
        "errors",
        "## Pattern\n\n<!-- When to use it. -->\n\n```\n```\n",
    ),
    MemoryType(
        "error",
        "errors",
        "an error: symptom, cause, fix",
        "errors",
        "## Symptom\n\n<!-- What went wrong, error messages. -->\n\n"
        "## Root cause\n\n<!-- Why it happened. -->\n\n## Fix\n\n<!-- What fixed it. -->\n",
    ),
    MemoryType(
        "procedural",
        "procedures",
        "how to do something, in steps",
        "procedures",
        "## Steps\n\n1. <!-- first step -->\n",
    ),
    MemoryType("episodic", "sessions", "what happened (a session, a deployment)", "sessions"),
    MemoryType("user", "preferences", "a preference", "preferences"),
)
TYPE_FOLDERS = {t.name: t.folder for t in BUILTIN_TYPES}
TYPE_NAMES = tuple(TYPE_FOLDERS)
DEFAULT_TYPE = TYPE_NAMES[0]  # what `save` and the MCP save tool write without --type
_BY_NAME = {t.name: t for t in BUILTIN_TYPES}


def folder_for(type_name: str) -> str:
    return TYPE_FOLDERS.get(type_name, type_name)


def template_for(type_name: str) -> str:
    """The body `git mem save --edit` starts from ('' for types without one)."""
    known = _BY_NAME.get(type_name)
    return known.template if known else ""


def registry(custom: Mapping[str, str]) -> tuple[MemoryType, ...]:
    """The built-in types, then the custom ones ({name: folder}, from .memory/config.toml)."""
    extra = (
        MemoryType(name, folder, "declared in .memory/config.toml", OTHER_SECTION)
        for name, folder in custom.items()
    )
    return (*BUILTIN_TYPES, *extra)
