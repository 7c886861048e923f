"""The one secret detector: what it finds, where it says it is, redaction, decoded values, and
patterns that stay linear on hostile input."""

from __future__ import annotations

import re
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

import pytest

from gitmem.store import secrets
from gitmem.store.front_matter import parse_file
from gitmem.store.record import Memory

# Assembled at run time so that this file itself holds no credential-shaped string.
AWS = "AKIA" + "IOSFODNN7Q2W3E4R"
GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
GITLAB = "glpat-" + "Ab12Cd34Ef56Gh78Ij90"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
JWT = "eyJ" + "hbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV"
NPM = "npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
SLACK_HOOK = "https://hooks.slack.com/services/" + "T0000AAAA/B0000BBBB/abcdefghijABCDEFGHIJ1234"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"key {AWS}", "aws-access-token"),
        (f"token {GITHUB}", "github-pat"),
        (f"CI uses {GITLAB}", "gitlab-pat"),
        (f"stripe {STRIPE}", "stripe-access-token"),
        (f"auth: Bearer {JWT}", "jwt"),
        (f"//registry.npmjs.org/:_authToken {NPM}", "npm-access-token"),
        (f"alerts go to {SLACK_HOOK}", "slack-webhook-url"),
        ("-----BEGIN EC PRIVATE KEY-----", "private-key"),
        ("db: postgres://app:Sup3rS3cret@db.internal:5432/app", "url-password"),
        ("secret=4f9c2b7e1a8d3f60c5b2", "secret-assignment"),
        ("DB_PASSWORD='Xk9dfj3kLL22aa'", "password-assignment"),
    ],
)
def test_each_kind_is_found(text, kind):
    [hit] = secrets.find(text)
    assert hit.kind == kind


def test_redaction_replaces_only_the_secret_and_says_where():
    text = f"first line\nthe key {AWS} and postgres://app:Sup3rS3cret@db/app\n"
    redacted, hits = secrets.redact_text(text)
    assert redacted == (
        "first line\nthe key [REDACTED:aws-access-token] and "
        "postgres://app:[REDACTED:url-password]@db/app\n"
    )
    assert [(h.kind, h.line, h.column) for h in hits] == [
        ("aws-access-token", 2, 9),
        ("url-password", 2, 49),
    ]
    assert secrets.find(redacted) == []  # a redacted text is clean: redacting twice is a no-op


@pytest.mark.parametrize(
    "text",
    [
        "postgres://user:${DB_PASSWORD}@db/app",
        "postgres://user:password@localhost/app",
        "postgres://user:<password>@db/app",
        "the token rotates every 90 days",
        "password = hunter2",
        "secret: aaaaaaaaaaaaaaaaaaaa1",  # long, but low entropy: a placeholder
    ],
)
def test_placeholders_are_not_secrets(text):
    assert secrets.find(text) == []


def _memory(**fields) -> Memory:
    base = {"id": "7k3q9x2m4pva", "type": "fact", "title": "t", "created": "2026-01-01T00:00:00Z"}
    return Memory(**{**base, **fields})


def test_a_record_is_scanned_field_by_field_and_redacted_everywhere():
    memory = _memory(
        title=f"token {GITHUB}",
        body=f"line one\nkey {AWS}\n",
        tags=["ok"],
        metadata={"db": "postgres://u:Sup3rS3cret@h/x", "nested": {"list": ["a", GITLAB]}},
        extra={"note": f"also {STRIPE}"},
    )
    assert [str(f) for f in secrets.scan(memory)] == [
        "github-pat at title 1:7",
        "url-password at metadata.db 1:14",
        "gitlab-pat at metadata.nested.list[1] 1:1",
        "stripe-access-token at note 1:6",
        "aws-access-token at body 2:5",
    ]
    clean, found = secrets.redact_memory(memory)
    assert len(found) == 5
    assert clean.title == "token [REDACTED:github-pat]"
    assert clean.body == "line one\nkey [REDACTED:aws-access-token]\n"
    assert clean.metadata == {
        "db": "postgres://u:[REDACTED:url-password]@h/x",
        "nested": {"list": ["a", "[REDACTED:gitlab-pat]"]},
    }
    assert clean.extra == {"note": "also [REDACTED:stripe-access-token]"}
    assert secrets.scan(clean) == []
    assert memory.title == f"token {GITHUB}"  # the original is left alone


def test_the_refusal_names_kind_and_place_but_never_the_secret():
    memory = _memory(title="deploy", body=f"x\nkey {AWS}\n")
    with pytest.raises(secrets.SecretError) as caught:
        secrets.guard(memory, redact=False, what="the new memory")
    assert str(caught.value) == (
        "the new memory holds a secret (aws-access-token at body 2:5); nothing was written: "
        "remove it, or pass --redact (MCP: redact=true) to store [REDACTED:aws-access-token] "
        "in its place"
    )
    assert AWS not in str(caught.value) and AWS[4:] not in str(caught.value)
    assert caught.value.exit_code == 2


def test_an_edit_is_refused_only_for_a_secret_it_adds():
    old = _memory(body=f"key {AWS}\n")
    known = secrets.secret_values(old)
    _, found = secrets.guard(_memory(body=f"key {AWS}\nmore\n"), redact=False, known=known)
    assert found == []
    with pytest.raises(secrets.SecretError, match="github-pat at body 2:1"):
        secrets.guard(_memory(body=f"key {AWS}\n{GITHUB}\n"), redact=False, known=known)


def test_yaml_escapes_and_folding_are_seen_through():
    """The key is nowhere in the file's text, only in what YAML decodes."""
    escaped = AWS[:4] + "\\x" + format(ord(AWS[4]), "02x") + AWS[5:]
    folded_head, folded_tail = GITHUB[:20], GITHUB[20:]
    text = (
        "---\nid: 7k3q9x2m4pva\ntype: fact\n"
        f'title: "key {escaped}"\n'
        "created: 2026-01-01T00:00:00+00:00\n"
        f'summary: "{folded_head}\\\n  {folded_tail}"\n'
        "---\nbody\n"
    )
    assert secrets.find(text) == []
    memory = parse_file(text, "x.md")
    assert [str(f) for f in secrets.scan(memory)] == [
        "aws-access-token at title 1:5",
        "github-pat at summary 1:1",
    ]


def test_allow_marker_skips_its_line():
    assert secrets.find(f"{AWS} (gitmem: allow-secret)\n{AWS}\n")[0].line == 2


def test_slug_with_a_secret_is_refused():
    with pytest.raises(secrets.UsageError) as caught:
        secrets.check_slug(GITLAB.lower())
    assert (
        str(caught.value) == "--slug holds a secret (gitlab-pat at slug 1:1); nothing was written"
    )


def _unbounded(pattern: re.Pattern[str]) -> list[str]:
    """The repeats in a pattern with no upper bound (what makes a regex slow on long input)."""
    found = []

    def walk(parsed):
        for op, arg in parsed:
            if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                _, high, sub = arg
                if high == sre_constants.MAXREPEAT:
                    found.append(str(sub))
                walk(sub)
            elif op == sre_constants.SUBPATTERN:
                walk(arg[-1])
            elif op == sre_constants.BRANCH:
                for branch in arg[1]:
                    walk(branch)
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                walk(arg[1])

    walk(sre_parse.parse(pattern.pattern, pattern.flags))
    return found


def test_every_pattern_is_bounded_so_a_scan_stays_linear():
    patterns = [rule.pattern for rule in secrets.RULES] + [secrets._ASSIGNMENT]
    assert {p.pattern: _unbounded(p) for p in patterns if _unbounded(p)} == {}


def test_hostile_input_is_scanned_without_blowing_up():
    """Long runs of what the patterns start with: a result, not a hang (no timing asserted:
    the bound is structural, above; bench/secrets_bench.py measures it)."""
    text = "a.a." * 50_000 + "password= " * 20_000 + "ghp_" * 20_000 + "x" * 200_000
    assert secrets.find(text) == []
