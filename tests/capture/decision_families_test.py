"""Fourth round of the capture rules (issue 16): decision language by family, so that decision
recall carries over to histories the rules were not fitted to. Each family is quoted with the
real commit that shows it and a real commit on the other side of the same rule.

Messages come from golang/tools (Gerrit: `area: verb ...` subjects, the reason in the body),
uv (squash-merged PR descriptions), vite (conventional commits) and curl (hand-written);
the labelled ones are in tests/fixtures/capture_labels*.jsonl, scored by
bench/capture_quality.py.
"""

from __future__ import annotations

import pytest

from gitmem.capture.commits import Commit, explain
from gitmem.capture.rules import default_rules

DATE = "1763731391 +0100"


def run(message: str):  # type: ignore[no-untyped-def]
    commit = Commit("a" * 40, ("b" * 40,), "Jane Doe <jane@example.com>", DATE, DATE, message)
    return explain(commit, default_rules())


def both_ways(message: str, kind: str | None, rule: str) -> None:
    """The default rules capture `message` as `kind` (None: capture nothing), and the reason
    `--explain` gives starts with `rule`: the check of every round's commits, both ways."""
    found, why = run(message)
    assert [c.type for c in found] == ([kind] if kind else [])
    assert why.startswith(rule), why


FAMILIES = [
    # Go's area prefixes hold globs and lists: "internal/jsonrpc2*: ", "lib547, 555: ".
    ("internal/jsonrpc2*: remove usage of golang.org/x/xerrors\n\nAs of golang/go#50827, gopls "
     "no longer needs to build at Go 1.12. This\nwas the only reason to continue using xerrors in "
     "the jsonrpc2 libraries.\n\nRemove this usage as a step toward eliminating the xerrors "
     "dependency\nfrom x/tools.\n\nFor golang/go#52442\n", "decision",
     "decision-pattern 'internal/jsonrpc2*: remove usage of"),
    ("lib547, 555: fix off-by-one null-terminator in read callback\n\n`strcpy()` wrote an "
     "unnecessary null-terminator past the available read\nbuffer.\n", "error",
     "fix-pattern 'lib547, 555: fix"),
    ("curl_easy_{escape,setopt}.3: fix example\n\nremove redundant '}'\n", None,
     "ignored: docs only"),
    # ... the feature and restructure subjects' prefix too (one prefix pattern for all): this
    # adds a flag, and the "Fixes golang/go#8096" that closes its request is no bug fix.
    ("go.tools/{cmd/present,playground/socket}: add orighost flag to handle the web origin "
     "more flexible\n\nAlso fixes the following nits;\n- literal IPv6 address handling\n- URL "
     "host component handling in the case of a wildcard listen\n\nFixes golang/go#8096.\n\n"
     "LGTM=dan.kortschak, adg\nR=adg, golang-codereviews, dan.kortschak\n", None,
     "no rule matched"),
    ("go.tools/{cmd/present,playground/socket}: fix web origin check\n", "error",
     "fix-pattern 'go.tools/{cmd/present,playground/socket}: fix"),
    # "remove (all) uses of X" is "remove usage of X".
    ("openssl: remove all uses of USE_SSLEAY\n\nSSLeay was the name of the library that was "
     "subsequently turned into\nOpenSSL many moons ago (1999). curl does not work with the old "
     "SSLeay\nlibrary since years. This is now reflected by only using USE_OPENSSL in\ncode that "
     "depends on OpenSSL.\n", "decision", "decision-pattern 'openssl: remove all uses of"),
    # A deprecation carried out; not the replacement of someone else's deprecated calls
    # (tests/capture/capture_rules_test.py: "Remove deprecated calls to datetime.utcnow").
    ("chore: remove deprecated create-app package\n", "decision",
     "decision-pattern 'chore: remove deprecated"),
    # "we decided", "I decided", "the decision to" (not only "decided to/that").
    ("internal/lsp: move undeclaredname suggested fix out of analysis\n\nThis CL is a follow-up "
     "from CL 241983. I didn't realize that the\nundeclaredname analysis was also using the "
     "go/printer.Fprint trick,\nwhich we decided was both incorrect and inefficient. This CL "
     "does\napproximately the same things as CL 241983.\n", "decision",
     "decision-pattern 'we decided'"),
    # What goes in favour of what, within a sentence ("test.go" does not end one) ...
    ("go.tools/go/types: -files flag for testing one-off packages\n\nRemoved special case for "
     "testdata/test.go file in favor of\na simpler, more flexible, and explicit flag for "
     "one-off test\npackages.\n\nR=adonovan\nCC=golang-dev\n", "decision",
     "decision-pattern 'Removed special case"),
    # ... and a subject that says what it does instead of what: weak, a fault told wins.
    ("go.tools/go/types: return invalid type (rather than nil) for (*Label).Type()\n\n"
     "R=adonovan\nCC=golang-dev\n", "decision", "decision-pattern 'rather than nil'"),
    ("present: return an error for a bad link instead of panic\n", "error", "fix-pattern 'panic'"),
    # A removal announced for later.
    ("go/packages: support pre go1.10.4 using go/loader\n\nIf go list fails because it doesn't "
     "support the new flags added\nfor Go 1.11 try again\nusing the Loader to approximate the "
     "packages requested.\n\nOnce Go 1.12 is released, we'll delete this support. By then, most"
     "\nGo users should have at least switched to Go 1.10.4.\n", "decision",
     "decision-pattern \"we'll delete this"),
    # "no longer needed" under a subject that stops a behaviour is the reason for a decision,
    # even against the subject's "don't X" (a fix word) ...
    ("gopls/internal/lsp/cache: don't scan for modules when defining a view\n\nWith zero-config "
     "gopls, we no longer need to scan for modules when\ndefining the default view for a "
     "folder. If there is no go.mod or go.work\nfile in a parent directory, just use an ad-hoc "
     "view until the first file\nis opened.\n\nFor golang/go#57979\n", "decision",
     "decision-pattern 'no longer need'"),
    ("Stop exposing `client_raw` (#2250)\n\n## Summary\r\n\r\nThis is no longer necessary as "
     "`AsyncHttpRangeReader` now accepts\r\n`ClientWithMiddleware` -- which is good, because it "
     "means all relevant\r\nmiddleware will be enforced.\n", "decision",
     "decision-pattern 'no longer necessary'"),
    # ... but a "don't X" that tells the fault stays a fix, whatever else it says ...
    ("internal/lsp: don't invalidate dependents' metadata\n\nWhen a file is changed, we "
     "invalidate various cached data so we\nre-type check and refetch metadata as needed. "
     "Previously when a file\nchanged we would delete the metadata for all transitive reverse\n"
     "dependencies. This broke all-packages-in-workspace features since we\ncould no longer "
     "fetch the package handle for packages without\nmetadata.\n", "error",
     "fix-pattern \"internal/lsp: don't invalidate"),
    ("Avoid writing redacted credentials to tool receipt (#14855)\n\n## Summary\n\nRight now, "
     "we write index URLs to the tool receipt with redacted\ncredentials (i.e., a username, and "
     "`****` in lieu of a password). This\nis always wrong and unusable. Instead, this PR drops "
     "them entirely.\n", "error", "fix-pattern 'Avoid writing'"),
    # ... and code that is no longer used, removed, is a clean-up.
    ("go/packages: remove unexported fields from packages.Config\n\nThese fields are no longer "
     "used in x/tools, and their documentation\nindicates that they are only for use in x/tools, "
     "so we should remove\nthem.\n", None, "no rule matched"),
    # A policy the subject sets: require, make X the default, default to X ...
    ("libssh: require private key or user-agent for public key auth\n\nCloses #20110\n",
     "decision", "decision-pattern 'libssh: require private"),
    ("dashboard: make git dashboard the default\n\nAlso bump the watcher version, so the old "
     "watcher doesn't try to write\nto the new dashboard.\n", "decision",
     "decision-pattern 'make git dashboard the default'"),
    ("Default to `--workspace` when adding subdirectories (#14529)\n\nIf `--workspace` is "
     "provided, we add all paths as workspace members.\n", "decision",
     "decision-pattern 'Default to"),
    ("checksrc: disallow `atoi` and `atol` globally\n\nNo longer used in core and test code.\n"
     "\nAlso: allowlist in docs/examples.\n\nCloses #19508\n", "decision",
     "decision-pattern 'checksrc: disallow"),
    ("mbedtls: no longer use MBEDTLS_SSL_VERIFY_OPTIONAL\n\nWith mbedTLS if the minimum version "
     "of TLS is set to 1.3,\nMBEDTLS_SSL_VERIFY_OPTIONAL is not available in client mode.\n\n"
     "Closes #14591\n", "decision", "decision-pattern 'mbedtls: no longer use"),
    # The older "enable/disable X by default" family stays strong evidence: the bugs its body
    # tells are why the default changed (it shares its word with the weak family above).
    ("curl_setup: Disable by default recv-before-send in Windows\n\nPrior to this change a "
     "workaround for Windows to recv before every send\nwas enabled by default.\n\nThis "
     "feature has led to several bugs because the way libcurl operates\nit waits on a socket "
     "to read or to write.\n", "decision",
     "decision-pattern 'curl_setup: Disable by default"),
    # ... not "default" the noun.
    ("types(plugin-vue-jsx): expose default to match typing\n", None, "no rule matched"),
    # A policy changed, not a section added to one.
    ("Update the versioning policy to retain the minor breaking scheme indefinitely (#16710)\n",
     "decision", "decision-pattern 'Update the versioning policy"),
    ("Add CVE disclosure to security policy (#11037)\n", None, "no rule matched"),
    # Moving to a tool or a model is a switch; moving files to a path is not.
    ("feat: move to cargo-xwin for clippy (#3600)\n\n## Summary\r\n\r\nMove to cargo-xwin for "
     "clippy\r\n\r\nCloses #3507\n", "decision", "decision-pattern 'feat: move to cargo"),
    ("internal/lsp/cache: move to a model of caching in a snapshot\n\nThis change moves from "
     "caching package information the file object to\ncaching in a map that gets invalidated "
     "when content changes.\n", "decision", "decision-pattern 'internal/lsp/cache: move to a"),
    ("moved to ../../php/examples/\n", None, "no rule matched"),
]  # fmt: skip

# Fifth round: the musl sample (the fourth round's hold-out, read after its score: in-sample
# for this round) and families the earlier ones lacked.
FIFTH_ROUND = [
    # A choice not made is a decision too; a clause's "so"/"thus" leads one.
    ("getaddrinfo: add EAI_NODATA error code to distinguish NODATA vs NxDomain\n\nglibc has a "
     "related error code, EAI_ADDRFAMILY, that could be used for\nthe AI_ADDRCONFIG case. "
     "since this\nseems misleading and inconsistent, and since EAI_NODATA already covers\nthe "
     "semantic case, we do not adopt EAI_ADDRFAMILY at\nthis time.\n", "decision",
     "decision-pattern 'we do not adopt'"),
    ("internal/lsp/regtest: standardize on 20s timeout\n\nThe default regtest timeout was "
     "increased to 60s a while ago to try to\navoid flakes.\n\nWe think we've figured out the "
     "flakes, so drop it back down.  Start with\n20s, since TestGOMODCACHE (which had "
     "overridden its timeout to 5s)\noccasionally fails on freebsd\n", "decision",
     "decision-pattern 'so drop it'"),
    # ... but "we do not" alone is no decision verb.
    ("singleipconnect() returns a socket descriptor, not a CURLcode (but perhaps\nwe should make "
     "it do that...)\n", None, "no rule matched"),
    # What went wrong said as how it was done: "mistakenly", "wrongly", "incorrectly" ...
    ("major bugfix for sigset_t (it was mistakenly 1024 bytes instead of bits)\n\nnote that "
     "object files using sigset_t (or struct sigaction) need to be\nrecompiled to work "
     "correctly after this fix.\n", "error", "fix-pattern 'major bugfix'"),  # since round 10
    # the subject's "bugfix" is found before the body's "mistakenly"
    ("socketpair: clear 'err' when retrying due to EINTR\n\nIf the first write was interrupted "
     "by a signal and a subsequent write\nsucceeds, the function would still erroneously return "
     "EINTR.\n\nFound by Codex Security\nCloses #20809\n", "error",
     "fix-pattern 'erroneously'"),
    # ... not the adjectives: "broken software expects" is no fault of this change.
    ("add some more siginfo aliases broken software expects...\n", None, "no rule matched"),
]  # fmt: skip


@pytest.mark.parametrize(("message", "kind", "rule"), FIFTH_ROUND)
def test_fifth_round_families_both_ways(message: str, kind: str | None, rule: str) -> None:
    both_ways(message, kind, rule)


@pytest.mark.parametrize(("message", "kind", "rule"), FAMILIES)
def test_decision_families_both_ways(message: str, kind: str | None, rule: str) -> None:
    both_ways(message, kind, rule)
