"""`git mem search --repos` / `--workspace`: three repositories, one ranked list."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def three(tmp_path, mem, g, monkeypatch):
    texts = {
        "api": ("Refresh tokens live 30 days", "Rotated on every use; see auth/refresh.py."),
        "web": ("The web client refreshes tokens early", "Five minutes before expiry."),
        "infra": ("Backups run nightly", "pg_dump at 02:00 UTC, kept 30 days."),
    }
    repos = {}
    for name, (title, body) in texts.items():
        repos[name] = g.make_repo(tmp_path / name)
        monkeypatch.chdir(repos[name])
        assert mem("save", "-m", title, "-m", body).code == 0
    monkeypatch.chdir(tmp_path)
    return repos


def test_search_across_repositories_names_each_hit(three, mem, tmp_path):
    paths = ",".join(str(three[name]) for name in ("api", "web", "infra"))
    result = mem("search", "--repos", paths, "refresh", "tokens", "--json")
    assert result.code == 0, result.err
    hits = json.loads(result.out)["hits"]
    assert [(hit["repository"], hit["title"]) for hit in hits] == [
        ("api", "Refresh tokens live 30 days"),
        ("web", "The web client refreshes tokens early"),
    ]
    assert hits[0]["repository_path"] == str(three["api"])
    human = mem("search", "--repos", str(three["infra"]), "--repos", str(three["api"]), "days")
    heads = [row for row in human.out.splitlines() if not row.startswith(" ")]
    assert sorted(row.split()[0] for row in heads) == ["api", "infra"]
    assert any(row.startswith("api  ") and "Refresh tokens live 30 days" in row for row in heads)
    ids = mem("search", "--repos", paths, "backups", "--ids")
    assert ids.out.startswith("infra:") and len(ids.out.splitlines()) == 1


def test_workspace_from_the_user_config(three, mem, tmp_path, monkeypatch):
    missing = mem("search", "--workspace", "backups")
    config = tmp_path / "home" / ".config" / "gitmem" / "config.toml"
    assert missing.code == 2
    assert missing.err == (
        'git-mem: error: no workspace configured: add [workspace] repos = ["PATH", ...] to '
        f"{config}\n"
    )
    config.parent.mkdir(parents=True)
    config.write_text(f'[workspace]\nrepos = ["{three["api"]}", "{three["infra"]}"]\n')
    result = mem("search", "--workspace", "backups", "--json")
    assert [hit["repository"] for hit in json.loads(result.out)["hits"]] == ["infra"]
    nothing = mem("search", "--workspace", "client")  # only in web, not in the workspace
    assert nothing.code == 1
    assert nothing.err == "git-mem: warning: no memories match 'client' in api, infra\n"


def test_bad_repositories_and_options(three, mem, tmp_path):
    assert mem("search", "--repos", str(tmp_path / "nope"), "x").err == (
        f"git-mem: error: --repos {tmp_path / 'nope'}: not a directory\n"
    )
    (tmp_path / "plain").mkdir()
    not_repo = mem("search", "--repos", str(tmp_path / "plain"), "x")
    assert not_repo.code == 2 and "not a git repository" in not_repo.err
    with_path = mem("search", "--repos", str(three["api"]), "--path", "src/", "x")
    assert with_path.err == (
        "git-mem: error: --path and --commit name one repository's files and commits; leave "
        "them out when searching several repositories\n"
    )
