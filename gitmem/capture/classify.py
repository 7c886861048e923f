"""A commit message without explicit trailers -> at most one record, by the patterns.

What a team wants to remember from a commit: a decision (adopt, switch, replace, deprecate,
drop support, prefer, choose; in the subject or the body), a bug fix that says what was wrong,
a fact or constraint stated for the future, a BREAKING CHANGE. Not: a bare issue reference,
credits, typo/whitespace/docs-only changes, version and dependency bumps, merges, reverts that
give no reason (same-day reverts: `commits.settle_revert`, which needs git). `verdict` says
which rule fired, or why none did (`git mem capture --explain`).

Titles are cleaned: issue and PR numbers leave the title for `refs` (the record's
`metadata.issues`, in the remote's URL form when it is known), a conventional prefix becomes the
type and a tag; the body keeps the explanation, not the trailers. Pure functions: no git, no I/O.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from gitmem.capture.default_patterns import (
    CODE_CHOICE,
    CODE_SUBJECT,
    DEPS_SUBJECT,
    FEATURE_SUBJECT,
    REFACTOR_SUBJECT,
    REPLACE_PATTERNS,
    REPLACE_WORD,
    RESTRUCTURE_SUBJECT,
    SPEED_CHOICE,
    SPEED_SUBJECT,
    SPEED_WORDS,
    STOP_SUBJECT,
)
from gitmem.capture.guard import MAX_TEXT

if TYPE_CHECKING:
    from gitmem.capture.guard import Matcher
    from gitmem.capture.rules import Rules

MAX_TITLE = 120
# Conventional-commit kinds: the prefix leaves the title. Any other `area:` prefix stays
# (curl's "http2: ...", "GHA/windows: ..." say where the change is).
CONVENTIONAL_KINDS = frozenset(
    ("feat", "feature", "fix", "bugfix", "hotfix", "chore", "docs", "doc", "style", "refactor",
     "perf", "test", "tests", "build", "ci", "revert", "release", "types", "wip", "deps",
     "security", "dx")
)  # fmt: skip
_PREFIX_RE = re.compile(r"^(?P<kind>[A-Za-z]+)(?:\((?P<scope>[^)\n]*)\))?(?P<bang>!)?:\s+")
# An owner/repo is bounded (GitHub allows 39 and 100 characters): unbounded, every start in a
# long run of word characters and dashes ("use-use-use-...") scanned to its end for a "/",
# seconds of the commit hook on a 64 KB line (bench/capture_hostile.py).
_REF = r"(?:[\w.-]{1,100}/[\w.-]{1,100})?#\d+"
_REF_RE = re.compile(r"(?<![\w&])(?P<ref>" + _REF + r")\b")
_ISSUE_URL_RE = re.compile(r"https?://\S+?/(?:issues|pull|merge_requests)/\d+")
# "(#123)", "(fix #6851)", "(Fixes #1392)", ", fix #3271", "closes #1, closes #2" in a title.
_TITLE_REFS_RE = re.compile(
    r"\s*(?:[,;]\s*)?\(?(?:(?:fix(?:es|ed)?|close[sd]?|resolve[sd]?|see|ref|refs)\s+)?"
    + _REF
    + r"(?:\s*,\s*(?:(?:fix(?:es|ed)?|close[sd]?|resolve[sd]?)\s+)?"
    + _REF
    + r")*\)?",
    re.IGNORECASE,
)
_BARE_RE = re.compile(
    r"^\W*(?:(?:fix(?:es|ed)?|close[sd]?|resolve[sd]?|see|ref|refs|issue|bug|pr)\W*)*$", re.I
)
_TRAILER_LINE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*\s*:\s*\S")
_REF_LINE_RE = re.compile(
    r"^\s*(?:(?:fix(?:es|ed)?|close[sd]?|resolve[sd]?|ref|refs|see|bug|url|part\s+of)\b:?\s*"
    r"(?:" + _REF + r"|https?://\S+)[.,]?\s*)+$|^\s*\[(?:skip ci|ci skip)\]\s*$|^-{5,}\s*$",
    re.IGNORECASE,
)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_SPACES_RE = re.compile(r"\s{2,}")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
_BREAKING_RE = re.compile(r"^BREAKING(?:[ -]CHANGE)?:", re.MULTILINE)
_TEST_PLAN_RE = re.compile(r"^#+[ \t]*test[ \t]+plan\b.*?(?=^#+[ \t]|\Z)", re.I | re.M | re.S)
# A fenced block in a body is a tool's output or code, not the author's words ("docker: fix
# dockerfile warnings" quoting `"ENV key=value" should be used instead of legacy ...`).
_FENCE_RE = re.compile(r"^[ \t]*```.*?(?:^[ \t]*```[^\n]*$|\Z)", re.M | re.S)
# A GitHub squash merge ("Simplify ASGI concurrency (#248)\n\n* Drop  keyword argument\n\n*
# Improve docstrings ...") lists the PR's own commits as `* ` paragraphs: work-in-progress
# subjects, not decisions nor a fix's veto ("* Lint"); their fixes and the explanation under a
# bullet still count.
_SQUASH_SUBJECT_RE = re.compile(r"\(#\d+\)[ \t]*$")
_SQUASH_BULLET_RE = re.compile(r"(?<=\n\n)\*[ \t][^\n]*")
_REVERT_RE = re.compile(r"^(?:Revert\b|revert(?:\([^)]*\))?:\s)", re.IGNORECASE)
_REVERTS_LINE_RE = re.compile(r"This reverts commit (?P<sha>[0-9a-f]{7,40})\.?")


class Subject(NamedTuple):
    title: str  # cleaned: no conventional prefix, no issue numbers, first letter upper
    kind: str | None  # conventional kind, lowercased ("fix", "feat", ...)
    scope_tags: tuple[str, ...]
    breaking: bool  # `!` after the prefix
    refs: tuple[str, ...]  # "#12", "owner/repo#12", issue URLs


class Verdict(NamedTuple):
    type: str | None  # decision | error | fact, None: nothing captured
    rule: str  # decision-pattern, fix-pattern, ... or why nothing was captured
    detail: str  # the text the pattern matched, the ignore rule's name, or ""
    # What the patterns found on the way to a prose verdict: "d:" a decision and its weak kind
    # (or "strong", "-": none), "x:" a fix likewise, "stops" (a subject that stops something),
    # "vetoed" (a fix an ignore_fixes rule turned down). Features of the learned classifier
    # bench/capture_model.py tries; nothing at run time reads them.
    evidence: tuple[str, ...] = ()


def normalise(message: str) -> str:
    return message.replace("\r\n", "\n").replace("\r", "\n")


def tag(text: str) -> str:
    return re.sub(r"[\s_]+", "-", text.strip().lower()).strip("-")


def short_title(text: str) -> str:
    title = " ".join(text.split())
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 3].rstrip() + "..."


def parse_subject(subject: str) -> Subject:
    prefix = _PREFIX_RE.match(subject)
    kind = None
    tags: tuple[str, ...] = ()
    breaking = False
    rest = subject
    if prefix and prefix["kind"].lower() in CONVENTIONAL_KINDS:
        kind = prefix["kind"].lower()
        breaking = bool(prefix["bang"])
        if prefix["scope"]:
            tags = tuple(t for t in (tag(s) for s in prefix["scope"].split(",")) if t)
        rest = subject[prefix.end() :]
    refs = [m["ref"] for m in _REF_RE.finditer(rest)]
    title = _TITLE_REFS_RE.sub("", rest).strip(" ,;:-")
    title = _SPACES_RE.sub(" ", title)
    if kind is not None:  # "fix: handle x" -> "Handle x"; "http2: allow x" stays as it is
        title = title[:1].upper() + title[1:]
    return Subject(short_title(title), kind, tags, breaking, tuple(dict.fromkeys(refs)))


def body_refs(body: str) -> list[str]:
    """Issue references the body closes or points to: `Fixes #12`, `Closes <issue URL>`."""
    refs = []
    for line in body.splitlines():
        if _REF_LINE_RE.match(line):
            refs += [m["ref"] for m in _REF_RE.finditer(line)]
            refs += _ISSUE_URL_RE.findall(line)
    return refs


TRAILER_KEYS = frozenset(
    ("signed-off-by", "co-authored-by", "reviewed-by", "reported-by", "acked-by", "tested-by",
     "helped-by", "suggested-by", "credits-to", "assisted-by", "cc", "change-id", "closes",
     "fixes", "ref", "refs", "bug", "url", "follow-up", "see-also", "part-of", "link")
)  # fmt: skip


def _is_trailer_block(lines: list[str], last: bool) -> bool:
    """Git's trailer block (the last paragraph, all `Key: value`), or a paragraph of known
    trailers (Signed-off-by, Reported-by, Closes, ...) elsewhere. `Why: load.` mid-message
    is prose."""
    keys: list[str] = []
    for line in lines:
        if line[:1] in (" ", "\t") and keys:
            continue  # a folded value
        match = _TRAILER_LINE_RE.match(line)
        if match is None:
            return False
        keys.append(line.split(":", 1)[0].strip().lower())
    return last or all(key in TRAILER_KEYS for key in keys)


def clean_body(body: str) -> str:
    """The explanation: no HTML comments (PR templates), no trailer block, no lines that only
    reference issues (they are links), no `[skip ci]` or squash separators."""
    body = _COMMENT_RE.sub("", normalise(body))
    paragraphs = [p for p in _BLANK_LINE_RE.split(body.strip("\n")) if p.strip()]
    kept = []
    for index, paragraph in enumerate(paragraphs):
        lines = [ln for ln in paragraph.splitlines() if not _REF_LINE_RE.match(ln)]
        if not lines or _is_trailer_block(lines, last=index == len(paragraphs) - 1):
            continue
        kept.append("\n".join(lines).rstrip())
    text = "\n\n".join(kept)
    return text + "\n" if text.strip() else ""


# Longer than any match of the default patterns: the text past the earliest match found so
# far plus this is never read again for that message.
_REACH = 400


def _earliest_from(
    patterns: tuple[Matcher, ...], text: str, start: int
) -> tuple[int, str | None, str]:
    """`_earliest` in `text[start:]` (the body, when the subject's match does not count), its
    place counted in `text`."""
    at, found, weak = _earliest(patterns, text[start:])
    return at + start, found, weak


def _earliest(
    patterns: tuple[Matcher, ...], text: str, leave_out: tuple[str, ...] = ()
) -> tuple[int, str | None, str]:
    """The earliest match of any of the patterns (the subject before the body, the lead
    sentence before the details): where, the text matched, and what kind of weak evidence
    that pattern is ("" strong; default_patterns.WEAK_* and BODY_WORD_*; configured patterns
    are strong).
    `leave_out`: kinds of weak pattern not searched."""
    best: tuple[int, str | None, str] = (len(text) + 1, None, "")
    for pattern in patterns:
        weak = getattr(pattern, "weak", None)
        if weak and weak in leave_out:
            continue
        if weak is None or best[1] is None:  # a configured pattern, or nothing found yet
            match = pattern.search(text)
        else:  # ours: a match starting before the best one ends within _REACH of it
            match = pattern.search(text, best[0] + _REACH)  # type: ignore[call-arg]
        if match is not None and match.start() < best[0]:
            end = match.end()
            while end < len(text) and end - match.start() < 60 and text[end].isalnum():
                end += 1  # to the end of the word: "fix(auth): session", not "...: s"
            found = " ".join(text[match.start() : end].split()) or pattern.pattern
            best = (match.start(), found, weak or "")
    return best


def _obsolete(rules: Rules, text: str) -> bool:
    """The message says something is no longer needed (default_patterns.WHY_DECISION_PATTERNS)."""
    return any(getattr(p, "weak", None) == "why" and p.search(text) for p in rules.decision)


def verdict(subject_line: str, message: str, rules: Rules) -> Verdict:
    """Which record the patterns want from this (already normalised) message, and why."""
    subject = parse_subject(subject_line)
    if subject.refs and _BARE_RE.match(subject.title):
        return Verdict(None, "only an issue reference", "")
    if len(message.strip()) < rules.min_length or not subject.title.strip():
        return Verdict(None, "too short", f"under min_length {rules.min_length}")
    if subject_line.startswith("Merge "):
        return Verdict(None, "merge", "")
    text = "\n".join(ln for ln in message[:MAX_TEXT].splitlines() if ln.lstrip()[:1] != ">")
    if "test plan" in text.lower():  # a PR template's "## Test Plan": how it was tried, not why
        text = _TEST_PLAN_RE.sub("", text)
    prose = text  # where decisions are read: no fenced block (spaced out, places kept)
    if "```" in text:
        prose = _FENCE_RE.sub(lambda m: " " * len(m[0]), text)
    vetoable = text  # where the ignore_fixes vetoes are read
    if "\n\n* " in text and _SQUASH_SUBJECT_RE.search(subject_line):
        blanked, bullets = _SQUASH_BULLET_RE.subn(lambda m: " " * len(m[0]), prose)
        if bullets >= 2:  # the commits of the PR, not one bullet of a hand-written body
            prose = blanked
            vetoable = _SQUASH_BULLET_RE.sub("", text)  # "Fix environment proxies\n\n* Lint"
    if _REVERT_RE.match(subject_line):
        reason = _REVERTS_LINE_RE.sub("", text.split("\n", 1)[1] if "\n" in text else "")
        if len(clean_body(reason).split()) < 8:
            return Verdict(None, "revert without a reason", "")
        reverted = _REVERTS_LINE_RE.search(text)
        return Verdict("error", "revert-with-reason", reverted["sha"] if reverted else "")
    for name, pattern in rules.ignore:
        if pattern.search(subject_line):
            return Verdict(None, "ignored", name)
    if subject.breaking or ("BREAKING" in text and _BREAKING_RE.search(text)):
        return Verdict("decision", "breaking-change", "")
    at_decision, decision, weak_decision = _earliest(rules.decision, prose)
    if (
        decision is not None
        and at_decision < len(subject_line)
        and CODE_CHOICE.search(decision)
        and CODE_SUBJECT.search(subject_line)
    ):  # "io: replace Vec method truncate(0) with clear": an edit, unless the body decides
        body_at = len(subject_line)
        at_decision, decision, weak_decision = _earliest_from(rules.decision, prose, body_at)
    decisions = rules.decision
    if decision is not None and REFACTOR_SUBJECT.match(subject_line) and "`" not in subject_line:
        # "refactor(ScmProvider): replace sorted with max": an edit of the code (not a named
        # API chosen: "refactor(config): replace `fs.promises`  with `fsp`")
        decisions = tuple(p for p in decisions if p.pattern not in REPLACE_PATTERNS)
        body_at = len(subject_line) if REPLACE_WORD.search(subject_line) else 0
        at_decision, decision, weak_decision = _earliest_from(decisions, prose, body_at)
    if decision is not None and (
        DEPS_SUBJECT.match(subject_line)
        or (at_decision >= len(subject_line) and SPEED_SUBJECT.match(subject_line))
        or (SPEED_WORDS.search(subject_line) and SPEED_CHOICE.search(decision))
    ):  # "deps: update everything\n\nThis drops `spin`": the dependency's own business
        at_decision, decision, weak_decision = len(text) + 1, None, ""
    at_fix, fix, weak_fix = _earliest(rules.fix, text)
    if weak_fix and (weak_fix == "ref" or at_fix > len(subject_line)):
        feature = FEATURE_SUBJECT.match(subject_line) is not None
        if feature or RESTRUCTURE_SUBJECT.match(subject_line):
            # "Add X ...\n\nFixes #194"; "factor the 3 web reports\n\n... previously ..."
            leave_out = ("ref", "word") if feature else ("word",)
            at_fix, fix, weak_fix = _earliest(rules.fix, text, leave_out)
    at_fact, fact, _weak = _earliest(rules.fact, text)
    stops = STOP_SUBJECT.match(subject_line) is not None
    if weak_decision == "why" and not stops:  # "no longer needed", but nothing stops
        at_decision, decision, weak_decision = _earliest(decisions, prose, ("why",))
    weak_kinds = ("verb",) if stops else ("verb", "why")
    if weak_decision and _earliest(decisions, prose, weak_kinds)[1] is not None:
        weak_decision = ""  # "Use the older myers diff ...\n\n... Switch our test diff to it"
    if (
        weak_fix == "lead"
        and stops
        and subject.kind != "fix"
        and _obsolete(rules, prose)
        and _earliest(rules.fix, text, ("lead",))[1] is None  # no fault told besides "don't X"
    ):
        fix = None  # "don't scan for modules ...\n\n... we no longer need to scan"
    if fact is not None and at_fact < at_fix and at_fact <= at_decision:  # "KNOWN_BUGS: ..."
        return Verdict("fact", "fact-pattern", fact)
    evidence = (
        f"d:{weak_decision or 'strong'}" if decision is not None else "d:-",
        f"x:{weak_fix or 'strong'}" if fix is not None else "x:-",
        *(("stops",) if stops else ()),
    )
    if fix is not None and (subject.kind == "fix" or at_fix <= at_decision or weak_decision):
        where = vetoable if at_fix < len(subject_line) else text  # a body's fix: all of it
        vetoed = next((n for n, p in rules.ignore_fixes if p.search(where)), None)
        if vetoed is None:
            return Verdict("error", "fix-pattern", fix, evidence)
        if decision is None or subject.kind == "fix":
            return Verdict(None, "ignored", vetoed)
        evidence = (*evidence, "vetoed")
    if decision is not None:
        return Verdict("decision", "decision-pattern", decision, evidence)
    if fact is not None:
        return Verdict("fact", "fact-pattern", fact)
    return Verdict(None, "no rule matched", "", evidence)


# ------------------------------------------------------------------------ links


def issue_base(remote_url: str) -> tuple[str, str] | None:
    """("github"|"gitlab", "https://host/owner/repo") for a GitHub or GitLab remote URL."""
    match = re.match(
        r"^(?:https?://(?:[^@/]+@)?|ssh://(?:[^@/]+@)?|[^@/]+@)(?P<host>[^/:]+)(?::\d+)?[:/]"
        r"(?P<path>[^?#]+?)(?:\.git)?/?$",
        remote_url.strip(),
    )
    if match is None:
        return None
    host = match["host"].lower()
    kind = "github" if "github" in host else "gitlab" if "gitlab" in host else None
    if kind is None or "/" not in match["path"]:
        return None
    return kind, f"https://{host}/{match['path']}"


def issue_link(ref: str, base: tuple[str, str] | None) -> str:
    """`#12` or `owner/repo#12` as the remote's issue URL (GitHub sends /issues/N on to the
    pull request when N is one); as written when the remote is neither GitHub nor GitLab."""
    if base is None or "#" not in ref or ref.startswith("http"):
        return ref
    kind, url = base
    repo_path, _, number = ref.partition("#")
    if repo_path:
        url = f"{url.split('/', 3)[0]}//{url.split('/', 3)[2]}/{repo_path}"
    return f"{url}/-/issues/{number}" if kind == "gitlab" else f"{url}/issues/{number}"
