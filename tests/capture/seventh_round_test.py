"""Seventh round of the capture rules (issue 16): families of language read in the misses and
false captures of the hold-outs (flask, libuv, musl, golang/tools), each kept only because it
moved every labelled sample the right way or not at all (bench/capture_quality.py --summary;
bench/RESULTS-capture.md). Each family is quoted with the real commit that motivated it and a
real commit on the other side of the same rule.
"""

from __future__ import annotations

import pytest
from decision_families_test import both_ways, run

SEVENTH_ROUND = [
    # libuv's release commits: the changelog in the body is every entry's words at once ...
    ("2013.10.19, Version 0.10.18 (Stable)\n\nChanges since version 0.10.17:\n\n* unix: fix "
     "uv_spawn() NULL pointer deref on ENOMEM (Ben Noordhuis)\n\n* unix: don't close inherited "
     "fds on uv_spawn() fail (Ben Noordhuis)\n\n* unix: revert recent FSEvent changes (Ben "
     "Noordhuis)\n\n* unix: fix non-synchronized access in signal.c (Ben Noordhuis)\n", None,
     "ignored: version bump"),
    # ... and the commit that opens the next version closes an issue, fixing nothing.
    ("Now working on version 1.41.1\n\nFixes: https://github.com/libuv/libuv/issues/3086\n",
     None, "ignored: version bump"),
    # A version in a subject that fixes something is still a fix.
    ("go/packages: support pre go1.10.4 using go/loader\n\nIf go list fails because it doesn't "
     "support the new flags added\nfor Go 1.11 try again\nusing the Loader to approximate the "
     "packages requested.\n\nOnce Go 1.12 is released, we'll delete this support. By then, most"
     "\nGo users should have at least switched to Go 1.10.4.\n", "decision",
     "decision-pattern \"we'll delete this"),
    # A docs example or link fixed is a docs fix (flask) ...
    ("Fix missing assignment in MethodView example (#4815)\n", None,
     "ignored: docs, typo or formatting"),
    ("Fix global CONTRIBUTING link (#5737)\n", None, "ignored: docs, typo or formatting"),
    # ... not curl's example programs named by their area prefix, nor a link-local address or
    # a link step of a build.
    ("examples/rtsp: fix error handling macros\n\nCloses https://github.com/curl/curl/pull/"
     "2185\n", "error", "fix-pattern 'examples/rtsp: fix'"),
    ("FTP: fix IPv6 host using link-local address\n\n... and make sure we can connect the data "
     "connection to a host name that\nis longer than 48 bytes.\n\nAlso simplifies the code "
     "somewhat by re-using the original host name\nmore, as it is likely still in the DNS "
     "cache.\n\nOriginal-Patch-by: Vojtěch Král\nBug: http://curl.haxx.se/bug/view.cgi?id=1468\n",
     "error", "fix-pattern 'FTP: fix'"),
    ("build: fix dragonflybsd build, link with libkvm\n", "error", "fix-pattern 'build: fix'"),
    # A code comment fixed is a docs fix (musl, golang/tools) ...
    ("math: fix comment in __rem_pio2f.c\n", None, "ignored: docs, typo or formatting"),
    ("cmd/vet: fix internal comments\n\nLGTM=r\nR=r\nCC=golang-codereviews\n"
     "https://golang.org/cl/163070043\n", None, "ignored: docs, typo or formatting"),
    # ... not comments as what the code keeps or handles.
    ("fix(lib): keep annotation comments for es output (#337)\n", "error",
     "fix-pattern 'fix(lib): keep"),
    ("internal/lsp: fix folding range for block comments\n\nBlock comments are a single comment "
     "that stretches across multiple\nlines. The folding range code made assumptions that each "
     "comment\nwas a single line. This change fixes the folding range logic to check for "
     "multiline comments and adjust the folding range to start at\nthe end of the first line."
     "\n\nFixes golang/go#46253\nFixes golang/vscode-go#1511\n", "error",
     "fix-pattern 'internal/lsp: fix"),
    # A choice made inside the test suite is the tests' business (libuv) ...
    ("test: switch to new-style ASSERT_EQ macros (#4159)\n\nSwitch from old-style ASSERT macro "
     "to new-style ASSERT_EQ,... macros.\r\n\r\nUsing new-style macros makes it easier to "
     "debug test failures\r\n\r\nFixes: https://github.com/libuv/libuv/issues/2974\n", None,
     "ignored: tests only"),
    ("test, bench: ANSI-fy function prototypes\n\nReplace `void f()` with `void f(void)`; the "
     "former means \"a function\nthat takes any number of arguments, including none\" while "
     "the latter\nis what is actually intended: a function taking no arguments.\n\nThe first "
     "form also isn't strictly conforming ANSI/ISO C.\n", None, "ignored: tests only"),
    # ... unless it moves the suite to another tool; and `ci:` is no test prefix.
    ("test: migrate to vitest (#8076)\n", "decision", "decision-pattern 'test: migrate to"),
    ("test:  migrate to vitest (#8076)\n", "decision", "decision-pattern 'test: migrate to"),
    ("ci: migrate to official app token action (#19658)\n", "decision",
     "decision-pattern 'ci: migrate to"),
    # What was broken, said as making it work again (libuv) ...
    ("unbreak 'make bench'\n", "error", "fix-pattern 'unbreak'"),
    ("build: make `./gyp_uv.py -f eclipse` work\n\nThe eclipse backend (like the ninja backend) "
     "does not support the\n--generator_output switch.\n", "error",
     "fix-pattern 'make `./gyp_uv.py -f eclipse` work'"),
    ("windows: incorrect check for SOCKET_ERROR\n", "error",
     "fix-pattern 'windows: incorrect check'"),
    # ... not "incorrect" as what is removed.
    ("remove outdated/incorrect comment about AS_CMD from makefile\n", None, "no rule matched"),
    # C's feature test macros are no tests (musl) ...
    ("fix feature test macro logic for _BSD_SOURCE\n\nin several places, _BSD_SOURCE was not "
     "even implying POSIX, resulting\nin it being subtractive rather than additive (compared to "
     "the default\nfeatures).\n", "error", "fix-pattern 'fix'"),
    # ... the test suite's own fixes stay out.
    ("tests: Fix some incorrect precheck error messages.\n\n[ci skip]\n", None,
     "ignored: tests only"),
    # "honor X" is "respect X": a setting that was ignored (musl).
    ("honor AT_SECURE aux vector flag\n", "error", "fix-pattern 'honor'"),
    # A deprecation announced by its warning (flask) ...
    ("show deprecation warning on json_encoder/decoder access\n", "decision",
     "decision-pattern 'show deprecation warning'"),
    ("Re-add filename param for send_from_directory\n\nAdd a deprecation warning for the old "
     "name\n", "decision", "decision-pattern 'Add a deprecation warning'"),
    # ... not someone else's deprecation warnings silenced.
    ("libssh: ignore deprecation warnings\n\nlibssh 0.10.0 marks all SCP functions as "
     "\"deprecated\" which causes\ncompiler warnings and errors in our CI jobs and elsewhere. "
     "Ignore\ndeprecation warnings if 0.10.0 or later is found in the build.\n\nIf they "
     "actually remove the functions at a later point, then someone can\ndeal with that pain "
     "and functionality break then.\n\nFixes #9382\nCloses #9383\n", None,
     "ignored: compiler warnings or lint"),
]  # fmt: skip


@pytest.mark.parametrize(("message", "kind", "rule"), SEVENTH_ROUND)
def test_seventh_round_families_both_ways(message: str, kind: str | None, rule: str) -> None:
    both_ways(message, kind, rule)


@pytest.mark.parametrize(
    ("message", "kind", "rule"),
    [
        # The docs-example rule holds on to the subject's first fix word: an example after a
        # later one is still after the first.
        ("Fix the fix of the MethodView example\n", None, "ignored: docs, typo or formatting"),
        ("correct the fix in the examples\n", None, "ignored: docs, typo or formatting"),
        ("fix fix fix examples/rtsp\n", "error", "fix-pattern 'fix'"),
    ],
)
def test_the_docs_example_rule_looks_after_the_first_fix_word(
    message: str, kind: str | None, rule: str
) -> None:
    both_ways(message, kind, rule)


@pytest.mark.parametrize("word", ["fix ", "fix  ", "Fixed ", "correct "])
def test_a_hostile_subject_of_fix_words_keeps_its_verdict(word: str) -> None:
    """A one-line message of 64 KB (all the patterns see) repeating a fix word and no
    "example": the docs-example rule tried each fix word against every later word (~2-5 s of
    CPU); held on to the first, it gives the same verdict at once. What it costs is measured by
    bench/capture_hostile.py, not asserted here."""
    message = word * (65536 // len(word)) + "\n"
    found, why = run(message)
    assert ([c.type for c in found], why) == (["error"], f"fix-pattern {word.strip()!r}")


def test_a_line_of_dashed_words_is_no_reference() -> None:
    """ "use-use-use-..." over 64 KB: an issue reference's owner/repo was unbounded, so every
    start scanned the run to its end for a "/" (~10 s of CPU). Bounded, no reference is found
    and real ones still are."""
    found, _why = run("use-" * 16384 + "\n")
    assert [c.refs for c in found] == [()] * len(found)
    found, _why = run("Fix crash on empty config (pallets/flask#4821)\n\nIt was read twice.\n")
    assert [c.type for c in found] == ["error"]
    assert found[0].refs == ("pallets/flask#4821",)
