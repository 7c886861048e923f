"""The memory record (DESIGN §2): parse, validate and serialise front-matter files and notes.

Parsing keeps, for every top-level key, the exact text it was read from; serialising writes that
text back for every key whose value did not change, so unknown keys (and known keys nobody
touched) survive a read-modify-write byte for byte.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gitmem.errors import RecordError

if TYPE_CHECKING:
    import yaml

# PyYAML is imported where records are parsed or written, not here: read commands that find
# nothing changed (`search`, `list`, `show` through the index) never pay its ~30 ms import.

FIELD_ORDER = (
    "id",
    "type",
    "title",
    "created",
    "updated",
    "author",
    "status",
    "tags",
    "summary",
    "project",
    "source",
    "tool",
    "commits",
    "paths",
    "links",
    "supersedes",
    "session",
    "metadata",
)
REQUIRED = ("id", "type", "title", "created")
STR_FIELDS = (
    "id",
    "type",
    "title",
    "created",
    "updated",
    "author",
    "status",
    "summary",
    "project",
    "source",
    "tool",
    "session",
)
LIST_FIELDS = ("tags", "commits", "paths", "links", "supersedes")
ID_LIST_FIELDS = ("links", "supersedes")
TYPE_FOLDERS = {
    "fact": "facts",
    "decision": "decisions",
    "code": "patterns",
    "error": "errors",
    "procedural": "procedures",
    "episodic": "sessions",
    "user": "preferences",
}
STATUSES = ("active", "proposed", "accepted", "superseded", "deprecated", "rejected")
# Statuses that read as "no longer current": hidden from list/search unless --all.
RETIRED_STATUSES = frozenset({"superseded", "deprecated", "rejected"})
SOURCES = ("cli", "hook", "ci", "mcp", "import", "session")

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
ID_LENGTH = 12
MIN_PREFIX = 4
ID_RE = re.compile(rf"[{CROCKFORD}]{{{ID_LENGTH}}}")
TYPE_NAME_RE = re.compile(r"[a-z][a-z0-9_-]{0,39}")
TAG_RE = re.compile(r"[a-z0-9][a-z0-9._/+-]*")
SHA_RE = re.compile(r"[0-9a-f]{4,64}")
_DELIMITER_RE = re.compile(r"^(---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_DOC_START_RE = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)


def encode_base32(data: bytes, length: int = ID_LENGTH) -> str:
    number = int.from_bytes(data, "big")
    bits = len(data) * 8
    chars = [CROCKFORD[(number >> (bits - 5 * (i + 1))) & 31] for i in range(length)]
    return "".join(chars)


_entropy = os.urandom  # a seam for tests

# Ids that some YAML reader (1.1 or 1.2) would take for a number: 123, 0x1f, 0b10, 12e34.
_NUMBER_LIKE_RE = re.compile(r"\d+(e\d+)?|0[bx].*")


def new_id() -> str:
    """A random id that every YAML reader reads back as a plain string without quotes."""
    while True:
        candidate = encode_base32(_entropy(8))
        if not _NUMBER_LIKE_RE.fullmatch(candidate):
            return candidate


def derived_id(*parts: str) -> str:
    """A deterministic id, for records that must come out the same every time (capture)."""
    import hashlib  # lazily, like every import off the `show` path (~5 ms: OpenSSL)

    return encode_base32(hashlib.sha1("\0".join(parts).encode()).digest())


def blob_sha(data: bytes) -> str:
    """The id git gives a blob of these bytes (`git hash-object`)."""
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def now_iso() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def parse_time(value: str) -> datetime:
    """An ISO 8601 timestamp with offset; ValueError otherwise."""
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        raise ValueError("no UTC offset")
    return parsed


def slugify(text: str, max_length: int = 60) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug or "memory"


def normalize_tag(tag: str) -> str:
    return re.sub(r"[\s_]+", "-", tag.strip().lower()).strip("-")


def folder_for(type_name: str) -> str:
    return TYPE_FOLDERS.get(type_name, type_name)


@dataclasses.dataclass
class Origin:
    """What a record was read from: the exact text of each key and the value it held then."""

    raw: dict[str, str]
    values: dict[str, Any]
    preamble: str = ""


@dataclasses.dataclass
class Memory:
    id: str
    type: str
    title: str
    created: str
    body: str = ""
    updated: str | None = None
    author: str | None = None
    status: str = "active"
    tags: list[str] = dataclasses.field(default_factory=list)
    summary: str | None = None
    project: str | None = None
    source: str | None = None
    tool: str | None = None
    commits: list[str] = dataclasses.field(default_factory=list)
    paths: list[str] = dataclasses.field(default_factory=list)
    links: list[str] = dataclasses.field(default_factory=list)
    supersedes: list[str] = dataclasses.field(default_factory=list)
    session: str | None = None
    metadata: dict[str, Any] = dataclasses.field(default_factory=dict)
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    origin: Origin | None = dataclasses.field(default=None, repr=False, compare=False)
    # A note someone wrote with plain git, read as an episodic record (DESIGN §2b).
    foreign: bool = dataclasses.field(default=False, compare=False)

    def fields(self) -> dict[str, Any]:
        """Known fields that carry a value, in DESIGN order, then unknown keys."""
        out: dict[str, Any] = {}
        for name in FIELD_ORDER:
            value = getattr(self, name)
            if value is not None and value != [] and value != {}:
                out[name] = value
        out.update(self.extra)
        return out

    def to_json(self) -> dict[str, Any]:
        return {**self.fields(), "body": self.body}


# ---------------------------------------------------------------------------- serialising


class _Literal(str):
    pass


class _TopLevel(dict[str, Any]):
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
_LOOKALIKE_RE = re.compile(r"[yYnN]|[-+]?0o[0-7_]+|[-+]?\d[\d_,]*(\.[\d_,]*)?([eE][-+]?\d+)?")


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
    """Block style at the top, `[a, b]` / `{k: v}` for collections of scalars (DESIGN §2)."""
    import yaml

    # libyaml's emitter when present: the pure-Python one takes ~10 s for a 10 MB body.
    base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[valid-type,misc]
        pass

    dumper: type[yaml.SafeDumper] = Dumper
    dumper.add_representer(_Literal, _represent_literal)
    dumper.add_representer(str, _represent_str)
    dumper.add_representer(_TopLevel, _represent_top)
    dumper.add_representer(list, _represent_list)
    dumper.add_representer(dict, _represent_dict)
    return dumper


def _yaml(data: dict[str, Any]) -> str:
    import yaml

    return yaml.dump(
        _TopLevel(data), Dumper=dumper(), allow_unicode=True, sort_keys=False, width=10**9
    )


def _dump_key(key: str, value: Any) -> str:
    if key in ("created", "updated") and isinstance(value, str):
        try:
            parse_time(value)
            return f"{key}: {value}\n"
        except ValueError:
            pass
    return _yaml({key: value})


_MISSING = object()


def _front_matter_text(memory: Memory) -> str:
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
    return f"---\n{_front_matter_text(memory)}---\n" + (f"\n{body}" if body else "")


def serialize_note_doc(memory: Memory) -> str:
    """One document of a note's YAML stream, starting with its `---` line."""
    body = _yaml({"body": _Literal(memory.body)})
    return f"---\n{_front_matter_text(memory)}{body}"


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

    if key in STR_FIELDS:
        if not isinstance(node, yaml.ScalarNode):
            raise fail("a single value, not a list or mapping")
        return _scalar_text(node)
    if key in LIST_FIELDS:
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
    if key == "metadata":
        if constructed is None:
            return {}
        if not isinstance(constructed, dict) or not all(isinstance(k, str) for k in constructed):
            raise fail("a mapping with string keys, e.g. {sprint: 42}")
        return constructed
    return constructed


def validate(
    memory: Memory, source: str, lines: Mapping[str, int] | None = None, types: Iterable[str] = ()
) -> None:
    """Check the values of a record; raises RecordError naming source, line and field."""
    lines = lines or {}

    def fail(key: str, expected: str) -> RecordError:
        return RecordError(source, f"expected {expected}", line=lines.get(key), field=key)

    known_types = set(TYPE_FOLDERS) | set(types)
    if not ID_RE.fullmatch(memory.id or ""):
        raise fail("id", f"{ID_LENGTH} characters of lowercase Crockford base32, got {memory.id!r}")
    if memory.type not in known_types:
        listing = ", ".join(sorted(known_types))
        raise fail("type", f"one of {listing} (or a type declared in .memory/config.toml)")
    if not memory.title or "\n" in memory.title.strip():
        raise fail("title", "a non-empty single line")
    for key in ("created", "updated"):
        value = getattr(memory, key)
        if value is None and key == "updated":
            continue
        try:
            parse_time(value)
        except (ValueError, TypeError):
            raise fail(key, f"an ISO 8601 timestamp with offset, got {value!r}") from None
    if memory.status not in STATUSES:
        raise fail("status", f"one of {', '.join(STATUSES)}, got {memory.status!r}")
    if memory.source is not None and memory.source not in SOURCES:
        raise fail("source", f"one of {', '.join(SOURCES)}, got {memory.source!r}")
    for key in ID_LIST_FIELDS:
        for item in getattr(memory, key):
            if not ID_RE.fullmatch(item):
                raise fail(key, f"memory ids, got {item!r}")
    for item in memory.commits:
        if not SHA_RE.fullmatch(item):
            raise fail("commits", f"commit ids (hex), got {item!r}")
    for item in memory.paths:
        problem = path_problem(item)
        if problem:
            raise fail("paths", f"repository-relative paths, got {item!r} ({problem})")


def path_problem(path: str) -> str | None:
    """Why a recorded path could point outside the repository, or None if it cannot."""
    if not path or path.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", path):
        return "absolute path"
    if ".." in re.split(r"[/\\]", path):
        return "'..' escapes the repository"
    return None


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


def _parse_mapping(
    text: str, source: str, first_line: int, types: Iterable[str], body_key: bool
) -> Memory:
    """Parse one YAML mapping holding a record; `first_line` is the 1-based line of text[0]."""
    undecodable = re.search("[\ud800-\udfff]", text)  # bytes that were not UTF-8 (a note)
    if undecodable:
        message = "invalid YAML: the text is not valid UTF-8"
        where = first_line + text.count("\n", 0, undecodable.start())
        raise RecordError(source, message, line=where)
    import yaml

    loader = yaml.CSafeLoader(text) if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader(text)
    node = None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + mark.line if mark else None
        raise RecordError(source, f"invalid YAML: {error.problem}", line=line) from None
    except yaml.reader.ReaderError as error:  # a control character
        # libyaml counts bytes of UTF-8, the pure-Python reader characters.
        c_loader = hasattr(yaml, "CSafeLoader")
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
    lines = text.splitlines(keepends=True)
    key_nodes = [k for k, _ in node.value]
    starts = [k.start_mark.line for k in key_nodes]
    # Exact text per key works when each key starts its own line, in order, at column 0.
    keep_raw = all(k.start_mark.column == 0 for k in key_nodes) and starts == sorted(set(starts))
    raw: dict[str, str] = {}
    values: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    body: str | None = None
    for index, (knode, vnode) in enumerate(node.value):
        key = knode.value if isinstance(knode, yaml.ScalarNode) else None
        line = first_line + knode.start_mark.line
        if not isinstance(key, str) or knode.tag != "tag:yaml.org,2002:str":
            raise RecordError(source, f"keys must be strings, got {knode.value!r}", line=line)
        if key in key_lines:
            raise RecordError(source, "duplicate key", line=line, field=key)
        key_lines[key] = line
        if body_key and key == "body":
            if not isinstance(data[key], str):
                raise RecordError(source, "expected text", line=line, field="body")
            body = data[key]
            continue
        values[key] = _field_value(key, vnode, data[key], (source, line))
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
    memory = _parse_mapping(text[start : closing.start()], source, 2, types, body_key=False)
    rest = text[closing.end() + 1 :]
    blank = next((sep for sep in ("\n", "\r\n") if rest.startswith(sep)), "")
    memory.body = rest[len(blank) :]
    return memory


class NoteChunk:
    """A stretch of a note's text: a record, foreign prose, or a record that does not parse."""

    __slots__ = ("error", "memory", "text")

    def __init__(self, text: str, memory: Memory | None, error: RecordError | None = None) -> None:
        self.text = text
        self.memory = memory
        self.error = error


def foreign_memory(text: str, created: str) -> Memory:
    """Prose written into the notes ref by plain git, as an episodic record (DESIGN §2b)."""
    data = text.encode("utf-8", "surrogateescape")
    readable = data.decode("utf-8", "replace")
    first = next((ln.strip() for ln in readable.splitlines() if ln.strip()), "(empty note)")
    title = first if len(first) <= 80 else first[:77] + "..."
    memory = Memory(
        id=derived_id("note-blob", blob_sha(data)),
        type="episodic",
        title=title,
        created=created,
        body=readable,
    )
    memory.foreign = True
    return memory


def parse_note(text: str, source: str, created: str, types: Iterable[str] = ()) -> list[NoteChunk]:
    """A note: a YAML stream of records; text that is not one reads as a foreign record.

    `created` dates foreign records. A document that looks like a gitmem record (it has an `id:`
    key) but does not validate becomes a chunk with an error, so the others still read.
    Concatenating the chunks' text gives back `text` exactly.
    """
    starts = [0] + [m.start() for m in _DOC_START_RE.finditer(text) if m.start() > 0]
    pieces = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    chunks: list[NoteChunk] = []
    prose: list[str] = []

    def flush_prose() -> None:
        joined = "".join(prose)
        if joined.strip():
            chunks.append(NoteChunk(joined, foreign_memory(joined, created)))
        elif joined and chunks:
            chunks[-1].text += joined
        elif joined:
            chunks.append(NoteChunk(joined, None))
        prose.clear()

    line = 1
    for piece in pieces:
        try:
            parsed = _parse_note_piece(piece, source, line, types)
        except RecordError as error:
            flush_prose()
            chunks.append(NoteChunk(piece, None, error))
            parsed = None
        else:
            if parsed is None:
                prose.append(piece)
        line += piece.count("\n")
        if parsed is None:
            continue
        record_text, memory = parsed
        flush_prose()
        chunks.append(NoteChunk(record_text, memory))
        if len(record_text) < len(piece):
            prose.append(piece[len(record_text) :])
    flush_prose()
    if len(chunks) == 1 and chunks[0].memory is not None and chunks[0].memory.foreign:
        chunks[0] = NoteChunk(text, foreign_memory(text, created))
    return chunks


def _parse_note_piece(
    piece: str, source: str, line: int, types: Iterable[str]
) -> tuple[str, Memory] | None:
    """The record at the start of `piece` and the text it spans, or None for prose.

    Text appended by `git notes append` (a blank line, then prose) is split off the end.
    """
    header = piece.split("\n", 1)
    offset = len(header[0]) + 1 if _DOC_START_RE.fullmatch(header[0]) else 0
    doc = piece[offset:]
    if not re.search(r"^id:", doc, re.MULTILINE):
        return None
    first_line = line + (offset > 0)
    try:
        return piece, _parse_mapping(doc, source, first_line, types, body_key=True)
    except RecordError as error:
        # Retry without trailing paragraphs: prose appended after our document.
        cuts = [m.start() + 1 for m in re.finditer(r"\n\n(?=\S)", doc)]
        for cut in reversed(cuts):
            try:
                memory = _parse_mapping(doc[:cut], source, first_line, types, body_key=True)
            except RecordError:
                continue
            return piece[: offset + cut], memory
        raise error from None
