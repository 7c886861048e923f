"""Ninth round of the capture rules (issue 16): families of language read in the missed
decisions and fixes of the hand-written histories (redis, musl, libuv, tokio, golang/tools),
each kept only because no labelled sample's precision fell by more than a point
(bench/capture_quality.py --summary; bench/RESULTS-capture.md). Each family is quoted with the
real commits that motivated it and a real commit on the other side of the same rule.
"""

from __future__ import annotations

import pytest
from decision_families_test import both_ways

NINTH_ROUND = [
    # A behaviour the subject says stops, after what it is about (redis, musl) ...
    ("FLUSHALL/FLUSHDB no longer sync on disk. Just increment the dirty counter by the number of "
     "elements removed, that will probably trigger a background saving operation\n\n",
     "decision", "decision-pattern 'FLUSHALL/FLUSHDB no longer"),
    ("CONFIG GET is now no longer case sensitive.\n\nLike CONFIG SET always was. Close #3369.\n\n",
     "decision", "decision-pattern 'CONFIG GET is now no longer"),
    ("reenable sync_file_range; should no longer break on mips\n\n", "decision",
     "decision-pattern 'reenable sync_file_range"),
    # ... not a clause's reason, a comment or a test.
    ("disable LDAP since we can no longer compile due to header incompatiblities.\n\n", None,
     "no rule matched"),
    ("Cluster: comment no longer in sync with code removed.\n\n", None, "no rule matched"),
    ("Redis test: regexp to check if valgrind reported errors modified. Now we no longer look at "
     "the total count because this includes \"possibly lost\" bytes that are not interesting for "
     "Redis (tons of false positives because of how sds.c works).\n\n", None, "no rule matched"),
    # A limit the subject sets (redis, musl); not a test's timeout.
    ("Streams: reduce listpack max size to 2k to speedup range queries.\n\nListpack max size is a "
     "tradeoff between space and time. A 2k max entry\nputs the memory usage approximately at a "
     "similar order of magnitude (5\nmillion entries went from 96 to 120 MB), but the range "
     "queries speed\ndoubled (because there are half entries to scan in the average case).\n",
     "decision", "decision-pattern 'Streams: reduce listpack max size"),
    ("increase syslog message limit from 256 to 1024\n\nthis addresses alpine linux issue #3692 "
     "and brings the syslog message\nlength limit in alignment with uclibc's implementation.\n\n",
     "decision", "decision-pattern 'increase syslog message limit"),
    ("Increase timeout for expiry cluster tests (#12752)\n\n", None, "no rule matched"),
    # What the code now does right, said after it (redis, golang/tools, libuv) ...
    ("Sentinel: handle Hello messages received via slaves correctly.\n\nEven when messages are "
     "received via the slave, we should perform\noperations (like adding a new Sentinel) in the "
     "context of the master.\n\n", "error", "fix-pattern 'correctly'"),
    ("winbuild: use $(RC) correctly\n\nCloes #13267\n\n", "error", "fix-pattern 'correctly'"),
    # ... but a KNOWN_BUGS entry stays a fact.
    ("KNOWN_BUGS: telnet code does not handle partial writes properly\n\nReported in Joshua's "
     "sarif data\n\nCloses #18735\n\n", "fact", "fact-pattern 'KNOWN_BUGS:'"),
    # A failure now handled (tokio, redis, libuv) ...
    ("fs: handle `EINTR` in `fs::write` for io-uring (#7786)\n\n\n", "error",
     "fix-pattern 'fs: handle `EINTR'"),
    ("Handle write failure in AOF parent -> child ACK.\n\n", "error",
     "fix-pattern 'Handle write failure'"),
    ("unix: handle EWOULDBLOCK in uv__read()\n\n", "error",
     "fix-pattern 'unix: handle EWOULDBLOCK"),
    # ... not a bare "handle errors" (golang/tools: a review of ignored error results).
    ("gopls/internal: handle errors, or document that we ignore them\n\nThis CL documents every "
     "case in which a call to a function\ndiscards its error result, except for infallible or "
     "benign\ncases like bytes.Buffer.WriteByte or fmt.Println.\n", None, "no rule matched"),
    # What the code must do, said as a rule (musl, redis, libuv) ...
    ("posix_memalign should fail if size is not a multiple of sizeof(void *)\n", "error",
     "fix-pattern 'posix_memalign should fail"),
    ("the tail offset must be an integer pointer to hold a 32-bit offset\n", "error",
     "fix-pattern 'the tail offset must"),
    ("unix: uv_read_start should fail if UV_CLOSING set\n\n", "error",
     "fix-pattern 'unix: uv_read_start should"),
    # ... not a fact, a docs note, a TODO entry or a plan.
    ("clarified that select() timeouts should always remain rather short\n\n", "fact",
     "fact-pattern 'should always remain'"),
    ("document that headers must be set before streaming\n\n", None, "no rule matched"),
    ("TODO: 2.5 Edge-triggered sockets should work\n\n", None, "no rule matched"),
    ("KNOWN_BUGS: setting a disabled option should return CURLE_NOT_BUILT_IN\n\nReported-by: "
     "Jeroen Ooms\nCloses #15472\nCloses #15675\n\n", "fact",
     "fact-pattern 'KNOWN_BUGS:'"),
    ("More work on non-blocking VM. Should work in a few days\n\n", None, "no rule matched"),
    # "X fixed" after what was broken (redis) ...
    ("Sentinel: role reporting fixed and added in SENTINEL output.\n\n", "error",
     "fix-pattern 'fixed'"),
    ("Bug #169 fixed (BLOP/BRPOP interrupted connections are not cleared from the queue)\n\n",
     "error", "fix-pattern"),
    # ... not a comment, a test or a bare issue number.
    ("Sentinel: releaseSentinelRedisInstance() top comment fixed.\n\nThe claim about unlinking the "
     "instance from the connected hash tables\nwas the opposite of the reality.\n\n", None,
     "ignored: docs, typo or formatting"),
    ("Geo: GEOENCODE test fixed for new return value.\n\n", None, "ignored: tests or CI only"),
    ("Issue 22 fixed\n\n", None, "ignored: says not what was wrong"),
    # The tests-only ignore lets "test: migrate to X" through, not the Redis command MIGRATE;
    # and the migrate pattern stays within its line ("Related to #2507" is no destination).
    ("Test: MIGRATE AUTH test added.\n\nRelated to #2507.\n\n", None, "ignored: tests only"),
    ("test: migrate to vitest\n\n", "decision", "decision-pattern 'test: migrate to"),
]  # fmt: skip


@pytest.mark.parametrize(("message", "kind", "rule"), NINTH_ROUND)
def test_ninth_round_families_both_ways(message: str, kind: str | None, rule: str) -> None:
    both_ways(message, kind, rule)
