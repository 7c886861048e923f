"""`git mem init`: .memory/ files, notes.rewriteRef, tracking fetch refspecs; idempotent."""

from __future__ import annotations

import json

import pytest

from gitmem.store import config
from gitmem.store.initialize import README

DISPLAY = (
    "set notes.displayRef=refs/notes/mem: plain `git log` shows memories "
    "(--no-display-ref skips this)"
)


def test_init_creates_files_and_sets_rewrite_ref(repo, mem, g):
    result = mem("init")
    assert result.code == 0, result.err
    assert result.out == (
        "created .memory/config.toml\n"
        "created .memory/README.md\n"
        f"{DISPLAY}\n"
        "set notes.rewriteRef=refs/notes/mem\n"
    )
    assert result.err == ""
    assert (repo / ".memory" / "config.toml").read_text() == config.TEMPLATE
    assert (repo / ".memory" / "README.md").read_text() == README
    assert g.run("config", "--get-all", "notes.rewriteRef") == "refs/notes/mem\n"
    # Nothing under .git gets created in the work tree, and git sees only the new folder.
    assert g.run("status", "--porcelain", "--untracked-files=all") == (
        "?? .memory/README.md\n?? .memory/config.toml\n"
    )


def test_second_run_changes_nothing(repo, mem, g):
    assert mem("init").code == 0
    config_before = (repo / ".git" / "config").read_bytes()
    result = mem("init")
    assert result.code == 0
    assert result.out == "gitmem is already set up here; nothing changed\n"
    assert (repo / ".git" / "config").read_bytes() == config_before
    assert g.run("config", "--get-all", "notes.rewriteRef") == "refs/notes/mem\n"


def test_init_keeps_an_existing_config_toml(repo, mem):
    (repo / ".memory").mkdir()
    (repo / ".memory" / "config.toml").write_text('[types]\nrunbook = "runbooks"\n')
    result = mem("init")
    assert result.out == (
        f"created .memory/README.md\n{DISPLAY}\nset notes.rewriteRef=refs/notes/mem\n"
    )
    assert (repo / ".memory" / "config.toml").read_text() == '[types]\nrunbook = "runbooks"\n'


def test_fetch_refspec_per_remote_and_never_a_push_refspec(repo, mem, g, tmp_path):
    origin = g.make_repo(tmp_path / "origin")
    upstream = g.make_repo(tmp_path / "upstream")
    g.run("remote", "add", "origin", str(origin))
    g.run("remote", "add", "upstream", str(upstream))
    result = mem("init")
    assert result.code == 0
    assert "set remote.origin.fetch=+refs/notes/mem*:refs/notes/remotes/origin/mem*\n" in result.out
    assert (
        "set remote.upstream.fetch=+refs/notes/mem*:refs/notes/remotes/upstream/mem*\n"
        in result.out
    )
    assert g.run("config", "--get-all", "remote.origin.fetch") == (
        "+refs/heads/*:refs/remotes/origin/*\n+refs/notes/mem*:refs/notes/remotes/origin/mem*\n"
    )
    assert g.run("config", "--get-all", "remote.upstream.fetch") == (
        "+refs/heads/*:refs/remotes/upstream/*\n+refs/notes/mem*:refs/notes/remotes/upstream/mem*\n"
    )
    # Never remote.*.push: a plain `git push` must keep pushing the branch.
    assert g.proc("config", "--get-regexp", r"^remote\..*\.push$").returncode == 1
    # Idempotent with remotes too.
    assert mem("init").out == "gitmem is already set up here; nothing changed\n"
    assert g.run("config", "--get-all", "remote.origin.fetch").count("refs/notes/mem") == 1


def test_a_remote_added_later_gets_its_refspec_on_the_next_run(repo, mem, g, tmp_path):
    assert mem("init").code == 0
    g.run("remote", "add", "origin", str(g.make_repo(tmp_path / "origin")))
    result = mem("init")
    assert result.out == "set remote.origin.fetch=+refs/notes/mem*:refs/notes/remotes/origin/mem*\n"


def test_fetch_refspec_brings_notes_into_the_tracking_ref(repo, mem, g, tmp_path):
    origin = g.make_repo(tmp_path / "origin")
    g.run("notes", "--ref=mem", "add", "-m", "remote note", "HEAD", cwd=origin)
    g.run("remote", "add", "origin", str(origin))
    assert mem("init").code == 0
    g.run("fetch", "-q", "origin")
    tracked = g.run("rev-parse", "refs/notes/remotes/origin/mem").strip()
    assert tracked == g.run("rev-parse", "refs/notes/mem", cwd=origin).strip()
    # The local notes ref is never force-fetched into.
    assert g.proc("rev-parse", "--verify", "-q", "refs/notes/mem").returncode == 1


def test_init_json(repo, mem):
    result = mem("init", "--json")
    assert result.code == 0
    assert json.loads(result.out) == {
        "changed": [
            "created .memory/config.toml",
            "created .memory/README.md",
            DISPLAY,
            "set notes.rewriteRef=refs/notes/mem",
        ],
        "bare": False,
    }
    assert json.loads(mem("init", "--json").out) == {"changed": [], "bare": False}


def test_init_in_a_bare_repository(repo, mem, g, tmp_path, monkeypatch):
    bare = tmp_path / "bare.git"
    g.run("clone", "-q", "--bare", str(repo), str(bare))
    monkeypatch.chdir(bare)
    result = mem("init")
    assert result.code == 0, result.err
    assert result.out == (
        "no work tree: .memory/ not created (notes on refs/notes/mem still work)\n"
        f"{DISPLAY}\n"
        "set notes.rewriteRef=refs/notes/mem\n"
        "set remote.origin.fetch=+refs/notes/mem*:refs/notes/remotes/origin/mem*\n"
    )
    assert not (bare / ".memory").exists()
    assert g.run("config", "notes.rewriteRef", cwd=bare) == "refs/notes/mem\n"
    assert g.proc("config", "--get-regexp", r"^remote\..*\.push$", cwd=bare).returncode == 1
    assert mem("init").out == (
        "no work tree: .memory/ not created (notes on refs/notes/mem still work)\n"
        "gitmem is already set up here; nothing changed\n"
    )


def test_init_from_a_subdirectory_sets_up_the_top_level(repo, mem, monkeypatch):
    (repo / "src" / "deep").mkdir(parents=True)
    monkeypatch.chdir(repo / "src" / "deep")
    assert mem("init").code == 0
    assert (repo / ".memory" / "config.toml").is_file()
    assert not (repo / "src" / "deep" / ".memory").exists()


def test_init_outside_a_repository(tmp_path, mem, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    result = mem("init")
    assert result.code == 128
    assert result.out == ""
    assert result.err == (
        "git-mem: error: not a git repository (or any of the parent directories): .git\n"
    )


def test_git_dispatches_to_git_mem(repo, g):
    proc = g.git_mem("init", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "created .memory/config.toml",
        "created .memory/README.md",
        DISPLAY,
        "set notes.rewriteRef=refs/notes/mem",
    ]
    help_proc = g.git_mem("-h", cwd=repo)
    assert help_proc.returncode == 0
    assert help_proc.stdout.startswith("usage: git mem")


def test_plain_fetch_works_from_a_remote_without_notes(repo, mem, g, tmp_path):
    g.run("remote", "add", "origin", str(g.make_repo(tmp_path / "origin")))
    assert mem("init").code == 0
    proc = g.proc("fetch", "-q", "origin")  # an exact refspec would fail: no refs/notes/mem
    assert (proc.returncode, proc.stderr) == (0, "")
    assert g.proc("rev-parse", "-q", "--verify", "refs/notes/remotes/origin/mem").stdout == ""


def test_init_replaces_the_exact_refspec_of_earlier_versions(repo, mem, g, tmp_path):
    g.run("remote", "add", "origin", str(g.make_repo(tmp_path / "origin")))
    g.run("config", "--add", "remote.origin.fetch", "+refs/notes/mem:refs/notes/remotes/origin/mem")
    assert mem("init").out.endswith(
        "set remote.origin.fetch=+refs/notes/mem*:refs/notes/remotes/origin/mem*\n"
        "removed remote.origin.fetch=+refs/notes/mem:refs/notes/remotes/origin/mem (a remote "
        "without notes made `git fetch` fail)\n"
    )
    assert g.run("config", "--get-all", "remote.origin.fetch") == (
        "+refs/heads/*:refs/remotes/origin/*\n+refs/notes/mem*:refs/notes/remotes/origin/mem*\n"
    )
    assert g.proc("fetch", "-q", "origin").returncode == 0


def test_after_init_plain_git_log_shows_the_memories(repo, mem, g):
    assert mem("init").code == 0
    saved = mem("save", "--commit", "HEAD", "-t", "decision", "-m", "Use structlog")
    assert saved.code == 0, saved.err
    log = g.run("log", "-1")  # plain `git log`: no --notes
    assert "\nNotes (mem):\n" in log
    assert "    title: Use structlog\n" in log
    assert mem("init").out == "gitmem is already set up here; nothing changed\n"


def test_init_no_display_ref_leaves_git_log_alone(repo, mem, g):
    result = mem("init", "--no-display-ref")
    assert DISPLAY not in result.out
    assert g.proc("config", "--get-all", "notes.displayRef").stdout == ""
    mem("save", "--commit", "HEAD", "-m", "Builds run on Fridays")
    assert "Builds run on Fridays" not in g.run("log", "-1")
    assert "Builds run on Fridays" in g.run("log", "-1", "--notes=mem")


@pytest.mark.parametrize(
    ("config", "asked"),
    [
        ("[notes]\n\trewriteRef = refs/notes/mem\n", False),
        ('[Notes]\n  REWRITEREF="refs/notes/mem"\n', False),
        ("[notes]\n\trewriteRef = refs/notes/other\n", True),
        ('[notes "x"]\n\trewriteRef = refs/notes/mem\n', True),
        ("[alias]\n\tx = a \\\n rewriteRef = refs/notes/mem\n[notes]\n", True),
        ("[notes]\n\trewriteRef = refs/notes/mem ; a comment\n", True),
    ],
)
def test_a_read_reads_the_init_mark_from_the_config_file(
    repo, g, tmp_path, monkeypatch, config, asked
):
    """`notes.rewriteRef = refs/notes/mem` read from .git/config without git; what that simple
    reading does not follow is asked of git, which still gives the right answer."""
    from gitmem.store import git, initialize

    with (repo / ".git" / "config").open("a") as out:
        out.write(config)
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    assert initialize.adopt_clone(git.discover(repo)) == []  # no remote: nothing to add
    assert ("config -z --get-regexp" in trace.read_text()) is asked
