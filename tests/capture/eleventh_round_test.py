"""Eleventh round of the capture rules (issue 16): families read in the false captures of
ripgrep (the blind hold-out of round 10, in-sample since), each kept only because no labelled
sample's precision fell by more than a point (bench/capture_quality.py --summary) and the
verdicts it moved over nine full histories read mostly right (bench/capture_moves.py;
bench/RESULTS-capture.md). Each family is quoted with the real commits that motivated it and a
real commit on the other side of the same rule (cut where a long body is cut: the rule's words
are in what is kept).
"""

from __future__ import annotations

import pytest
from decision_families_test import both_ways

ELEVENTH_ROUND = [
    # A dependency bump in a `deps:` area (ripgrep): what moved or was dropped is the dependency's
    # business, not a decision; a fix it brings in still counts.
    ('deps: update to crossbeam-channel 0.3.8\n\nThis drops dependencies on parking_lot '
     'and rand from ripgrep.\n\n(rand is still used for tests.)\n\n',
     None, 'no rule matched'),
    ("deps: use pcre2 0.2.0\n\nThis comes with PCRE 10.32 and a few new options we'll use "
     'in subsequent\ncommits.\n\n',
     None, 'no rule matched'),
    ('deps: update everything\n\nNotably, this removes winapi in favor of windows-sys, as '
     'a result of\nwinapi-util switching over to windows-sys[1].\n\nAnnoyingly, when PCRE2 '
     'is enabled, this brings in a dependency on\n`once_cell`[2]. I had worked to remove '
     "it from my dependencies and now\nit's back. Gah. I suppose I could disable the "
     "`parallel` feature of\n`cc`, but that doesn't seem like a good trade-off.\n\n[1]: "
     'https://github.co',
     None, 'no rule matched'),
    ('deps: bump regex to 1.8.3\n\nThis brings in an update from the regex crate that '
     'fixes a matching bug\nfor particular kinds of alternations of literals.\n\nFixes '
     '#2518\n\n',
     'error', "fix-pattern 'bug'"),
    ('deps: update regex\n\nThis fixes build failures on latest nightly with SIMD '
     'features.\n',
     'error', "fix-pattern 'This fixes'"),
    # Speed work (ripgrep, redis, golang/tools): how the body did it is no decision; a choice the
    # subject states still is.
    ('ignore: speed up Gitignore::empty\n\nThis commit makes Gitignore::empty a bit faster '
     'by avoiding allocation\nand manually specializing the implementation instead of '
     'routing it through\nthe GitignoreBuilder.\n\nThis helps improve uses of ripgrep that '
     'traverse *many* directories, and\nin particular, when the use of ignores is disabled '
     'via command line\nswitches.\n\nFixes #835, Closes #836\n\n',
     None, 'ignored: performance'),
    ('internal/lsp/cache: optimize Snapshot.clone\n\nThis change replaces the single large '
     'map used for snapshot.goFiles\nby a map of 256 stripes, each of which becomes '
     'immutable once shared.\nThis optimizes the common case in which the copy is nearly '
     'identical\nto the original.\n\nWe still need to visit each map entry to see wheth',
     None, 'no rule matched'),
    ('Optimize deferred replies to use shared objects instead of sprintf (#10334)\n\nAvoid '
     'sprintf/ll2string on setDeferredAggregateLen()/addReplyLongLongWithPrefix() when we '
     'can used shared objects.\nIn some pipelined workloads this achieves about 10% '
     'improvement.\n\nCo-authored-by: Oran Agra <oran@redislabs.com>\n',
     'decision', "decision-pattern 'use shared objects instead of'"),
    # "expensive" in a fix's subject: speed, not a bug (ripgrep, golang/tools).
    ('Avoid expensive check with --files (fixes #600)\n\n',
     None, 'ignored: performance'),
    ('internal/refactor/inline: avoid expensive Info.Uses scan\n\nThis CL further '
     'optimizes (beyond the attempt in CL 717540)\nthe computation of whether a given '
     'PkgName is used only once.\nThe previous attempt reduced the scan of',
     None, 'ignored: performance'),
    # A `readme:` area is the docs' own change (ripgrep).
    ("readme: encoding_rs's SIMD support is broken\n\nAdd a note about it to the "
     'README.\n\nAlso, remove mention of the avx-accel feature since it no longer '
     'exists.\n(bytecount now uses runtime detection to enable SIMD support.)\n\nFixes '
     '#1175\n\n',
     None, 'ignored: docs only'),
    ('readme: add --classic flag to snap install\n\nIt would be nicer to switch to the '
     '`ripgrep` snap package, but\napparently it is configured to install with a binary '
     'name `ripgrep.rg`\ninstead of just `rg`. *sigh*\n\n',
     None, 'ignored: docs only'),
    # "clarify X" is docs or a message: the issue it closes is no bug fix (ripgrep, libuv).
    ('ignore: clarify `WalkBuilder::filter_entry`\n\nFixes #2913\n\n',
     None, 'ignored: docs, typo or formatting'),
    ('include: clarify uv_tcp_bind() behavior\n\nOn BSD-like platforms, EADDRINUSE is '
     "returned by the bind() system call.\nOn other platforms, it's returned by the "
     "listen() system call.\n\nIn other words, some platforms are 'first to bind wins', "
     "others are\n'first to listen wins' - but only with TCP sockets: UNIX domain "
     'sockets\nalways return EADDRINUSE from the bind() system call, UDP sockets '
     "don't\ncall listen() in the first place.\n\nFixes #769.\n\n",
     None, 'ignored: docs, typo or formatting'),
    # A test added is no fix (ripgrep, redis); a test added with the fix is.
    ('Add regression test.\n\nFixes #106.\n\n',
     None, 'ignored: tests or CI only'),
    ('Add regression test for #5111.\n\n',
     None, 'ignored: tests or CI only'),
    ('Add regression test and fix for >255 byte string entries\n\n',
     'error', "fix-pattern 'regression'"),
    # ripgrep's "BREAKING:" prefix is a breaking change, as "BREAKING CHANGE:" is.
    ("BREAKING: regex: finally remove CRLF hack\n\nNow that Rust's regex crate finally "
     'supports a CRLF mode, we can remove\nthis giant hack in ripgrep to enable it. (And '
     'assuredly did not work in\nall cases.)\n\nThe way this works in the regex engine is '
     'actually subtly different than\nwhat ripgrep previously did. Namely, --crlf would '
     'previously treat\neither \\r\\n or \\n as a line terminator. But now it treats '
     '\\r\\n, \\n and\n\\r as line terminators. In effect, it is implemented by treating '
     '\\r and\n\\n as line terminators, but ^ and $ will never match at a '
     'position\nbetween a \\r and a \\n.\n\nSo basically this means th',
     'decision', 'breaking-change'),
]  # fmt: skip


@pytest.mark.parametrize(("message", "kind", "rule"), ELEVENTH_ROUND)
def test_eleventh_round_families_both_ways(message: str, kind: str | None, rule: str) -> None:
    both_ways(message, kind, rule)
