"""Human and machine output: colour only on a terminal (NO_COLOR respected), stable JSON."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator

from gitmem import LaterPattern

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any, TextIO


BOLD, DIM, RED, GREEN, YELLOW, BLUE, MAGENTA, CYAN = "1", "2", "31", "32", "33", "34", "35", "36"


# Characters a terminal acts on rather than shows: C0 controls but tab and newline, DEL, C1
# controls, and the bidi overrides and isolates that reorder what is shown (Trojan Source).
# Compiled on first use: its class of non-ASCII ranges takes ~1-2 ms to compile, and most text
# holds none of them (`safe`).
UNSAFE = LaterPattern("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def safe(text: str, keep: str = "") -> str:
    """`text` with every character a terminal would act on shown escaped (`\\x1b`, `\\u202e`).

    For human-readable output of anything a record holds: a stored title must not recolour,
    retitle or write to the clipboard of the terminal that shows it. `keep` names characters
    left alone (markers the caller replaces next). Tab and newline stay.
    """
    # Every character UNSAFE matches is a control (Cc) or format (Cf) one, which Python never
    # calls printable: text printable but for its tabs and newlines has none of them.
    if text.replace("\n", "").replace("\t", "").isprintable():
        return text
    return UNSAFE.sub(lambda m: m[0] if m[0] in keep else _escaped(m[0]), text)


# Markdown: what would start emphasis, code, a link, HTML (`<script>`, `<!--`), an entity or a
# quote, or end a table cell; `@name` would notify someone from a bot's comment.
_MARKDOWN_SPECIAL = LaterPattern(r"([\\`*_\[\]<>|~&])")
_MENTION = LaterPattern(r"@(?=\w)")


def markdown_text(value: str) -> str:
    """Record text for inline Markdown, on one line: it renders as written (no emphasis,
    links, HTML or mentions), and terminal controls are shown escaped (`safe`)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(safe(value).split()))
    # An HTML comment after `@` keeps GitHub from reading it as a mention; it renders as "@".
    return _MENTION.sub("@<!-- -->", escaped)


def markdown_code(value: str) -> str:
    """An inline code span holding `value` exactly, whatever backticks it contains."""
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def use_color(stream: TextIO | None = None) -> bool:
    """Whether to colour `stream` (default: standard output, the one in use when asked: the
    index service swaps it for each request)."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return (stream or sys.stdout).isatty()


def style(text: str, *codes: str, stream: TextIO | None = None) -> str:
    if not codes or not use_color(stream):
        return text
    return f"\033[{';'.join(codes)}m{text}\033[0m"


def plural(n: int, word: str) -> str:
    """`1 record`, `3 records`."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def print_json(data: Any) -> None:
    import json  # here: `show` and `list` print for people without it (~1.5 ms to import)

    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def emit(as_json: bool, document: Any, human: str | Iterable[str], end: str = "\n") -> None:
    """A command's output: `document` as JSON under --json, else `human` for people.

    `human` is one text, printed with `end` as `print` would, or lines, printed one by one (a
    generator's lines are made only when they are printed).
    """
    if as_json:
        print_json(document)
    elif isinstance(human, str):
        print(human, end=end)
    else:
        for line in human:
            print(line)


def warn(message: str, escape: bool = True) -> None:
    """A warning on stderr; `escape=False` only for a message whose parts are already `safe`."""
    print(f"git-mem: warning: {safe(message) if escape else message}", file=sys.stderr)


def deliver(text: str, output: str | None) -> bool:
    """A document to standard output (`output` None or "-") or into the file `output`; True
    when it went to the file. A file that cannot be written is a UsageError."""
    if output in (None, "-"):
        sys.stdout.write(text)
        return False
    from pathlib import Path

    from gitmem.errors import UsageError

    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror}") from None
    return True


def notice(line: str) -> None:
    """A complete line for the user that is not the command's output (it goes to stderr)."""
    print(safe(line), file=sys.stderr)


def error(message: str) -> None:
    print(f"git-mem: error: {safe(message)}", file=sys.stderr)


LONG_JOB = 2000  # items: below this a job is quick enough to run silently off a terminal


@contextlib.contextmanager
def progress_bar(
    label: str = "building the search index", unit: str = "records"
) -> Iterator[Callable[[int, int], None] | None]:
    """A `progress(done, total)` drawing a bar on stderr if it is a terminal.

    Elsewhere (a pipe, CI) a long job says once that it is running, then nothing more.
    """
    if not sys.stderr.isatty() or os.environ.get("TERM") == "dumb":
        said = [False]

        def once(done: int, total: int) -> None:
            if not said[0] and total >= LONG_JOB and done < total:
                said[0] = True
                print(f"git-mem: {label}: {total} {unit}, this takes a while", file=sys.stderr)

        yield once
        return
    shown = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - shown[0] < 0.1:
            return
        shown[0] = now
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r{label} [{bar}] {done}/{total}")
        sys.stderr.flush()

    try:
        yield progress
    finally:
        if shown[0]:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
