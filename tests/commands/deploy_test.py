"""`git mem deploy` in one repository: the record, CI metadata, identity fallbacks, refusals.

Every record is read back with plain git (`git notes --ref=mem show`) as well as gitmem.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml

from gitmem.store.record import ID_RE

GITHUB = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_RUN_ID": "9876",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "acme/shop",
    "GITHUB_JOB": "deploy",
    "GITHUB_ACTOR": "jane",
}
RECORDED = re.compile(r"^recorded deploy (\w{12}): ([0-9a-f]{7}) to (.+) \((\S+)\)$")


@pytest.fixture
def in_github(monkeypatch):
    for name, value in GITHUB.items():
        monkeypatch.setenv(name, value)


def head(g, cwd=None) -> str:
    return g.run("rev-parse", "HEAD", cwd=cwd).strip()


def notes_tip(g) -> str | None:
    proc = g.proc("rev-parse", "--verify", "--quiet", "refs/notes/mem")
    return proc.stdout.strip() or None


def note_docs(g, rev: str = "HEAD") -> list[dict]:
    """The records of the note on REV, as plain git shows it, parsed as YAML."""
    text = g.run("notes", "--ref=mem", "show", rev)
    return [doc for doc in yaml.safe_load_all(text) if doc]


def deployed_id(result) -> str:
    assert result.code == 0, result.err
    match = RECORDED.match(result.out.splitlines()[0])
    assert match, result.out
    return match.group(1)


def test_deploy_writes_one_record_on_head(repo, mem, g):
    sha = head(g)
    result = mem("deploy", "--env", "production")
    record_id = deployed_id(result)
    assert ID_RE.fullmatch(record_id)
    assert result.out == f"recorded deploy {record_id}: {sha[:7]} to production (success)\n"
    assert result.err == ""
    [doc] = note_docs(g)
    assert doc.pop("created")
    assert doc == {
        "id": record_id,
        "type": "episodic",
        "title": f"Deploy {sha[:7]} to production: success",
        "author": "Test User <test@example.com>",
        "status": "active",
        "tags": ["deploy", "production"],
        "source": "ci",
        "commits": [sha],
        "deploy": {"env": "production", "status": "success"},
        "body": "",
    }
    # git's own view of the notes and gitmem's listing agree.
    assert record_id in g.run("log", "-1", "--notes=mem", "--format=%N")
    listed = json.loads(mem("list", "--tag", "deploy", "--json").out)["records"]
    assert [row["id"] for row in listed] == [record_id]
    assert listed[0]["deploy"] == {"env": "production", "status": "success"}
    g.fsck(repo)


def test_every_option_lands_in_the_record(repo, mem, g):
    g.run("commit", "-q", "--allow-empty", "-m", "second")
    first = g.run("rev-parse", "HEAD~1").strip()
    result = mem(
        "deploy",
        "--env",
        "staging",
        "--status",
        "rolled-back",
        "--commit",
        "HEAD~1",
        "--url",
        "https://staging.acme.test/?a=b#c",
        "--version",
        "1.10",
        "--duration",
        "75",
        "-m",
        "Rolled back: the migration locked the orders table.",
    )
    record_id = deployed_id(result)
    assert result.out == f"recorded deploy {record_id}: {first[:7]} to staging (rolled-back)\n"
    assert g.proc("notes", "--ref=mem", "show", "HEAD").returncode != 0  # nothing on HEAD
    [doc] = note_docs(g, first)
    assert doc["title"] == f"Deploy {first[:7]} to staging: rolled-back"
    assert doc["commits"] == [first]
    assert doc["deploy"] == {
        "env": "staging",
        "status": "rolled-back",
        "url": "https://staging.acme.test/?a=b#c",
        "version": "1.10",  # a string, not the number 1.1
        "duration": 75,
    }
    assert doc["body"] == "Rolled back: the migration locked the orders table.\n"
    shown = mem("show", record_id, "--json")
    assert json.loads(shown.out)["deploy"]["version"] == "1.10"


def test_json_output(repo, mem, g):
    sha = head(g)
    result = mem("deploy", "--env", "qa", "--status", "started", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert set(data) == {"id", "commit", "env", "status", "location", "written", "record", "push"}
    assert data["commit"] == sha
    assert (data["env"], data["status"], data["location"]) == ("qa", "started", f"note:{sha}")
    assert data["written"] is True
    assert data["push"] is None
    assert data["record"]["deploy"] == {"env": "qa", "status": "started"}
    assert [doc["id"] for doc in note_docs(g)] == [data["id"]]


def test_ci_metadata_and_a_derived_id_make_a_retry_idempotent(repo, mem, g, in_github):
    sha = head(g)
    first = mem("deploy", "--env", "production")
    record_id = deployed_id(first)
    tip = notes_tip(g)
    again = mem("deploy", "--env", "production")
    assert again.out == f"already recorded deploy {record_id}: {sha[:7]} to production (success)\n"
    assert notes_tip(g) == tip  # nothing written the second time
    [doc] = note_docs(g)
    assert doc["tool"] == "github-actions"
    assert doc["deploy"] == {
        "env": "production",
        "status": "success",
        "ci": "github-actions",
        "run_id": "9876",
        "run_url": "https://github.com/acme/shop/actions/runs/9876",
        "job": "deploy",
        "actor": "jane",
    }
    # Another status (or env, or run) is another deployment: a second record.
    failed = deployed_id(mem("deploy", "--env", "production", "--status", "failure"))
    assert failed != record_id
    assert [d["id"] for d in note_docs(g)] == [record_id, failed]


def test_without_ci_each_deploy_is_a_new_record(repo, mem, g):
    one = deployed_id(mem("deploy", "--env", "production"))
    two = deployed_id(mem("deploy", "--env", "production"))
    assert one != two
    assert [d["id"] for d in note_docs(g)] == [one, two]


def test_env_is_free_text_and_its_tag_is_normalized(repo, mem, g):
    deployed_id(mem("deploy", "--env", "Production EU_west 2"))
    deployed_id(mem("deploy", "--env", "生产 🚀"))
    deployed_id(mem("deploy", "--env", "Deploy"))
    docs = note_docs(g)
    assert [d["deploy"]["env"] for d in docs] == ["Production EU_west 2", "生产 🚀", "Deploy"]
    assert [d["tags"] for d in docs] == [["deploy", "production-eu-west-2"], ["deploy"], ["deploy"]]
    g.fsck(repo)


def test_detached_head(repo, mem, g):
    g.run("commit", "-q", "--allow-empty", "-m", "second")
    g.run("checkout", "-q", "--detach", "HEAD~1")
    sha = head(g)
    result = mem("deploy", "--env", "production")
    deployed_id(result)
    assert note_docs(g, sha)[0]["commits"] == [sha]


def test_no_identity_in_ci_writes_as_the_ci(repo, mem, g, in_github):
    g.run("config", "--unset", "user.email")
    g.run("config", "--unset", "user.name")
    record_id = deployed_id(mem("deploy", "--env", "production"))
    [doc] = note_docs(g)
    assert doc["id"] == record_id
    assert doc["author"] == "github-actions <ci@github-actions>"
    signature = g.run("log", "-1", "--format=%an <%ae>|%cn <%ce>", "refs/notes/mem").strip()
    assert signature == "github-actions <ci@github-actions>|github-actions <ci@github-actions>"
    g.fsck(repo)


def test_no_email_outside_ci_still_records(repo, mem, g):
    g.run("config", "--unset", "user.email")
    deployed_id(mem("deploy", "--env", "production"))
    [doc] = note_docs(g)
    assert "author" not in doc  # git has no identity and there is no CI to name
    signature = g.run("log", "-1", "--format=%cn <%ce>", "refs/notes/mem").strip()
    assert signature == "gitmem <gitmem@localhost>"


def test_git_identity_wins_over_the_ci_identity(repo, mem, g, in_github):
    deployed_id(mem("deploy", "--env", "production"))
    assert note_docs(g)[0]["author"] == "Test User <test@example.com>"
    signature = g.run("log", "-1", "--format=%cn <%ce>", "refs/notes/mem").strip()
    assert signature == "Test User <test@example.com>"


def test_duration_from_the_ci_and_the_option_wins(repo, mem, g, monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("CI_STARTED_AT", "2000-01-01T00:00:00Z")
    deployed_id(mem("deploy", "--env", "a"))
    deployed_id(mem("deploy", "--env", "b", "--duration", "12"))
    first, second = note_docs(g)
    assert first["deploy"]["ci"] == "ci"
    assert first["deploy"]["duration"] > 26 * 365 * 86400
    assert second["deploy"]["duration"] == 12


# ------------------------------------------------------------------ refusals write nothing


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--status", "ok"], "argument --status: invalid choice: 'ok'"),
        (["--commit", "no-such-rev"], "git-mem: error: cannot resolve 'no-such-rev' to a commit"),
        (["--commit", "0" * 40], "git-mem: error: cannot resolve '" + "0" * 40),
        (["--duration", "-5"], "git-mem: error: --duration must be 0 or more seconds, got -5"),
        (["--duration", "soon"], "argument --duration: invalid int value: 'soon'"),
        (["--remote", "origin"], "git-mem: error: --remote names where --push sends the record"),
        (["--push"], "git-mem: error: this repository has no remote to sync notes with"),
        (["--push", "--remote", "nope"], "git-mem: error: no remote named 'nope'"),
    ],
)
def test_refused_before_anything_is_written(repo, mem, g, args, message):
    deployed_id(mem("deploy", "--env", "production"))
    tip = notes_tip(g)
    result = mem("deploy", "--env", "production", *args)
    assert result.code == 2, result.err
    assert message in result.err
    assert result.out == ""
    assert notes_tip(g) == tip
    assert len(note_docs(g)) == 1


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ("", "--env is empty"),
        ("   ", "--env is empty"),
        ("prod\nuction", "--env must be one line of text without control characters"),
    ],
)
def test_bad_env_is_refused(repo, mem, g, env, message):
    result = mem("deploy", "--env", env)
    assert result.code == 2
    assert result.err == f"git-mem: error: {message}" + (
        ": name the environment, e.g. --env production\n" if "empty" in message else "\n"
    )
    assert notes_tip(g) is None


def test_env_is_required(repo, mem, g):
    result = mem("deploy")
    assert result.code == 2
    assert "the following arguments are required: --env" in result.err
    assert notes_tip(g) is None


def test_an_unknown_commit_in_an_empty_repository(tmp_path, mem, g, monkeypatch):
    path = g.make_repo(tmp_path / "empty", commit=False)
    monkeypatch.chdir(path)
    result = mem("deploy", "--env", "production")
    assert result.code == 2
    assert result.err == "git-mem: error: cannot resolve 'HEAD' to a commit\n"
    assert g.proc("rev-parse", "--verify", "--quiet", "refs/notes/mem").stdout == ""


def test_empty_url_and_version_are_left_out(repo, mem, g):
    """`--url "$CI_ENVIRONMENT_URL"` with the variable unset is unknown, not an empty URL."""
    deployed_id(mem("deploy", "--env", "production", "--url", "", "--version", ""))
    assert note_docs(g)[0]["deploy"] == {"env": "production", "status": "success"}


def test_identity_from_the_environment_signs_the_notes_commit(repo, mem, g, monkeypatch):
    """git reads GIT_AUTHOR_* (libgit2 does not): the record and its notes commit agree."""
    g.run("config", "--unset", "user.email")
    g.run("config", "--unset", "user.name")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Deploy Bot")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "deploy@acme.test")
    deployed_id(mem("deploy", "--env", "production"))
    assert note_docs(g)[0]["author"] == "Deploy Bot <deploy@acme.test>"
    signature = g.run("log", "-1", "--format=%cn <%ce>", "refs/notes/mem").strip()
    assert signature == "Deploy Bot <deploy@acme.test>"


def test_a_usage_error_is_a_git_mem_error_line(repo, g):
    # argparse's own format was `git mem deploy: error: ...`; the README promises one prefix.
    proc = g.git_mem("deploy", cwd=repo)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.splitlines()[0].startswith("usage: git mem deploy [-h] --env ENV")
    assert proc.stderr.splitlines()[-1] == (
        "git-mem: error: the following arguments are required: --env"
    )
    nested = g.git_mem("session", "nonsense", cwd=repo)
    assert nested.returncode == 2
    assert nested.stderr == (
        "usage: git mem session [-h] ACTION ...\n"
        "git-mem: error: argument ACTION: invalid choice: 'nonsense' (choose from 'start', "
        "'log', 'end', 'status', 'resume', 'list', 'show')\n"
    )
