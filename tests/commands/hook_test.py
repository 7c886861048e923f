"""`git mem hook NAME`: the pre-commit check fails closed, capture hooks fail open.

End to end through real `git commit` with the shims installed; the notes are cross-checked with
`git notes --ref=mem show` and `git log --notes=mem`.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from gitrepo import DECISION, VALID

from gitmem.capture.hooks import parse_pairs, rewritten_pairs
from gitmem.store import git

WARNING_RE = re.compile(
    r"git-mem: warning: post-commit: nothing captured: (.*) "
    r"\(details in (.*/\.git/gitmem/logs/gitmem-error\.log)\)"
)


def commit(
    repo: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        ["git", "commit", "-q", *args], cwd=repo, capture_output=True, text=True, env=full_env
    )


def notes(g, rev: str = "HEAD") -> str:
    proc = g.proc("notes", "--ref=mem", "show", rev)
    return proc.stdout if proc.returncode == 0 else ""


def stage_memory(repo: Path, g, relpath: str, text: str) -> None:
    path = repo / ".memory" / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    g.run("add", str(path))


def test_parse_pairs():
    text = "a1 b1\na2 b2 extra\n\nnot-a-pair\n"
    assert parse_pairs(text) == [("a1", "b1"), ("a2", "b2")]


# ---------------------------------------------------------------------------- pre-commit


def test_check_refuses_a_bad_staged_record_with_the_precise_error(repo, mem, g):
    mem("hooks", "install")
    stage_memory(repo, g, "decisions/a.md", VALID.replace("type: decision", "type: decisoin"))
    head = g.run("rev-parse", "HEAD")
    proc = commit(repo, "-m", "add a decision")
    assert proc.returncode == 1
    assert proc.stderr == (
        ".memory/decisions/a.md:3: type: expected one of code, decision, episodic, error, fact, "
        "procedural, user (or a type declared in .memory/config.toml)\n"
        "git-mem: error: 1 problem in memory files; fix them (a false positive secret: add "
        "'gitmem: allow-secret' to its line) or commit with --no-verify\n"
    )
    assert g.run("rev-parse", "HEAD") == head
    # Fixing the file on disk is not enough: the staged content is what is checked.
    (repo / ".memory" / "decisions" / "a.md").write_text(VALID)
    assert commit(repo, "-m", "add a decision").returncode == 1
    g.run("add", ".memory")
    proc = commit(repo, "-m", "add a decision")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def test_check_refuses_a_credential_without_echoing_it(repo, mem, g):
    mem("hooks", "install", "pre-commit")
    key = "AKIA" + "Z7Q2W3E4R5T6Y7U8"
    stage_memory(repo, g, "facts/aws.md", VALID.replace("JSONB covers", f"Key {key}; JSONB covers"))
    proc = commit(repo, "-m", "aws fact")
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0] == ".memory/facts/aws.md:8: AWS access key id (…redacted…)"
    assert key not in proc.stderr and key[4:] not in proc.stderr
    allowed = VALID.replace("JSONB covers", f"Key {key} (gitmem: allow-secret); JSONB covers")
    stage_memory(repo, g, "facts/aws.md", allowed)
    assert commit(repo, "-m", "aws fact").returncode == 0


def test_check_with_files_reads_them_from_disk(repo, mem, g):
    """The pre-commit framework's way: it names the files (unstaged changes stashed)."""
    path = repo / ".memory" / "decisions" / "a.md"
    path.parent.mkdir(parents=True)
    path.write_text(VALID)
    assert mem("hook", "pre-commit", ".memory/decisions/a.md").code == 0
    path.write_text(VALID.replace("created: 2026-11-20T14:03:11+00:00", "created: soon"))
    os.chdir(repo / ".memory")  # names relative to here are reported relative to the top
    result = mem("hook", "pre-commit", "decisions/a.md")
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        ".memory/decisions/a.md:5: created: expected an ISO 8601 timestamp with offset, got 'soon'"
    )


def test_nothing_staged_under_memory_passes_quietly(repo, mem, g):
    (repo / "src.py").write_text("print('hi')\n")
    g.run("add", "src.py")
    result = mem("hook", "pre-commit")
    assert (result.code, result.out, result.err) == (0, "", "")


# ---------------------------------------------------------------------------- capture


def test_capture_through_a_real_commit(repo, mem, g):
    assert mem("init", "--hooks").code == 0
    proc = commit(repo, "--allow-empty", "-m", DECISION)
    assert proc.returncode == 0
    match = re.fullmatch(r"gitmem: captured 1 memory: git mem show (\w{12})\n", proc.stderr)
    assert match, proc.stderr
    note = notes(g)
    assert f"id: {match.group(1)}" in note
    assert "use PostgreSQL over MongoDB for orders" in note
    assert "source: hook" in note
    assert match.group(1) in g.run("log", "-1", "--notes=mem")
    # Nothing to capture: nothing printed, no note.
    proc = commit(repo, "--allow-empty", "-m", "Fix typo in README")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert notes(g) == ""
    g.fsck(repo)


def _one_warning(stderr: str) -> tuple[str, Path]:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    match = WARNING_RE.fullmatch(lines[0])
    assert match, lines[0]
    return match.group(1), Path(match.group(2))


def test_fail_open_broken_config(repo, mem, g):
    assert mem("init", "--hooks").code == 0
    (repo / ".memory" / "config.toml").write_text("[capture\nenabled = true\n")
    proc = commit(repo, "--allow-empty", "-m", DECISION)
    assert proc.returncode == 0
    what, log = _one_warning(proc.stderr)
    assert what.startswith(".memory/config.toml: ")
    assert log == repo / ".git" / "gitmem" / "logs" / "gitmem-error.log"
    text = log.read_text()
    assert "Traceback" in text and "UsageError" in text and "hook post-commit" in text
    assert g.run("log", "-1", "--format=%s") == "Store orders in PostgreSQL\n"
    assert notes(g) == ""


def test_fail_open_notes_ref_is_not_a_commit(repo, mem, g):
    assert mem("init", "--hooks").code == 0
    blob = g.run("hash-object", "-w", "--stdin", input="not a notes commit\n").strip()
    g.run("update-ref", "refs/notes/mem", blob)
    proc = commit(repo, "--allow-empty", "-m", DECISION)
    assert proc.returncode == 0
    what, log = _one_warning(
        proc.stderr.replace("warning: notes ref refs/notes/mem is invalid\n", "")
    )
    assert what.startswith("refs/notes/mem points at a blob, not a commit")
    assert "Traceback" in log.read_text()
    assert g.run("rev-parse", "refs/notes/mem").strip() == blob  # left alone


def test_detached_head_is_captured(repo, mem, g):
    assert mem("init", "--hooks").code == 0
    g.run("checkout", "-q", "--detach")
    proc = commit(repo, "--allow-empty", "-m", DECISION)
    assert proc.returncode == 0
    assert proc.stderr.startswith("gitmem: captured 1 memory"), proc.stderr
    assert "use PostgreSQL over MongoDB" in notes(g)


def test_no_user_email_in_config(repo, mem, g):
    """git takes the identity from $EMAIL; capture must cope (or fail open), never fail."""
    assert mem("init", "--hooks").code == 0
    g.run("config", "--unset", "user.email")
    g.run("config", "--unset", "user.name")
    proc = commit(
        repo,
        "--allow-empty",
        "-m",
        DECISION,
        env={"EMAIL": "dev@example.com", "GIT_AUTHOR_NAME": "Dev"},
    )
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("gitmem: captured 1 memory"), proc.stderr
    assert "Dev <dev@example.com>" in notes(g)


def test_post_rewrite_without_stdin_recovers_the_amend(repo, mem, g):
    """As under the pre-commit framework: no pairs on stdin, the kind as the argument."""
    assert mem("init").code == 0
    assert commit(repo, "--allow-empty", "-m", DECISION).returncode == 0
    assert mem("capture").code == 0  # backfill: the record is on the commit
    old = g.run("rev-parse", "HEAD").strip()
    assert "use PostgreSQL" in notes(g, old)
    assert (
        commit(repo, "--amend", "--allow-empty", "-m", DECISION + "\nMore context.\n").returncode
        == 0
    )
    new = g.run("rev-parse", "HEAD").strip()
    assert rewritten_pairs(git.discover(repo), "amend") == [(old, new)]
    result = mem("hook", "post-rewrite", "amend", stdin="")
    assert result.code == 0, result.err
    assert notes(g, old) == ""  # moved, not copied
    assert f"commits:\n- {new}" in notes(g, new) or f"commits: [{new}]" in notes(g, new)
