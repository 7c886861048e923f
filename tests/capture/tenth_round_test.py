"""Tenth round of the capture rules (issue 16): families of language read in the misses of jq
(the blind hold-out of round 9, in-sample since) and of the hand-written C histories (redis,
musl, libuv), each kept only because no labelled sample's precision fell by more than a point
(bench/capture_quality.py --summary) and the verdicts it moved over eight full histories read
mostly right (bench/capture_moves.py; bench/RESULTS-capture.md). Each family is quoted with the
real commits that motivated it and a real commit on the other side of the same rule.
"""

from __future__ import annotations

import pytest
from decision_families_test import both_ways

TENTH_ROUND = [
    # The project's website and its pages (jq): what the site says, not the software; a move
    # of the site itself stays a decision, and a fault while formatting is no formatting fix.
    ('website: use https URLs instead of http URLs in download page\n\nAlso add markdown '
     'formatting for decNumber URL so it gets rendered as a\nlink in the html page.\n\n',
     None, 'ignored: website'),
    ('Drop plus from "jq 1.5+" on download page\n\nSee '
     'https://github.com/stedolan/jq/issues/488#issuecomment-124998113\n\n',
     None, 'ignored: website'),
    ('Use a theme from Bootswatch for docs.\n\n',
     None, 'ignored: website'),
    ('Fix website generation workflow\n\n',
     None, 'ignored: docs, typo or formatting'),
    ('website: switch to custom domain jqlang.org (#3243)\n\n\n',
     'decision', "decision-pattern 'website: switch to"),
    ('fix: populate timezone data when formatting time (#3203)\n\nThe `jv2tm` function was '
     'zeroing fields of `struct tm` that were not\nspecified by the standard. However, '
     'depending on the libc this produced\nincorrect timezone data when used together with '
     'formatting functions.\nThis change tries to fill the timezone data using either '
     "`mktime`,\n`timegm`, or manually.\n\nApple's Libc implementation contains a bug which "
     'causes it to ignore\nthe offset data present in the `struct tm` in favor of the older '
     'heuristic\nneeded by legacy standards. This workaround temporarily sets the global\n'
     'timezone so it gets picked up during formatting.\n',
     'error', "fix-pattern 'fix: populate"),
    ('Fix heap buffer overflow when formatting an empty string\n\nThe `jv_string_empty` did '
     'not properly null-terminate the string data,\nwhich could lead to a heap buffer '
     'overflow. The test case of\nGHSA-p7rr-28xf-3m5w (`0[""*0]`) was fixed by the commit '
     'dc849e9bb74a,\nbut another case (`0[[]|implode]`) was still vulnerable. This commit\n'
     'ensures string data is properly null-terminated, and fixes CVE-2025-48060.\n\n',
     'error', "fix-pattern 'Fix"),
    # A CI runner image chosen (jq, tokio); not a CI fix that says its cause (redis).
    ('scanbuild: use ubuntu-latest (#2610)\n\n\n',
     None, 'ignored: CI runner image'),
    ('ci: use ubuntu-24.04-arm instead of ubuntu-22.04-arm (#7470)\n\n\n',
     None, 'ignored: CI runner image'),
    ('Fix daily failures due to macos-latest change. (#9637)\n\n* Fix test modules linking '
     'on macOS 11.x.\r\n* Use macOS 10.x for FreeBSD VM as VirtualBox is not yet supported '
     'on\r\n  11.\n',
     'error', "fix-pattern 'Fix"),
    # A choice written in code syntax: an operator in backquotes, a C header (jq, curl); not
    # backquoted names joined by a slash.
    ('Use `//` instead of `//=` in from_entries definition (#3516)\n',
     None, 'no rule matched'),
    ('Include "jv.h" instead of <jv.h>\n\n',
     None, 'no rule matched'),
    ('tests/data: replace Perl `&&` with `and` for XML-compliance\n\nBringing down '
     'non-XML-compliant files to 50 (from 58).\n\nFollow-up to '
     '7f3731ce142c1d74023abad183cc8ce0fd527fab #19595\n\nCloses #19765\n\n',
     None, 'no rule matched'),
    # A bug fix said as a "bugfix" (jq, redis), an off-by-one (redis); not a count of them or a
    # bugfix release (curl, flask).
    ('build: replace `send`/`recv` with `swrite`/`sread` where missing\n\n',
     'decision', "decision-pattern 'build: replace `send`/`recv` with"),
    ('Hack bugfix for multiline off-by-one (locfile.c)\n\n',
     'error', "fix-pattern 'Hack bugfix"),
    ('Bugfix for array slices.\n\n',
     'error', "fix-pattern 'Bugfix"),
    ('Lua reports line numbers off by one in error messages\n\n',
     'error', "fix-pattern 'off by one"),
    ('two bugfixes of today\n\n',
     None, 'no rule matched'),
    # A fix with tests added beside it (jq, redis); a fix of a test stays a test's business.
    ('Preparing for a 0.5.1 bugfix release\n\n',
     None, 'no rule matched'),
    ('Fix a memory leak in JV and add more tests\n\n',
     'error', "fix-pattern 'Fix"),
    ('Fix SDS type 5 sdsIncrLen() bug and added test.\n\nThanks to @oranagra for spotting '
     'this error.\n\n',
     'error', "fix-pattern 'Fix"),
    # A feature made optional (jq); not tests (tokio).
    ('fix for the just added new test\n\n',
     None, 'ignored: tests or CI only'),
    ("Make Oniguruma/regexp optional\n\nTests won't pass if built without Oniguruma.  We "
     "don't have a way to\nmake a test optional yet.  That will come later.  For now the "
     'ability to\nreduce build-time dependencies could really help some users.\n\n',
     'decision', "decision-pattern 'Make Oniguruma/regexp optional"),
    # What the software now lets happen (jq); a fault the message tells wins, and not tests,
    # code told what to return, or a conventional feature (curl, vite).
    ('ci: make loom tests optional (#4112)\n\n\n',
     None, 'no rule matched'),
    ('Let error(null) throw null\n\nThis patch removes the weird behaviour of '
     'jv_invalid_with_msg(jv_null())\nthat returns jv_invalid() (i.e. empty), instead of a '
     'boxed jv_null().\n\nThe previous behaviour of  null|error  was obviously '
     'unintentional, and\nallowing is jv_invalid_with_msg() to return values on which you '
     "can't\ncall jv_invalid_get_msg() is only error prone.\n\n",
     'decision', "decision-pattern 'Let error(null) throw"),
    ('Let @uri produce uppercase hexadecimal digits...\n\ninstead of lowercase ones.\n\n',
     'decision', "decision-pattern 'Let @uri produce"),
    ('curl: Let -D merge headers in one file again\n\nCloses #4762\nFixes #4753\n\n',
     'error', "fix-pattern 'Fixes #4753"),
    ('test1596: let test pass after year 2036\n\nBackground:\nAs part of my work on '
     'reproducible builds for openSUSE, I check that\nsoftware still gives identical build '
     'results in the future.\n\nCloses #17665\n\n',
     None, 'no rule matched'),
    ('nss: let nss_{cache,load}_crl return CURLcode\n\n',
     None, 'no rule matched'),
    ('feat: let `plugins` array contain falsy values (#1649)\n\n',
     None, 'no rule matched'),
    # ", replace with Y" after a removal (jq).
    ('Remove the insane "fold" operation, replace with saner "reduce".\n\n',
     'decision', "decision-pattern ', replace with saner"),
    # A redesign (musl), weak: a race it fixes wins; not a speed-up.
    ('overhaul SSP support to use a real canary\n\npthread structure has been adjusted to '
     'match the glibc/GCC abi for\nwhere the canary is stored on i386 and x86_64.\n\n',
     'decision', "decision-pattern 'overhaul SSP"),
    ('overhaul clone syscall wrapping\n\n',
     'decision', "decision-pattern 'overhaul clone"),
    ('overhaul posix semaphores to fix destructability race\n\nthe race condition these '
     'changes address is described in glibc bug\nreport number 12674:\n\n',
     'error', "fix-pattern 'race"),
    ('overhaul optimized x86_64 memset asm\n\non most cpu models, "rep stosq" has high '
     'overhead that makes it\nundesirable for small memset sizes.\n\n',
     None, 'no rule matched'),
    # A status given (redis, curl); not a note in a config file (redis).
    ('Modules: Mark all APIs non-experimental (#9983)\n\nThese exist for quite some time, '
     'and are no longer experimental\n',
     'decision', "decision-pattern 'Modules: Mark all APIs non-experimental"),
    ('curl.h: mark CURLSSLBACKEND_NSS as deprecated since 8.3.0\n\nCloses #11905\n\n',
     'decision', "decision-pattern 'curl.h: mark CURLSSLBACKEND_NSS as depre"),
    ('Mark diskless replication as experimental in redis.conf.\n\n',
     None, 'no rule matched'),
]  # fmt: skip


@pytest.mark.parametrize(("message", "kind", "rule"), TENTH_ROUND)
def test_tenth_round_families_both_ways(message: str, kind: str | None, rule: str) -> None:
    both_ways(message, kind, rule)
