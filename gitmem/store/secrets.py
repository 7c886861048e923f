"""The one secret detector every write path uses: find credentials in a record, say where, redact.

Memory is pushed and cloned with the code (files by commits, notes by `git mem sync`), so a key
pasted into a memory is a leaked key. The rules look for shapes that are credentials with near
certainty (their prefixes and lengths follow gitleaks' rule set, `config/gitleaks.toml`), plus
generic `password = <value>` assignments whose value is long and random-looking (Shannon entropy,
as gitleaks' generic rule). A record is scanned value by value after YAML has decoded it, so a
key written with escapes (`"AKIA\\x49..."`) or folded over lines is seen as the key it is.

Findings never repeat the secret: they name the kind and where (field, line:column). Every
quantifier is bounded, so a scan is linear in the text however long and hostile it is.
A line carrying `gitmem: allow-secret` is not scanned (documented false positives).

Pure `re` and no gitmem imports beyond the error classes: the pre-commit and post-commit hooks
load it.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from gitmem.errors import UsageError

if TYPE_CHECKING:
    from gitmem.store.record import Memory

ALLOW_MARKER = "gitmem: allow-secret"


class Rule(NamedTuple):
    kind: str  # the id in `[REDACTED:<kind>]` and in messages (gitleaks' rule id where it has one)
    name: str  # what the pre-commit check calls it
    keywords: tuple[str, ...]  # every match holds one: a text holding none skips the regex
    pattern: re.Pattern[str]
    group: int = 0  # the part of the match that is the secret (what redaction replaces)


_END = r"(?![A-Za-z0-9_-])"
_GITLAB = ("pat", "dt", "rt", "ptt", "cbt", "imt", "oas", "ft", "agent")
# Shapes that are credentials with near certainty: each match is a finding.
RULES: tuple[Rule, ...] = (
    Rule("aws-access-token", "AWS access key id", ("A3T", "AKIA", "ASIA", "ABIA", "ACCA"),
         re.compile(r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b")),
    Rule("github-pat", "GitHub token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
         re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b")),
    Rule("github-fine-grained-pat", "GitHub fine-grained token", ("github_pat_",),
         re.compile(r"\bgithub_pat_[A-Za-z0-9_]{22,255}")),
    Rule("gitlab-pat", "GitLab token", tuple(f"gl{kind}-" for kind in _GITLAB),
         re.compile(rf"\bgl(?:{'|'.join(_GITLAB)})-[A-Za-z0-9_-]{{20,64}}" + _END)),
    Rule("slack-token", "Slack token", ("xox",),
         re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{10,255}")),
    Rule("slack-webhook-url", "Slack webhook URL", ("hooks.slack.com",),
         re.compile(r"hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9+/]{20,120}")),
    Rule("stripe-access-token", "Stripe key", ("sk_", "rk_"),
         re.compile(r"\b(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{24,247}\b")),
    Rule("anthropic-api-key", "Anthropic API key", ("sk-ant-",),
         re.compile(r"\bsk-ant-[A-Za-z0-9_-]{20,255}")),
    Rule("openai-api-key", "OpenAI API key", ("sk-",),
         re.compile(r"\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,255}")),
    Rule("gcp-api-key", "Google API key", ("AIza",),
         re.compile(r"\bAIza[0-9A-Za-z_-]{35}" + _END)),
    Rule("npm-access-token", "npm token", ("npm_",), re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    Rule("pypi-upload-token", "PyPI token", ("pypi-AgEIcHlwaS5vcmc",),
         re.compile(r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,255}")),
    Rule("private-key", "private key", ("-----BEGIN ",),
         re.compile(r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")),
    Rule("jwt", "JSON web token", ("eyJ",),
         re.compile(r"\beyJ[A-Za-z0-9_-]{10,4096}\.eyJ[A-Za-z0-9_-]{10,8192}\."
                    r"[A-Za-z0-9_-]{10,4096}")),
    # scheme://user:password@host: the password is the secret (the rest stays readable).
    Rule("url-password", "password in a URL", ("://",),
         re.compile(r"\b[a-z][a-z0-9+.-]{0,30}://[^\s/:@]{1,256}:([^\s/@]{3,256})@"), 1),
)  # fmt: skip

# `password = ...`, `API_KEY: "..."`, `client_secret=...`: the value is judged separately.
_ASSIGNMENT_KEYWORDS = ("passw", "pwd", "secret", "token", "key", "credential")
_ASSIGNMENT = re.compile(
    r"(?i)(passw(?:or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|"
    r"credentials?)[a-z0-9_.-]{0,64}[\"']?[ \t]{0,16}[:=][ \t]{0,16}[\"'`]?"
    r"([^\s\"'`,;]{1,512})"
)
_PLACEHOLDER = re.compile(
    r"(?i)^[<{$%(\[]|x{4,}|\*{3,}|\.{3}|example|changeme|placeholder|redacted|dummy|your[_-]"
)
MIN_ENTROPY = 3.0  # bits per character; gitleaks' generic rule asks 3.5 of longer values


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = {c: value.count(c) for c in set(value)}
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


_PLACEHOLDER_WORDS = frozenset({"password", "passwd", "pass", "pwd", "secret", "token", "pw"})


def _is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.search(value)) or value.lower() in _PLACEHOLDER_WORDS


def _looks_secret(value: str) -> bool:
    """A long value mixing kinds of characters: not a word, a number, a path or a placeholder."""
    if len(value) < 12 or _PLACEHOLDER.search(value) or "/" in value:
        return False
    kinds = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    return kinds >= 2 and len(set(value)) >= 6 and entropy(value) >= MIN_ENTROPY


class Hit(NamedTuple):
    """One secret in a text: its kind, where the secret itself is (offsets), and its line and
    column (1-based) for messages."""

    kind: str
    name: str
    start: int
    end: int
    line: int
    column: int


def find(text: str) -> list[Hit]:
    """Every secret in `text`, in order. A line with the allow marker is skipped; a line with
    a known shape is not also judged as a generic assignment."""
    hits: list[Hit] = []
    rules = [rule for rule in RULES if any(word in text for word in rule.keywords)]
    lower = text.lower()
    assignments = any(word in lower for word in _ASSIGNMENT_KEYWORDS)
    if not rules and not assignments:
        return hits  # almost every text: a few substring searches, no regex at all
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if ALLOW_MARKER not in line:
            hits += _line_hits(line, offset, number, rules, assignments)
        offset += len(line)
    return hits


def _line_hits(
    line: str, offset: int, number: int, rules: list[Rule], assignments: bool
) -> list[Hit]:
    found = []
    for rule in rules:
        for match in rule.pattern.finditer(line):
            start, end = match.span(rule.group)
            if rule.group and _is_placeholder(match.group(rule.group)):
                continue  # `postgres://user:${PASSWORD}@`, `:[REDACTED:url-password]@`
            found.append(Hit(rule.kind, rule.name, offset + start, offset + end, number, start + 1))
    if not found and assignments:
        for match in _ASSIGNMENT.finditer(line):
            if _looks_secret(match.group(2)):
                start, end = match.span(2)
                word = match.group(1).lower()
                kind = f"{word.replace('_', '-')}-assignment"
                found.append(Hit(kind, f"{word} assignment", offset + start, offset + end,
                                 number, start + 1))  # fmt: skip
                break
    return found


def redact_text(text: str) -> tuple[str, list[Hit]]:
    """`text` with every secret replaced by `[REDACTED:<kind>]`, and the hits."""
    hits = find(text)
    out, last = [], 0
    for hit in sorted(hits, key=lambda h: h.start):
        if hit.start < last:  # overlapping shapes: the first one already covers it
            continue
        out += [text[last : hit.start], f"[REDACTED:{hit.kind}]"]
        last = hit.end
    out.append(text[last:])
    return "".join(out), hits


# ---------------------------------------------------------------------------- records


class Finding(NamedTuple):
    """A secret in a record: its kind, what it is called, and where (`body 3:7`)."""

    kind: str
    name: str
    where: str

    def __str__(self) -> str:
        return f"{self.kind} at {self.where}"


def field_values(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(where, text) of every string inside a field's value, keys of mappings included."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from field_values(str(key), f"{path} key")
            yield from field_values(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from field_values(item, f"{path}[{index}]")


def _map(value: Any, change: Any) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {change(str(k)) if isinstance(k, str) else k: _map(v, change)
                for k, v in value.items()}  # fmt: skip
    if isinstance(value, list):
        return [_map(item, change) for item in value]
    return value


def _fields(memory: Memory) -> dict[str, Any]:
    return {**memory.fields(), "body": memory.body}


def scan_values(memory: Memory) -> list[tuple[Finding, str]]:
    """`scan`, each finding with the secret itself (to compare, never to print)."""
    found = []
    for name, value in _fields(memory).items():
        for where, text in field_values(value, name):
            for h in find(text):
                found.append((Finding(h.kind, h.name, f"{where} {h.line}:{h.column}"),
                              text[h.start : h.end]))  # fmt: skip
    return found


def scan(memory: Memory) -> list[Finding]:
    """Every secret in a record's decoded values (title, body, tags, metadata, unknown keys)."""
    return [finding for finding, _ in scan_values(memory)]


def secret_values(memory: Memory) -> set[str]:
    """The secrets themselves (to tell a secret an edit adds from one already there)."""
    return {value for _, value in scan_values(memory)}


def redact_memory(memory: Memory) -> tuple[Memory, list[Finding]]:
    """A copy of `memory` with every secret replaced by `[REDACTED:<kind>]` (the same record
    when there is none), and the findings."""
    findings = scan(memory)
    if not findings:
        return memory, findings
    changes: dict[str, Any] = {}
    for name, value in _fields(memory).items():
        if name in memory.extra:
            continue
        changes[name] = _map(value, lambda text: redact_text(text)[0])
    extra = {
        key: _map(value, lambda text: redact_text(text)[0]) for key, value in memory.extra.items()
    }
    return dataclasses.replace(memory, **changes, extra=extra), findings


class SecretError(UsageError):
    """A write refused because the record holds a secret (exit 2; nothing was written)."""

    def __init__(self, what: str, findings: list[Finding], *, kept: str | None = None) -> None:
        """`kept`: where the user's text still is (a draft written in the editor)."""
        self.what = what
        self.findings = findings
        kinds = sorted({f.kind for f in findings})
        written = f"nothing was written ({kept})" if kept else "nothing was written"
        super().__init__(
            f"{what} holds {describe(findings)}; {written}: remove "
            f"{'it' if len(findings) == 1 else 'them'}, or pass --redact (MCP: redact=true) to "
            f"store {', '.join(f'[REDACTED:{k}]' for k in kinds)} in "
            f"{'its' if len(findings) == 1 else 'their'} place"
        )


def describe(findings: list[Finding]) -> str:
    """`a secret (aws-access-token at body 1:12)`, `2 secrets (...; ...)`: never the secret."""
    return describe_listed([str(f) for f in findings])


def describe_listed(findings: list[str]) -> str:
    """`describe` of findings already turned into text (`kind at where`)."""
    count = "a secret" if len(findings) == 1 else f"{len(findings)} secrets"
    return f"{count} ({'; '.join(findings)})"


def guard(
    memory: Memory, *, redact: bool, what: str = "the memory", known: set[str] | None = None
) -> tuple[Memory, list[Finding]]:
    """The record to write, and what was redacted: refuse (SecretError) a record holding a
    secret, or with `redact` replace each by `[REDACTED:<kind>]`. `known`: secrets the record
    held before this change (an edit of an old record is not refused for what it did not add;
    `doctor --secrets` finds those)."""
    if redact:
        return redact_memory(memory)
    findings = [finding for finding, value in scan_values(memory) if value not in (known or set())]
    if findings:
        raise SecretError(what, findings)
    return memory, findings


def guard_text(text: str, *, redact: bool, what: str, field: str) -> tuple[str, list[Finding]]:
    """`guard` for a text that is not a record (a session message): the text to write and
    what was redacted; `field` names it in positions (`message 2:5`)."""
    if redact:
        clean, hits = redact_text(text)
    else:
        clean, hits = text, find(text)
    findings = [Finding(h.kind, h.name, f"{field} {h.line}:{h.column}") for h in hits]
    if findings and not redact:
        raise SecretError(what, findings)
    return clean, findings


def check_slug(slug: str | None) -> None:
    """A file name chosen by hand (`--slug`) never carries a secret either."""
    if slug:
        hits = find(slug)
        if hits:
            where = "; ".join(f"{h.kind} at slug 1:{h.column}" for h in hits)
            raise UsageError(f"--slug holds a secret ({where}); nothing was written")
