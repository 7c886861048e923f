"""The checkpoint core on real repositories: snapshots, chains, names, specs, user state."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gitmem.checkpoints import checkpoint
from gitmem.errors import NotFoundError, UsageError
from gitmem.store import git

REF = "refs/gitmem/checkpoints/"


def at(minute: int, second: int = 0) -> datetime:
    return datetime(2026, 11, 22, 1, minute, second, tzinfo=UTC)


@pytest.fixture
def work(repo: Path, g) -> Path:
    """Tracked, modified, staged, untracked, ignored and binary files, and a stash."""
    (repo / "src").mkdir()
    (repo / "src" / "app.py").write_text("print('hello world')\n")
    (repo / ".gitignore").write_text("*.log\nbuild/\n")
    g.run("add", ".")
    g.run("commit", "-q", "-m", "app")
    (repo / "src" / "app.py").write_text("print('stashed')\n")
    g.run("stash", "-q")
    (repo / "README").write_text("hello again\n")  # modified, unstaged
    (repo / "staged.txt").write_text("one two three\n")
    g.run("add", "staged.txt")
    (repo / "notes.md").write_text("untracked words here\n")
    (repo / "debug.log").write_text("ignored\n")
    (repo / "build").mkdir()
    (repo / "build" / "out.txt").write_text("ignored too\n")
    (repo / "image.bin").write_bytes(b"\x89PNG\x00\x01\x02")
    (repo / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    return repo


def user_state(repo: Path, g) -> dict[str, object]:
    return {
        "index": (repo / ".git" / "index").read_bytes(),
        "refs": g.run("rev-parse", "HEAD", "refs/stash", "--symbolic-full-name", "HEAD"),
        "status": g.run("status", "--porcelain=v2", "--untracked-files=all"),
        "stash": g.run("stash", "list"),
        "files": {p: p.read_bytes() for p in sorted(repo.rglob("*")) if ".git" not in p.parts
                  and p.is_file()},
    }  # fmt: skip


def test_save_snapshots_the_work_tree_and_leaves_the_user_state_alone(work, g):
    before = user_state(work, g)
    saved = checkpoint.save(git.discover(), "wip", stage="draft", notes="first", now=at(5))
    assert user_state(work, g) == before

    paths = [".gitignore", "README", "image.bin", "latin1.txt", "notes.md", "src/app.py",
             "staged.txt"]  # fmt: skip
    assert [row["path"] for row in saved.files] == paths
    assert g.run("ls-tree", "-r", "--name-only", REF + "wip").split() == paths
    assert g.run("rev-parse", REF + "wip").strip() == saved.commit
    # Every row describes the file as it is on disk and as the tree holds it.
    for row in saved.files:
        data = (work / row["path"]).read_bytes()
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
        assert row["size"] == len(data)
        stored = g.run("rev-parse", f"{REF}wip:{row['path']}").strip()
        assert stored == g.run("hash-object", row["path"]).strip()
    words = {row["path"]: row["words"] for row in saved.files}
    assert words == {".gitignore": 2, "README": 2, "image.bin": None, "latin1.txt": None,
                     "notes.md": 3, "src/app.py": 2, "staged.txt": 3}  # fmt: skip
    assert saved.totals == {"files": 7, "words": 12, "bytes": sum(r["size"] for r in saved.files)}
    g.fsck(work)


def test_message_format_is_the_contract(work, g):
    saved = checkpoint.save(
        git.discover(),
        "wip",
        stage="draft",
        notes="n",
        metadata={"ticket": "ABC-1"},
        done=["lexer"],
        todo=["parser", "docs"],
        now=at(5, 7),
    )
    message = g.run("log", "-1", "--format=%B", REF + "wip")
    first, blank, rest = message.split("\n", 2)
    assert (first, blank) == ("checkpoint wip: draft", "")
    meta = json.loads(rest)
    assert rest.strip() == json.dumps(meta, indent=2, sort_keys=True)
    head = g.run("rev-parse", "HEAD").strip()
    assert {k: v for k, v in meta.items() if k not in ("files", "totals")} == {
        "gitmem_checkpoint": 1,
        "name": "wip",
        "timestamp": "2026-11-22T01:05:07+00:00",
        "stage": "draft",
        "notes": "n",
        "metadata": {"ticket": "ABC-1"},
        "progress": {"done": ["lexer"], "todo": ["parser", "docs"]},
        "head": head,
        "scope": {"files": None, "context": None},
    }
    assert meta == saved.meta
    assert set(meta["files"][0]) == {"path", "size", "mtime", "sha256", "words"}
    datetime.fromisoformat(meta["files"][0]["mtime"])
    # The commit carries the checkpoint's time and the user's identity.
    assert g.run("log", "-1", "--format=%an <%ae> %aI %cI", REF + "wip").strip() == (
        "Test User <test@example.com> 2026-11-22T01:05:07+00:00 2026-11-22T01:05:07+00:00"
    )


def test_chain_links_each_checkpoint_to_the_previous_one(work, g):
    repo = git.discover()
    first = checkpoint.save(repo, "wip", now=at(1))
    (work / "notes.md").write_text("changed\n")
    second = checkpoint.save(repo, "wip", stage="two", now=at(2))
    other = checkpoint.save(repo, "other", now=at(3))
    assert g.run("rev-list", "--parents", REF + "wip").split() == [
        second.commit, first.commit, first.commit,
    ]  # fmt: skip
    assert g.run("rev-list", "--parents", REF + "other").split() == [other.commit]
    assert [c.commit for c in checkpoint.chain(repo, "wip")] == [second.commit, first.commit]
    assert checkpoint.names(repo) == ["other", "wip"]
    assert checkpoint.chain(repo, "wip")[0].meta == second.meta
    assert checkpoint.chain(repo, "wip")[1].stage is None
    assert checkpoint.message(second.meta) == g.run("log", "-1", "--format=%B", REF + "wip")[:-1]


def test_files_scope_takes_named_files_even_if_ignored(work, g):
    repo = git.discover()
    saved = checkpoint.save(repo, "some", files=["notes.md", "debug.log", "build"], now=at(1))
    # A file named explicitly is taken although ignored; a directory still honours .gitignore.
    assert [row["path"] for row in saved.files] == ["debug.log", "notes.md"]
    assert saved.scope == {"files": ["notes.md", "debug.log", "build"], "context": None}


def test_files_are_relative_to_the_current_directory(work, g):
    saved = checkpoint.save(git.discover(), "sub", files=["app.py"], cwd=work / "src")
    assert [row["path"] for row in saved.files] == ["src/app.py"]


def test_context_scope_is_everything_under_a_directory(work, g):
    (work / "src" / "lib").mkdir()
    (work / "src" / "lib" / "util.py").write_text("x = 1\n")
    (work / "src" / "trace.log").write_text("ignored\n")
    saved = checkpoint.save(git.discover(), "ctx", context="src", now=at(1))
    assert [row["path"] for row in saved.files] == ["src/app.py", "src/lib/util.py"]
    assert saved.scope == {"files": None, "context": "src"}
    assert g.run("ls-tree", "-r", "--name-only", REF + "ctx").split() == [
        "src/app.py", "src/lib/util.py",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"files": ["/etc/hostname"]}, "'/etc/hostname' is outside the repository"),
        ({"files": ["../elsewhere"]}, "'../elsewhere' is outside the repository"),
        ({"files": ["missing.txt"]}, "'missing.txt' does not exist"),
        ({"files": [".git/config"]}, "'.git/config' is inside the git directory"),
        ({"context": "README"}, "--context 'README' is not a directory"),
        ({"context": "/tmp"}, "'/tmp' is outside the repository"),
        ({"metadata": [1, 2]}, "--metadata must be a JSON object"),
        ({"files": ["README"], "context": "src"}, "give --files or --context, not both"),
        ({"stage": "two\nlines"}, "--stage must be one non-empty line"),
        ({"stage": " "}, "--stage must be one non-empty line"),
    ],
)
def test_bad_scope_is_refused_before_anything_is_written(work, g, kwargs, message):
    with pytest.raises(UsageError, match="^" + message.replace("(", r"\(")):
        checkpoint.save(git.discover(), "bad", **kwargs)
    assert g.run("for-each-ref", REF) == ""


def test_nothing_to_checkpoint(repo, g):
    (repo / "empty").mkdir()
    (repo / "empty" / "x.log").write_text("")
    (repo / ".gitignore").write_text("*.log\n")
    with pytest.raises(UsageError, match=r"^nothing to checkpoint: no files in empty"):
        checkpoint.save(git.discover(), "e", context="empty")


def test_a_working_tree_of_binary_files(repo, g):
    for i in range(3):
        (repo / f"blob{i}.dat").write_bytes(bytes(range(256)) * (i + 1))
    (repo / "README").unlink()
    saved = checkpoint.save(git.discover(), "bin")
    assert [(r["path"], r["size"], r["words"]) for r in saved.files] == [
        ("blob0.dat", 256, None), ("blob1.dat", 512, None), ("blob2.dat", 768, None),
    ]  # fmt: skip
    assert saved.totals == {"files": 3, "words": 0, "bytes": 1536}
    assert saved.files[2]["sha256"] == hashlib.sha256(bytes(range(256)) * 3).hexdigest()


def test_symlinks_are_snapshotted_as_links(repo, g):
    (repo / "link").symlink_to("/etc/passwd")
    saved = checkpoint.save(git.discover(), "ln", files=["link"])
    assert g.run("ls-tree", REF + "ln").split()[0] == "120000"
    assert saved.files[0]["sha256"] == hashlib.sha256(b"/etc/passwd").hexdigest()
    assert saved.files[0]["words"] is None


def test_without_a_git_identity_the_fallback_is_used(repo, g):
    g.run("config", "--unset", "user.name")
    g.run("config", "--unset", "user.email")
    g.run("config", "user.useConfigOnly", "true")
    checkpoint.save(git.discover(), "anon")
    assert g.run("log", "-1", "--format=%an <%ae>", REF + "anon").strip() == (
        "gitmem <gitmem@localhost>"
    )


def test_unborn_head(tmp_path, g, monkeypatch):
    path = g.make_repo(tmp_path / "fresh", commit=False)
    monkeypatch.chdir(path)
    (path / "a.txt").write_text("a\n")
    assert checkpoint.save(git.discover(), "first").head is None


@pytest.mark.parametrize("name", ["wip", "feature-x", "v1.2", "_tmp", "A_b-c.d", "x" * 100])
def test_good_names(name):
    assert checkpoint.validate_name(name) == name


@pytest.mark.parametrize(
    "name",
    ["", "a b", "a/b", "a..b", "-x", ".x", "x.", "x.lock", "a@b", "a~1", "a^", "a:b", "a?",
     "a*", "a[", "a\\b", "caf\u00e9", "tab\t", "x" * 101, "@"],
)  # fmt: skip
def test_bad_names_say_what_is_allowed(name):
    with pytest.raises(UsageError) as error:
        checkpoint.validate_name(name)
    assert str(error.value) == f"bad checkpoint name {name!r}: {checkpoint.NAME_RULE}"


def test_every_good_name_is_a_valid_ref(tmp_path):
    for name in ["wip", "v1.2", "_tmp", "A_b-c.d"]:
        proc = subprocess.run(["git", "check-ref-format", REF + name])
        assert proc.returncode == 0, name


@pytest.fixture
def three(work):
    repo = git.discover()
    saved = [checkpoint.save(repo, "wip", stage=f"s{i}", now=at(10 + i, i)) for i in range(3)]
    checkpoint.save(repo, "other", now=at(20))
    return repo, saved


def test_resolve_specs(three):
    repo, (s0, s1, s2) = three
    assert checkpoint.resolve(repo, "wip").commit == s2.commit
    assert checkpoint.resolve(repo, "wip~0").commit == s2.commit
    assert checkpoint.resolve(repo, "wip~2").commit == s0.commit
    assert checkpoint.resolve(repo, "wip@2026-11-22T01:11:01+00:00").commit == s1.commit
    assert checkpoint.resolve(repo, "wip@2026-11-22T01:11").commit == s1.commit
    assert checkpoint.resolve(repo, "wip@2026-11-22T01:12:02Z").commit == s2.commit
    assert checkpoint.resolve(repo, "wip@2026-11-22 01:10").commit == s0.commit


def test_unknown_specs_list_what_exists(three):
    repo, _ = three
    cases = {
        "nope": "no checkpoint named 'nope'; checkpoints: other, wip",
        "nope~1": "no checkpoint named 'nope'; checkpoints: other, wip",
        "wip@2025": "wip has no checkpoint at '2025'; it has: 2026-11-22T01:12:02+00:00, "
        "2026-11-22T01:11:01+00:00, 2026-11-22T01:10:00+00:00",
        "wip~3": "wip has 3 checkpoints: wip~0 (newest) to wip~2",
    }
    for spec, message in cases.items():
        with pytest.raises(NotFoundError) as error:
            checkpoint.resolve(repo, spec)
        assert str(error.value) == message
    with pytest.raises(UsageError) as usage:
        checkpoint.resolve(repo, "wip@2026-11-22T01:1")
    assert str(usage.value) == (
        "'wip@2026-11-22T01:1' matches 3 checkpoints (2026-11-22T01:12:02+00:00, "
        "2026-11-22T01:11:01+00:00, 2026-11-22T01:10:00+00:00); give more of the timestamp or "
        "use wip~N"
    )
    for bad in ["wip~x", "wip~-1"]:
        with pytest.raises(UsageError, match="use NAME, NAME~N or NAME@TIMESTAMP"):
            checkpoint.resolve(repo, bad)
    with pytest.raises(UsageError, match="bad checkpoint name 'a b'"):
        checkpoint.resolve(repo, "a b~1")


def test_no_checkpoints_at_all(repo):
    with pytest.raises(NotFoundError) as error:
        checkpoint.chain(git.discover(), "wip")
    assert str(error.value) == (
        "no checkpoint named 'wip'; checkpoints: none yet (git mem checkpoint save --name NAME)"
    )


def test_a_commit_made_by_hand_on_the_ref_still_reads(repo, g):
    tree = g.run("write-tree").strip()
    commit = g.run("commit-tree", tree, "-m", "made by hand").strip()
    g.run("update-ref", REF + "hand", commit)
    (found,) = checkpoint.chain(git.discover(), "hand")
    assert found.commit == commit
    assert (found.name, found.notes, found.files) == ("hand", "made by hand", [])
    assert found.timestamp == g.run("log", "-1", "--format=%cI", commit).strip()


def test_concurrent_saves_keep_every_checkpoint(work, g):
    procs = [
        subprocess.Popen(
            ["bash", "-c", f"for i in 1 2 3; do git mem checkpoint save --name race --stage p{n}"
             " >/dev/null || exit 1; done"],
            cwd=work,
        )
        for n in range(4)
    ]  # fmt: skip
    assert [p.wait() for p in procs] == [0, 0, 0, 0]
    stages = sorted(c.stage or "" for c in checkpoint.chain(git.discover(), "race"))
    assert stages == sorted(f"p{n}" for n in range(4) for _ in range(3))
    assert len(g.run("rev-list", REF + "race").split()) == 12
    g.fsck(work)


def test_the_snapshot_is_the_disk_not_the_staged_version(work, g):
    (work / "staged.txt").write_text("changed after staging\n")
    (work / "src" / "app.py").unlink()  # tracked, deleted on disk: not in the snapshot
    saved = checkpoint.save(git.discover(), "disk")
    rows = {row["path"]: row for row in saved.files}
    assert "src/app.py" not in rows
    assert rows["staged.txt"]["words"] == 3
    assert g.run("show", REF + "disk:staged.txt") == "changed after staging\n"
    assert g.run("diff", "--cached", "--name-only") == "staged.txt\n"  # the user's index as was


def test_a_tracked_file_matching_gitignore_is_kept(work, g):
    g.run("add", "--force", "debug.log")
    saved = checkpoint.save(git.discover(), "tracked")
    assert "debug.log" in [row["path"] for row in saved.files]
    assert "build/out.txt" not in [row["path"] for row in saved.files]
    # --context keeps only what is under the directory, tracked or not.
    ctx = checkpoint.save(git.discover(), "ctx", context=".", cwd=work / "src")
    assert [row["path"] for row in ctx.files] == ["src/app.py"]
    with pytest.raises(UsageError, match=r"^nothing to checkpoint: no files in build "):
        checkpoint.save(git.discover(), "ign", context="build")


def test_later_saves_describe_every_file_as_it_is(work, g):
    repo = git.discover()
    checkpoint.save(repo, "again", now=at(1))
    (work / "notes.md").write_text("now four words here\n")
    (work / "new.txt").write_text("fresh\n")
    (work / "README").unlink()
    second = checkpoint.save(repo, "again", now=at(2))
    for row in second.files:
        data = (work / row["path"]).read_bytes()
        assert (row["sha256"], row["size"]) == (hashlib.sha256(data).hexdigest(), len(data))
    words = {row["path"]: row["words"] for row in second.files}
    assert (words["notes.md"], words["new.txt"], "README" in words) == (4, 1, False)


def test_paths_are_names_not_globs(repo, g):
    (repo / "[x].txt").write_text("brackets\n")
    (repo / "x.txt").write_text("plain\n")
    (repo / "d*").mkdir()
    (repo / "d*" / "in.txt").write_text("star\n")
    (repo / "dd").mkdir()
    (repo / "dd" / "other.txt").write_text("other\n")
    saved = checkpoint.save(git.discover(), "glob", files=["[x].txt"])
    assert [row["path"] for row in saved.files] == ["[x].txt"]
    ctx = checkpoint.save(git.discover(), "star", context="d*")
    assert [row["path"] for row in ctx.files] == ["d*/in.txt"]
