"""Records in git notes: a note is a YAML stream of records, one document each.

Text in a note that is not a gitmem record (prose written with plain git) reads as a foreign
episodic record; a document that looks like a record but does not parse is kept as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from gitmem.errors import RecordError
from gitmem.store.front_matter import Literal, front_matter_text, parse_mapping, yaml_text
from gitmem.store.record import Memory, blob_sha, derived_id

_DOC_START_RE = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)


def serialize_note_doc(memory: Memory) -> str:
    """One document of a note's YAML stream, starting with its `---` line."""
    body = yaml_text({"body": Literal(memory.body)})
    return f"---\n{front_matter_text(memory)}{body}"


class NoteChunk:
    """A stretch of a note's text: a record, foreign prose, or a record that does not parse."""

    __slots__ = ("error", "memory", "text")

    def __init__(self, text: str, memory: Memory | None, error: RecordError | None = None) -> None:
        self.text = text
        self.memory = memory
        self.error = error


def foreign_memory(text: str, created: str) -> Memory:
    """Prose written into the notes ref by plain git, as an episodic record."""
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
        return piece, parse_mapping(doc, source, first_line, types, body_key=True)
    except RecordError as error:
        # Retry without trailing paragraphs: prose appended after our document.
        cuts = [m.start() + 1 for m in re.finditer(r"\n\n(?=\S)", doc)]
        for cut in reversed(cuts):
            try:
                memory = parse_mapping(doc[:cut], source, first_line, types, body_key=True)
            except RecordError:
                continue
            return piece[: offset + cut], memory
        raise error from None
