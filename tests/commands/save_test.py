"""`git mem save`: files under .memory/, notes with --commit, and every refusal."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import yaml

from gitmem.store.front_matter import parse_file
from gitmem.store.record import ID_RE

TODAY = date.today().isoformat()


def front_matter(path):
    text = path.read_text(encoding="utf-8")
    _, fm, body = text.split("---\n", 2)
    return yaml.safe_load(fm), body


# ------------------------------------------------------------------ the text, four ways


def test_save_with_message_writes_a_fact_file(repo, mem, g):
    result = mem("save", "-m", "The staging DB is reset every Sunday")
    record_id = result.saved_id
    assert ID_RE.fullmatch(record_id)
    location = f".memory/facts/{TODAY}-the-staging-db-is-reset-every-sunday.md"
    assert result.out == f"saved {record_id} (fact) in {location}\n"
    assert result.err == ""
    path = repo / location
    text = path.read_text()
    fields, body = front_matter(path)
    assert fields["id"] == record_id
    assert fields["type"] == "fact"
    assert fields["title"] == "The staging DB is reset every Sunday"
    assert fields["author"] == "Test User <test@example.com>"
    assert fields["status"] == "active"
    assert fields["source"] == "cli"
    assert re.search(r"^created: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", text, re.M)
    assert body == "\nThe staging DB is reset every Sunday\n"
    # Key order on write is the design's order.
    keys = [line.split(":")[0] for line in text.split("---\n")[1].splitlines()]
    assert keys == ["id", "type", "title", "created", "author", "status", "source"]
    g.fsck(repo)


def test_repeated_m_makes_paragraphs(repo, mem):
    result = mem("save", "-m", "Title line", "-m", "Second paragraph.")
    text = (repo / result.location).read_text()
    assert text.endswith("---\n\nTitle line\n\nSecond paragraph.\n")


def test_save_with_positional_words(repo, mem):
    result = mem("save", "Deploys", "freeze", "on", "Fridays")
    memory = parse_file((repo / result.location).read_text(), "x")
    assert memory.title == "Deploys freeze on Fridays"
    assert memory.body == "Deploys freeze on Fridays\n"


def test_save_from_stdin(repo, mem):
    text = "# Retry budget\n\nClients retry 3 times with jitter.\n"
    result = mem("save", "-t", "procedural", "-", stdin=text)
    assert result.location == f".memory/procedures/{TODAY}-retry-budget.md"
    memory = parse_file((repo / result.location).read_text(), "x")
    assert memory.type == "procedural"
    assert memory.title == "Retry budget"
    assert memory.body == text


def test_dash_must_be_the_only_text_argument(repo, mem):
    result = mem("save", "one", "-")
    assert result.code == 2
    assert result.err == "git-mem: error: '-' (read stdin) must be the only text argument\n"


def test_save_without_text_and_without_a_terminal(repo, mem):
    result = mem("save")
    assert result.code == 2
    assert result.err == (
        "git-mem: error: nothing to save: give the text with -m, as arguments, or '-' to read "
        "stdin\n"
    )


def test_save_in_the_editor(repo, mem, editor):
    editor("printf 'Cache TTL is 5 minutes\\n\\nSet in settings.py.\\n' > \"$1\"")
    result = mem("save", tty=True)
    memory = parse_file((repo / result.location).read_text(), "x")
    assert memory.title == "Cache TTL is 5 minutes"
    assert memory.body == "Cache TTL is 5 minutes\n\nSet in settings.py.\n"


def test_decision_template_is_offered_in_the_editor(repo, mem, editor, monkeypatch, tmp_path):
    seen = tmp_path / "seen.md"
    editor(
        f'cp "$1" {seen}\n'
        'sed -i "s/^<!-- What we will do. -->$/Use PostgreSQL./" "$1"\n'
        'sed -i "1i Use PostgreSQL over MongoDB\\n" "$1"'
    )
    result = mem("save", "--type", "decision", tty=True)
    assert result.code == 0, result.err
    template = seen.read_text()
    for heading in ("## Context", "## Decision", "## Alternatives", "## Consequences"):
        assert heading in template
    assert result.location == f".memory/decisions/{TODAY}-use-postgresql-over-mongodb.md"
    memory = parse_file((repo / result.location).read_text(), "x")
    assert memory.type == "decision"
    assert memory.title == "Use PostgreSQL over MongoDB"
    assert "## Decision\n\nUse PostgreSQL.\n" in memory.body
    assert "<!--" not in memory.body  # the template's comments are stripped


def test_decision_draft_asks_for_the_title_on_its_first_line(repo, mem, editor, tmp_path):
    """The user replaces the first line and fills in the sections: the title is that line."""
    seen = tmp_path / "seen.md"
    editor(
        f'cp "$1" {seen}\n'
        'sed -i "1s/.*/Use structlog for logging/" "$1"\n'
        'sed -i "s/^<!-- What we will do. -->$/Adopt structlog everywhere./" "$1"'
    )
    result = mem("save", "--type", "decision", tty=True)
    assert result.code == 0, result.err
    assert seen.read_text().splitlines()[:3] == [
        "TITLE: replace this line with the memory's title",
        "",
        "## Context",
    ]
    assert result.out.endswith(f"in .memory/decisions/{TODAY}-use-structlog-for-logging.md\n")
    memory = parse_file((repo / result.location).read_text(), "x")
    assert memory.title == "Use structlog for logging"
    assert memory.body.startswith("Use structlog for logging\n\n## Context\n")
    assert "## Decision\n\nAdopt structlog everywhere.\n" in memory.body


@pytest.mark.parametrize(
    ("script", "error"),
    [
        (  # sections filled in, the placeholder left as it is
            'sed -i "s/^<!-- What we will do. -->$/Adopt structlog./" "$1"',
            "no title: the first line is still the placeholder; replace it with the memory's "
            "title, or pass --title",
        ),
        (  # the placeholder deleted: the first line is a heading
            'sed -i "1,2d" "$1"\nsed -i "s/^<!-- What we will do. -->$/Adopt structlog./" "$1"',
            "no title: the first line is the template's heading '## Context'; write the title "
            "above it, or pass --title",
        ),
    ],
)
def test_decision_draft_without_a_title_is_refused(repo, mem, editor, script, error):
    editor(script)
    result = mem("save", "--type", "decision", tty=True)
    assert result.code == 2
    draft = repo / ".git" / "gitmem" / "edits" / "new-decision.md"
    assert result.err == f"git-mem: error: {error} (draft kept in {draft})\n"
    assert "Adopt structlog." in draft.read_text()
    assert not (repo / ".memory" / "decisions").exists()


def test_decision_draft_with_title_option_has_no_placeholder(repo, mem, editor, tmp_path):
    seen = tmp_path / "seen.md"
    editor(f'cp "$1" {seen}\nsed -i "s/^<!-- What we will do. -->$/Adopt structlog./" "$1"')
    result = mem("save", "--type", "decision", "--title", "Use structlog", tty=True)
    assert result.code == 0, result.err
    assert seen.read_text().startswith("## Context\n")
    memory = parse_file((repo / result.location).read_text(), "x")
    assert memory.title == "Use structlog"


def test_editor_left_with_the_bare_template_saves_nothing(repo, mem, editor, monkeypatch):
    editor("true")
    result = mem("save", "-t", "decision", tty=True)
    assert result.code == 2
    assert result.err.startswith(
        "git-mem: error: nothing to save: the text was left empty (draft kept in "
    )
    assert not (repo / ".memory" / "decisions").exists()


def test_failing_editor_saves_nothing(repo, mem, editor, monkeypatch):
    editor("exit 3")
    result = mem("save", tty=True)
    assert result.code == 128
    assert "exited with 3; your text is in " in result.err
    assert not (repo / ".memory").exists()


# ------------------------------------------------------------------ fields from options


def test_type_decision_goes_to_decisions(repo, mem):
    result = mem("save", "-t", "decision", "--title", "Use PostgreSQL", "-m", "JSONB covers it")
    assert result.out.endswith(f"(decision) in .memory/decisions/{TODAY}-use-postgresql.md\n")
    memory = parse_file((repo / result.location).read_text(), "x")
    assert (memory.title, memory.body) == ("Use PostgreSQL", "JSONB covers it\n")


@pytest.mark.parametrize(
    ("type_name", "folder"),
    [
        ("fact", "facts"),
        ("decision", "decisions"),
        ("code", "patterns"),
        ("error", "errors"),
        ("procedural", "procedures"),
        ("episodic", "sessions"),
        ("user", "preferences"),
    ],
)
def test_type_folders(repo, mem, type_name, folder):
    result = mem("save", "-t", type_name, "-m", "x")
    assert result.location == f".memory/{folder}/{TODAY}-x.md"


def test_custom_type_from_config(repo, mem):
    (repo / ".memory").mkdir()
    (repo / ".memory" / "config.toml").write_text('[types]\nrunbook = "runbooks"\n')
    result = mem("save", "-t", "runbook", "-m", "Restart the queue")
    assert result.location == f".memory/runbooks/{TODAY}-restart-the-queue.md"


def test_tags_in_comma_lists_are_normalised(repo, mem):
    result = mem("save", "--tag", "Database,adr", "--tag", "big data", "--tag", "adr", "-m", "x")
    fields, _ = front_matter(repo / result.location)
    assert fields["tags"] == ["database", "adr", "big-data"]
    assert "tags: [database, adr, big-data]\n" in (repo / result.location).read_text()


def test_bad_tag_is_refused(repo, mem):
    result = mem("save", "--tag", "#hash", "-m", "x")
    assert result.code == 2
    assert (
        result.err == "git-mem: error: bad tag '#hash': use lowercase letters, digits and hyphens\n"
    )


def test_meta_values_are_typed(repo, mem):
    result = mem(
        "save", "--meta", "sprint=42", "--meta", "ratio=0.5", "--meta", "done=true",
        "--meta", "owner=Jane Doe", "-m", "x",
    )  # fmt: skip
    fields, _ = front_matter(repo / result.location)
    assert fields["metadata"] == {"sprint": 42, "ratio": 0.5, "done": True, "owner": "Jane Doe"}


def test_summary_project_tool_status(repo, mem):
    result = mem(
        "save", "--summary", "short", "--project", "backend", "--tool", "claude-code",
        "--status", "proposed", "-m", "x",
    )  # fmt: skip
    fields, _ = front_matter(repo / result.location)
    assert (fields["summary"], fields["project"], fields["tool"], fields["status"]) == (
        "short",
        "backend",
        "claude-code",
        "proposed",
    )


def test_unknown_status_is_refused(repo, mem):
    result = mem("save", "--status", "done", "-m", "x")
    assert result.code == 2
    assert result.err == (
        "git-mem: error: unknown status 'done': expected one of active, proposed, accepted, "
        "superseded, deprecated, rejected\n"
    )


def test_paths_are_relative_to_the_cwd_like_git(repo, mem, monkeypatch):
    (repo / "src" / "db").mkdir(parents=True)
    monkeypatch.chdir(repo / "src")
    result = mem("save", "--path", "db/", "--path", "../README", "--path", "*.py", "-m", "x")
    assert result.code == 0, result.err
    # The file still goes to the top level's .memory/.
    assert (repo / result.location).is_file()
    assert not (repo / "src" / ".memory").exists()
    fields, _ = front_matter(repo / result.location)
    assert fields["paths"] == ["src/db/", "README", "src/*.py"]


def test_path_escaping_the_repository_is_refused(repo, mem):
    result = mem("save", "--path", "../elsewhere", "-m", "x")
    assert result.code == 2
    assert result.err == (
        f"git-mem: error: path '../elsewhere' is outside the repository ({repo})\n"
    )
    result = mem("save", "--path", "/etc/passwd", "-m", "x")
    assert result.code == 2
    assert result.err == f"git-mem: error: path '/etc/passwd' is outside the repository ({repo})\n"
    assert not (repo / ".memory").exists()


def test_path_naming_the_whole_repository_is_refused(repo, mem):
    result = mem("save", "--path", ".", "-m", "x")
    assert result.code == 2
    assert result.err == "git-mem: error: path '.' is the whole repository; leave --path out\n"


def test_link_and_supersedes_by_prefix(repo, mem, g):
    old = mem("save", "-m", "Use MySQL").saved_id
    related = mem("save", "-m", "Backups nightly").saved_id
    result = mem("save", "-t", "decision", "--link", related[:5], "--supersedes", old[:4],
                 "-m", "Use PostgreSQL")  # fmt: skip
    new = result.saved_id
    fields, _ = front_matter(repo / result.location)
    assert fields["links"] == [related]
    assert fields["supersedes"] == [old]
    # The replaced record now reads as superseded, and got `updated`.
    old_path = next((repo / ".memory" / "facts").glob("*use-mysql.md"))
    old_fields, _ = front_matter(old_path)
    assert old_fields["status"] == "superseded"
    assert "updated" in old_fields
    assert new not in old_path.read_text()
    g.fsck(repo)


def test_link_to_an_unknown_id_is_refused(repo, mem):
    result = mem("save", "--link", "zzzzzz", "-m", "x")
    assert result.code == 1
    assert result.err == "git-mem: error: no memory with an id starting 'zzzzzz'\n"
    assert not (repo / ".memory" / "facts").exists()


def test_slug(repo, mem):
    result = mem("save", "--slug", "my-slug", "-m", "Whatever title")
    assert result.location == f".memory/facts/{TODAY}-my-slug.md"


@pytest.mark.parametrize("slug", ["BAD", "a_b", "-x", "x-", "a--b", "../up", ""])
def test_bad_slug_is_refused(repo, mem, slug):
    result = mem("save", f"--slug={slug}", "-m", "x")
    assert result.code == 2
    assert result.err == (
        f"git-mem: error: bad --slug {slug!r}: use lowercase letters, digits and hyphens, "
        "e.g. use-postgresql\n"
    )


def test_slug_collision_gets_a_number(repo, mem):
    # Different texts under one title (the same text twice would be a near-duplicate).
    first = mem("save", "--title", "Same title", "-m", "Staging resets on Sundays").location
    second = mem("save", "--title", "Same title", "-m", "Builds run on two cores").location
    third = mem("save", "--title", "Same title", "-m", "Backups are kept a year").location
    assert first == f".memory/facts/{TODAY}-same-title.md"
    assert second == f".memory/facts/{TODAY}-same-title-2.md"
    assert third == f".memory/facts/{TODAY}-same-title-3.md"


def test_long_title_is_shortened(repo, mem):
    result = mem("save", "-m", "word " * 60)
    memory = parse_file((repo / result.location).read_text(), "x")
    assert len(memory.title) <= 120
    assert memory.title.endswith("...")


def test_save_json(repo, mem):
    result = mem("save", "--json", "-t", "error", "-m", "Timeouts from the cache")
    data = json.loads(result.out)
    assert data == {
        "id": data["id"],
        "type": "error",
        "title": "Timeouts from the cache",
        "location": f".memory/errors/{TODAY}-timeouts-from-the-cache.md",
    }
    assert ID_RE.fullmatch(data["id"])


# ------------------------------------------------------------------ refusals


def test_empty_body_is_refused(repo, mem):
    for args in (["-m", ""], ["-m", "  \n\n "], ["-"]):
        result = mem("save", *args, stdin="\n\n")
        assert result.code == 2
        assert result.err == "git-mem: error: nothing to save: the text is empty\n"
    assert not (repo / ".memory").exists()


def test_unknown_type_is_refused(repo, mem):
    result = mem("save", "-t", "bogus", "-m", "x")
    assert result.code == 2
    assert result.err == (
        "git-mem: error: unknown type 'bogus': expected one of fact, decision, code, error, "
        "procedural, episodic, user\n"
    )


@pytest.mark.parametrize("meta", ["sprint", "=42", "two words=1", "1x=2"])
def test_malformed_meta_is_refused(repo, mem, meta):
    result = mem("save", "--meta", meta, "-m", "x")
    assert result.code == 2
    assert result.err == (
        f"git-mem: error: bad --meta {meta!r}: expected KEY=VALUE, e.g. --meta sprint=42\n"
    )


def test_unresolvable_commit_is_refused(repo, mem, g):
    result = mem("save", "--commit", "no-such-rev", "-m", "x")
    assert result.code == 2
    assert result.err == "git-mem: error: cannot resolve 'no-such-rev' to a commit\n"
    blob = g.run("rev-parse", "HEAD:README").strip()
    result = mem("save", "--commit", blob, "-m", "x")
    assert result.code == 2
    assert result.err == f"git-mem: error: cannot resolve '{blob}' to a commit\n"
    assert g.proc("rev-parse", "--verify", "-q", "refs/notes/mem").returncode == 1


def test_not_a_git_repository(tmp_path, mem, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    result = mem("save", "-m", "x")
    assert result.code == 128
    assert result.err == (
        "git-mem: error: not a git repository (or any of the parent directories): .git\n"
    )
    assert not (tmp_path / ".memory").exists()


# ------------------------------------------------------------------ notes with --commit


def test_save_commit_writes_a_note(repo, mem, g):
    head = g.run("rev-parse", "HEAD").strip()
    result = mem(
        "save",
        "-t",
        "error",
        "--commit",
        "HEAD",
        "--tag",
        "ci",
        "-m",
        "Flaky test\n\nIt was the clock.",
    )
    record_id = result.saved_id
    assert result.out == f"saved {record_id} (error) in note:{head}\n"
    note = g.run("notes", "--ref=mem", "show", head)
    docs = list(yaml.safe_load_all(note))
    assert len(docs) == 1
    assert docs[0]["id"] == record_id
    assert docs[0]["type"] == "error"
    assert docs[0]["commits"] == [head]
    assert docs[0]["tags"] == ["ci"]
    assert docs[0]["body"] == "Flaky test\n\nIt was the clock.\n"
    assert note.startswith(f"---\nid: {record_id}\ntype: error\ntitle: Flaky test\n")
    assert "body: |\n  Flaky test\n\n  It was the clock.\n" in note
    log = g.run("log", "-1", "--notes=mem")
    assert "Notes (mem):" in log
    assert f"id: {record_id}" in log
    # Nothing in the work tree.
    assert not (repo / ".memory").exists()
    g.fsck(repo)


def test_second_save_on_one_commit_appends_a_document(repo, mem, g):
    first = mem("save", "--commit", "HEAD", "-m", "one").saved_id
    second = mem("save", "--commit", "HEAD", "-m", "two").saved_id
    docs = list(yaml.safe_load_all(g.run("notes", "--ref=mem", "show", "HEAD")))
    assert [doc["id"] for doc in docs] == [first, second]
    # Each write is one commit on the notes ref, with a message naming the record.
    assert g.run("log", "--format=%s", "refs/notes/mem") == (
        f"gitmem: save {second}\ngitmem: save {first}\n"
    )
    g.fsck(repo)


def test_save_commit_appends_to_a_note_written_by_hand(repo, mem, g, ids):
    g.run("notes", "--ref=mem", "add", "-m", "written by hand", "HEAD")
    record_id = mem("save", "--commit", "HEAD", "-m", "by gitmem").saved_id
    note = g.run("notes", "--ref=mem", "show", "HEAD")
    assert note.startswith("written by hand\n---\n")
    assert len(ids()) == 2
    assert record_id in ids()
    g.fsck(repo)


def test_save_commit_with_an_abbreviated_rev(repo, mem, g):
    (repo / "f").write_text("x")
    g.run("add", "f")
    g.run("commit", "-qm", "second")
    first = g.run("rev-parse", "HEAD~1").strip()
    result = mem("save", "--commit", first[:7], "-m", "about the first commit")
    assert result.location == f"note:{first}"


def test_bare_repository_file_save_is_refused_but_commit_works(repo, mem, g, tmp_path, monkeypatch):
    bare = tmp_path / "bare.git"
    g.run("clone", "-q", "--bare", str(repo), str(bare))
    monkeypatch.chdir(bare)
    result = mem("save", "-m", "x")
    assert result.code == 128
    assert result.err == (
        f"git-mem: error: this command needs a work tree, but {bare} is a bare repository; "
        "records can still be attached to commits with --commit\n"
    )
    result = mem("save", "--commit", "HEAD", "-m", "CI deployed this")
    assert result.code == 0, result.err
    head = g.run("rev-parse", "HEAD", cwd=bare).strip()
    assert result.location == f"note:{head}"
    assert "CI deployed this" in g.run("notes", "--ref=mem", "show", "HEAD", cwd=bare)
    listing = mem("list")
    assert listing.code == 0, listing.err
    assert listing.out.endswith(f" fact       CI deployed this  note:{head[:7]}\n")
    assert (bare / "gitmem" / "index" / "main" / "manifest").is_file()
    g.fsck(bare)


def test_file_save_from_inside_the_git_dir_is_refused(repo, mem, monkeypatch):
    monkeypatch.chdir(repo / ".git")
    result = mem("save", "-m", "x")
    assert result.code == 128
    assert result.err == (
        f"git-mem: error: this command needs a work tree, but {repo / '.git'} is inside the git "
        "directory; records can still be attached to commits with --commit\n"
    )
    assert mem("save", "--commit", "HEAD", "-m", "x").code == 0


def test_empty_repository_file_save_works(tmp_path, mem, g, monkeypatch, ids):
    empty = g.make_repo(tmp_path / "empty", commit=False)
    monkeypatch.chdir(empty)
    result = mem("save", "-m", "First memory before the first commit")
    assert result.code == 0, result.err
    assert (empty / result.location).is_file()
    assert ids() == [result.saved_id]
    result = mem("save", "--commit", "HEAD", "-m", "x")
    assert result.code == 2
    assert result.err == "git-mem: error: cannot resolve 'HEAD' to a commit\n"
    g.fsck(empty)


def test_git_dir_and_work_tree_from_the_environment(repo, mem, g, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("GIT_DIR", str(repo / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(repo))
    result = mem("save", "-m", "via the environment")
    assert result.code == 0, result.err
    assert (repo / result.location).is_file()
    assert not (elsewhere / ".memory").exists()
    assert mem("save", "--commit", "HEAD", "-m", "note via env").code == 0
    assert "note via env" in g.run("notes", "--ref=mem", "show", "HEAD", cwd=repo)


def test_relative_git_dir_and_work_tree(repo, mem, g, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("GIT_DIR", "../repo/.git")
    monkeypatch.setenv("GIT_WORK_TREE", "../repo")
    result = mem("save", "-m", "relative environment")
    assert result.code == 0, result.err
    assert (repo / result.location).is_file()
    result = mem("save", "--commit", "HEAD", "-m", "relative note")
    assert result.code == 0, result.err
    result = mem("list")
    assert result.code == 0, result.err
    assert "relative environment" in result.out
    assert "relative note" in result.out
    monkeypatch.chdir(repo)
    monkeypatch.setenv("GIT_DIR", ".git")
    monkeypatch.delenv("GIT_WORK_TREE")
    assert mem("init").code == 0
    assert g.run("config", "notes.rewriteRef", cwd=repo) == "refs/notes/mem\n"


def test_linked_worktree_keeps_state_in_the_common_dir(repo, mem, g, tmp_path, monkeypatch, ids):
    worktree = tmp_path / "wt"
    g.run("worktree", "add", "-q", "-b", "feature", str(worktree))
    monkeypatch.chdir(worktree)
    result = mem("save", "-m", "from the worktree")
    assert result.code == 0, result.err
    assert (worktree / result.location).is_file()
    assert not (repo / result.location).exists()
    assert ids() == [result.saved_id]
    common = repo / ".git"
    assert (common / "gitmem" / "index" / "wt-wt" / "manifest").is_file()  # its own index
    assert not (common / "worktrees" / "wt" / "gitmem").exists()
    assert not (worktree / ".git").is_dir()  # still the gitdir pointer file
    # A note saved from the worktree is shared with the main work tree.
    note = mem("save", "--commit", "HEAD", "-m", "note from the worktree").saved_id
    monkeypatch.chdir(repo)
    assert ids() == [note]
    g.fsck(repo)


def test_end_to_end_through_git(repo, g):
    proc = g.git_mem("save", "-t", "decision", "-m", "Use PostgreSQL", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert re.fullmatch(
        rf"saved [0-9a-z]{{12}} \(decision\) in \.memory/decisions/{TODAY}-use-postgresql\.md\n",
        proc.stdout,
    )
    proc = g.git_mem("save", "-", cwd=repo / ".memory", input="From stdin\n")
    assert proc.returncode == 0, proc.stderr
    proc = g.git_mem("save", "--commit", "HEAD", "-m", "a note", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    proc = g.git_mem("save", "-t", "nope", "-m", "x", cwd=repo)
    assert proc.returncode == 2
    assert proc.stderr.startswith("git-mem: error: unknown type 'nope'")
    g.fsck(repo)


def test_not_a_repository_end_to_end(tmp_path, g, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    proc = g.git_mem("save", "-m", "x", cwd=tmp_path)
    assert proc.returncode == 128
    assert proc.stderr == (
        "git-mem: error: not a git repository (or any of the parent directories): .git\n"
    )
