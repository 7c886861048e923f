"""Commit message -> records: explicit trailers, `Memory-Type`, decision and bug-fix patterns.

The post-commit hook runs on every commit, so deciding that a commit captures nothing costs one
`git log` call and a few regexes: this module imports neither pygit2, yaml nor the record
module. They come in (through `gitmem.capture.notes`) only when there is something to write.

Ids are derived from the commit's author, author date, the record's type and its title — not
from the commit id. Amend, rebase, cherry-pick and `pull --rebase` change the commit id but
keep author, author date and message, so the same decision keeps its id through them: a hook
rerun, a backfill after the hook, or a backfill after a rewrite finds it already there.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple

from gitmem.capture import classify
from gitmem.capture.rules import Rules
from gitmem.store import git

TRAILER_TYPES = {"decision": "decision", "fact": "fact", "learned": "fact", "error": "error"}
CONTROL_KEYS = ("memory-type", "memory-tags", "no-memory")

_TRUE = frozenset({"true", "yes", "1", "on"})
_TRAILER_RE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9-]*)\s*:\s*(?P<value>.*)$")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
_OUR_KEY_RE = re.compile(
    r"^[ \t]*(?:decision|fact|learned|error|memory-type|memory-tags|no-memory)\s*:", re.I | re.M
)
_REWRITE_ACTION_RE = re.compile(r"^(?:rebase\b|[^:]*\((?:amend|pick|squash|fixup|reword|edit)\))")


class Commit(NamedTuple):
    sha: str
    parents: tuple[str, ...]
    author: str  # "Name <email>"
    author_date: str  # raw: "1700000000 +0100"
    committer_date: str
    message: str
    paths: tuple[str, ...] | None = None  # None: not read yet

    @property
    def created(self) -> str:
        return iso_time(self.author_date)


class Candidate(NamedTuple):
    """A record the rules want for a commit, before it becomes a Memory."""

    type: str
    title: str
    body: str
    tags: tuple[str, ...]
    rule: str  # which rule: decision-trailer, memory-type, fix-pattern, ...
    refs: tuple[str, ...] = ()  # issues and PRs ("#12", "owner/repo#12", URLs): metadata.issues

    def id_for(self, commit: Commit) -> str:
        from gitmem.store.record import derived_id

        return derived_id("capture", commit.author, commit.author_date, self.type, self.title)


def iso_time(raw: str) -> str:
    """`1700000000 +0130` (git's raw date) -> ISO 8601 with the same offset."""
    from datetime import datetime, timedelta, timezone

    seconds, _, offset = raw.partition(" ")
    sign = -1 if offset.startswith("-") else 1
    digits = offset.lstrip("+-") or "0000"
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))
    return datetime.fromtimestamp(int(seconds), timezone(sign * delta)).isoformat()


# ------------------------------------------------------------------------ the rules


def _paragraphs(message: str) -> list[str]:
    return [p for p in _BLANK_LINE_RE.split(message.strip("\n")) if p.strip()]


def _trailer_lines(paragraph: str) -> list[tuple[str, str]] | None:
    """The (key, value) pairs of a paragraph made only of `Key: value` lines (values may be
    folded onto indented lines), or None if any line is something else."""
    trailers: list[tuple[str, str]] = []
    for line in paragraph.splitlines():
        if line[:1] in (" ", "\t") and trailers:  # a folded trailer value
            key, value = trailers[-1]
            trailers[-1] = (key, f"{value} {line.strip()}")
            continue
        match = _TRAILER_RE.match(line)
        if match is None:
            return None
        trailers.append((match["key"].lower(), match["value"].strip()))
    return trailers


def _trailers(message: str) -> tuple[list[tuple[str, str]], list[int]]:
    """Trailers, and which paragraphs hold them: every paragraph after the subject made only
    of `Key: value` lines (git's trailer block, and a `Decision:` paragraph written before
    more prose). A one-line message `Decision: use X` counts too (`git commit -m`). A line
    like `Error: ...` inside prose (a pasted log) does not."""
    paragraphs = _paragraphs(message)
    found: list[tuple[str, str]] = []
    where: list[int] = []
    for index, paragraph in enumerate(paragraphs):
        if index == 0 and (len(paragraphs) > 1 or "\n" in paragraph):
            continue  # the subject (and a body glued to it without a blank line)
        lines = _trailer_lines(paragraph)
        if lines:
            found += lines
            where.append(index)
    return found, where


def _context(message: str) -> str:
    """The message minus gitmem's own trailers (and their folded lines): the body of every
    record it yields. Prose stays, even a line like `Error: ...` inside it."""
    keys = (*TRAILER_TYPES, *CONTROL_KEYS)
    _found, where = _trailers(message)
    parts = []
    for index, paragraph in enumerate(_paragraphs(message)):
        if index not in where:
            parts.append(paragraph)
            continue
        kept: list[str] = []
        dropping = False
        for line in paragraph.splitlines():
            if line[:1] in (" ", "\t") and dropping:
                continue
            match = _TRAILER_RE.match(line)
            dropping = bool(match and match["key"].lower() in keys)
            if not dropping:
                kept.append(line)
        if kept:
            parts.append("\n".join(kept))
    text = "\n\n".join(parts)
    return text + "\n" if text.strip() else ""


def skip_reason(commit: Commit, rules: Rules) -> str | None:
    """Why a commit is never captured (disabled, merge, bot), or None."""
    if not rules.enabled:
        return "capture disabled"
    if len(commit.parents) > 1 and not rules.merges:
        return "merge commit"
    author = commit.author.lower()
    if any(bot in author for bot in rules.bots):
        return "bot author"
    return None


def opts_out(message: str) -> bool:
    """Does the message say `No-Memory: true` (in a trailer paragraph)?"""
    trailers, _where = _trailers(message)
    return any(key == "no-memory" and value.lower() in _TRUE for key, value in trailers)


def explain(commit: Commit, rules: Rules) -> tuple[list[Candidate], str]:
    """What the rules capture from this commit, and which rule fired or why none did.
    Cheap when nothing is captured (every commit of a backfill): bodies and links are built
    only for the records made."""
    reason = skip_reason(commit, rules)
    if reason is not None:
        return [], reason
    message = classify.normalise(commit.message)
    # Most messages hold none of our keys: skip parsing their paragraphs (Gerrit's trailer
    # blocks are long).
    ours = ":" in message and _OUR_KEY_RE.search(message) is not None
    trailers, _where = _trailers(message) if ours else ([], [])
    controls = {key: value for key, value in trailers if key in CONTROL_KEYS}
    if controls.get("no-memory", "").lower() in _TRUE:
        return [], "No-Memory: true"
    subject_line = message.strip().split("\n", 1)[0].strip()
    explicit = [(k, v) for k, v in trailers if k in TRAILER_TYPES and v.strip()]
    verdict = None
    if not explicit and "memory-type" not in controls:
        key = subject_line.split(":", 1)[0].strip().lower() if ":" in subject_line else ""
        if key in TRAILER_TYPES:
            return [], f"a `{key.title()}:` subject counts only as the whole message"
        verdict = classify.verdict(subject_line, message, rules)
        if verdict.type is None:
            return [], verdict.rule + (f": {verdict.detail}" if verdict.detail else "")
    subject = classify.parse_subject(subject_line)
    tags = [
        *subject.scope_tags,
        *(classify.tag(t) for t in controls.get("memory-tags", "").split(",")),
    ]
    tag_tuple = tuple(dict.fromkeys(t for t in tags if t))
    rest = message.strip().split("\n", 1)[1] if "\n" in message.strip() else ""
    refs = tuple(dict.fromkeys((*subject.refs, *classify.body_refs(rest))))
    body = classify.clean_body(_context(rest))
    if verdict is not None and verdict.type is not None:
        if verdict.rule == "breaking-change":
            tag_tuple = tuple(dict.fromkeys((*tag_tuple, "breaking-change")))
        rule = verdict.rule + (f" {verdict.detail!r}" if verdict.detail else "")
        return [Candidate(verdict.type, subject.title, body, tag_tuple, verdict.rule, refs)], rule
    context = classify.clean_body(_context(message))
    found = [
        Candidate(kind, classify.short_title(value), context, tag_tuple, f"{key}-trailer", refs)
        for key, value in explicit
        for kind in (TRAILER_TYPES[key],)
    ]
    if "memory-type" in controls:
        kind = controls["memory-type"].strip().lower()
        extra: tuple[str, ...] = ()
        if kind not in rules.types:  # kept, not lost: as a fact tagged with what was asked
            kind, extra = "fact", (classify.tag(controls["memory-type"]),)
        tags_mt = tuple(dict.fromkeys((*tag_tuple, *extra)))
        found.append(Candidate(kind, subject.title, body, tags_mt, "memory-type", refs))
    return _unique(found), ", ".join(dict.fromkeys(c.rule for c in found))


def settle_revert(
    repo: git.RepoInfo, commit: Commit, found: list[Candidate], reason: str
) -> tuple[list[Candidate], str]:
    """A revert that gives its reason is a fix, unless it reverts a commit of the same day
    (a mistake undone at once is nothing to remember). One `git log` for such reverts only."""
    match = re.match(r"revert-with-reason '([0-9a-f]{7,40})'", reason)
    if match is None or not any(c.rule == "revert-with-reason" for c in found):
        return found, reason
    proc = git.run(
        ["log", "-1", "--date=raw", "--format=%ad", match[1], "--"], cwd=repo.git_dir, check=False
    )
    raw = proc.stdout.decode().strip()
    if proc.returncode == 0 and raw and iso_time(raw)[:10] == commit.created[:10]:
        return [], f"revert of a commit from the same day ({match[1][:12]})"
    return found, reason


def candidates(commit: Commit, rules: Rules) -> list[Candidate]:
    """What the rules capture from this commit: pure, no git, no I/O."""
    return explain(commit, rules)[0]


def _unique(found: list[Candidate]) -> list[Candidate]:
    """One candidate per (type, title): they would get the same id."""
    seen: dict[tuple[str, str], Candidate] = {}
    for candidate in found:
        seen.setdefault((candidate.type, candidate.title), candidate)
    return list(seen.values())


# ------------------------------------------------------------------------ reading commits

# One `git log` record: sha, parents, author, author date, committer date, message.
LOG_FORMAT = "%x1e%H%x00%P%x00%an <%ae>%x00%ad%x00%cd%x00%B%x00"


def parse_log_record(chunk: str, with_paths: bool) -> Commit:
    fields = chunk.split("\0")
    sha, parents, author, adate, cdate, message = fields[:6]
    paths = tuple(p.strip("\n") for p in fields[6:] if p.strip("\n")) if with_paths else None
    message = classify.normalise(message) if "\r" in message else message
    return Commit(sha, tuple(parents.split()), author, adate, cdate, message, paths)


def read_commits(repo: git.RepoInfo, revs: list[str]) -> list[Commit]:
    """These commits (no walk), one `git log` call."""
    args = ["log", "--no-walk=unsorted", "-z", "--date=raw", f"--format={LOG_FORMAT}", *revs]
    out = git.run([*args, "--"], cwd=repo.git_dir).stdout.decode("utf-8", "replace")
    return [parse_log_record(chunk, False) for chunk in out.split("\x1e") if chunk]


def changed_paths(repo: git.RepoInfo, commit: Commit) -> tuple[str, ...]:
    """Files the commit changed (against its first parent), capped later by the rules."""
    base = [commit.parents[0], commit.sha] if commit.parents else ["--root", commit.sha]
    # --no-renames: rename detection reads blobs (a partial clone would fetch each one).
    args = ["diff-tree", "-r", "-z", "--no-renames", "--name-only", "--no-commit-id", *base]
    out = git.run(args, cwd=repo.git_dir).stdout.decode("utf-8", "surrogateescape")
    return tuple(p for p in out.split("\0") if p)


# ------------------------------------------------------------------------ hook entry points


def _last_reflog_action(repo: git.RepoInfo, sha: str) -> str | None:
    """The message of HEAD's newest reflog entry, if it is about `sha` (no git call)."""
    try:
        with open(repo.git_dir / "logs" / "HEAD", "rb") as log:
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - 4096))
            tail = log.read().decode("utf-8", "replace")
    except OSError:
        return None
    lines = tail.rstrip("\n").rsplit("\n", 1)
    header, _, action = lines[-1].partition("\t")
    fields = header.split(" ")
    return action if len(fields) > 1 and fields[1] == sha else None


def made_by_rewrite(repo: git.RepoInfo, sha: str) -> bool:
    """Was HEAD just made by amend or by a rebase step? Then post-rewrite captures it.

    (post-commit fires for those before git copies the notes; writing then would make git
    concatenate the copied note onto ours.)
    """
    action = _last_reflog_action(repo, sha)
    if action is not None:
        return bool(_REWRITE_ACTION_RE.match(action))
    return rebase_in_progress(repo)


def rebase_in_progress(repo: git.RepoInfo) -> bool:
    git_dir = Path(repo.git_dir)
    return (git_dir / "rebase-merge").is_dir() or (git_dir / "rebase-apply").is_dir()
