"""Fourteenth round of the capture rules (issue 16): families read in the misses of httpx and
tmux (the blind hold-outs of round 13, in-sample since), each kept only because no labelled
sample's precision fell by more than a point (bench/capture_quality.py --summary) and the
verdicts it moved over thirteen full histories read mostly right (bench/capture_moves.py;
bench/RESULTS-capture.md). Each family is quoted with the real commits that motivated it and a
real commit on the other side of the same rule (cut at 400 characters: the rule's words are in
what is kept).
"""

from __future__ import annotations

import pytest
from decision_families_test import both_ways

FOURTEENTH_ROUND = [
    # A GitHub squash merge lists the PR's own commits as `* ` paragraphs: work in progress,
    # not decisions ("* Drop  keyword argument", "* Drop request cast"). A subject that
    # decides still does, and so does a hand-written list (no blank line between bullets).
    ("Simplify ASGI concurrency (#248)\n\n* Drop  keyword argument\n\n* Improve docstrings for "
     "WSGIDispatch and ASGIDispatch\n\n* Add docs for fine grained WSGI/ASGI control\n\n* "
     "Simplify concurrency handling in ASGIDispatch\n\n* Variable renaming\n\n* Fix missing "
     "nonlocal declaration\n\n* Split nonlocal onto multiple lines\n\n",
     None, "no rule matched"),
    ("Type-check test_auth.py (#665)\n\n* Type-check test_auth.py\n\n* Drop request cast\n\n",
     None, "no rule matched"),
    ("Drop support for Python 3.7 (#2813)\n\n* Drop Python 3.7 support\n\n* Fix lint\n\n* "
     "Changelog\n",
     "decision", "decision-pattern 'Drop support'"),
    ("process: add Child::{wait,try_wait} (#2796)\n\n* add Child::try_wait to mirror the std "
     "API\n* replace Future impl on Child with `.wait()` method to bring our\n  APIs closer to "
     "those in std and it allow us to\n  internally fuse the future so that repeated calls to "
     "`wait` result in\n  the same value (similar to std) without forcing the caller to fuse "
     "the\n  outer future\n* Also change `Child::id` to return ",
     "decision", "decision-pattern '* replace Future"),
    # ... nor a fix's veto when the subject says the fix ("* Lint" is a commit of the PR); a
    # fault only in the body still is ("* Add missing test cases" beside "* Linting").
    ("Fix environment proxies (#2741)\n\n* Add red test\n\n* Make the test pass\n\n* Lint\n\n* "
     "chanelog\n\n---------\n\nCo-authored-by: Karen Petrosyan "
     "<92274156+karosis88@users.noreply.github.com>\nCo-authored-by: Tom Christie "
     "<tom@tomchristie.com>\n",
     "error", "fix-pattern 'Fix'"),
    ("Moving test cases into 'test_url.py' (#2982)\n\n* Moving test cases into 'test_url.py'\n\n* "
     "Move test_url to test_basic_url\n\n* Linting\n\n* Move TypeError test case. Move basic "
     "httpx.URL cases.\n\n* Linting\n\n* Merge invalid URL cases\n\n* Move percent encoding "
     "test cases\n\n* Move remaining test cases\n\n* Linting\n\n* Add missing test cases\n",
     None, "ignored: compiler warnings or lint"),
    # Dropping what was private, unused, redundant or wrong is a clean-up, not a decision.
    ("Drop private imports in tests/conftest.py (#2569)\n\nCo-authored-by: Tom Christie "
     "<tom@tomchristie.com>\n",
     None, "no rule matched"),
    ("Drop unneccessary __hash__ methods\n\n", None, "no rule matched"),
    ("lib1587: drop redundant includes\n\nCloses #21892\n\n", None, "no rule matched"),
    # A missing header, comma or type hint added: no fault said (not a platform named).
    ("Missing header.\n\n", None, "ignored: says not what was wrong"),
    ("Missing commas, from Vipul Kumar.\n\n", None, "ignored: says not what was wrong"),
    ("add missing type hints to __init__(...) (#2938)\n\n* add missing type hints to "
     "__init__\n\nhttps://peps.python.org/pep-0484/\n\n* add info to changelog\n\n* Update "
     "CHANGELOG.md\n\n* Update CHANGELOG.md\n\n",
     None, "ignored: says not what was wrong"),
    ("Add missing headers for getpid()\n\n", "error", "fix-pattern 'missing'"),
    # Faults said without the word fix: memory leaks, what a system lacks, what is broken (in
    # the subject), what could be NULL; not a check for leaks in the tests.
    ("A couple of memory leaks from someone in GitHub issue 4590.\n\n",
     "error", "fix-pattern 'memory leaks'"),
    ("check for memory leaks before killing a server\n", None, "no rule matched"),
    ("OS X lacks HOST_NAME_MAX, reported by Christian Ebert.\n\n",
     "error", "fix-pattern 'lacks'"),
    ("Watcom lacks <sys/time.h>.\n\n", "error", "fix-pattern 'lacks'"),
    ("epoll on Linux is broken with /dev/null so it needs to be disabled.\n\nInstead of adding "
     "another BROKEN_* define, move event_init into\nosdep-*.c.\n\n\n",
     "error", "fix-pattern 'is broken'"),
    ("Copy state directly rather than dereferencing wl (which could be NULL).\n\n",
     "error", "fix-pattern 'could be NULL'"),
    ("Apply the right fix for run -b, used the wrong diff before.\n\n",
     "error", "fix-pattern 'used the wrong'"),
    ("Bracket in the wrong place in description of c0-change-trigger.\n\n",
     None, "no rule matched"),
    ('Handle failure to change mode, to avoid dying when switching into copy\nmode when already '
     'in a different mode. Reported by "Florian".\n\n',
     "error", "fix-pattern 'Handle failure to'"),
    ("tool_cb_hdr: handle failure of rename()\n\nDetected by Coverity.\n\nCloses #3140\n"
     "Reviewed-by: Jay Satiro\n\n",
     "error", "fix-pattern 'tool_cb_hdr: handle failure of'"),
    ("internal/lsp: latest version of LSP stubs\n\nThis CL updates the LSP to 3.17.0. It is a "
     "DANGEROUS CL as the stubs\nare being generated by Go code reading vscode's language "
     "independent\ndescription of the protocol (in metaMode.json in the "
     "vscode-languageserver-node\nrepository.)\n\nSome of the union types in the protocol "
     "have Go types with names containing  'Or'.\n",
     None, "no rule matched"),
    # "Don't need X" says what goes, not what was wrong ("Don't X" still names a fault); a CI
    # note's "should" is the CI's.
    ("Don't need linker magic anymore.\n\n\n", None, "no rule matched"),
    ("Do not need to set up USR2 twice.\n\n", None, "no rule matched"),
    ("Don't try to change directory if it is NULL.\n\n",
     "error", "fix-pattern \"Don't try\""),
    ("avoid need for -march=mips2 to compile mips atomic.h asm\n\nlinux guarantees ll/sc are "
     "always available. on mips1, they will be\nemulated by the kernel. thus they are part of "
     "the linux mips1 abi and\nsafe to use.\n\n",
     "error", "fix-pattern 'avoid need'"),
    ('CI should just use Python 3.9, not "3.9.5" (#2010)\n\n\n', None, "no rule matched"),
    # A default the subject says a thing should take: "should default to", "to default to".
    ("Media types with 'text/' should default to iso-8859-1\n\n",
     "decision", "decision-pattern 'should default to"),
    ("win/process.c: stdio fd should default to ignore\n\n",
     "decision", "decision-pattern 'should default to"),
    ("Change the xterm-keys option to default to on, so that tmux will\ngenerate xterm(1) "
     "escape sequences for function keys with modifiers.\n\n",
     "decision", "decision-pattern 'to default to"),
    ("posix_memalign should fail if size is not a multiple of sizeof(void *)\n\n",
     "error", "fix-pattern 'posix_memalign should fail"),
]  # fmt: skip


@pytest.mark.parametrize(("message", "kind", "rule"), FOURTEENTH_ROUND)
def test_fourteenth_round_families_both_ways(message: str, kind: str | None, rule: str) -> None:
    both_ways(message, kind, rule)
