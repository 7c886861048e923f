"""Personal memory (`--global`): a git repository of one's own, created by the first write,
committed on every write, included in every project's context pack, synced with its branch."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def home(tmp_path, monkeypatch):
    path = tmp_path / "personal"
    monkeypatch.setenv("GITMEM_HOME", str(path))
    return path


def test_the_first_global_save_starts_it_and_every_write_is_committed(repo, mem, g, home):
    missing = mem("list", "--global")
    assert missing.code == 1
    assert missing.err == (
        f"git-mem: error: no personal memory yet (in {home}): git mem save --global TEXT "
        "starts it\n"
    )
    assert not home.exists()
    saved = mem("save", "--global", "-t", "user", "-m", "Answer in British English")
    assert saved.code == 0, saved.err
    assert (home / saved.location).is_file()
    assert not (repo / ".memory").exists()  # nothing in the project
    assert g.run("log", "--format=%s", cwd=home).splitlines() == [
        "git mem save",
        "gitmem: start personal memory",
    ]
    assert g.run("status", "--porcelain", cwd=home) == ""
    assert mem("edit", "-g", saved.saved_id, "--add-tag", "style").code == 0
    assert g.run("log", "-1", "--format=%s", cwd=home).strip() == "git mem edit"
    listed = json.loads(mem("list", "-g", "--json").out)["records"]
    assert [record["tags"] for record in listed] == [["style"]]
    assert mem("search", "-g", "british").out.startswith(saved.saved_id)
    assert mem("show", "-g", saved.saved_id[:6]).code == 0
    assert mem("show", saved.saved_id[:6]).code == 1  # the project does not have it
    assert mem("rm", "-g", saved.saved_id).code == 0
    assert g.run("log", "-1", "--format=%s", cwd=home).strip() == "git mem rm"
    g.fsck(home)


def test_two_projects_get_the_personal_preferences_in_their_context(
    tmp_path, mem, g, home, monkeypatch
):
    mem("save", "--global", "-t", "user", "-m", "Prefer small pull requests")
    mem("save", "--global", "-t", "fact", "-m", "My laptop has 16 GB")  # not a preference
    for name in ("one", "two"):
        project = g.make_repo(tmp_path / name)
        monkeypatch.chdir(project)
        mem("save", "-t", "decision", "-m", f"Use PostgreSQL in {name}")
        pack = mem("context").out
        assert "## Your preferences (personal memory: git mem show -g ID)\n- [" in pack
        assert "Prefer small pull requests" in pack
        assert "16 GB" not in pack
        assert f"Use PostgreSQL in {name}" in pack
        assert "Prefer small pull requests" not in mem("context", "--no-personal").out
    assert "## Preferences\n" in mem("context", "--global").out


def test_sync_global_carries_the_branch_between_machines(tmp_path, mem, g, home, monkeypatch):
    remote = tmp_path / "remote.git"
    g.run("init", "-q", "--bare", "-b", "main", str(remote))
    mem("save", "-g", "-t", "user", "-m", "Tabs, never spaces")
    no_remote = mem("sync", "--global")
    assert no_remote.code == 2
    assert no_remote.err == (
        f"git-mem: error: your personal memory ({home}) has no remote yet; add a private one: "
        f"git -C {home} remote add origin URL\n"
    )
    g.run("remote", "add", "origin", str(remote), cwd=home)
    first = mem("sync", "--global")
    assert first.code == 0, first.err
    assert (
        first.out.splitlines()[0]
        == "personal memory (main): took 0 commits from origin, pushed 2 commits"
    )

    # A second machine: its own clone of the personal memory, a memory of its own.
    other = tmp_path / "laptop"
    g.run("clone", "-q", str(remote), str(other))
    monkeypatch.setenv("GITMEM_HOME", str(other))
    mem("save", "-g", "-t", "user", "-m", "Explain the why in commit messages")
    assert mem("sync", "-g").code == 0

    monkeypatch.setenv("GITMEM_HOME", str(home))
    mem("save", "-g", "-t", "fact", "-m", "Use fish at home")
    synced = mem("sync", "-g", "--json")
    assert synced.code == 0, synced.err
    assert json.loads(synced.out)["branch"] == {"branch": "main", "fetched": 1, "pushed": 1}
    titles = {r["title"] for r in json.loads(mem("list", "-g", "--json").out)["records"]}
    assert titles == {
        "Tabs, never spaces",
        "Explain the why in commit messages",
        "Use fish at home",
    }
    g.fsck(home)


def test_sync_global_stops_on_a_real_conflict_and_changes_nothing(
    tmp_path, mem, g, home, monkeypatch
):
    remote = tmp_path / "remote.git"
    g.run("init", "-q", "--bare", "-b", "main", str(remote))
    saved = mem("save", "-g", "-t", "user", "-m", "Tabs, never spaces")
    g.run("remote", "add", "origin", str(remote), cwd=home)
    assert mem("sync", "-g").code == 0
    other = tmp_path / "laptop"
    g.run("clone", "-q", str(remote), str(other))
    monkeypatch.setenv("GITMEM_HOME", str(other))
    assert mem("edit", "-g", saved.saved_id, "--body", "-", stdin="Tabs: width 4.\n").code == 0
    assert mem("sync", "-g").code == 0
    monkeypatch.setenv("GITMEM_HOME", str(home))
    assert mem("edit", "-g", saved.saved_id, "--body", "-", stdin="Tabs: width 8.\n").code == 0
    before = g.run("rev-parse", "HEAD", cwd=home)
    result = mem("sync", "-g")
    assert result.code == 128
    assert result.err == (
        f"git-mem: error: your personal memory and origin's both changed {saved.location}; "
        f"nothing was changed here: resolve it in {home} (git pull --rebase origin main)\n"
    )
    assert g.run("rev-parse", "HEAD", cwd=home) == before
    assert g.run("status", "--porcelain", cwd=home) == ""


def test_mcp_tools_take_memory_global(repo, mem, g, home):
    from mcp import ClientSession
    from mcpclient import drive, fails, ok

    async def scenario(session: ClientSession) -> None:
        preference = {"text": "Prefer rebase over merge", "type": "user", "memory": "global"}
        saved = await ok(session, "save", preference)
        found = await ok(session, "search", {"query": "rebase", "memory": "global"})
        assert [hit["id"] for hit in found["hits"]] == [saved["id"]]
        assert (await ok(session, "search", {"query": "rebase"}))["hits"] == []
        assert "not one of" in await fails(session, "list", {"memory": "elsewhere"})

    drive(repo, scenario)
    assert g.run("log", "-1", "--format=%s", cwd=home).strip() == "git mem mcp save"
    assert not (repo / ".memory").exists()
