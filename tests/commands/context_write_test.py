"""`git mem context --write FILE`: a marked section of an assistant's instructions file, kept
equal to the pack; the rest of the file is never touched."""

from __future__ import annotations

import json
import os

import pytest

START = "<!-- gitmem:context:start -->"
END = "<!-- gitmem:context:end -->"
NOTICE = (
    "<!-- Written by `git mem context --write`: this section is replaced each time it runs; "
    "edit outside the markers. -->"
)


def section(pack: str) -> str:
    return f"{START}\n{NOTICE}\n\n{pack.rstrip()}\n{END}\n"


@pytest.fixture
def saved(repo, mem):
    mem("save", "-t", "decision", "-m", "Use PostgreSQL over MongoDB", "-m", "JSONB covers it")
    return mem("context").out


def test_appends_once_then_is_byte_identical(repo, mem, saved):
    agents = repo / "AGENTS.md"
    agents.write_text("# Agents\n\nRun `make test` before you push.\n")
    first = mem("context", "--write", "AGENTS.md")
    assert (first.code, first.out) == (
        0,
        "updated AGENTS.md (the section between the gitmem context markers)\n",
    )
    expected = "# Agents\n\nRun `make test` before you push.\n\n" + section(saved)
    assert agents.read_text() == expected
    os.utime(agents, (1_000_000_000, 1_000_000_000))

    again = mem("context", "--write", "AGENTS.md")
    assert again.out == "up to date: AGENTS.md (the section between the gitmem context markers)\n"
    assert agents.read_text() == expected
    assert agents.stat().st_mtime == 1_000_000_000  # not even rewritten


def test_replaces_only_the_section(repo, mem, saved):
    claude = repo / "CLAUDE.md"
    claude.write_text(f"Before.\n{START}\nold pack\n{END}\nAfter: keep me.\n")
    mem("save", "-t", "fact", "-m", "Staging resets on Sundays")
    assert mem("context", "--write", "CLAUDE.md").code == 0
    assert claude.read_text() == ("Before.\n" + section(mem("context").out) + "After: keep me.\n")
    assert "Staging resets on Sundays" in claude.read_text()


def test_creates_a_file_and_a_cursor_rule_with_its_front_matter(repo, mem, saved):
    result = mem("context", "--write", ".cursor/rules/gitmem.mdc", "--json")
    assert json.loads(result.out) == {
        "path": ".cursor/rules/gitmem.mdc",
        "created": True,
        "changed": True,
    }
    text = (repo / ".cursor/rules/gitmem.mdc").read_text()
    assert text == (
        "---\ndescription: The project's memory (gitmem): decisions, facts, procedures\n"
        "alwaysApply: true\n---\n\n" + section(saved)
    )
    assert mem("context", "--write", "NEW.md").out.startswith("created NEW.md")
    assert (repo / "NEW.md").read_text() == section(saved)


@pytest.mark.parametrize(
    "text",
    [
        f"{START}\nno end\n",
        f"{END}\n{START}\n",
        f"{START}\n{END}\n{START}\n{END}\n",
    ],
)
def test_malformed_markers_write_nothing(repo, mem, saved, text):
    path = repo / "AGENTS.md"
    path.write_text("intro\n" + text)
    result = mem("context", "--write", "AGENTS.md")
    assert result.code == 2
    assert result.err == (
        "git-mem: error: AGENTS.md:2: the gitmem context markers must appear once each, "
        f"{START} before {END}; fix them by hand, nothing written\n"
    )
    assert path.read_text() == "intro\n" + text


def test_refuses_paths_out_of_the_repository(repo, mem, saved, tmp_path):
    outside = tmp_path / "outside.md"
    (repo / "link.md").symlink_to(outside)
    for value in ("../outside.md", "link.md", str(outside)):
        result = mem("context", "--write", value)
        assert result.code == 2, value
        assert result.err == (
            f"git-mem: error: {value}: outside the repository ({repo.resolve()}); "
            "refusing to write there\n"
        )
    assert not outside.exists()
    for value, what in ((".git/config", "inside .git"), (".memory", "is a directory")):
        result = mem("context", "--write", value)
        assert result.code == 2
        assert what in result.err


def test_refuses_a_file_that_is_not_utf8(repo, mem, saved):
    (repo / "AGENTS.md").write_bytes(b"caf\xe9\n")
    result = mem("context", "--write", "AGENTS.md")
    assert result.code == 2
    assert result.err == (
        "git-mem: error: AGENTS.md: not UTF-8 text (invalid continuation byte); nothing written\n"
    )
    assert (repo / "AGENTS.md").read_bytes() == b"caf\xe9\n"
