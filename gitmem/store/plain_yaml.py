"""The YAML gitmem writes, read without PyYAML (~6 ms to import: a fifth of a `git mem show`).

A record gitmem wrote (`front_matter.front_matter_text`, `note_stream.serialize_note_doc`) is in
one canonical form: every top-level key on its own line at column 0 as `key: value`, where the
value is one of
- a plain scalar on one line that none of YAML 1.1's implicit resolvers (bool, int, float,
  null, timestamp, merge, value: PyYAML's `Resolver`, copied below) takes for anything but a
  string; except in a time field (`created`, `updated`), where gitmem writes its timestamps
  plain: PyYAML's path reads them as their text, once PyYAML could build the date they name;
- a single-quoted scalar on one line, or a double-quoted one without escapes;
- a flow sequence `[a, b]` or flow mapping `{k: v}` on one line, of such scalars;
- a note's `body: |` literal block.

`read` gives, for such text, exactly what `front_matter.parse_mapping` builds from PyYAML's
nodes; for anything else (a comment, a blank line, a tab, a number, a block sequence, a
continued line, a duplicate key, an anchor...) it gives None and the caller parses with
PyYAML, whose reading and errors (file, line, field) stay the reference. Nothing here raises
for bad input. tests/store/plain_yaml_test.py compares both on generated records and hostile
text; bench/plain_yaml_check.py on every record of a corpus.
"""

from __future__ import annotations

import re

from gitmem.store.fields import BY_NAME
from gitmem.store.limits import MAX_KEYS, MAX_SCALAR_CHARS, MAX_YAML_CHARS

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


# YAML 1.1's implicit resolvers, as yaml/resolver.py declares them. A plain scalar is a string
# when none of those its first character selects matches it. The word lists are sets here (each
# regex is words between `^(?:` and `)$`, and a scalar on one line holds no line break for `$`
# to match before); the number-like ones stay regexes, compiled when first needed: a record
# gitmem wrote needs none (`_NUMBER_CHARS`, `_gitmem_time`).
_BOOL = "yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF"
_NULL = "~ null Null NULL"  # and the empty scalar
_OTHER = "<< = ! & *"  # merge, value, and `yaml` (which no plain scalar can be)
_WORDS = frozenset(f"{_BOOL} {_NULL} {_OTHER}".split())
_NUMBER_SOURCES = {
    "float": r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                |[-+]?\.(?:inf|Inf|INF)
                |\.(?:nan|NaN|NAN))$""",
    "int": r"""^(?:[-+]?0b[0-1_]+
                |[-+]?0[0-7_]+
                |[-+]?(?:0|[1-9][0-9_]*)
                |[-+]?0x[0-9a-fA-F_]+
                |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""",
    # SafeConstructor.timestamp_regexp, how PyYAML builds a timestamp. Resolver's timestamp
    # regex matches what it matches, but for a date alone, which needs two-digit month and day
    # (`_resolves_to_timestamp`).
    "timestamp": r"""^(?P<year>[0-9][0-9][0-9][0-9])
                -(?P<month>[0-9][0-9]?)
                -(?P<day>[0-9][0-9]?)
                (?:(?:[Tt]|[ \t]+)
                (?P<hour>[0-9][0-9]?)
                :(?P<minute>[0-9][0-9])
                :(?P<second>[0-9][0-9])
                (?:\.(?P<fraction>[0-9]*))?
                (?:[ \t]*(?P<tz>Z|(?P<tz_sign>[-+])(?P<tz_hour>[0-9][0-9]?)
                (?::(?P<tz_minute>[0-9][0-9]))?))?)?$""",
}
_patterns: dict[str, re.Pattern[str]] = {}
# Every character the float, int and timestamp regexes can match: a scalar with any other is
# none of them (most ids starting with a digit, titles like "2 ways").
_NUMBER_CHARS = frozenset("0123456789-+._:xXabcdefABCDEFinINtTZ \t")

# What a plain scalar may not start with (YAML's indicators, and space), and may not hold:
# `: ` and ` #` end it, a tab is left to PyYAML. In a flow collection `,[]{}` end it too, and
# `:`, `#` and quotes are left to PyYAML there.
_NOT_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@` \t")
_NOT_IN_FLOW_ITEM = frozenset(",[]{}:#'\"\t")
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")

_NO = object()  # not in the canonical form: PyYAML reads it


def _number(name: str) -> re.Pattern[str]:
    pattern = _patterns.get(name)
    if pattern is None:
        pattern = _patterns[name] = re.compile(_NUMBER_SOURCES[name], re.X)
    return pattern


def resolves_to_string(plain: str) -> bool:
    """Whether PyYAML's `Resolver` reads the plain scalar `plain` as a string (`str` tag)."""
    if plain in _WORDS or not plain:
        return False
    first = plain[0]
    if first not in "-+.0123456789" or not _NUMBER_CHARS.issuperset(plain):
        return True
    if _number("float").match(plain):
        return False
    if first != "." and _number("int").match(plain):
        return False
    return not (first.isdigit() and _resolves_to_timestamp(plain))


def _resolves_to_timestamp(plain: str) -> re.Match[str] | None:
    """The parts of a plain scalar Resolver takes for a timestamp, or None."""
    match = _number("timestamp").match(plain)
    if match is None or match["hour"] or (len(match["month"]) == 2 == len(match["day"])):
        return match
    return None


def _gitmem_time(text: str) -> tuple[int, ...] | None:
    """`2026-01-02T03:04:05+06:00`, the one form gitmem writes its times in (`record.now_iso`),
    read without a regex: (year, month, day, hour, minute, second, offset in minutes)."""
    if len(text) != 25 or text[19] not in "+-" or text[4] + text[7] + text[10] != "--T":
        return None
    if text[13] + text[16] + text[22] != ":::":
        return None
    digits = text[:4] + text[5:7] + text[8:10] + text[11:13] + text[14:16] + text[17:19]
    offset = text[20:22] + text[23:25]
    if not (digits + offset).isascii() or not (digits + offset).isdigit():
        return None
    minutes = int(offset[:2]) * 60 + int(offset[2:])
    parts = [int(digits[i : i + 2]) for i in range(4, 14, 2)]
    return (int(digits[:4]), *parts, -minutes if text[19] == "-" else minutes)


def _time_field_reads_as_text(text: str) -> bool:
    """Whether a time field's plain scalar that Resolver takes for a timestamp is one PyYAML
    builds without an error (SafeConstructor.construct_yaml_timestamp, step by step): then
    PyYAML's path reads the field as its text (front_matter._scalar_text)."""
    import datetime

    canonical = _gitmem_time(text)
    try:
        if canonical is not None:  # the form is a timestamp, and no float or int
            year, month, day, hour, minute, second, offset = canonical
            zone = datetime.timezone(datetime.timedelta(minutes=offset))
            datetime.datetime(year, month, day, hour, minute, second, tzinfo=zone)
            return True
        # The float and int regexes match nothing the timestamp one does (no `-` after a digit).
        match = _resolves_to_timestamp(text) if _NUMBER_CHARS.issuperset(text) else None
        if match is None:
            return False
        year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
        if not match["hour"]:
            datetime.date(year, month, day)
            return True
        fraction = int(match["fraction"][:6].ljust(6, "0")) if match["fraction"] else 0
        tzinfo = None
        if match["tz_sign"]:
            hours, minutes = int(match["tz_hour"]), int(match["tz_minute"] or 0)
            delta = datetime.timedelta(hours=hours, minutes=minutes)
            tzinfo = datetime.timezone(-delta if match["tz_sign"] == "-" else delta)
        elif match["tz"]:
            tzinfo = datetime.UTC
        hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"])
        datetime.datetime(year, month, day, hour, minute, second, fraction, tzinfo=tzinfo)
    except (ValueError, OverflowError):
        return False
    return True


def _quoted(text: str) -> Any:
    """A single-quoted scalar (`''` is a quote), or a double-quoted one without escapes."""
    inner = text[1:-1]
    if len(text) < 2 or text[-1] != text[0]:
        return _NO
    if text[0] == "'":
        return inner.replace("''", "'") if "'" not in inner.replace("''", "") else _NO
    return inner if '"' not in inner and "\\" not in inner else _NO


def _scalar(text: str, time: bool = False) -> Any:
    """A scalar in block context: its string, or _NO."""
    if len(text) > MAX_SCALAR_CHARS:
        return _NO
    if text[0] in "'\"":
        return _quoted(text)
    if text[0] in _NOT_FIRST or ": " in text or " #" in text or "\t" in text or text[-1] == ":":
        return _NO
    # A time field's timestamp is read as its text by PyYAML's path (front_matter._scalar_text)
    # once PyYAML builds it; gitmem's own form is known to be a timestamp, so the number
    # regexes need not be compiled to see it is no float or int.
    if time and _gitmem_time(text) is not None:
        return text if _time_field_reads_as_text(text) else _NO
    if resolves_to_string(text):
        return text
    if time and _time_field_reads_as_text(text):
        return text
    return _NO


def _flow_scalars(inner: str, separator: str) -> list[str] | None:
    """The scalars of a flow collection's inside (`a, 'b c', d`), split at `, ` and, for a
    mapping, at `separator` (`: `) too: [a, b, c, ...] alternating as they were met."""
    found: list[str] = []
    pos, end = 0, len(inner)
    while pos < end:
        if inner[pos] in "'\"":
            close = inner.find(inner[pos], pos + 1)
            while inner[pos] == "'" and close != -1 and inner.startswith("''", close):
                close = inner.find("'", close + 2)  # a doubled quote is a quote
            if close == -1:
                return None
            value = _quoted(inner[pos : close + 1])
            pos = close + 1
        else:
            stop = min(
                (i for i in (inner.find(", ", pos), inner.find(separator, pos)) if i != -1),
                default=end,
            )
            item = inner[pos:stop]
            if not item or item[0] in _NOT_FIRST or item[-1] == " ":
                return None
            if any(char in _NOT_IN_FLOW_ITEM for char in item) or not resolves_to_string(item):
                return None
            value, pos = item, stop
        if value is _NO or len(value) > MAX_SCALAR_CHARS:
            return None
        found.append(value)
        if pos == end:
            return found
        if inner.startswith(", ", pos) or inner.startswith(separator, pos):
            pos += 2
            if pos == end:
                return None  # `[a, ]`
        else:
            return None
    return found


def _flow(text: str) -> tuple[Any, int]:
    """A flow sequence or mapping on one line: its value and how many keys it holds."""
    if len(text) < 2 or text[-1] != ("]" if text[0] == "[" else "}"):
        return _NO, 0
    inner = text[1:-1]
    if text[0] == "[":
        items = _flow_scalars(inner, ", ")
        return (_NO, 0) if items is None else (items, 0)
    # `{k: v, k2: v2}`: keys and values alternate, each pair joined by `: ` (and split so).
    parts = _flow_scalars(inner, ": ")
    if parts is None or len(parts) % 2:
        return _NO, 0
    pairs = [(inner_key, value) for inner_key, value in zip(parts[::2], parts[1::2], strict=True)]
    mapping = dict(pairs)
    if len(mapping) < len(pairs) or not _alternates(inner, len(pairs)):
        return _NO, 0
    return mapping, len(mapping)


def _alternates(inner: str, pairs: int) -> bool:
    """Whether a flow mapping's inside has exactly `pairs` `: ` joints outside its quotes (so
    `{a: b, c: d}` is two pairs, not `a`, `b, c`, `d` met in another order)."""
    if pairs == 0:
        return inner == ""
    joints, commas, quote = 0, 0, ""
    for index, char in enumerate(inner):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif inner.startswith(": ", index):
            joints += 1
            if joints != commas + 1:
                return False
        elif inner.startswith(", ", index):
            commas += 1
            if commas != joints:
                return False
    return joints == pairs and commas == pairs - 1


def _literal(lines: list[str], at: int, header: str, closed: bool) -> tuple[str, int] | None:
    """A `|` block scalar whose header line is lines[at]: its text and the index of the line
    after it; None when it is not plainly indented (PyYAML decides). `closed`: the text's last
    line ends with a line break."""
    indicators = header[1:]  # `|`, then at most an indentation digit and a chomping sign
    digits = "".join(char for char in indicators if char in "123456789")
    chomp = "".join(char for char in indicators if char in "-+")
    if len(digits) > 1 or len(chomp) > 1 or len(digits) + len(chomp) != len(indicators):
        return None
    start = at + 1
    while start < len(lines) and lines[start] == "":
        start += 1  # leading empty lines: a line break each
    if start == len(lines):
        return None
    first = lines[start]
    if digits:
        indent = int(digits)
    else:
        indent = len(first) - len(first.lstrip(" "))
        if indent == 0 or len(first) == indent or first[indent] == "\t":
            return None  # libyaml refuses a tab there; no content line: PyYAML decides
    pad = " " * indent
    if not first.startswith(pad) or len(first) == indent:
        return None
    last = start  # the last line with content
    end = start
    while end < len(lines):
        line = lines[end]
        if line.startswith(pad):
            if len(line) > indent:
                last = end
        elif line != "":
            if line[0] == " ":
                return None  # less indented than the block, yet indented
            break
        end += 1
    content = "\n".join(line[indent:] for line in lines[start : last + 1])
    text = "\n" * (start - at - 1) + content
    # The line breaks after the last content line's own (a last line without one has none).
    unbroken = end == len(lines) and not closed and end > last + 1
    breaks_after = end - last - 1 - unbroken
    line_break = "\n" if last + 1 < len(lines) or closed else ""
    if chomp == "-":
        return text, end
    if chomp == "+":
        return text + line_break + "\n" * breaks_after, end
    return text + line_break, end


def _printable(text: str) -> bool:
    """Whether `text` holds only characters libyaml reads as themselves: printable ones (no
    control, format, private, unassigned or separator characters but space), tab and line
    feed. Narrower than what YAML allows (a no-break space is left to PyYAML), never wider:
    nothing libyaml refuses (C0 and C1 controls, DEL, surrogates, U+FFFE/FFFF) and no other
    line break (CR, NEL, U+2028/2029) or byte order mark is printable."""
    return text.replace("\n", "").replace("\t", "").isprintable()


def _is_key(key: str) -> bool:
    """A plain key gitmem may write: ASCII letters, digits, `_` and `-`, not first a digit or
    `-`, at most 64 characters."""
    return 0 < len(key) <= 64 and _KEY_CHARS.issuperset(key) and key[0] not in "-0123456789"


def read(text: str, body_key: bool) -> list[tuple[str, int, Any]] | None:
    """Every top-level key of a record in the canonical form, in order: (key, its 0-based line,
    its value as `front_matter.parse_mapping` takes it: a field's value, or a note's body);
    None when `text` is not in that form."""
    if len(text) > MAX_YAML_CHARS or not text or not _printable(text):
        return None
    lines = text.split("\n")
    closed = lines[-1] == ""
    if closed:
        lines.pop()
    entries: list[tuple[str, int, Any]] = []
    seen: set[str] = set()
    keys = 0
    at = 0
    while at < len(lines):
        key, colon, value_text = lines[at].partition(": ")
        if not colon or not _is_key(key) or not value_text or value_text.strip() != value_text:
            return None
        if key in seen or not resolves_to_string(key):
            return None
        seen.add(key)
        field = BY_NAME.get(key)
        kind = "body" if body_key and key == "body" else field.kind if field else None
        if value_text[0] == "|":
            if kind != "body":
                return None
            block = _literal(lines, at, value_text, closed)
            if block is None:
                return None
            entries.append((key, at, block[0]))
            keys += 1
            at = block[1]
            continue
        value, inner_keys = _value(value_text, kind)
        if value is _NO:
            return None
        keys += 1 + inner_keys
        entries.append((key, at, value))
        at += 1
    return entries if entries and keys <= MAX_KEYS else None


def _value(text: str, kind: str | None) -> tuple[Any, int]:
    """A one-line value as `front_matter._field_value` gives it for a field of `kind` (None:
    a key outside the schema, its value as built), and how many mapping keys it holds."""
    if text[0] in "[{":
        value, inner_keys = _flow(text)
        wanted = list if text[0] == "[" else dict
        if value is _NO or kind not in (None, "list" if wanted is list else "mapping"):
            return _NO, 0  # a collection where a field wants a scalar: PyYAML says so
        return value, inner_keys
    scalar = _scalar(text, time=kind == "time")
    if scalar is _NO or kind == "mapping":
        return _NO, 0
    if kind == "list":  # `tags: a, b`, as hand-written front matter has it
        return [part.strip() for part in scalar.split(",") if part.strip()], 0
    return scalar, 0
