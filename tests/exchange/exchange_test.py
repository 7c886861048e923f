"""Import from the layouts people keep (ADR directories, folders of Markdown memory files) and
export back out; a round trip adds nothing."""

from __future__ import annotations

import json

import pytest

ADR_TOOLS = {
    # What `adr init doc/adr`, `adr new Use MongoDB`, `adr new -s 2 Use PostgreSQL` write.
    "0001-record-architecture-decisions.md": (
        "# 1. Record architecture decisions\n\nDate: 2024-03-01\n\n## Status\n\nAccepted\n\n"
        "## Context\n\nWe need to record the architectural decisions made on this project.\n\n"
        "## Decision\n\nWe will use Architecture Decision Records.\n"
    ),
    "0002-use-mongodb.md": (
        "# 2. Use MongoDB\n\nDate: 2024-03-05\n\n## Status\n\n"
        "Superseded by [3. Use PostgreSQL](0003-use-postgresql.md)\n\n"
        "## Context\n\nOrders have flexible shapes.\n\n## Decision\n\nStore orders in MongoDB.\n"
    ),
    "0003-use-postgresql.md": (
        "# 3. Use PostgreSQL\n\nDate: 2024-06-10\n\n## Status\n\nAccepted\n\n"
        "Supersedes [2. Use MongoDB](0002-use-mongodb.md)\n\n"
        "## Context\n\nReporting needs joins.\n\n## Decision\n\nStore orders in PostgreSQL 16.\n"
    ),
}


@pytest.fixture
def adr_dir(repo):
    folder = repo / "doc" / "adr"
    folder.mkdir(parents=True)
    for name, text in ADR_TOOLS.items():
        (folder / name).write_text(text)
    return folder


def records(mem, *args):
    return {r["title"]: r for r in json.loads(mem("list", "--all", "--json", *args).out)["records"]}


def test_adr_tools_directory_with_status_and_supersedes(repo, mem, adr_dir):
    dry = mem("import", "--format", "adr", "doc/adr", "--dry-run")
    assert dry.out.splitlines()[-1] == "would import 3 records; 0 already here"
    assert not (repo / ".memory").exists()
    done = mem("import", "--format", "adr", "doc/adr", "--json")
    assert json.loads(done.out)["new"] == 3
    found = records(mem)
    assert {title: r["status"] for title, r in found.items()} == {
        "Record architecture decisions": "accepted",
        "Use MongoDB": "superseded",
        "Use PostgreSQL": "accepted",
    }
    postgres = found["Use PostgreSQL"]
    assert postgres["created"] == "2024-06-10T00:00:00+00:00"
    assert postgres["supersedes"] == [found["Use MongoDB"]["id"]]
    assert (postgres["source"], postgres["tags"]) == ("import", ["adr"])
    assert postgres["metadata"] == {"origin": "doc/adr/0003-use-postgresql.md"}
    body = mem("show", postgres["id"], "--json")
    assert json.loads(body.out)["body"] == (
        "## Context\n\nReporting needs joins.\n\n## Decision\n\nStore orders in PostgreSQL 16.\n"
    )
    again = mem("import", "--format", "adr", "doc/adr")
    assert again.out == "imported 0 records; 3 already here\n"


def test_madr_front_matter_and_log4brains_bullets(repo, mem):
    folder = repo / "docs" / "decisions"
    folder.mkdir(parents=True)
    (folder / "0001-use-markdown-adrs.md").write_text(
        "---\nstatus: accepted\ndate: 2023-05-02\ndeciders: Jane\n---\n"
        "# Use Markdown Architectural Decision Records\n\n## Context and Problem Statement\n\n"
        "We want to record decisions.\n"
    )
    (folder / "20240101-use-kafka.md").write_text(
        "# Use Kafka for events\n\n- Status: proposed\n- Date: 2024-01-01\n\n## Context\n\nWe "
        "need a log.\n"
    )
    (folder / "README.md").write_text("# Decisions\n\nThe index.\n")
    assert mem("import", "--format", "adr", "docs/decisions").code == 0
    found = records(mem)
    assert set(found) == {"Use Markdown Architectural Decision Records", "Use Kafka for events"}
    madr = found["Use Markdown Architectural Decision Records"]
    assert (madr["status"], madr["created"][:10]) == ("accepted", "2023-05-02")
    kafka = found["Use Kafka for events"]
    assert (kafka["status"], kafka["created"][:10]) == ("proposed", "2024-01-01")
    body = json.loads(mem("show", kafka["id"], "--json").out)["body"]
    assert body == "## Context\n\nWe need a log.\n"


def test_a_folder_of_markdown_memory_files(repo, mem, tmp_path):
    folder = tmp_path / "memory"
    folder.mkdir()
    (folder / "preferences.md").write_text("# Answer briefly\n\nNo preamble; code first.\n")
    (folder / "decisions.md").write_text("# Use uv for environments\n\nFaster than pip.\n")
    (folder / "learnings.md").write_text("The staging DB is reset on Sundays.\n")
    (folder / "bugs.md").write_text("# Flaky sync test\n\nA race on the notes ref; fixed by CAS.\n")
    (folder / "broken.md").write_bytes(b"caf\xe9\n")
    result = mem("import", "--format", "markdown", str(folder))
    assert result.code == 0
    assert result.out.splitlines()[-1] == "imported 4 records; 0 already here; 1 file skipped"
    assert result.err.startswith(f"git-mem: warning: {folder / 'broken.md'}: ")
    found = records(mem)
    assert {title: r["type"] for title, r in found.items()} == {
        "Answer briefly": "user",
        "Use uv for environments": "decision",
        "Learnings": "fact",
        "Flaky sync test": "error",
    }
    assert mem("import", "--format", "markdown", str(folder)).out.splitlines()[-1] == (
        "imported 0 records; 4 already here; 1 file skipped"
    )


@pytest.mark.parametrize("format", ["jsonl", "markdown", "adr"])
def test_round_trip_adds_nothing(repo, mem, adr_dir, tmp_path, format):
    mem("import", "--format", "adr", "doc/adr")
    mem("save", "-t", "fact", "-m", "Staging resets on Sundays")
    before = records(mem)
    out = tmp_path / "out"
    exported = mem("export", "--format", format, str(out), "--json")
    assert exported.code == 0, exported.err
    again = mem("import", "--format", "adr" if format == "adr" else "records", str(out))
    assert again.code == 0
    assert again.out.splitlines()[-1].startswith("imported 0 records;")
    assert records(mem) == before


def test_adr_export_shape_and_a_clash_is_refused(repo, mem, adr_dir, tmp_path):
    mem("import", "--format", "adr", "doc/adr")
    out = tmp_path / "adr"
    assert mem("export", "--format", "adr", str(out)).out == f"wrote 3 records to {out} (adr)\n"
    text = (out / "0003-use-postgresql.md").read_text()
    postgres = records(mem)["Use PostgreSQL"]["id"]
    assert text == (
        "# 3. Use PostgreSQL\n\nDate: 2024-06-10\n\n## Status\n\nAccepted\n\n"
        "Supersedes [2. Use MongoDB](0002-use-mongodb.md)\n\n"
        "## Context\n\nReporting needs joins.\n\n## Decision\n\nStore orders in PostgreSQL 16.\n"
        f"\n<!-- gitmem:id {postgres} -->\n"
    )
    (out / "0001-record-architecture-decisions.md").write_text("my own edits\n")
    clash = mem("export", "--format", "adr", str(out))
    assert clash.code == 2
    assert clash.err == (
        f"git-mem: error: {out / '0001-record-architecture-decisions.md'} exists with other "
        "content; export into an empty folder\n"
    )
    assert (out / "0001-record-architecture-decisions.md").read_text() == "my own edits\n"


def test_a_basic_memory_export_with_relations(repo, mem, tmp_path):
    folder = tmp_path / "basic-memory"
    (folder / "coffee").mkdir(parents=True)
    (folder / "coffee" / "brewing-methods.md").write_text(
        "---\ntitle: Coffee Brewing Methods\ntype: note\npermalink: coffee-brewing-methods\n"
        "tags: [coffee, brewing]\ncreated: 2025-02-03\n---\n\n# Coffee Brewing Methods\n\n"
        "## Observations\n- [method] Pour over gives more clarity #brewing\n\n"
        "## Relations\n- relates_to [[Coffee Bean Origins]]\n"
    )
    (folder / "coffee" / "bean-origins.md").write_text(
        "---\ntitle: Coffee Bean Origins\ntype: note\npermalink: coffee-bean-origins\n---\n\n"
        "# Coffee Bean Origins\n\n## Observations\n- [origin] Ethiopian beans are fruity\n"
    )
    result = mem("import", "--format", "markdown", str(folder))
    assert result.out.splitlines()[-1] == "imported 2 records; 0 already here"
    found = records(mem)
    brewing, origins = found["Coffee Brewing Methods"], found["Coffee Bean Origins"]
    assert (brewing["type"], brewing["tags"]) == ("fact", ["brewing", "coffee"])
    assert brewing["created"] == "2025-02-03T00:00:00+00:00"
    assert brewing["links"] == [origins["id"]]
    body = json.loads(mem("show", brewing["id"], "--json").out)["body"]
    assert body.startswith("## Observations\n- [method] Pour over gives more clarity #brewing\n")


def test_a_contextfs_export(repo, mem, tmp_path):
    export = tmp_path / "contextfs.json"
    export.write_text(json.dumps({"memories": [
        {"id": "a1b2c3d4e5f6", "content": "Authentication uses JWT with RS256 signing",
         "type": "decision", "tags": ["auth", "jwt"], "summary": "JWT authentication approach",
         "created_at": "2025-03-04T10:20:30Z", "source_repo": "shop-api"},
        {"id": "b2c3d4e5f6a7", "content": "API rate limit is 100 req/min\nper client key",
         "type": "fact", "tags": ["api"], "created_at": "2025-03-05T08:00:00"},
        {"id": "c3", "content": "", "type": "fact"},
    ]}))  # fmt: skip
    result = mem("import", "--format", "contextfs", str(export))
    assert result.out.splitlines()[-1] == "imported 2 records; 0 already here; 1 file skipped"
    assert result.err == (
        f"git-mem: warning: {export}[2]: a memory needs a non-empty 'content'; skipped\n"
    )
    found = records(mem)
    jwt = found["JWT authentication approach"]
    assert (jwt["type"], jwt["tags"], jwt["project"]) == ("decision", ["auth", "jwt"], "shop-api")
    assert jwt["created"] == "2025-03-04T10:20:30+00:00"
    assert jwt["metadata"] == {"origin": f"{export}[0]", "contextfs_id": "a1b2c3d4e5f6"}
    assert found["API rate limit is 100 req/min"]["created"] == "2025-03-05T08:00:00+00:00"
    again = mem("import", "--format", "contextfs", str(export))
    assert again.out.splitlines()[-1].startswith("imported 0 records; 2 already here")
