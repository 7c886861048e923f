"""Every record of a repository read both ways: store.plain_yaml (no PyYAML) against PyYAML's
reading (store.front_matter._read_yaml). Prints how many each read, any disagreement (there
must be none: the script exits 1), and the time per record of each.

    python bench/plain_yaml_check.py REPO      # e.g. a bench/corpus.py repository

Every `.memory/` file's front matter and every document of every note on refs/notes/mem, split
as gitmem splits them (front_matter.parse_file, note_stream.parse_note).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from gitmem.errors import RecordError
from gitmem.store import plain_yaml
from gitmem.store.front_matter import _DELIMITER_RE, _read_yaml

_DOC_START_RE = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)


def documents(repo: Path) -> list[tuple[str, str, bool]]:
    """(where, YAML text, whether it is a note's document) for every record."""
    found: list[tuple[str, str, bool]] = []
    for path in sorted((repo / ".memory").rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="surrogateescape").removeprefix("\ufeff")
        start = len(text.split("\n", 1)[0]) + 1
        closing = _DELIMITER_RE.search(text, start)
        if closing is not None:
            found.append((str(path.relative_to(repo)), text[start : closing.start()], False))
    listing = subprocess.run(
        ["git", "-C", str(repo), "notes", "--ref=mem", "list"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    blobs = listing[0::2]
    batch = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        input="".join(f"{blob}\n" for blob in blobs).encode(),
        capture_output=True,
        check=True,
    ).stdout
    at = 0
    for blob in blobs:
        header_end = batch.index(b"\n", at)
        size = int(batch[at:header_end].split()[2])
        text = batch[header_end + 1 : header_end + 1 + size].decode("utf-8", "surrogateescape")
        at = header_end + 1 + size + 1
        starts = [0] + [m.start() for m in _DOC_START_RE.finditer(text) if m.start() > 0]
        for a, b in zip(starts, [*starts[1:], len(text)], strict=True):
            piece = text[a:b]
            header = piece.split("\n", 1)[0]
            doc = piece[len(header) + 1 :] if _DOC_START_RE.fullmatch(header) else piece
            if re.search(r"^id:", doc, re.MULTILINE):
                found.append((f"note {blob}", doc, True))
    return found


def typed(value: Any) -> Any:
    """The value with every type spelled out, to compare exactly (a str is not a date)."""
    if isinstance(value, list):
        return [typed(item) for item in value]
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    return (type(value).__name__, value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    args = parser.parse_args()
    docs = documents(args.repo)
    fast_s = slow_s = 0.0
    read = declined = differ = 0
    for where, text, body_key in docs:
        started = time.perf_counter()
        fast = plain_yaml.read(text, body_key)
        fast_s += time.perf_counter() - started
        started = time.perf_counter()
        try:
            slow: Any = _read_yaml(text, where, 1, body_key, "front matter")
        except RecordError as error:
            slow = error
        slow_s += time.perf_counter() - started
        if fast is None:
            declined += 1
            continue
        read += 1
        if isinstance(slow, RecordError) or not slow[1] or typed(fast) != typed(slow[0]):
            differ += 1
            print(f"DIFFERENT: {where}\n  plain_yaml: {fast}\n  PyYAML:     {slow}")
    count = len(docs)
    print(
        f"{args.repo}: {count:,} records; plain_yaml read {read:,}, left {declined:,} to PyYAML; "
        f"{differ} read differently"
    )
    if count:
        print(
            f"per record: plain_yaml {fast_s / count * 1e6:.0f} us, "
            f"PyYAML {slow_s / count * 1e6:.0f} us"
        )
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
