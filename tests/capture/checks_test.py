"""The pre-commit check's rules: records valid, no credentials, nothing secret echoed."""

from __future__ import annotations

import pytest
from gitrepo import VALID

from gitmem.capture import checks
from gitmem.capture.checks import Finding, check_files, is_record_path, scan_secrets
from gitmem.store import git

# Assembled at run time so that this file itself holds no credential-shaped string.
AWS = "AKIA" + "IOSFODNN7Q2W3E4R"
GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
GITHUB_PAT = "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuv"
SLACK = "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
OPENAI = "sk-proj-" + "Ab12Cd34Ef56Gh78Ij90Kl12Mn34"
ANTHROPIC = "sk-ant-" + "api03-Ab12Cd34Ef56Gh78Ij90Kl12Mn34"
GOOGLE = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"
KEY_BLOCK = "-----BEGIN " + "OPENSSH PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (f"aws_access_key_id: {AWS}", "AWS access key id"),
        (f"export GH={GITHUB}", "GitHub token"),
        (f"token {GITHUB_PAT} for CI", "GitHub fine-grained token"),
        (f"slack bot: {SLACK}", "Slack token"),
        (f"OPENAI={OPENAI}", "OpenAI API key"),
        (f"the key is {ANTHROPIC}", "Anthropic API key"),
        (f"maps key {GOOGLE}", "Google API key"),
        (KEY_BLOCK, "private key"),
        ("-----BEGIN RSA PRIVATE KEY-----", "private key"),
        ("db: postgres://app:Sup3rS3cret@db.internal:5432/app", "password in a URL"),
        ('DB_PASSWORD="Xk9dfj3kLL22aa"', "password assignment"),
        ("client_secret = 4f9c2b7e1a8d3f60c5b2", "secret assignment"),
        ("auth_token: qwErty-9876-zxcv-5432", "token assignment"),
        ("STRIPE_API_KEY=rk_live_51Habc", "api_key assignment"),
    ],
)
def test_credentials_are_found_and_never_echoed(line, kind):
    text = f"Some context.\n\n{line}\n"
    findings = scan_secrets(text, ".memory/facts/x.md")
    assert findings == [Finding(".memory/facts/x.md", 3, f"{kind} (…redacted…)")]
    secret_part = line.split()[-1].split("=")[-1].strip('"')[-12:]
    assert secret_part not in str(findings[0])


@pytest.mark.parametrize(
    "line",
    [
        "We rotate the token every 90 days; see the runbook.",
        "password = <your password here>",
        "API_KEY=${API_KEY}",
        "token: xxxxxxxxxxxxxxxxxxxx",
        "secret_key_base: ************",
        "password: changeme-in-production",
        "token_count = 123456789012345",
        "the passwords table has 12 columns",
        "Set SECRET in the environment (see vault path kv/app/prod/secret).",
        "ghp_ prefixes mark GitHub personal tokens; sk- marks OpenAI keys.",
        "a URL without a password: https://user@example.com/repo.git",
        "-----BEGIN PUBLIC KEY-----",
        "AKIA is the prefix of AWS access key ids",
        "password = hunter2",
    ],
)
def test_ordinary_text_is_not_a_credential(line):
    assert scan_secrets(line + "\n", "x.md") == []


def test_allow_marker_skips_one_line():
    text = f"example: {AWS}  <!-- gitmem: allow-secret -->\nagain: {AWS}\n"
    assert scan_secrets(text, "x.md") == [Finding("x.md", 2, "AWS access key id (…redacted…)")]


def test_several_kinds_on_one_line_are_each_reported():
    findings = scan_secrets(f"{AWS} {GITHUB}\n", "x.md")
    assert [f.message for f in findings] == [
        "AWS access key id (…redacted…)",
        "GitHub token (…redacted…)",
    ]


def test_record_problems_name_file_line_and_field():
    bad_type = VALID.replace("type: decision", "type: decisoin")
    bad_date = VALID.replace("created: 2026-11-20T14:03:11+00:00", "created: yesterday")
    no_header = "Just some text.\n"
    findings = check_files(
        [
            (".memory/decisions/a.md", VALID.encode()),
            (".memory/decisions/b.md", bad_type.encode()),
            (".memory/decisions/c.md", bad_date.encode()),
            (".memory/facts/d.md", no_header.encode()),
            (".memory/facts/e.md", b"---\nid: \xff\n---\n"),
        ],
        None,
    )
    assert [str(f) for f in findings] == [
        ".memory/decisions/b.md:3: type: expected one of code, decision, episodic, error, fact, "
        "procedural, user (or a type declared in .memory/config.toml)",
        ".memory/decisions/c.md:5: created: expected an ISO 8601 timestamp with offset, got "
        "'yesterday'",
        ".memory/facts/d.md:1: expected front matter starting with a '---' line",
        ".memory/facts/e.md:2: not valid UTF-8; re-save the file as UTF-8",
    ]


def test_custom_types_come_from_the_config_and_a_broken_config_is_a_finding():
    runbook = VALID.replace("type: decision", "type: runbook").encode()
    files = [(".memory/runbooks/a.md", runbook)]
    assert check_files(files, '[types]\nrunbook = "runbooks"\n') == []
    assert check_files(files, None)[0].message.startswith("type: expected one of")
    findings = check_files(files, "[types\n")
    assert findings[0].path == ".memory/config.toml"
    assert findings[0].message.startswith("Expected ']'")


def test_only_record_paths_are_parsed_as_records_but_all_are_scanned():
    assert is_record_path(".memory/decisions/a.md")
    assert is_record_path(".memory/nested/deeper/a.md")
    assert not is_record_path(".memory/README.md")
    assert not is_record_path(".memory/config.toml")
    assert not is_record_path(".memory/decisions/.a.md.123.tmp")
    assert not is_record_path("docs/a.md")
    files = [
        (".memory/README.md", b"# Memory\n"),
        (".memory/config.toml", f'[defaults]\nproject = "x"\n# {AWS}\n'.encode()),
    ]
    assert [str(f) for f in check_files(files, None)] == [
        ".memory/config.toml:3: AWS access key id (…redacted…)"
    ]


def test_staged_content_is_checked_not_the_working_copy(repo, g):
    path = repo / ".memory" / "facts" / "a.md"
    path.parent.mkdir(parents=True)
    path.write_text(VALID.replace("type: decision", "type: nonsense"))
    g.run("add", ".memory")
    path.write_text(VALID)  # fixed on disk, but not staged
    (repo / ".memory" / "facts" / "untracked.md").write_text("not staged at all\n")
    info = git.discover(repo)
    staged, config_text = checks.staged_files(info)
    assert staged == [(".memory/facts/a.md", VALID.replace("decision", "nonsense", 1).encode())]
    assert config_text is None
    findings = check_files(staged, config_text)
    assert [(f.path, f.line) for f in findings] == [(".memory/facts/a.md", 3)]


def test_deleted_and_renamed_files(repo, g):
    mem_dir = repo / ".memory" / "facts"
    mem_dir.mkdir(parents=True)
    (mem_dir / "a.md").write_text(VALID)
    (mem_dir / "b.md").write_text(VALID.replace("7k3q9x2m4pva", "7k3q9x2m4pvb"))
    (repo / ".memory" / "config.toml").write_text('[types]\nrunbook = "runbooks"\n')
    g.run("add", ".")
    g.run("commit", "-q", "-m", "memories")
    g.run("rm", "-q", ".memory/facts/a.md")
    g.run("mv", ".memory/facts/b.md", ".memory/facts/c.md")
    staged, config_text = checks.staged_files(git.discover(repo))
    assert [p for p, _ in staged] == [".memory/facts/c.md"]
    assert config_text == '[types]\nrunbook = "runbooks"\n'
