"""The memory record: the `Memory` type, its ids, times and value vocabularies.

Reading and writing records is elsewhere: front_matter.py (`.memory/` files), note_stream.py
(YAML document streams in notes), validation.py (checking the values).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

from gitmem import LaterPattern
from gitmem.store.fields import FIELD_ORDER
from gitmem.store.lazy import dataclass_without_code, dataclasses  # without `inspect`, compiling

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


STATUSES = ("active", "proposed", "accepted", "superseded", "deprecated", "rejected")
# Statuses that read as "no longer current": hidden from list/search unless --all.
RETIRED_STATUSES = frozenset({"superseded", "deprecated", "rejected"})
SOURCES = ("cli", "hook", "ci", "mcp", "import", "session")

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
ID_LENGTH = 12
MIN_PREFIX = 4
ID_RE = re.compile(rf"[{CROCKFORD}]{{{ID_LENGTH}}}")
TAG_RE = re.compile(r"[a-z0-9][a-z0-9._/+-]*")
SHA_RE = re.compile(r"[0-9a-f]{4,64}")


def encode_base32(data: bytes, length: int = ID_LENGTH) -> str:
    number = int.from_bytes(data, "big")
    bits = len(data) * 8
    chars = [CROCKFORD[(number >> (bits - 5 * (i + 1))) & 31] for i in range(length)]
    return "".join(chars)


_entropy = os.urandom  # a seam for tests

# Ids that some YAML reader (1.1 or 1.2) would take for a number: 123, 0x1f, 0b10, 12e34.
_NUMBER_LIKE_RE = LaterPattern(r"\d+(e\d+)?|0[bx].*")


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


@dataclass_without_code
class Origin:
    """What a record was read from: the exact text of each key and the value it held then."""

    raw: dict[str, str]
    values: dict[str, Any]
    preamble: str = ""


@dataclass_without_code
class Memory:
    """One record: its known fields, its unknown keys (`extra`) and its body. (A docstring: a
    dataclass without one would load `inspect` to write one; see store/lazy.)"""

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
    # A note someone wrote with plain git, read as an episodic record (so nothing is lost).
    foreign: bool = dataclasses.field(default=False, compare=False)

    def fields(self) -> dict[str, Any]:
        """Known fields with a value, in canonical order (`fields.FIELDS`), then unknown keys."""
        out: dict[str, Any] = {}
        for name in FIELD_ORDER:
            value = getattr(self, name)
            if value is not None and value != [] and value != {}:
                out[name] = value
        out.update(self.extra)
        return out

    def to_json(self) -> dict[str, Any]:
        return {**self.fields(), "body": self.body}
