"""`.memory/` files: YAML front matter between `---` lines, then Markdown.

Parsing keeps, for every top-level key, the exact text it was read from; serialising writes that
text back for every key whose value did not change, so unknown keys (and known keys nobody
touched) survive a read-modify-write byte for byte. The YAML reading and writing here is shared
with note streams (note_stream.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

from gitmem import LaterPattern
from gitmem.errors import RecordError
from gitmem.store import limits, plain_yaml, yaml_load
from gitmem.store.fields import BY_NAME, FIELD_ORDER, REQUIRED, TIME_FIELDS
from gitmem.store.record import Memory, Origin, parse_time
from gitmem.store.validation import validate

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any

    import yaml

# PyYAML is imported where records are parsed or written, not here: read commands that find
# nothing changed (`search`, `list`, `show` through the index) never pay its ~30 ms import.

_DELIMITER_RE = re.compile(r"^(---|\.\.\.)[ \t]*\r?$", re.MULTILINE)


# ---------------------------------------------------------------------------- serialising


class Literal(str):
    """Text written as a `|` block (a note's body)."""


class _TopLevel(dict[str, "Any"]):  # a string: `typing` is not loaded
    pass


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, list | dict)


def _represent_literal(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = '"' if "\x85" in data else "|"
    # str(): the C emitter accepts only exact str instances.
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style=style)


# Plain text other YAML readers take for something else, though PyYAML writes it unquoted:
# YAML 1.1's y/n booleans (go-yaml v2), 1.2's 0o octal, numbers with commas (Ruby's Psych, which
# renders front matter on GitHub).
_LOOKALIKE_RE = LaterPattern(r"[yYnN]|[-+]?0o[0-7_]+|[-+]?\d[\d_,]*(\.[\d_,]*)?([eE][-+]?\d+)?")


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # PyYAML writes NEL (U+0085) unescaped in every style but "..." and reads it back as a
    # line break; double quotes escape it.
    style = '"' if "\x85" in data else "'" if _LOOKALIKE_RE.fullmatch(data) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_top(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.SequenceNode:
    flow = all(_is_scalar(item) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_dict(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> yaml.MappingNode:
    flow = all(_is_scalar(item) for item in data.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


@functools.cache
def dumper() -> type[yaml.SafeDumper]:
    """Block style at the top, `[a, b]` / `{k: v}` for collections of scalars."""
    import yaml

    # libyaml's emitter when present: the pure-Python one takes ~10 s for a 10 MB body.
    base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[valid-type,misc]
        def ignore_aliases(self, data: Any) -> bool:
            return True  # a value met twice is written twice: readers refuse anchors (limits)

    dumper: type[yaml.SafeDumper] = Dumper
    dumper.add_representer(Literal, _represent_literal)
    dumper.add_representer(str, _represent_str)
    dumper.add_representer(_TopLevel, _represent_top)
    dumper.add_representer(list, _represent_list)
    dumper.add_representer(dict, _represent_dict)
    return dumper


def yaml_text(data: dict[str, Any]) -> str:
    import yaml

    return yaml.dump(
        _TopLevel(data), Dumper=dumper(), allow_unicode=True, sort_keys=False, width=10**9
    )


def _dump_key(key: str, value: Any) -> str:
    if key in TIME_FIELDS and isinstance(value, str):
        try:
            parse_time(value)
            return f"{key}: {value}\n"
        except ValueError:
            pass
    return yaml_text({key: value})


_MISSING = object()


def front_matter_text(memory: Memory) -> str:
    origin = memory.origin
    parts = [origin.preamble] if origin else []
    for key in [*FIELD_ORDER, *memory.extra]:
        value = memory.extra[key] if key in memory.extra else getattr(memory, key)
        if origin and key in origin.raw and origin.values.get(key, _MISSING) == value:
            parts.append(origin.raw[key])  # untouched: keep the exact text it was read from
        elif key in memory.extra or value not in (None, [], {}):
            parts.append(_dump_key(key, value))
    return "".join(parts)


def serialize_file(memory: Memory) -> str:
    body = memory.body
    return f"---\n{front_matter_text(memory)}---\n" + (f"\n{body}" if body else "")


# ------------------------------------------------------------------------------- parsing


def _scalar_text(node: yaml.Node) -> str | None:
    """The text of a scalar as written: `id: 0x1234abcd5678` stays a string, `~` is None."""
    if node.tag == "tag:yaml.org,2002:null":
        return None
    return str(node.value)


def _field_value(key: str, node: yaml.Node, constructed: Any, where: tuple[str, int]) -> Any:
    import yaml

    source, line = where

    def fail(expected: str) -> RecordError:
        return RecordError(source, f"expected {expected}", line=line, field=key)

    kind = BY_NAME[key].kind if key in BY_NAME else None
    if kind in ("text", "time"):
        if not isinstance(node, yaml.ScalarNode):
            raise fail("a single value, not a list or mapping")
        return _scalar_text(node)
    if kind == "list":
        if isinstance(node, yaml.ScalarNode):
            text = _scalar_text(node)
            # `tags: a, b` is common in hand-written front matter; read it as a list.
            return [] if text is None else [p.strip() for p in text.split(",") if p.strip()]
        if not isinstance(node, yaml.SequenceNode):
            raise fail("a list, e.g. [a, b]")
        items = []
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode) or _scalar_text(item) is None:
                raise fail("a list of strings")
            items.append(str(_scalar_text(item)))
        return items
    if kind == "mapping":
        if constructed is None:
            return {}
        if not isinstance(constructed, dict) or not all(isinstance(k, str) for k in constructed):
            raise fail("a mapping with string keys, e.g. {sprint: 42}")
        return constructed
    return constructed


def _unbuildable(node: yaml.Node) -> tuple[int | None, str | None, str | None]:
    """The 0-based line, top-level key and text of the first scalar YAML cannot build."""
    import yaml.constructor

    constructor = yaml.constructor.SafeConstructor()
    pairs = node.value if isinstance(node, yaml.MappingNode) else [(None, node)]
    for knode, vnode in pairs:
        stack = [vnode, knode] if knode is not None else [vnode]
        while stack:
            current = stack.pop()
            if isinstance(current, yaml.MappingNode):
                stack.extend(n for pair in reversed(current.value) for n in reversed(pair))
            elif isinstance(current, yaml.SequenceNode):
                stack.extend(reversed(current.value))
            else:
                try:
                    constructor.construct_object(current)
                except ValueError:
                    key = knode.value if isinstance(knode, yaml.ScalarNode) else None
                    return current.start_mark.line, key, current.value
    return None, None, None


def parse_mapping(
    text: str, source: str, first_line: int, types: Iterable[str], body_key: bool
) -> Memory:
    """Parse one YAML mapping holding a record; `first_line` is the 1-based line of text[0].

    Text in the canonical form gitmem writes is read without PyYAML (`plain_yaml`), with the
    same result; anything else, and every error, is PyYAML's (`_read_yaml`)."""
    undecodable = re.search("[\ud800-\udfff]", text)  # bytes that were not UTF-8 (a note)
    if undecodable:
        message = "invalid YAML: the text is not valid UTF-8"
        where = first_line + text.count("\n", 0, undecodable.start())
        raise RecordError(source, message, line=where)
    what = "a record" if body_key else "front matter"
    if not body_key:  # before parsing; a note's body is not counted, so it is known only later
        limits.check_size(text, source, first_line, what)
    entries = plain_yaml.read(text, body_key)
    keep_raw = True  # the canonical form has each key on its own line, at column 0
    if entries is None:
        entries, keep_raw = _read_yaml(text, source, first_line, body_key, what)
    lines = text.splitlines(keepends=True)
    starts = [line for _, line, _ in entries]
    raw: dict[str, str] = {}
    values: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    body: str | None = None
    for index, (key, line, value) in enumerate(entries):
        key_lines[key] = first_line + line
        if body_key and key == "body":
            body = value
            continue
        values[key] = value
        if keep_raw:
            end = starts[index + 1] if index + 1 < len(starts) else len(lines)
            raw[key] = "".join(lines[starts[index] : end])
    preamble = "".join(lines[: starts[0]]) if keep_raw and starts else ""
    for key in REQUIRED:
        if values.get(key) in (None, ""):
            raise RecordError(source, "missing required field", line=first_line, field=key)
    known = {k: v for k, v in values.items() if k in FIELD_ORDER and v is not None}
    extra = {k: v for k, v in values.items() if k not in FIELD_ORDER}
    memory = Memory(**known, extra=extra, body=body or "")
    memory.origin = Origin(raw=raw, values=dict(values), preamble=preamble)
    validate(memory, source, key_lines, types)
    return memory


def _read_yaml(
    text: str, source: str, first_line: int, body_key: bool, what: str
) -> tuple[list[tuple[str, int, Any]], bool]:
    """PyYAML's reading of a record: (key, its 0-based line, its value) for every top-level
    key in order, a note's body as the value of `body`; and whether each key starts its own
    line, in order, at column 0 (so the exact text of each can be kept). RecordError for
    anything that is not a record's mapping, naming the line and field where it can."""
    yaml = yaml_load.load()

    c_loader = hasattr(yaml, "CSafeLoader")
    loader = yaml.CSafeLoader(text) if c_loader else yaml.SafeLoader(text)
    node = None
    try:
        if not c_loader or limits.may_hold_anchors(text, body_key):
            # Anchors and aliases are refused before any node exists; without them (no `&`,
            # no `*`) libyaml composes a tree no larger than the text, nesting capped at 1000.
            scanner = yaml.CSafeLoader(text) if c_loader else yaml.SafeLoader(text)
            try:
                limits.scan_events(scanner, source, first_line)
            finally:
                scanner.dispose()
        node = loader.get_single_node()
        if node is not None:
            limits.check_node(node, text, (source, first_line), body_key, what)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + mark.line if mark else None
        raise RecordError(source, f"invalid YAML: {error.problem}", line=line) from None
    except yaml.reader.ReaderError as error:  # a control character
        # libyaml counts bytes of UTF-8, the pure-Python reader characters.
        prefix = text.encode()[: error.position].decode(errors="ignore") if c_loader else text
        char_line = first_line + prefix[: error.position].count("\n")
        char = error.character if isinstance(error.character, int) else ord(error.character)
        message = f"invalid YAML: unacceptable character #x{char:04x}: {error.reason}"
        raise RecordError(source, message, line=char_line) from None
    except ValueError as error:  # YAML reads `2026-02-30` as a date, `0x_` as a number
        bad_line, key, value = _unbuildable(node) if node is not None else (None, None, None)
        at = None if bad_line is None else first_line + bad_line
        message = f"invalid value {value!r} ({error})"
        raise RecordError(source, message, line=at, field=key) from None
    finally:
        loader.dispose()
    if node is None:
        raise RecordError(
            source,
            "empty front matter; expected a mapping with id, type, title, created",
            line=first_line,
        )
    if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
        kind = type(data).__name__
        raise RecordError(source, f"expected a mapping of fields, got a {kind}", line=first_line)
    key_nodes = [k for k, _ in node.value]
    starts = [k.start_mark.line for k in key_nodes]
    # Exact text per key works when each key starts its own line, in order, at column 0.
    keep_raw = all(k.start_mark.column == 0 for k in key_nodes) and starts == sorted(set(starts))
    entries: list[tuple[str, int, Any]] = []
    seen: set[str] = set()
    for knode, vnode in node.value:
        key = knode.value if isinstance(knode, yaml.ScalarNode) else None
        line = first_line + knode.start_mark.line
        if not isinstance(key, str) or knode.tag != "tag:yaml.org,2002:str":
            raise RecordError(source, f"keys must be strings, got {knode.value!r}", line=line)
        if key in seen:
            raise RecordError(source, "duplicate key", line=line, field=key)
        seen.add(key)
        if body_key and key == "body":
            if not isinstance(data[key], str):
                raise RecordError(source, "expected text", line=line, field="body")
            value = data[key]
        else:
            value = _field_value(key, vnode, data[key], (source, line))
        entries.append((key, knode.start_mark.line, value))
    return entries, keep_raw


def parse_file(text: str, source: str, types: Iterable[str] = ()) -> Memory:
    """A `.memory/` file: `---`, YAML front matter, `---`, a blank line, Markdown."""
    if text.startswith("\ufeff"):
        text = text[1:]
    first = text.split("\n", 1)[0].rstrip("\r")
    if first.rstrip() != "---":
        raise RecordError(source, "expected front matter starting with a '---' line", line=1)
    start = len(text.split("\n", 1)[0]) + 1
    closing = _DELIMITER_RE.search(text, start)
    if closing is None:
        raise RecordError(source, "front matter is not closed by a '---' line", line=1)
    memory = parse_mapping(text[start : closing.start()], source, 2, types, body_key=False)
    rest = text[closing.end() + 1 :]
    blank = next((sep for sep in ("\n", "\r\n") if rest.startswith(sep)), "")
    memory.body = rest[len(blank) :]
    return memory


def foreign_reader_problem(path: Path, record_id: str) -> str | None:
    """Why python-frontmatter, the reference front-matter reader, cannot read the file at
    `path` as the record `record_id` (other tools could not either); None if it can."""
    import frontmatter

    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
        same = str(post.metadata.get("id")) == record_id
    except Exception as error:  # any failure of the foreign reader is the finding
        return f"python-frontmatter cannot read it: {error}"
    return None if same else "python-frontmatter reads a different id"


def parse_value(text: str) -> Any:
    """A value given on the command line (`--set key=value` for a key outside the schema),
    read as the front matter would read it: `3` a number, `[a, b]` a list, blank nothing."""
    import yaml

    return yaml.safe_load(text) if text.strip() else None
