"""What the capture rules cost on hostile commit messages, against an ordinary one of the same size.

    .venv/bin/python bench/capture_hostile.py [--size 65536] [--top 10]

The commit hook classifies every message it sees, cut to 64 KB. A pattern that backtracks
over a line (trying each word against every later one) costs seconds there, on every
commit, so every default rule is run over messages built to provoke that: one long line of a
pattern's own words repeated with different separators, runs of spaces, no newline. Each
pattern is timed alone on its lines, then the whole classifier on the worst of them. The
reference is the same classifier on an ordinary message of the same size (real sentences), in
the same run: the figures are the worst lines' CPU times and their ratio to that reference.
The whole classifier also runs on generic shapes (short words, slashes, issue marks), which
the title cleaning and reference extraction see. Timing lives here, not in the unit tests
(tests/capture/seventh_round_test.py checks the verdicts on such messages).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gitmem.capture import default_patterns, ignore_patterns
from gitmem.capture.commits import Commit, explain
from gitmem.capture.rules import default_rules

DATE = "2026-01-01T00:00:00+00:00"
ORDINARY = (
    "unix: fix uv_spawn() NULL pointer deref on ENOMEM. The handle was read after free when "
    "the loop closed it first; use the saved pointer instead of the handle's. "
)


def _patterns() -> dict[str, str]:
    """Every default pattern (decisions, fixes, facts, ignores, the compiled subject classes),
    by the name of its table."""
    found: dict[str, str] = {}
    for name, value in [
        (name, getattr(module, name))
        for module in (default_patterns, ignore_patterns)
        for name in dir(module)
    ]:
        if isinstance(value, re.Pattern):  # the subject classes: FEATURE_SUBJECT, CODE_SUBJECT
            found[value.pattern] = name
        if isinstance(value, tuple):
            for item in value:
                pattern = item[-1] if isinstance(item, tuple) else item
                if isinstance(pattern, str) and len(pattern) > 3:
                    found[pattern] = name
    return found


def hostile(pattern: str, size: int) -> Iterator[tuple[str, str]]:
    """Long lines of the pattern's own words: what makes a pattern try each against the rest."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]{2,}", re.sub(r"\\[A-Za-z]", " ", pattern))}
    yield "spaces", " " * size
    for word in sorted(words | {"fix", "a"}):
        for sep in (" ", "  ", ", ", ": ", "-", "\t"):
            unit = word + sep
            yield f"({word!r} {sep!r})*", unit * (size // len(unit))
        yield f"fix {word}*", "fix " + (word + " ") * (size // (len(word) + 1))
        yield f"{word} x*", word + " " + "x " * (size // 2)


def cpu(message: str) -> float:
    commit = Commit("a" * 40, ("b" * 40,), "Jane Doe <jane@example.com>", DATE, DATE, message)
    rules = default_rules()
    started = time.process_time()
    explain(commit, rules)
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=65536, help="message size, bytes")
    parser.add_argument("--top", type=int, default=10, help="worst messages listed")
    args = parser.parse_args()
    ordinary = "subject line\n\n" + ORDINARY * (args.size // len(ORDINARY))
    reference = statistics.median(cpu(ordinary) for _ in range(5))
    timed = []  # each pattern alone on its inputs; then the whole classifier on the worst
    for pattern, table in _patterns().items():
        compiled = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
        for label, text in hostile(pattern, args.size):
            started = time.process_time()
            compiled.search(text)
            timed.append((time.process_time() - started, f"{table}: {label}", text))
    timed.sort(key=lambda row: row[0], reverse=True)
    size = f"{args.size:,} bytes"
    print(f"{len(timed):,} hostile lines of {size}, each default capture pattern on its own words:")
    print(f"- reference, the whole classifier on an ordinary {size}: {reference * 1000:.1f} ms")
    print(f"- one pattern, median: {statistics.median(t for t, _, _ in timed) * 1000:.2f} ms")
    print(f"- the whole classifier on the {args.top} worst lines (ms, x the reference):")
    for spent, label, text in timed[: args.top]:
        whole = cpu(text + "\n")
        ratio = whole / reference
        print(f"  {whole * 1000:9.1f}  {ratio:6.1f}x  ({spent * 1000:.1f} ms alone)  {label}")
    shapes = [
        (f"({word!r} {sep!r})*", (word + sep) * (args.size // len(word + sep)))
        for word in ("use", "fix", "a", "x/", "#1", "(#1", "fix #1")
        for sep in (" ", "-", ".", "/", ", ", "")
    ]
    generic = sorted(((cpu(text + "\n"), label) for label, text in shapes), reverse=True)
    print(f"- the whole classifier on {len(shapes)} generic shapes, the {args.top} worst:")
    for spent, label in generic[: args.top]:
        print(f"  {spent * 1000:9.1f}  {spent / reference:6.1f}x  {label}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
