"""Secrets on every write path (issue 15, cases 2 and 13): refused with exit 2 naming kind and
place, nothing written; `--redact` stores `[REDACTED:<kind>]`; capture and import redact and say
so; `doctor --secrets` finds what got in anyway, in notes' history too."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
import yaml

# Assembled at run time so that this file itself holds no credential-shaped string.
AWS = "AKIA" + "IOSFODNN7Q2W3E4R"
GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
DB_URL = "postgres://app:" + "Sup3rS3cretPw" + "@db.internal:5432/app"
TODAY = date.today().isoformat()
HINT = (
    "nothing was written: remove {it}, or pass --redact (MCP: redact=true) to store {stores} "
    "in {its} place"
)


def refusal(what: str, found: str, kinds: list[str], count: int = 1) -> str:
    many = count > 1
    hint = HINT.format(
        it="them" if many else "it",
        its="their" if many else "its",
        stores=", ".join(f"[REDACTED:{k}]" for k in kinds),
    )
    secrets = f"{count} secrets" if many else "a secret"
    return f"git-mem: error: {what} holds {secrets} ({found}); {hint}\n"


def refs(g) -> str:
    """Every ref and where it points (a refused write moves none)."""
    return g.run("for-each-ref", "--format=%(refname) %(objectname)")


def notes(g) -> str:
    return g.proc("notes", "--ref=mem", "list").stdout


def untracked(g) -> str:
    return g.run("status", "--porcelain", "--untracked-files=all")


def assert_nothing_leaked(repo: Path, result, *secrets: str) -> None:  # type: ignore[no-untyped-def]
    for secret in secrets:
        assert secret not in result.out and secret not in result.err
        assert secret[4:12] not in result.err


# ---------------------------------------------------------------------------- save


def test_save_refuses_a_secret_and_writes_nothing(repo, mem, g):
    before = refs(g)
    result = mem("save", "-m", f"token {GITHUB} for the bot")
    assert result.code == 2
    assert result.err == refusal(
        "the new memory",
        "github-pat at title 1:7; github-pat at body 1:7",
        ["github-pat"],
        count=2,
    )
    assert result.out == ""
    assert_nothing_leaked(repo, result, GITHUB)
    assert not (repo / ".memory").exists()
    assert untracked(g) == ""
    assert refs(g) == before


def test_save_commit_refuses_and_the_notes_ref_is_not_created(repo, mem, g):
    """Case 2: `save --commit HEAD -m 'deploy key AKIA... secret ...'` wrote the key into
    refs/notes/mem, which sync pushes to every clone."""
    before = refs(g)
    result = mem("save", "--commit", "HEAD", "-m", "deploy key", "-m", f"key {AWS}, db {DB_URL}")
    assert result.code == 2
    assert result.err == refusal(
        "the new memory",
        "aws-access-token at body 3:5; url-password at body 3:45",
        ["aws-access-token", "url-password"],
        count=2,
    )
    assert_nothing_leaked(repo, result, AWS, "Sup3rS3cretPw")
    assert notes(g) == ""
    assert refs(g) == before


def test_save_redact_stores_the_marker_and_the_slug_never_carries_the_secret(repo, mem, g):
    result = mem("save", "--redact", "-m", f"token {GITHUB} here")
    assert result.code == 0
    location = f".memory/facts/{TODAY}-token-redacted-github-pat-here.md"
    assert result.out == f"saved {result.saved_id} (fact) in {location}\n"
    assert result.err == (
        "git-mem: warning: redacted 2 secrets (github-pat at title 1:7; github-pat at body 1:7) "
        "before saving\n"
    )
    text = (repo / location).read_text()
    assert "title: token [REDACTED:github-pat] here\n" in text
    assert text.endswith("\ntoken [REDACTED:github-pat] here\n")
    assert GITHUB not in text and GITHUB.lower() not in location
    assert [p.name for p in (repo / ".memory" / "facts").iterdir()] == [Path(location).name]


def test_save_commit_redact_writes_the_note_without_the_secret(repo, mem, g):
    result = mem("save", "--commit", "HEAD", "--redact", "--json", "-m", f"deploy key {AWS}")
    assert result.code == 0
    data = json.loads(result.out)
    assert data["redacted"] == ["aws-access-token at title 1:12", "aws-access-token at body 1:12"]
    note = g.run("notes", "--ref=mem", "show", "HEAD")
    assert AWS not in note
    [doc] = [d for d in yaml.safe_load_all(note) if d]
    assert doc["title"] == "deploy key [REDACTED:aws-access-token]"


def test_a_secret_in_a_hand_picked_slug_is_refused(repo, mem, g):
    slug = "glpat-" + "ab12cd34ef56gh78ij90"
    result = mem("save", "--slug", slug, "-m", "harmless text")
    assert result.code == 2
    assert result.err == (
        "git-mem: error: --slug holds a secret (gitlab-pat at slug 1:1); nothing was written\n"
    )
    assert not (repo / ".memory").exists()


def test_a_refused_text_written_in_the_editor_is_kept_and_the_message_says_where(
    repo, mem, g, editor
):
    editor(f"printf 'Bot token\\n\\n{GITHUB}\\n' > \"$1\"")
    result = mem("save", tty=True)
    assert result.code == 2
    draft = g.run("rev-parse", "--git-common-dir").strip()
    path = (repo / draft / "gitmem" / "edits" / "new-fact.md").resolve()
    assert f"; nothing was written (your text is in {path}): remove it" in result.err
    assert GITHUB not in result.err
    assert path.read_text() == f"Bot token\n\n{GITHUB}\n"
    assert not (repo / ".memory" / "facts").exists()
    record_id = mem("save", "-m", "Bot token").saved_id
    editor(f"sed -i 's/^Bot token$/Bot token {GITHUB}/' \"$1\"")
    result = mem("edit", record_id, tty=True)
    assert result.code == 2
    edit_path = path.parent / f"{record_id}.md"
    assert f"nothing was written (your edit is in {edit_path})" in result.err
    assert GITHUB in edit_path.read_text()


# ---------------------------------------------------------------------------- edit


def test_edit_refuses_a_secret_it_adds_and_redact_cleans_an_old_one(repo, mem, g):
    record_id = mem("save", "-m", "Rotate keys monthly").saved_id
    path = next((repo / ".memory" / "facts").iterdir())
    before = path.read_text()
    result = mem("edit", record_id, "--set", f"summary=key {GITHUB}")
    assert result.code == 2
    assert result.err == refusal("the edited memory", "github-pat at summary 1:5", ["github-pat"])
    assert path.read_text() == before
    body = mem("edit", record_id, "--body", "-", stdin=f"line\nold key {AWS}\n")
    assert body.code == 2
    assert "aws-access-token at body 2:9" in body.err
    # A record that holds one already (written by hand): other edits still work...
    path.write_text(before.replace("\n\nRotate keys monthly\n", f"\n\nRotate keys monthly {AWS}\n"))
    assert mem("edit", record_id, "--add-tag", "ops").code == 0
    # ... and --redact alone cleans it.
    result = mem("edit", record_id, "--redact")
    assert result.code == 0
    assert result.out == f"updated {record_id} in {path.relative_to(repo).as_posix()}\n"
    assert result.err == "git-mem: warning: redacted a secret (aws-access-token at body 1:21)\n"
    assert AWS not in path.read_text()
    assert "Rotate keys monthly [REDACTED:aws-access-token]" in path.read_text()


# ---------------------------------------------------------------------------- deploy, session


def test_deploy_message_with_a_secret_is_refused_and_redacted_on_request(repo, mem, g):
    result = mem("deploy", "--env", "production", "-m", f"used {DB_URL}")
    assert result.code == 2
    assert result.err == refusal("the deploy record", "url-password at body 1:21", ["url-password"])
    assert notes(g) == ""
    result = mem("deploy", "--env", "production", "--redact", "-m", f"used {DB_URL}")
    assert result.code == 0, result.err
    assert result.err == (
        "git-mem: warning: redacted a secret (url-password at body 1:21) before recording\n"
    )
    note = g.run("notes", "--ref=mem", "show", "HEAD")
    assert "used postgres://app:[REDACTED:url-password]@db.internal:5432/app" in note
    assert "Sup3rS3cretPw" not in note
    url = mem("deploy", "--env", "staging", "--url", "https://ci:" + "Zq8xLm2Pw9@staging.example")
    assert url.code == 2
    assert "(url-password at deploy.url 1:12)" in url.err


def test_session_log_and_end_refuse_then_redact(repo, mem, g):
    assert mem("session", "start").code == 0
    result = mem("session", "log", f"the key is {AWS}")
    assert result.code == 2
    assert result.err == refusal(
        "the message", "aws-access-token at message 1:12", ["aws-access-token"]
    )
    assert mem("session", "log", "--redact", f"the key is {AWS}").code == 0
    before = refs(g)
    result = mem("session", "end", "--summary", f"Done. Token {GITHUB}")
    assert result.code == 2
    assert result.err == refusal(
        "the session summary",
        "github-pat at title 1:35; github-pat at body 1:13",
        ["github-pat"],
        count=2,
    )
    assert refs(g) == before
    assert mem("session", "status").code == 0  # still active: nothing was ended
    assert not (repo / ".memory" / "sessions").exists()
    result = mem("session", "end", "--redact", "--json", "--summary", f"Done. Token {GITHUB}")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["redacted"] == ["github-pat at title 1:35", "github-pat at body 1:13"]
    transcript = g.run("cat-file", "-p", f"refs/gitmem/sessions:{data['session']['id']}.jsonl")
    assert "the key is [REDACTED:aws-access-token]" in transcript
    assert AWS not in transcript
    summary = (repo / data["location"]).read_text()
    assert "Done. Token [REDACTED:github-pat]" in summary and GITHUB not in summary


# ---------------------------------------------------------------------------- capture, import


def test_capture_from_a_commit_message_redacts_and_says_so(repo, mem, g):
    """Case 13: a body with AKIA... and a postgres://user:password@ URL plus a Decision:
    trailer was copied into the note and pushed by sync."""
    mem("hooks", "install")
    (repo / "db.py").write_text("x = 1\n")
    g.run("add", "db.py")
    message = (
        "Move orders to PostgreSQL\n\n"
        f"Deployed with {AWS} against {DB_URL}.\n\n"
        "Decision: Use PostgreSQL for orders\n"
    )
    proc = subprocess.run(
        ["git", "commit", "-q", "-m", message], capture_output=True, text=True, env=os.environ
    )
    assert proc.returncode == 0
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("gitmem: captured 1 memory: git mem show ")
    record_id = lines[0].split()[-1]
    assert lines[1:] == [
        f"gitmem: redacted 2 secrets ({record_id}: aws-access-token at body 3:15; {record_id}: "
        "url-password at body 3:59) in the captured memory; the commit message itself still "
        "holds them: reword it (git commit --amend) before pushing"
    ]
    note = g.run("notes", "--ref=mem", "show", "HEAD")
    assert AWS not in note and "Sup3rS3cretPw" not in note
    assert "[REDACTED:aws-access-token]" in note and "[REDACTED:url-password]" in note


def test_capture_backfill_redacts_and_says_so(repo, mem, g):
    (repo / "a.py").write_text("a\n")
    g.run("add", "a.py")
    g.run("commit", "-q", "-m", f"Cache\n\nDecision: Cache tokens; bot uses {GITHUB}\n")
    dry = mem("capture", "--dry-run")
    assert dry.code == 0
    record_id = dry.out.split()[2]
    assert dry.err == (
        f"git-mem: warning: would redact 1 secret found in commit messages ({record_id}: "
        "github-pat at title 1:24): the notes hold [REDACTED:<kind>]; the commits still hold it\n"
    )
    assert notes(g) == ""
    result = mem("capture", "--json")
    data = json.loads(result.out)
    [record] = data["records"]
    assert data["redacted"] == [f"{record_id}: github-pat at title 1:24"]
    assert record["title"] == "Cache tokens; bot uses [REDACTED:github-pat]"
    note = g.run("notes", "--ref=mem", "show", "HEAD")
    assert GITHUB not in note


def test_import_redacts_conversations_and_says_so(repo, mem, g, tmp_path):
    chat = tmp_path / "chat.jsonl"
    chat.write_text(
        json.dumps({"role": "user", "content": f"deploy with {AWS}"})
        + "\n"
        + json.dumps({"role": "assistant", "content": "ok"})
        + "\n"
    )
    result = mem("import", str(chat), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    [session] = data["sessions"]
    assert data["redacted"] == [f"{session['id']}: aws-access-token at message 1 1:13"]
    blob = g.run("cat-file", "-p", f"refs/gitmem/sessions:{session['id']}.jsonl")
    assert AWS not in blob and "deploy with [REDACTED:aws-access-token]" in blob
    # Again: the message is found already there (its hash is kept), and people are told.
    again = mem("import", str(chat))
    assert again.code == 0
    assert "0 messages added, 2 duplicates skipped" in again.out
    assert again.err == (
        f"git-mem: warning: redacted 1 secret in the imported messages ({session['id']}: "
        "aws-access-token at message 1 1:13): the transcripts hold [REDACTED:<kind>]; the files "
        "imported still hold the secrets\n"
    )


# ---------------------------------------------------------------------------- pre-commit


def test_pre_commit_catches_a_key_written_with_yaml_escapes_or_folded(repo, mem, g):
    """Case 13: `"AKIA\\x49..."` passed the check and `show` printed the real key."""
    mem("hooks", "install", "pre-commit")
    escaped = AWS[:4] + "\\x" + format(ord(AWS[4]), "02x") + AWS[5:]
    path = repo / ".memory" / "facts" / "k.md"
    path.parent.mkdir(parents=True)
    path.write_text(
        "---\nid: 7k3q9x2m4pva\ntype: fact\n"
        f'title: "key {escaped}"\n'
        "created: 2026-01-01T00:00:00+00:00\n"
        f'summary: "{GITHUB[:20]}\\\n  {GITHUB[20:]}"\n'
        "---\n\nbody\n"
    )
    g.run("add", ".memory")
    head = g.run("rev-parse", "HEAD")
    proc = subprocess.run(["git", "commit", "-q", "-m", "k"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[:2] == [
        ".memory/facts/k.md: title: AWS access key id, written with YAML escapes or folding "
        "(…redacted…)",
        ".memory/facts/k.md: summary: GitHub token, written with YAML escapes or folding "
        "(…redacted…)",
    ]
    assert AWS not in proc.stderr and GITHUB not in proc.stderr
    assert g.run("rev-parse", "HEAD") == head


# ---------------------------------------------------------------------------- doctor --secrets


def test_doctor_secrets_names_records_and_note_history(repo, mem, g):
    assert mem("doctor", "--secrets").out == "no secrets in 0 records and the notes' history\n"
    saved = mem("save", "--commit", "HEAD", "-m", "plain note").saved_id
    sha = g.run("rev-parse", "HEAD").strip()
    # Secrets that got in without gitmem: a hand-edited note (escaped) and file.
    note = g.run("notes", "--ref=mem", "show", "HEAD")
    escaped = AWS[:4] + "\\x" + format(ord(AWS[4]), "02x") + AWS[5:]
    g.run(
        "notes",
        "--ref=mem",
        "add",
        "-f",
        "-m",
        note.replace("plain note\n", f'"k {escaped}"\n', 1),
        "HEAD",
    )
    path = repo / ".memory" / "facts" / "f.md"
    path.parent.mkdir(parents=True)
    path.write_text(
        "---\nid: 7k3q9x2m4pvb\ntype: fact\ntitle: db\ncreated: 2026-01-01T00:00:00+00:00\n"
        f"---\n\nuse {DB_URL}\n"
    )
    result = mem("doctor", "--secrets")
    assert result.code == 1
    assert_nothing_leaked(repo, result, AWS, "Sup3rS3cretPw")
    lines = result.out.splitlines()
    assert sorted(lines[:2]) == [
        ".memory/facts/f.md:8: 7k3q9x2m4pvb: url-password",
        f"note:{sha}: {saved}: aws-access-token at title 1:3 (YAML escapes or folding)",
    ]
    assert lines[2] == "2 secrets in 2 records and the notes' history"
    assert lines[3].startswith("hint: a secret that was pushed or shared is leaked: rotate it")
    # Redacted in the current note, the key is still in refs/notes/mem's history.
    assert mem("edit", saved, "--redact").code == 0
    path.unlink()
    result = mem("doctor", "--secrets", "--json")
    data = json.loads(result.out)
    [found] = data["secrets"]
    assert found["location"] == f"history of note:{sha}"
    assert found["message"].startswith("an earlier version (blob ")
    assert found["message"].endswith(") holds aws-access-token")
    assert any("git push --force REMOTE refs/notes/mem" in line for line in data["advice"])


# ---------------------------------------------------------------------------- MCP


@pytest.mark.slow
def test_mcp_save_and_update_refuse_or_redact(repo, mem, g):
    """Through the real MCP client and server process (`git mem mcp`)."""
    from mcp import ClientSession
    from mcpclient import drive, fails, ok

    before = refs(g)

    async def scenario(session: ClientSession) -> None:
        message = await fails(session, "save", {"text": f"deploy key {AWS}", "commit": "HEAD"})
        assert message == refusal(
            "the new memory",
            "aws-access-token at title 1:12; aws-access-token at body 1:12",
            ["aws-access-token"],
            count=2,
        ).removeprefix("git-mem: error: ").rstrip("\n")
        assert notes(g) == "" and refs(g) == before
        saved = await ok(
            session, "save", {"text": f"deploy key {AWS}", "commit": "HEAD", "redact": True}
        )
        assert saved["redacted"] == [
            "aws-access-token at title 1:12",
            "aws-access-token at body 1:12",
        ]
        message = await fails(session, "update", {"id": saved["id"], "body": f"new {GITHUB}"})
        assert message.startswith("the edited memory holds a secret (github-pat at body 1:5)")
        updated = await ok(
            session, "update", {"id": saved["id"], "body": f"new {GITHUB}", "redact": True}
        )
        assert updated["redacted"] == ["github-pat at body 1:5"]
        await ok(session, "session_start", {})
        message = await fails(session, "session_log", {"text": f"key {AWS}"})
        assert message.startswith("the message holds a secret (aws-access-token at message 1:5)")
        logged = await ok(session, "session_log", {"text": f"key {AWS}", "redact": True})
        assert logged["content"] == "key [REDACTED:aws-access-token]"

    drive(repo, scenario)
    note = g.run("notes", "--ref=mem", "show", "HEAD")
    assert AWS not in note and GITHUB not in note
    assert "new [REDACTED:github-pat]" in note
