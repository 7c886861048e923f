"""Bounds on the YAML of one record (a file's front matter, a document of a note).

A record is read from text anyone can commit or push: a pull request's `.memory/` file, a note
fetched by plain `git fetch`. YAML aliases let a few hundred bytes describe billions of values
(an eight-deep alias bomb took 15 s and 1.4 GB per read), and deep nesting exhausts Python's
recursion. So a record is refused, before anything is built from it, if it holds an anchor or an
alias, or exceeds one of the limits below; its reader skips it with a warning and goes on with
the rest. The limits are generous for real memories and documented in the README ("Limits").
"""

from __future__ import annotations

import re

from gitmem import LaterPattern
from gitmem.errors import RecordError

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    import yaml

# The limits, in one place (README "Limits" lists them).
MAX_DEPTH = 20
"""Levels of nesting below the record's top-level mapping (`meta: {a: [1]}` is 2)."""
MAX_KEYS = 1_000
"""Keys of all the mappings of one record together."""
MAX_SCALAR_CHARS = 100_000
"""Characters of one value (a note's `body` excepted: a file's body is not YAML either)."""
MAX_YAML_CHARS = 1_000_000
"""Characters of one record's YAML: a file's front matter, a note's document but its body."""


def _refuse(source: str, line: int, message: str) -> RecordError:
    return RecordError(source, message, line=line)


# A note's `body: |` block: its lines are indented or blank, so they hold no anchor or alias.
_LITERAL_BODY_RE = LaterPattern(
    r"^body: *\|[-+0-9]* *\n(?:(?: [^\n]*)?\n)*(?: [^\n]*)?", re.MULTILINE
)


def may_hold_anchors(text: str, body_key: bool) -> bool:
    """False only if `text` cannot hold a YAML anchor or alias: no `&` or `*` outside a note's
    literal body (Markdown's `**bold**` there costs no event scan)."""
    if "&" not in text and "*" not in text:
        return False
    block = _LITERAL_BODY_RE.search(text) if body_key else None
    if block is not None:
        text = text[: block.start()] + text[block.end() :]
    return "&" in text or "*" in text


def scan_events(loader: yaml.CSafeLoader | yaml.SafeLoader, source: str, first_line: int) -> None:
    """Refuse anchors, aliases and deep nesting from the event stream, before any node exists.

    Used when the text holds `&` or `*` (it cannot hold an anchor or alias otherwise), and
    always with the pure-Python loader, whose composer recurses once per level of nesting.
    """
    import yaml

    depth = 0
    while loader.check_event():
        event = loader.get_event()
        mark = getattr(event, "start_mark", None)
        line = first_line + (mark.line if mark is not None else 0)
        if isinstance(event, yaml.AliasEvent):
            raise _refuse(source, line, f"YAML aliases are not allowed (*{event.anchor})")
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _refuse(source, line, f"YAML anchors are not allowed (&{anchor})")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH + 1:  # the record's own mapping is level 0
                raise _refuse(source, line, f"nested deeper than {MAX_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def check_node(
    root: yaml.Node, text: str, where: tuple[str, int], body_key: bool, what: str
) -> None:
    """Refuse a composed record that exceeds the limits, before it is constructed.

    Walks the node graph without recursion and visits each node once, so even a graph built
    from aliases costs no more than its text; a node met twice is an alias.
    """
    import yaml

    source, first_line = where
    body = None
    if body_key and isinstance(root, yaml.MappingNode):
        body = next((v for k, v in root.value if k.value == "body"), None)
    if body is not None:  # the size of a note's document but its body
        text = text[: body.start_mark.index] + text[body.end_mark.index :]
    check_size(text, source, first_line, what)
    keys = 0
    seen: set[int] = set()
    # Collections only; scalars are checked inline (and a scalar root after the loop).
    stack: list[tuple[yaml.Node, int]] = [] if isinstance(root, yaml.ScalarNode) else [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise _refuse(source, first_line + node.start_mark.line, "YAML aliases are not allowed")
        seen.add(id(node))
        if depth > MAX_DEPTH:
            line = first_line + node.start_mark.line
            raise _refuse(source, line, f"nested deeper than {MAX_DEPTH} levels")
        children = node.value
        if isinstance(node, yaml.MappingNode):
            keys += len(children)
            if keys > MAX_KEYS:
                raise _refuse(
                    source, first_line + node.start_mark.line, f"more than {MAX_KEYS:,} keys"
                )
            children = [n for pair in children for n in pair]
        for child in reversed(children):
            if not isinstance(child, yaml.ScalarNode):
                stack.append((child, depth + 1))
            elif len(child.value) > MAX_SCALAR_CHARS and child is not body:
                length = len(child.value)
                message = f"a value of {length:,} characters (the limit is {MAX_SCALAR_CHARS:,})"
                raise _refuse(source, first_line + child.start_mark.line, message)
    if isinstance(root, yaml.ScalarNode) and len(root.value) > MAX_SCALAR_CHARS:
        length = len(root.value)
        message = f"a value of {length:,} characters (the limit is {MAX_SCALAR_CHARS:,})"
        raise _refuse(source, first_line + root.start_mark.line, message)


def check_size(text: str, source: str, first_line: int, what: str) -> None:
    """Refuse YAML text longer than MAX_YAML_CHARS (`what` names it: "front matter")."""
    if len(text) > MAX_YAML_CHARS:
        size = f"{len(text):,} characters (the limit is {MAX_YAML_CHARS:,})"
        raise _refuse(source, first_line, f"{what} of {size}")
