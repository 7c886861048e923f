"""What the default capture rules never capture: subjects ignored outright (version and
dependency bumps, credits, docs, the website, CI images, tidy-ups, tests) and fixes not taken
as bug fixes (typo, docs, tests, speed, lint, a fix that names no fault). Split from
`default_patterns` (which holds the language that captures); the name of each rule is what
`git mem capture --explain` says. Imported by the post-commit hook: strings only.
"""

from __future__ import annotations

# fzf's bracketed area tag ("[vim] Fix ...", "[install] Clarify ..."): an area prefix here and
# in `default_patterns`.
TAG = r"\[[\w-]{1,40}\][ \t]+"
_OPT_TAG = r"(?:" + TAG + r")?"

# A subject matching one of these is never captured by the patterns (trailers still count).
# The name is what `git mem capture --explain` says.
DEFAULT_IGNORE = (
    # ... and libuv's release commits: "2013.10.19, Version 0.10.18 (Stable)" (its body is the
    # changelog: every entry's words would match), then "Now working on version 1.41.1"; and
    # tokio's: "chore: prepare Tokio v1.51.0", "chore: prepare to release 0.2.17".
    ("version bump", r"\A(?:release(?:\([^)\n]*\))?:|v?\d+\.\d+(?:\.\d+)?\S*\s*$|version[: ]\s*"
     r"(?:next\s+release|v?\d)|(?:chore(?:\([^)\n]*\))?:\s*)?bump\s+(?:the\s+)?version\b"
     r"|\d{4}[.-]\d\d[.-]\d\d,?\s+version\s+v?\d|now\s+working\s+on\s+(?:version\s+)?v?\d"
     r"|(?:chore(?:\([^)\n]*\))?:\s*)?prepar\w*\s+(?:to\s+|for\s+)?(?:the\s+)?(?:release\b|"
     r"(?:[\w-]{1,40}\s+)?v?\d+\.\d+(?:\.\d+)?\S*\s*(?:release\b|\(|$)))"),
    ("dependency bump", r"\A(?:[\w/-]+\(deps(?:-dev)?\)!?:|(?:[\w/-]+:\s+)?(?:bump|update|upgrade)"
     r"\s+(?:all\s+)?(?:non-major\s+|pre-commit\s+|dev\s+)?(?:dependenc(?:y|ies)|deps|rust\s+"
     r"crate|\S+\s+(?:action|digest)\b))"),
    ("credits", r"\b(?:thanks?|thank\s+you|credits?)\b|\A(?:add(?:ed)?|welcome)\s+@\w"),
    # A docs page's own change ("CURLOPT_FOLLOWLOCATION.md: switch to GET => no body") says
    # what the docs say now; the decision, if any, is in the code's commit. So does fzf's
    # `[man]` tag, and a change in the man page's text ("Remove deprecated item from man page",
    # "Updates man page documentation"; not "Remove ruby dependency from manpage build").
    ("docs only", r"\A(?:docs?(?:\([^)\n]*\))?!?:|readme:|\[(?:docs?|man)\]|[\w./*{},-]+\."
     r"(?:md|3|1):|[^\n]*?(?:\b(?:in|from)\s+(?:the\s+)?man[ -]?page\.?[ \t]*$|\bman[ -]?pages?\s+"
     r"(?:documentation|text)\b))"),
    # The project's website and its pages ("website: use https URLs instead of http URLs in
    # download page", "Drop plus from \"jq 1.5+\" on download page", "Use a theme from
    # Bootswatch for docs."): what the site says or looks like, not the software. Not a move
    # of the site itself ("website: switch to custom domain jqlang.org").
    ("website", r"\A(?:(?:web)?site(?:\([^)\n]*\))?:(?![ \t]+(?:switch|mov|migrat)\w*\b)|[^\n]*?\b"
     # (one lazy scan for both: a greedy one per branch cost 30% more on every subject)
     r"(?:(?:download|docs?|web)[ \t]+pages?\b|for[ \t]+(?:the[ \t]+)?(?:docs|documentation|"
     r"web[ \t]?site)\.?[ \t]*$))"),
    # A CI runner image chosen ("scanbuild: use ubuntu-latest", "ci: use ubuntu-24.04-arm
    # instead of ubuntu-22.04-arm"): the CI's own business. Not a CI fix that says its cause
    # ("Fix daily failures due to macos-latest change.").
    ("CI runner image", r"\A(?!(?:[\w./-]+:\s+)?fix)[^\n]*\b(?:ubuntu|macos|windows)-"
     r"(?:latest|\d[\d.]*)\b"),
    ("tidy-up", r"\A(?:[\w./-]+:\s+)?" + _OPT_TAG
     + r"(?:tidy[- ]?ups?|clean[- ]?ups?|cosmetics?)\b"),
    # A choice made inside the test suite ("test: switch to new-style ASSERT_EQ macros", "test,
    # bench: ANSI-fy function prototypes") is the tests' own business; their fixes are
    # ignored already (DEFAULT_IGNORE_FIXES). Not `ci:`: "Switch to codecov GHA" is a decision.
    # ... unless it moves the suite to another tool: "test: migrate to vitest".
    # (The spaces held, atomic: else "test:  migrate" matched with one space given back.)
    # (fzf's "[test] Prefer match_count over item_count" too)
    ("tests only", r"\A(?:(?:tests?|bench)(?:\s*,\s*(?:tests?|bench))*(?:\([^)\n]*\))?!?:"
     r"|\[tests?\])(?>\s+)"
     # Not the Redis command: "Test: MIGRATE AUTH test added." moves nothing anywhere.
     r"(?!migrat\w*[ \t]+(?:[^\n]{0,60}?[ \t])?(?:to|from|away)\b|adopt\w*\s"
     # ... or leaves a tool that is dead ("test(warnings): switch from the unmaintained
     # `pytest-freezegun` to `pytest-freezer`"; not "test: switch from ASSERT_* to ASSERT_PTR_*")
     r"|switch\w*[ \t]+from[ \t]+(?:the[ \t]+)?(?:unmaintained|abandoned|deprecated|dead)\b)"),
)  # fmt: skip
# A fix whose subject (or, for warnings, message) matches one of these is not captured as a
# bug fix: typo, docs-only, test-only and lint fixes. A decision in the same words still is.
DEFAULT_IGNORE_FIXES = (
    ("docs, typo or formatting", r"\A(?:docs?|style)(?:\([^)\n]*\))?!?:|\A[\w./*{},-]+\.(?:md|3|1)"
     r":|\A[^\n]*\b(?:docs?|documentation|readme|(?<!\()changelog(?!\)|\s+generat)|man\s?pages?|typos?|spelling|"
     r"grammar|grammatical|wording|whitespace|indentation|(?<!when\s)(?<!while\s)formatting|"
     r"(?:broken|dead)\s+links?|web\s?site)\b"
     r"|\A[^\n]*\bfix(?:e[sd])?\s+(?:[^\s,]+\s+){0,3}links?\b(?!-)"
     # a docs example fixed ("Fix missing assignment in MethodView example"), not an area
     # prefix naming example programs ("examples/rtsp: fix error handling macros"). The first
     # fix word only, held (atomic): trying every one against every later word was quadratic
     # (a 64 KB subject of "fix fix ...": seconds in the post-commit hook).
     r"|\A(?>[^\n]*?\b(?:fix(?:e[sd])?|correct(?:ed)?)\b)[^\n]*[ \t]examples?\b(?![/:-])"
     # a code comment fixed: "math: fix comment in __rem_pio2f.c", "cmd/vet: fix internal
     # comments" (not the conventional "fix(lib): keep annotation comments for es output", nor
     # comments as what the code handles: "fix folding range for block comments")
     r"|\A(?:[\w./*{},-]+:\s+)?(?:fix(?:e[sd])?|correct(?:ed)?)\s[^\n]*"
     r"(?<!block\s)(?<!line\s)(?<!doc\s)\bcomments?"
     r"(?:\s+(?:in|of|for|about)\s+\S+)?[ \t.]*$"
     # ... said after it: "comment mistake fixed", "releaseSentinelRedisInstance() top comment
     # fixed.", "Spell software correctly"
     r"|\A[^\n]*\bcomments?\s+(?:\S+\s+)?(?:fixed|corrected)\b|\Aspell\b"
     r"|\A(?:[\w./-]+:\s+)?" + _OPT_TAG + r"clarif\w*\b"),
    # ... and curl's numbered tests ("test565: Don't hardcode IP:PORT", "bug 1049275 fixes
    # test 165"), and changes made on or in tests ("Avoid stack overflows on more windows tests").
    # Not C's "feature test macros": "fix feature test macro logic for _BSD_SOURCE" is a fix.
    ("tests or CI only", r"\A(?:tests?\d*|ci)(?:\([^)\n]*\))?!?:|\A\[tests?\]"
     r"|\A(?:\S+:\s+)?" + _OPT_TAG + r"(?:fix(?:e[sd]|ing)?"
     r"|repair|correct)\b"
     # ... not tests added beside the fix: "Fix a memory leak in JV and add more tests"
     r"(?![^\n]{0,60}?(?:,|\band)[ \t]+add(?:s|ed)?[ \t]+(?:(?:more|new|some|a)[ \t]+)?tests?\b)"
     r"[^\n]{0,60}(?<!feature[ -])\btests?\b(?![ -]macro)"
     r"|\A[^\n]*\b(?:in|on|for)\s+(?:\S+\s+){0,3}?tests?\b|\A[^\n]*\btests?\s?\d+\b"
     # "Geo: GEOENCODE test fixed for new return value.", "Test that zipmap ... is converted"
     r"|\A[^\n]*\btests?\s+(?:fixed|corrected)\b|\Atests?\s+that\b"
     r"|\A(?![^\n]*\bfix)(?:[\w./-]+:\s+)?" + _OPT_TAG
     + r"add(?:s|ed)?\s+(?:an?\s+|more\s+|some\s+)?"
     r"(?:[\w-]+\s+)?tests?\b"),  # "Add regression test.\n\nFixes #106." (not "... and fix")
    # Speed and size, not a bug: "Avoid allocating for names in the PEP 508 parser".
    ("performance", r"\A[^\n]*\b(?:allocat\w*|clon(?:e|es|ing)|perf(?:ormance)?|faster|"
     r"speed\s?ups?|expensive|production\s+build)\b"),
    ("ignore files", r"\A[^\n]*(?:\.gitignore\b|\bignores\b)"),
    # A fix that says nothing of what was wrong: "fix syntax error", "Fix build error", "Fix
    # RuboCop errors", "quiche: fix build failure" (not "fix build error with OpenSSL < 1.0.2").
    ("says not what was wrong", r"\A(?:[\w./-]+:\s+)?" + _OPT_TAG + r"(?:minor\s+)?"
     r"fix(?:e[sd])?\s+(?:a\s+|the\s+|some\s+)?(?:(?:syntax|small|minor|build|compil\w*|rubocop|"
     r"lint(?:er)?)\s+)?(?:errors?|bugs?|issues?|problems?|failures?|breakage|it|this|that)"
     r"\.?[ \t]*(?:\(#\d+\))?[ \t]*$"
     r"|\A(?:issue|bug)\s+#?\d+\s+(?:is\s+)?fixed[.!]?[ \t]*$"  # "Issue 22 fixed"
     # "Missing header.", "Missing commas, from Vipul Kumar.", "add missing type hints to ..."
     r"|\A(?:add\s+)?missing\s+(?:headers?|includes?|commas?|semicolons?|type\s+hints?)"
     r"(?:\s+(?:to|in)\s[^\n]{0,40}|,\s+from\s[^\n]{0,40})?\.?[ \t]*(?:\(#\d+\))?[ \t]*$"),
    ("compiler warnings or lint", r"\b(?:silenc\w*|(?<!missing\sdeprecation\s)warnings?|"
     r"unused\s+(?:variable|parameter|argument|import|function)s?|(?<!/)lint(?:er|ing)?)\b"),
)  # fmt: skip
