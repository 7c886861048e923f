"""`git mem doctor`: exit 0 when clean; every kind of problem with its location; --json."""

from __future__ import annotations

import json

import pytest

A, B = "aaaa00000001", "aaaa00000002"


@pytest.fixture
def ready(repo, mem):
    assert mem("init").code == 0
    return repo


def note_doc(record_id: str, title: str = "In a note") -> str:
    return (
        f"---\nid: {record_id}\ntype: fact\ntitle: {title}\n"
        "created: 2026-01-01T00:00:00+00:00\nbody: |\n  text\n"
    )


def test_clean_repository(ready, mem):
    mem("save", "-m", "a file")
    mem("save", "--commit", "HEAD", "-m", "a note")
    result = mem("doctor")
    assert result.code == 0, result.out
    assert result.out == "no problems in 2 records\n"
    assert result.err == ""


def test_empty_repository_after_init(ready, mem):
    result = mem("doctor")
    assert (result.code, result.out) == (0, "no problems in 0 records\n")


def test_missing_rewrite_ref(repo, mem):
    result = mem("doctor")
    assert result.code == 1
    assert result.out == (
        "git config: notes.rewriteRef lacks refs/notes/mem; run `git mem init`\n"
        "1 problem in 0 records\n"
    )
    assert mem("init").code == 0
    assert mem("doctor").code == 0


def test_missing_fetch_refspec(ready, mem, g, tmp_path):
    g.run("remote", "add", "origin", str(g.make_repo(tmp_path / "origin")))
    result = mem("doctor")
    assert result.code == 1
    assert result.out == (
        "git config: remote.origin.fetch lacks +refs/notes/mem*:refs/notes/remotes/origin/mem*; "
        "run `git mem init`\n1 problem in 0 records\n"
    )


def test_malformed_file(ready, mem, g):
    g.write_record(ready, "facts/good.md", A)
    (ready / ".memory" / "facts" / "bad.md").write_text(
        "---\nid: bbbb00000001\ntype: fact\ntitle: bad: colon\n"
        "created: 2026-01-01T00:00:00+00:00\n---\n\nx\n"
    )
    result = mem("doctor")
    assert result.code == 1
    assert result.out == (
        ".memory/facts/bad.md:4: invalid YAML: mapping values are not allowed in this context\n"
        "1 problem in 1 record\n"
    )


def test_non_utf8_file(ready, mem):
    (ready / ".memory" / "facts").mkdir()
    (ready / ".memory" / "facts" / "latin.md").write_bytes(b"---\nid: x\ntitle: Caf\xe9\n---\n")
    result = mem("doctor")
    assert result.code == 1
    assert result.out == (
        ".memory/facts/latin.md:3: not valid UTF-8 (byte 0xe9); re-save the file as UTF-8\n"
        "1 problem in 0 records\n"
    )


def test_duplicate_id_across_a_file_and_a_note(ready, mem, g):
    head = g.run("rev-parse", "HEAD").strip()
    g.write_record(ready, "facts/a.md", A)
    g.run("notes", "--ref=mem", "add", "-m", note_doc(A), "HEAD")
    result = mem("doctor")
    assert result.code == 1
    lines = result.out.splitlines()
    assert sorted(lines[:-1]) == sorted(
        [
            f".memory/facts/a.md: duplicate id {A} (also in note:{head})",
            f"note:{head}: duplicate id {A} (also in .memory/facts/a.md)",
        ]
    )
    assert lines[-1] == "2 problems in 2 records"


def test_dangling_link_and_supersedes(ready, mem, g):
    g.write_record(ready, "facts/a.md", A, links=f"[{B}]", supersedes="[bbbbbbbbbbbb]")
    result = mem("doctor")
    assert result.code == 1
    assert result.out == (
        f".memory/facts/a.md: {A}: links names unknown memory {B}\n"
        f".memory/facts/a.md: {A}: supersedes names unknown memory bbbbbbbbbbbb\n"
        "2 problems in 1 record\n"
    )
    g.write_record(ready, "facts/b.md", B)
    assert mem("doctor").out.endswith("1 problem in 2 records\n")


def test_dangling_link_after_rm(ready, mem, g):
    target = mem("save", "-m", "target").saved_id
    referrer = mem("save", "--link", target, "-m", "referrer")
    g.run("add", ".memory")
    g.run("commit", "-qm", "memory")  # rm refuses an uncommitted file without --force
    assert mem("rm", target).code == 0
    result = mem("doctor")
    assert result.code == 1
    assert result.out == (
        f"{referrer.location}: {referrer.saved_id}: links names unknown memory {target}\n"
        "1 problem in 1 record\n"
    )


def test_file_in_the_wrong_folder(ready, mem, g):
    g.write_record(ready, "facts/a.md", A, type="decision")
    g.write_record(ready, "b.md", B)
    result = mem("doctor")
    assert result.code == 1
    assert sorted(result.out.splitlines()[:-1]) == [
        ".memory/b.md: a fact belongs in .memory/facts/ (it is read anyway)",
        ".memory/facts/a.md: a decision belongs in .memory/decisions/ (it is read anyway)",
    ]
    # ... and both are still listed.
    assert mem("list").out.count("\n") == 2


def test_note_on_a_missing_object(ready, mem, g):
    # A commit nothing points at: gc prunes it, and the note stays behind until `git notes prune`.
    tree = g.run("rev-parse", "HEAD^{tree}").strip()
    orphan = g.run("commit-tree", tree, "-m", "soon gone").strip()
    assert mem("save", "--commit", orphan, "-m", "about a doomed commit").code == 0
    g.run("reflog", "expire", "--expire=now", "--all")
    g.run("gc", "-q", "--prune=now")
    assert g.proc("cat-file", "-e", orphan).returncode != 0
    result = mem("doctor")
    assert result.code == 1
    assert result.out == (
        f"note:{orphan}: the commit this note is about no longer exists "
        "(`git notes --ref=mem prune` drops such notes)\n"
        "1 problem in 1 record\n"
    )
    g.run("notes", "--ref=mem", "prune")
    assert mem("doctor").out == "no problems in 0 records\n"


def test_invalid_config_toml(ready, mem):
    (ready / ".memory" / "config.toml").write_text("[types\n")
    result = mem("doctor")
    assert result.code == 1
    assert result.out == (
        ".memory/config.toml: Expected ']' at the end of a table declaration (at line 1, "
        "column 7)\n1 problem in 0 records\n"
    )


def test_doctor_json(ready, mem, g):
    g.write_record(ready, "facts/a.md", A, links=f"[{B}]")
    result = mem("doctor", "--json")
    assert result.code == 1
    assert json.loads(result.out) == {
        "records": 1,
        "problems": [
            {
                "location": ".memory/facts/a.md",
                "message": f"{A}: links names unknown memory {B}",
                "line": None,
            }
        ],
        "undecided_notes": [],
    }
    g.write_record(ready, "facts/b.md", B)
    result = mem("doctor", "--json")
    assert result.code == 0
    assert json.loads(result.out) == {"records": 2, "problems": [], "undecided_notes": []}


def test_doctor_with_a_notes_ref_pointing_at_a_tree(ready, mem, g):
    g.run("update-ref", "refs/notes/mem", g.run("rev-parse", "HEAD^{tree}").strip())
    result = mem("doctor")
    assert result.code == 128
    assert result.err == (
        "git-mem: error: refs/notes/mem points at a tree, not a commit; inspect it with "
        "`git show refs/notes/mem` and move it aside with `git update-ref -d refs/notes/mem` "
        "once its content is safe\n"
    )


def test_doctor_end_to_end(ready, g):
    proc = g.git_mem("doctor", cwd=ready)
    assert (proc.returncode, proc.stdout) == (0, "no problems in 0 records\n")
    g.write_record(ready, "b.md", B)
    proc = g.git_mem("doctor", cwd=ready)
    assert proc.returncode == 1
    assert "\x1b[" not in proc.stdout


def test_a_bad_capture_table_is_reported_but_blocks_no_reading(ready, mem):
    # The [capture] table is capture's: doctor, the hook and `git mem capture` report it, while
    # commands that never capture (list, search, show) go on working.
    (ready / ".memory" / "config.toml").write_text("[capture]\nbogus = 1\n")
    saved = mem("save", "-m", "still readable")
    assert saved.code == 0, saved.err
    listed = mem("list")
    assert listed.code == 0 and "still readable" in listed.out
    result = mem("doctor")
    assert result.code == 1
    assert (
        result.out.startswith(".memory/config.toml: ") and "unknown setting 'bogus'" in result.out
    )
    assert result.out.endswith("1 problem in 1 record\n")
    captured = mem("capture", "--dry-run")
    assert captured.code != 0 and "[capture]" in captured.err
