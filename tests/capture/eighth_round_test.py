"""Eighth round of the capture rules (issue 16): families of language read in the false
captures of the samples under 80% precision (tokio, musl, golang/tools), each kept only because
it moved every labelled sample the right way or not at all (bench/capture_quality.py --summary;
bench/RESULTS-capture.md). Each family is quoted with the real commit that motivated it and a
real commit on the other side of the same rule.
"""

from __future__ import annotations

import pytest
from decision_families_test import both_ways, run

EIGHTH_ROUND = [
    # A choice written in code syntax is an edit of the code (tokio, uv, vite, golang/tools):
    # a path, a macro, an attribute, generics, a call with a literal, a Go array type, `===`.
    ("io: replace Vec method truncate(0) with clear (#8125)\n\nhttps://rust-lang.github.io/rust-"
     "clippy/master/index.html#manual_clear\n", None, "no rule matched"),
    ("Replace try! macro with ? operator (#1024)\n", None, "no rule matched"),
    ("tokio: use `ptr::addr_of` instead of pointer arithmetic in linked_list (#6561)\n", None,
     "no rule matched"),
    ("util: use `<ptr>::addr` instead of unsafe impl (#7725)\n", None, "no rule matched"),
    ("task: use `#[tokio::test]` explicitly in `tests/task_builder.rs` (#7698)\n", None,
     "no rule matched"),
    ("Use Cow<str> for deserialization everywhere (#17330)\n", None, "no rule matched"),
    ("perf: replace endsWith with === (#12539)\n", None, "no rule matched"),
    ("internal/lsp/cache: use [256]byte Hash instead of hex digit string\n", None,
     "no rule matched"),
    # ... but a choice in plain words stays a decision, a bare call or a Perl module too ...
    ("getloadavg: use sysinfo() instead of /proc/loadavg\n\nBased on a patch by Szabolcs Nagy.\n",
     "decision", "decision-pattern 'getloadavg: use sysinfo"),
    ("unix: use posix_spawn instead of fork (#3520)\n\nRemove the conditionals so that "
     "posix_spawn will be used whenever\npossible, and not only on Apple.\n\nTests specifically "
     "if posix_spawn works before using it: it is broken\non QEMU with glibc, for example, since "
     "fork/clone is broken there.\n", "decision", "decision-pattern 'unix: use posix'"),
    ("use Time::HiRes whenever available, independently of perl version\n\n", "decision",
     "decision-pattern 'use Time"),
    # ... other decisions on code stay decisions ...
    ("sync: deprecate mpsc::RecvError (#3833)\n\n\n", "decision", "decision-pattern 'deprecate'"),
    # ... and so does the decision a body tells.
    ("tests/getpart: use MIME::Base64 instead of home-cooked\n\nSince we already use the base64 "
     "package since a while back, we can just\nas well switch to that here too.\n",
     "decision", "decision-pattern 'tests/getpart: use MIME"),
    ("io: replace Vec method truncate(0) with clear\n\nWe switch to clear() for all buffers.\n",
     "decision", "decision-pattern 'We switch to'"),
    # tokio's release commits: the changelog in the body is every entry's words at once ...
    ("chore: prepare to release 0.2.17 (#2392)\n\n# 0.2.17 (April 9, 2020)\r\n\r\n### Fixes\r\n"
     "- rt: bug in work-stealing queue (#2387) \r\n\r\n### Changes \r\n- rt: threadpool uses "
     "logical CPU count instead of physical by default\r\n  (#2391)\r\n\r\n\r\nSigned-off-by: "
     "Eliza Weisman <eliza@buoyant.io>\n", None, "ignored: version bump"),
    ("chore: prepare Tokio v1.14.0 (#4234)\n\n# 1.14.0 (November 15, 2021)\r\n\r\n### Fixed\r\n"
     "\r\n- macros: fix compiler errors when using `mut` patterns in `select!`\r\n  ([#4211])\r\n",
     None, "ignored: version bump"),
]  # fmt: skip


@pytest.mark.parametrize(("message", "kind", "rule"), EIGHTH_ROUND)
def test_eighth_round_families_both_ways(message: str, kind: str | None, rule: str) -> None:
    both_ways(message, kind, rule)


def test_preparing_for_what_a_version_breaks_is_no_version_bump() -> None:
    """tokio's "chore: prepare for v0.3 breaking changes": the release rule wants a version at
    the end of the subject (or before "release"), not any "prepare for vX"."""
    _found, why = run(
        "chore: prepare for v0.3 breaking changes (#2747)\n\nBug fixes will be applied to the "
        "v0.2.x branch.\n"
    )
    assert not why.startswith("ignored"), why
