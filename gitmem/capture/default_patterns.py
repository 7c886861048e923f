"""The default capture rules' language: which words in a commit message make it a decision, a
bug fix or a fact, and which are weak evidence (what is never captured: `ignore_patterns`).

Patterns grouped by families of language, tuned against real histories labelled by hand
(tests/fixtures/capture_labels*.jsonl, bench/capture_quality.py, bench/RESULTS-capture.md:
what they score in sample and on hold-outs); the tests in tests/capture/ quote the messages
that motivated each. `rules` compiles them (with the words each needs) into `Rules`. Imported
by the post-commit hook: `re` and `ignore_patterns` only.
"""

from __future__ import annotations

import re

from gitmem.capture.ignore_patterns import TAG

# A subject's own prefix: conventional `fix(scope)!: ` or an area like `http2: `, `GHA/win: `,
# Go's `internal/jsonrpc2*: `, `go/{ast,types}: ` and `gopls, internal/lsp: `.
_AREA = r"[\w./*{}-]+(?:,\s*[\w./*{}-]+)*"
# ... and fzf's bracketed tag, alone or after an area: "[vim] Fix ...", "nushell: [install] ...".
_OPT_TAG = r"(?:" + TAG + r")?"
_OPTIONAL_PREFIX = r"(?:" + _AREA + r"(?:\([^)\n]*\))?!?:[ \t]+)?" + _OPT_TAG
_PREFIX = r"\A" + _OPTIONAL_PREFIX
# A pattern starting with this comment is searched in the subject line only (`_Needled`).
SUBJECT_ONLY = "(?#subject)"
# A verb counts at the start of the subject (after its prefix), of a line, of a sentence, or
# after "we"/"to"/"this PR" — so "Add switch to toggle dark mode" or "adopt-a-pet page" do not.
# Also after a clause's "so" / "thus" / "hence" / "therefore" ("..., so switch to X"), and
# negated ("we do not adopt EAI_ADDRFAMILY at this time").
_LEAD = (
    r"(?:" + _PREFIX + r"|^(?:[-*][ \t]+)?|[.;:!][ \t]+|\bwe[ \t]+|\bto[ \t]+"
    r"|\b(?:so|thus|hence|therefore),?[ \t]+"
    r"|\bthis[ \t]+(?:PR[ \t]+|CL[ \t]+|change[ \t]+|patch[ \t]+|commit[ \t]+)?)"
    r"(?:(?:do|did|will|shall)[ \t]+not[ \t]+|don't[ \t]+|won't[ \t]+)?"
)

# (words, pattern): the pattern is searched only in a message holding one of the words
# (lowercase substrings; "" = always). Most messages hold none, and `in` is far cheaper than
# a regex pass: a backfill runs every pattern on every commit.
_DECISIONS = (
    # "we decided that this modest dynamic cost is acceptable", "which we decided was both
    # incorrect and inefficient", "the decision to ..."
    ("decide decision", r"\bdecided?\s+(?:to|against|on|that)\b|\b(?:we|I|they)\s+(?:have\s+|'ve\s+"
     r"|had\s+|'d\s+)?decided\b|\b(?:the|our|this)\s+decision\s+(?:to|was|is)\b"),
    ("chose choose", r"\bch(?:o|oo)se\s+\S.{0,80}?\s+over\s+\S"),
    ("switch", _LEAD + r"switch(?:e[sd]|ing)?\s+(?:\S+\s+){0,6}?(?:to|from)\b"),
    ("adopt", _LEAD + r"adopt(?:s|ed|ing)?\b"),
    # Within the line: "Test: MIGRATE AUTH test added.\n\nRelated to #2507" moves nothing.
    ("migrat", _LEAD + r"migrat(?:e|es|ed|ing)[ \t]+(?:\S+[ \t]+){0,6}?(?:to|from|away)\b"),
    ("replac", _LEAD + r"replac(?:e|es|ed|ing)\s+\S.{0,80}?\s+(?:with|by)\s"),
    ("prefer", _LEAD + r"prefer(?:s|red)?\s"),
    # Not a clean-up: "Drop private imports in tests/conftest.py", "Drop unneccessary __hash__
    # methods", "Drop erronous references to AsyncClient".
    ("drop", _LEAD + r"drop(?:s|ped)?\s+(?!the\s+(?:first|last)\b)(?!(?:private|unused|"
     r"unne(?:c|cc)essary|unneeded|redundant|errone?ous|stale|dead)\b)\S"),
    ("support", _LEAD + r"(?:remove|end)\s+support\s+for\b"),
    # carrying out a deprecation: "remove the deprecated X", "delete legacy Y"
    ("deprecated legacy", _LEAD + r"(?:remov|delet)(?:e[sd]?|ing)\s+(?:the\s+|all\s+)?"
     r"(?:deprecated|legacy)\b(?!\s+(?:calls?|usages?|uses)\b)"),  # not "deprecated calls to X"
    # "Move to GitHub Actions", "This CL moves to a model where ...", "move away from X"
    ("move+to moves+to moved+to moving+to move+away moves+away moved+away moving+away move+over "
     "moved+over", _LEAD + r"mov(?:e|es|ed|ing)\s+(?:away\s+from\b|(?:over\s+)?to\s+(?!the\s+"
     r"(?:next|previous|end|start|beginning|top|bottom|left|right)\b)(?![.~]|\S*/)\S)"),  # no path
    ("use reject only", _PREFIX + r"(?:use|reject|only)\s+(?!of\b)\S"),  # "Use X" subject
    # A policy the subject sets: "require Go 1.18", "disallow X in Y", "make X the default",
    # "default to X", "no longer install X". Weak like "Use X": a bug the body tells wins.
    ("requir disallow forbid prohibit", _PREFIX + r"(?:requir(?:e|es|ed|ing)|disallow\w*|forbid\w*|"
     r"prohibit\w*)\s+\S"),
    ("default", SUBJECT_ONLY + r"(?:\bmake[sd]?\s[^\n]{1,60}?\sthe\s+default\b|(?:^|[:,][ \t]+|"
     r"\b(?:and|now|should|to)\s+)defaults?\s+to\s|\b(?:chang|set|switch|flip|re-set)\w*\s+(?:the\s+)?"
     r"(?:\S+\s+)?default\s+(?:\S+\s+)?(?:to|from)\s)"),
    ("longer", _PREFIX + r"(?:we\s+)?no\s+longer\s+\w"),
    # A behaviour the subject says stops, after its subject: "FLUSHALL/FLUSHDB no longer sync
    # on disk", "CONFIG GET is now no longer case sensitive". Not a clean-up's reason ("remove
    # no longer needed type shim", "pending_querybuf no longer exists").
    ("longer", SUBJECT_ONLY + r"\A(?!" + _OPTIONAL_PREFIX + r"(?:remov|delet|clean|drop)\w*\b)"
     # ... nor a clause's reason: "disable LDAP since we can no longer compile", "Rewrite
     # comment that was no longer valid".
     r"(?![^\n]{0,80}?\b(?:when|that|which|since|because|as|if|there)\s+(?:\S+\s+){0,3}?"
     r"no\s+longer\b)"
     # ... nor a comment or a test: "Cluster: comment no longer in sync with code removed."
     r"(?![^\n]{0,80}?\b(?:comments?|tests?)\b)"
     r"[^\n]{1,80}?[\w)`'\"]\s+(?:(?:is|are|does|do|will|now|should|can)\s+){0,2}"
     r"no\s+longer\s+(?!(?:needed|needs?|used|uses?|necessary|relevant|useful|exists?|existing|required|works?|there|appl(?:y|ies)|"
     r"fails?|considered|supported|available|makes?)\b)\w"),
    # A limit the subject sets: "Streams: reduce listpack max size to 2k to speedup range
    # queries", "increase syslog message limit from 256 to 1024" (not a test's timeout).
    ("increase reduce decrease raise lower", SUBJECT_ONLY + r"\A(?![^\n]*\btests?\b)"
     + _OPTIONAL_PREFIX + r"(?:increase|reduce|decrease|raise|lower)[sd]?\s+(?:the\s+)?"
     r"(?:[\w-]+\s+){0,3}?(?:limit|max(?:imum)?|minimum)\b[^\n]{0,40}?\bto\s+\d"),
    ("treat", _PREFIX + r"treat\s[^\n]{1,60}\sas\s"),
    # A default the subject sets: "build: make NTLM disabled by default", "Make 'double-click'
    # behave the same as 'enter' by default", "default all feature flags to off (#1811)". Not
    # a statement ("connections are persistent by default for HTTP/3"), a note or the tests', nor
    # how a new feature ships ("feat: add .git to deny list by default").
    ("default", SUBJECT_ONLY + r"\A(?!feat\b)(?![^\n]*\b(?:tests?|TODO|HISTORY|CI|GHA)\b)(?>"
     + _OPTIONAL_PREFIX + r")(?!(?:mention|document|clarif|note|explain|describ|consider|point)"
     r"\w*\b)(?:(?![^\n]*?(?:\b(?:is|are|was|were|has|have|been)|n't)\s)[^\n]{1,80}?\bby\s+default\b|default\s+[^\n:]"
     r"{1,60}?\s+to\s+\S)"),
    # A user-facing flag or feature removed: "curl: remove --http-request", "Remove
    # --walker-path-sep", "Geo: JSON features removed"; not a flag taken out of a call
    # ("configure: remove --automake from libtoolize call"), nor a note's, the tests' or CI's.
    ("removed +-- \"-- `--", SUBJECT_ONLY
     + r"\A(?![^\n]*\b(?:tests?|mention|CI|GHA|travis|appveyor)\b)(?:" + _OPTIONAL_PREFIX
     + r"remov\w*\s+(?:the\s+)?[`\"]?--[a-z][\w-]*(?![^\n]*\sfrom\s)|[^\n]*?\b"
     r"(?:features?|support|backends?|options?|commands?)\s+(?:is\s+|are\s+|ha(?:s|ve)\s+been\s+)?"
     r"removed\s*\.?\s*(?:\(#\d+\))?$)"),
    # An API or a behaviour changed on purpose: "Change custom fuzzy completion API", "RESP3:
    # change behavior of Lua returning true/false for RESP3.", "unix: rework uv_cancel() api";
    # not an update to another project's API ("quiche: update for network path aware API").
    ("api abi semantic behavio", SUBJECT_ONLY + r"\A(?![^\n]*\btests?\b)" + _OPTIONAL_PREFIX
     + r"(?:chang|redesign|rework)\w*\s+(?:\S+\s+){0,4}?(?:API|ABI|semantics|behaviou?r)\b"),
    # What is added to replace something: "Add --tmux option to replace fzf-tmux script", "Add
    # walker options and replace 'find' with the built-in walker", "complex: add C11 CMPLX
    # macros and replace cpack with them".
    ("to+replace and+replac", SUBJECT_ONLY + _PREFIX
     + r"(?:add|introduc|implement)\w*\s[^\n]{1,60}?\s(?:to\s+replace\s|and\s+replac(?:e|es|ed|ing)"
     r"\s+\S[^\n]{0,80}?\s(?:with|by)\s)"),
    # A user-facing name changed: a command-line flag ("Rename --null to --read0", "curl: rename
    # --bearer to --oauth2-bearer"), an option or a command ("Option \"backlog\" renamed
    # \"tcp-backlog\".", "COMMANDS command renamed COMMAND."); not a function ("time: rename
    # Curl_tvnow to Curl_now"), nor a test ("SCAN: Fix test after option renamed ...").
    ("renam", SUBJECT_ONLY + r"\A(?![^\n]*\btests?\b)(?:" + _OPTIONAL_PREFIX + r"renam\w*\s+"
     r"(?:the\s+)?(?:(?:option|flag)\s+)?--?[a-z][\w-]*\s+(?:to|as|->|=>)\s+--?[a-z]|[^\n]*?\b"
     r"(?:options?|commands?|flags?|settings?)\s+(?:\"[^\"\n]{1,40}\"\s+|[\w-]+\s+)?renamed\s+"
     r"(?:to\s+|from\s+)?[\"\w-])"),
    # A feature made optional: "Make Oniguruma/regexp optional", "codec: make tracing feature
    # optional for codecs" (not tests: "ci: make loom tests optional").
    ("optional", SUBJECT_ONLY + r"\A(?![^\n]*\btests?\b)" + _OPTIONAL_PREFIX
     + r"make[sd]?\s[^\n]{1,60}?\s(?:optional|mandatory)\b"),
    # What the software now lets happen: "Let @uri produce uppercase hexadecimal digits",
    # "Let error(null) throw null", "internal/lsp/command: let RunVulncheckExp call gopls
    # vulncheck"; not a feature ("feat: let `plugins` array contain falsy values"). Weak (a
    # subject's verb: a bug the message tells wins; "curl: Let -D merge headers in one file
    # again" is a fix), and not in tests or CI ("test1596: let test pass after year 2036",
    # "GHA/macos: let gcc dictate ..."), nor "let X be/work/pass" ("let our basename() be
    # static", "Let test 8 work as long as ...").
    ("let", SUBJECT_ONLY + r"\A(?!(?:tests?\d*|ci|GHA|travis|appveyor|feat)\b)(?![^\n]*\b(?:tests?|"
     r"again|be|work|pass)\b)" + _OPTIONAL_PREFIX + r"let\s+(?!me\b|us\b|'s\b|travis\b)"
     # ... nor a function told what to return ("nss: let nss_{cache,load}_crl return CURLcode",
     # "let the Curl_FormReader() return 0 when ...")
     r"(?!(?:the\s+)?(?:(?-i:[a-z]\w*_)|\w+\(\)))\S+\s+\w"),
    # "Remove the insane \"fold\" operation, replace with saner \"reduce\"."
    ("replac", SUBJECT_ONLY + r"[,;][ \t]+(?:and[ \t]+)?replac(?:e|es|ed|ing)[ \t]+(?:it[ \t]+)?"
     r"(?:with|by)\s"),
    # A redesign (musl: "overhaul SSP support to use a real canary", "overhaul clone syscall
    # wrapping"); weak: "overhaul posix semaphores to fix destructability race" is a fix.
    # Not a speed-up ("overhaul optimized x86_64 memset asm").
    ("overhaul", SUBJECT_ONLY + _PREFIX + r"overhaul\w*\s+(?!optimi[sz]ed\b)"),
    # A status given: "Modules: Mark all APIs non-experimental", "curl.h: mark
    # CURLSSLBACKEND_NSS as deprecated since 8.3.0"; not "Mark version of unstable branch",
    # nor a note in a file: "Mark diskless replication as experimental in redis.conf.")
    ("mark", _PREFIX + r"mark(?:s|ed)?\s[^\n]{1,60}?\s(?:as\s+)?(?:non-)?(?:experimental|"
     r"deprecated|stable|unstable)\b(?!\s+(?:branch|in)\b)"),
    ("remove", _PREFIX + r"remove\s+(?:the\s+|all\s+)?(?:dep(?:endency)?\s+on\b|"
     r"us(?:ag)?es?\s+of\b|`?[\w.-]+`?\s+dependency\b)"),
    # ... and what goes in favour of what: "Removed special case ... in favor of a flag" (within
    # a sentence: "test.go" does not end one)
    ("instead rather favor favour", r"\b(?:use[sd]?|using|prefer|implement\w*|switch\w*|"
     r"move[sd]?|replac\w+|remov\w+|delet\w+|drop\w*|deprecat\w+|abandon\w*)\b(?:[^.\n]|\.(?=\S)){0,80}?"
     r"\b(?:instead\s+of|rather\s+than|in\s+favou?r\s+of)\b"),
    ("instead", r"(?:^|[.!][ \t]+)instead(?:,|\s+of\s+using\b)"),
    # A subject that says what it does instead of what ("return invalid type (rather than
    # nil)"); weak like "Use X": "return an error for a bad link instead of panic" is a fix.
    ("instead rather favor favour", SUBJECT_ONLY + r"\b(?:instead\s+of|rather\s+than|"
     r"in\s+favou?r\s+of)\s"),
    # ... and a deprecation announced in prose: "Refactors `version_types` (which is now
    # deprecated)"; not another project's ("HMAC_Init is now deprecated in openssl master") nor
    # an earlier commit's ("Since --include is now deprecated since 82c53f821fa3fd4").
    ("deprecat", r"\bdeprecat(?:e|es|ing)\b"
     r"|\b(?:is|are)\s+now\s+deprecated\b(?!\s+(?:in|since)\b)"),
    # A deprecation announced by its warning: "show deprecation warning on json_encoder/decoder
    # access", "Add a deprecation warning for the old name".
    ("deprecation", r"\b(?:add|show|emit|rais|issu|print|log)\w*\s+(?:an?\s+|the\s+)?"
     r"deprecation\s+(?:warnings?|notices?|messages?)\b"),
    # "XML support has been dropped. The -format flag has been replaced by -json."
    ("been", r"\bhas\s+been\s+(?:dropped|deprecated|replaced\s+(?:by|with))\b"),
    ("longer", r"\bno\s+longer\s+(?:supported|maintained)\b"),
    # Why something goes: "gopls no longer needs to build at Go 1.12", "we no longer need to
    # scan for modules". Counts only when the subject removes or stops something (WHY_ONLY).
    ("longer", r"\bno\s+longer\s+(?:needs?\b|needed|necessary|required|makes?\s+sense|useful)"),
    # A removal announced: "Once Go 1.12 is released, we'll delete this support."
    ("we'll we+will be+removed be+dropped be+deprecated", r"\b(?:we'll|we\s+will)\s+(?:remove|"
     r"delete|drop|deprecate)\s+(?:this|that|the|it|support)\b|\bwill\s+be\s+(?:removed|dropped|"
     r"deprecated)\s+in\b"),
    ("now", r"\b(?:will\s+now|now\s+(?:uses?|requires?|defaults?\s+to))\b"),
    # "every command should" is a rule; "we should" is review prose in long bodies ("(but
    # perhaps we should make it do that...)", "we should only add one import per diagnostic").
    ("should", r"\bevery\s+\w+\s+should\b"),
    ("default", _PREFIX + r"(?:enable|disable|turn\s+(?:on|off))\b[^\n]{0,80}?\bby\s+default\b"),
    ("worth", r"\bnot\s+(?:really\s+)?(?:worthwhile|worth\s+(?:it|adding|keeping))\b"),
    ("msrv minimum", r"\b(?:bump|raise)\s+(?:the\s+)?(?:msrv|minimum\s+supported)\b"),
    ("polic", r"\bper\s+our\s+(?:\S+\s+)?polic(?:y|ies)\b"),
    # A policy changed: "Update the versioning policy to retain the minor breaking scheme";
    # not "Add CVE disclosure to security policy" (a section added).
    ("polic", _PREFIX + r"(?:updat|chang|revis|amend|adopt|relax|tighten)\w*\s+(?:the\s+|our\s+)?"
     r"(?:[\w-]+\s+)?polic(?:y|ies)\b"),
    ("breaking", r"^BREAKING(?:[ -]CHANGE)?:"),
)  # fmt: skip
_FIXES = (
    ("fix", r"\A\s*fix(?:\([^)\n]*\))?!?:\s+\S"),  # conventional `fix:`
    ("fix correct repair",
     _PREFIX + r"(?:fix(?:e[sd]|ing|up)?|correct(?:s|ed)?|repair(?:s|ed)?)\b"),
    ("fix", r"\A[^\n]*\bfix\s*$"),  # "SWS: use of uninitialized memory fix"
    # What was broken, said as making it work: "unbreak 'make bench'", "build: make `./gyp_uv.py
    # -f eclipse` work", "windows: incorrect check for SOCKET_ERROR".
    ("unbreak", _PREFIX + r"unbreak"),
    ("work", SUBJECT_ONLY + r"\bmake\s[^\n]{1,60}\swork(?:s|ing)?(?:\s+again)?\.?[ \t]*"
     r"(?:\(#\d+\))?$"),
    ("incorrect wrong", _PREFIX + r"(?:incorrect|wrong)\s"),
    ("avoid prevent stop not don't never",
     _PREFIX + r"(?:avoid|prevent|stop|never|(?:do\s+not|don't)(?!\s+need\b))\s"),  # "Don't need X"
    ("correctly properly respect honor honour", _PREFIX + r"(?:correctly|properly|respect|"
     r"hono(?:u)?r)\b"),
    # What the code now does right, said after it: "Sentinel: handle Hello messages received
    # via slaves correctly.", "win,tcp: translate system errors correctly".
    ("correctly properly", SUBJECT_ONLY + r"(?<=\S)[ \t]+(?:correctly|properly)\b"),
    # A failure now handled: "handle mremap failure in realloc", "fs: handle `EINTR` in
    # `fs::write` for io-uring", "Handle write failure in AOF parent -> child ACK".
    # ... "Handle failure to change mode, to avoid dying", "handle failure of rename()".
    ("handl", _PREFIX + r"handl(?:e|es|ed|ing)[ \t]+(?:failures?[ \t]+(?:to|of|in)\b|"
     r"(?:\S+[ \t]+){1,4}?(?:failures?|errors?)|"
     r"`?(?-i:E[A-Z]{3,}))\b"),  # not a bare "handle errors, or document that we ignore them"
    # What the code must do, said as a rule in the subject (hand-written C histories): "crt1
    # must align stack pointer on mips", "posix_memalign should fail if size is not a multiple
    # of sizeof(void *)", "the tail offset must be an integer pointer to hold a 32-bit offset".
    # Not a docs note ("document that headers must be set before streaming").
    # Nor a TODO or KNOWN_BUGS entry (a fact), nor a plan ("More work on non-blocking VM.
    # Should work in a few days").
    ("should must", SUBJECT_ONLY + r"\A(?!TODO\b|KNOWN_BUGS\b|CI\b)" + _OPTIONAL_PREFIX
     + r"(?!(?:add|document|mention|clarif|note|explain|state|spell|made|make|tests?)\w*\b)"
     r"(?:\S*[^\s.][ \t]+){1,6}?(?:should|must)(?:[ \t]+not|n't)?[ \t]+"
     r"(?!be[ \t]+(?:able|possible)\b|no[ \t]+longer\b|always[ \t]+remain\b|default[ \t]+to\b)\w"),
    # "Sentinel: role reporting fixed and added in SENTINEL output."
    ("fixed corrected", SUBJECT_ONLY + r"(?<=[\w)`'\"])[ \t]+(?:fixed|corrected)"
     r"(?=[ \t]*(?:$|[.,;:(]|[ \t]+(?:and|when|for|in|on|with|after|by)\b))"),
    # "Bugfix for array slices.", "Hack bugfix for multiline off-by-one (locfile.c)"
    # Not a count of them ("two bugfixes of today", "RELEASE-NOTES: synced, 3 additional
    # bugfixes") nor a release ("Preparing for a 0.5.1 bugfix release").
    ("bugfix bug-fix bug+fix", SUBJECT_ONLY + r"\A(?!release[- ]notes\b)[^\n]*?"
     r"\bbug[- ]?fix(?:ed)?\b(?![- ]?(?:es\b|releases?\b))"),
    ("#", r"\b(?:fix(?:es|ed)?|resolve[sd]?)\s+(?:[\w.-]+/[\w.-]+)?#\d+\b"),
    ("/issues/", r"\bfix(?:es|ed)?:?\s+https://\S+/issues/\d+"),
    ("root", r"\broot[ -]cause\b"),
    ("previously prior", r"(?<!n't\s)(?<!not\s)\b(?:previously|prior\s+to\s+this(?:\s+change)?)\b"
     r"(?!\s+(?:possible|supported|available)\b)"),
    ("fixe resolve mistake", r"\b(?:this\s+(?:PR\s+|change\s+|patch\s+|commit\s+)?"
     r"(?:fixes|fixed|resolves)|by\s+mistake|"
     r"resolve\s+the\s+issue)\b"),
    # (not the tests' or tools' "check for memory leaks", "show memory leaks stack traces")
    ("leak free pointer segfault deadlock oversight", r"(?<!check\sfor\s)(?<!show\s)(?<!track\s)"
     r"(?<!detect\s)\b(?:memory\s+leaks?|use[- ]after[- ]free|null\s+pointer|segfault|deadlock|"
     r"oversight)\b"),
    # Not curl's `Bug: <URL>` reference line (a link to a discussion, often of a feature).
    ("crash regression initiali memory oom flaw bug by+one", r"\b(?:crash(?:es|ed)?|regression|"
     r"off[- ]by[- ]one|"
     r"uninitiali[sz]ed|out\s+of\s+memory|OOM|flaw|bugs?)\b(?!:)"),
    # "wasn't previously possible" announces a feature, not a bug.
    ("missing not n't", r"\b(?:missing|was\s+not|were\s+not|did\s+not|didn't|wasn't|weren't)\b"
     r"(?!\s+(?:previously\s+|yet\s+)?(?:possible|supported|available)\b)"),
    ("lead resulted", r"\b(?:leads?\s+to|resulted\s+in)\b"),
    # A fault said without the word: "OS X lacks HOST_NAME_MAX", "epoll on Linux is broken with
    # /dev/null", "dereferencing wl (which could be NULL)".
    ("lacks null", r"\blacks\b|\bcould\s+be\s+NULL\b"),
    # "Apply the right fix for run -b, used the wrong diff before." (not "in the wrong place in
    # description of c0-change-trigger": docs)
    ("wrong", r"\b(?:used?|uses|using|picked|took)\s+the\s+wrong\b"),
    ("broken", SUBJECT_ONLY + r"\b(?:is|are|was|were)\s+broken\b"),  # in a body: often not ours
    # What went wrong, said as how something was done: "it was mistakenly 1024 bytes",
    # "assembles the form ... incorrectly", "wrongly used the address result index". Not the
    # adjectives: "broken software expects", "remove outdated/incorrect comment".
    ("incorrectly wrongly mistakenly erroneously", r"\b(?:incorrectly|wrongly|mistakenly|"
     r"erroneously)\b"),
    # Go's words for a fault ("a race in these logs", "the program panics", "caused duplicate
    # flag registration"); not the `-race` flag or builder, nor "under the race detector".
    ("race panic caused", r"(?<![-\w])races?\b(?!\s+detector)|\bpanic(?:s|ked)?\b|\bcaused\b"),
    ("reported", r"^Reported[- ]by:"),
)  # fmt: skip
_FACTS = (
    ("known_bugs", r"\AKNOWN_BUGS:"),
    ("remain", r"\bshould\s+always\s+remain\b"),
    ("supported", r"\bis\s+not\s+supported\s+(?:using|with|on|by)\b"),
)
# Weak evidence. A decision read only from a subject's leading "Use X" / "Reject X" / "Only X"
# / "Treat X as Y" yields to a bug the message describes ("Use a global build concurrency
# semaphore (#18054)\n\nPreviously, each build was using its own ... limit, effectively
# rendering the limit useless" is a fix). A fix read only from "Fixes #N" / "Resolves #N" does
# not count when the subject adds or enables something: squash-merged PRs close feature
# requests with the same words ("Make `check-url` available in configuration files (#9032)").
# The bug words of a body ("previously", "was not", "bug", "crash", "panic") are weak the same
# way: golang/tools explains refactors and features with them ("gopls/internal/golang: factor
# the 3 web reports\n\n... previously constants, are now assets"), so they do not count when
# the subject adds, improves or restructures something. In the subject they still count.
WEAK_DECISION_PATTERNS = frozenset(
    p for w, p in _DECISIONS
    if w in ("use reject only", "treat", "requir disallow forbid prohibit")
    or p.startswith(SUBJECT_ONLY)
    or (w == "longer" and p.startswith(_PREFIX))
)  # fmt: skip
# "no longer needed" says why something stops: a decision only when the subject stops, disables
# or retires a behaviour ("don't scan for modules when defining a view\n\nWith zero-config
# gopls, we no longer need to scan"). After "remove X" or "delete X" it mostly explains a
# clean-up of code, after "merge go1.11 tests back into gcimporter_test.go" housekeeping.
WHY_DECISION_PATTERNS = frozenset(p for w, p in _DECISIONS if w == "longer" and "need" in p)
STOP_SUBJECT = re.compile(
    _PREFIX + r"(?:stop|don't|do\s+not|no\s+longer|disabl|retir|deprecat)\w*\b",
    re.IGNORECASE,
)
WEAK_FIX_PATTERNS = frozenset(p for w, p in _FIXES if w in ("#", "/issues/"))
# A subject's "don't X" / "stop X" / "avoid X" is a fix ("don't panic when import fails")
# unless the message says the thing is no longer needed and tells no fault: "don't scan for
# modules when defining a view\n\nWith zero-config gopls, we no longer need to scan for
# modules". Other decision words do not outweigh it: "Avoid writing redacted credentials to
# tool receipt\n\n... Instead, ..." is a fix.
LEAD_FIX_PATTERNS = frozenset(p for w, p in _FIXES if w == "avoid prevent stop not don't never")
BODY_WORD_FIX_PATTERNS = frozenset(
    p for w, p in _FIXES
    if w in ("previously prior", "missing not n't", "lead resulted", "race panic caused",
             "lacks null", "wrong",
             "incorrectly wrongly mistakenly erroneously",
             "crash regression initiali memory oom flaw bug by+one")
)  # fmt: skip
FEATURE_SUBJECT = re.compile(  # not "enable custom methods again": that restores behaviour
    r"\A(?![^\n]*\b(?:again|back)\b)"
    + _OPTIONAL_PREFIX
    + r"(?:add(?:s|ed)?|implement\w*|support\w*|introduc\w*|expose[sd]?|"
    r"enable[sd]?|allow(?:s|ed)?|update[sd]?|make[sd]?\s[^\n]*\bavailable|show[sn]?|improve[sd]?)\b",
    re.IGNORECASE,
)
RESTRUCTURE_SUBJECT = re.compile(
    _PREFIX + r"(?:simplif\w+|refactor\w*|factor\w*|rewrite\w*|move[sd]?|renam\w+|"
    r"eliminat\w+|unif\w+|clean\w*|consolidat\w+|group\w*|extract\w*|split\w*|stream\w*|"
    r"(?:remove|delete)[sd]?\s+(?:the\s+)?(?:redundant|unused|dead|obsolete|old)|"
    r"(?:minor|small)\s+[\w-]+\s+clean\w*)\b",
    re.IGNORECASE,
)
# A subject that writes its choice in code syntax ("tokio: use `ptr::addr_of` instead of
# pointer arithmetic", "Replace try! macro with ? operator", "io: replace Vec method
# truncate(0) with clear", "Use Cow<str> for deserialization everywhere") is an edit of the
# code, not a choice a team remembers: its use / replace / prefer / instead-of counts only in
# the body (CODE_CHOICE says which decisions). Paths (`::`), macros, attributes, generics, a
# Go array type, a call with a literal (not a man page's "open(2)"), `===`. Not C's name
# globs ("ttyname[_r]"), nor a bare call ("getloadavg: use sysinfo() instead of /proc/loadavg"
# is a decision), nor a Perl module ("use Time::HiRes whenever available"), nor other decisions
# ("sync: deprecate mpsc::RecvError").
CODE_SUBJECT = re.compile(
    r"\b[a-z_]\w{0,40}::\w|>::\w|\w::[a-z_]|\w!(?:\(|`|\s+macros?\b)|#!?\[|\w<\w[\w:]{0,40}>"
    r"|\[\d{1,6}\]\w|\w\((?:0|\d\d+)\)|===|<[\w/+-]{1,40}\.h>|(?<![^\s(])`[^\w\s`]{1,4}`(?!\w)"
)
# Not decisions: a `deps:` bump's body ("deps: update everything\n\nThis drops `spin`"; a fix it
# brings in still counts), how speed work did it ("ignore: speed up Gitignore::empty").
DEPS_SUBJECT = re.compile(r"\Adeps(?:\([^)\n]*\))?:\s+(?:bump|update|upgrade|use)\b", re.I)
SPEED_SUBJECT = re.compile(_PREFIX + r"(?:speed\s?up|optimi[sz]e)\b", re.I)  # body's choices
# ... nor what a subject uses or replaces to be faster: "Replace procFun map with fixed-size
# array for faster algo dispatch", "Use memcpy instead of strcpy to improve performance" (not a
# limit or a preference: "reduce listpack max size to 2k to speedup range queries").
SPEED_WORDS = re.compile(
    r"\b(?:faster|speed\s?up|(?:for|improve)\s+(?:better\s+)?performance)\b", re.I
)
SPEED_CHOICE = re.compile(r"(?:\A|[:\]]\s)(?:use[sd]?|using|replac\w*)\b|\binstead\b", re.I)
# A conventional `refactor:` / `style:` commit that replaces one thing with another edits the
# code ("refactor(ScmProvider): replace sorted with max", "style: replace dict with Mapping",
# "refactor(bump): use any to replace 'or' chain"): its "replace" is no decision, in the
# subject or the body ("refactor(changelog): Simplify incremental_build\n\n- Replace two
# consecutive list.append calls"); when the subject replaces, its other decision words go too.
# Not when the subject quotes the names in backticks ("refactor(config): replace `fs.promises`
# with `fsp`", vite, labelled a decision: a convention for the whole code base).
REFACTOR_SUBJECT = re.compile(r"\A(?:refactor|style)(?:\([^)\n]*\))?!?:", re.IGNORECASE)
REPLACE_WORD = re.compile(r"\breplac(?:e|es|ed|ing)\b", re.IGNORECASE)
CODE_CHOICE = re.compile(
    r"(?:\A|:\s)(?:use[sd]?|using|replac\w*|prefer\w*)\b|\binstead\b|\brather\b", re.IGNORECASE
)
DEFAULT_DECISION_PATTERNS = tuple(p for _words, p in _DECISIONS)
REPLACE_PATTERNS = frozenset(p for w, p in _DECISIONS if "replac" in w)
DEFAULT_FIX_PATTERNS = tuple(p for _words, p in _FIXES)
DEFAULT_FACT_PATTERNS = tuple(p for _words, p in _FACTS)
# Words are split on spaces; a "+" inside one is a space it holds ("move+to": "move to").
WORDS = {
    p: tuple(w.replace("+", " ") for w in words.split())
    for group in (_DECISIONS, _FIXES, _FACTS)
    for words, p in group
}
DEFAULT_BOTS = ("[bot]", "dependabot", "renovate", "github-actions")
DEFAULT_MIN_LENGTH = 12
DEFAULT_MAX_PATHS = 20
