"""`git mem show`: readable, --raw (exact bytes), --json; prefixes and their refusals."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from importtime import gitmem_loads

ID_A = "abcd00000001"
ID_B = "abcd00000002"


def test_show_readable(repo, mem):
    record_id = mem(
        "save", "-t", "decision", "--title", "Use PostgreSQL", "--tag", "db,adr",
        "--path", "src/db/", "--meta", "sprint=42", "-m", "JSONB covers the flexible parts.",
    ).saved_id  # fmt: skip
    result = mem("show", record_id)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == f"{record_id} decision active"
    assert lines[1] == "Use PostgreSQL"
    assert "author:     Test User <test@example.com>" in lines
    assert "source:     cli" in lines
    assert "paths:      src/db/" in lines
    assert "tags:       db, adr" in lines
    assert "metadata:   sprint=42" in lines
    location = next(ln for ln in lines if ln.startswith("location:"))
    assert re.fullmatch(
        r"location:   \.memory/decisions/\d{4}-\d\d-\d\d-use-postgresql\.md", location
    )
    assert result.out.endswith(f"{location}\n\nJSONB covers the flexible parts.\n")
    assert result.err == ""


def test_show_raw_is_the_exact_file(repo, mem, g):
    path = g.write_record(repo, "facts/hand.md", ID_A, title="Hand  written", odd="{b: 1,   a: 2}")
    path.write_bytes(path.read_bytes() + b"\n\ntrailing   spaces   \n\n")
    result = mem("show", ID_A, "--raw")
    assert result.code == 0, result.err
    assert result.out.encode() == path.read_bytes()


def test_show_raw_of_a_note_record_is_its_document(repo, mem, g):
    first = mem("save", "--commit", "HEAD", "-m", "one").saved_id
    second = mem("save", "--commit", "HEAD", "-m", "two").saved_id
    note = g.run("notes", "--ref=mem", "show", "HEAD")
    raw_first = mem("show", first, "--raw").out
    raw_second = mem("show", second, "--raw").out
    assert raw_first + raw_second == note
    assert raw_first.startswith(f"---\nid: {first}\n")
    assert raw_second.startswith(f"---\nid: {second}\n")


def test_show_json(repo, mem, g):
    record_id = mem("save", "--tag", "x", "--commit", "HEAD", "-m", "Title\n\nBody.").saved_id
    head = g.run("rev-parse", "HEAD").strip()
    result = mem("show", record_id, "--json")
    data = json.loads(result.out)
    assert data == {
        "id": record_id,
        "type": "fact",
        "title": "Title",
        "created": data["created"],
        "author": "Test User <test@example.com>",
        "status": "active",
        "tags": ["x"],
        "source": "cli",
        "commits": [head],
        "body": "Title\n\nBody.\n",
        "location": f"note:{head}",
    }


def test_raw_and_json_are_exclusive(repo, mem):
    result = mem("show", "abcd", "--raw", "--json")
    assert result.code == 2
    assert "not allowed with argument" in result.err


def test_show_by_prefix(repo, mem):
    record_id = mem("save", "-m", "prefix me").saved_id
    for prefix in (record_id[:4], record_id[:7], record_id, record_id.upper()[:6]):
        result = mem("show", prefix)
        assert result.code == 0, (prefix, result.err)
        assert result.out.startswith(record_id)


def test_too_short_prefix(repo, mem):
    mem("save", "-m", "x")
    result = mem("show", "abc")
    assert result.code == 2
    assert result.err == (
        "git-mem: error: id prefix 'abc' is too short: give at least 4 characters\n"
    )


def test_ambiguous_prefix_lists_the_candidates(repo, mem, g):
    g.write_record(repo, "facts/a.md", ID_A, title="First")
    g.write_record(repo, "facts/b.md", ID_B, title="Second")
    result = mem("show", "abcd0")
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("git-mem: error: id prefix 'abcd0' is ambiguous: ")
    listing = result.err.removeprefix("git-mem: error: id prefix 'abcd0' is ambiguous: ")
    assert sorted(listing.rstrip("\n").split("; ")) == [f"{ID_A} First", f"{ID_B} Second"]
    # A longer prefix is unique again.
    assert mem("show", ID_B[:12]).out.startswith(f"{ID_B} fact active\nSecond\n")


def test_unknown_id(repo, mem):
    mem("save", "-m", "x")
    result = mem("show", "zzzz")
    assert result.code == 1
    assert result.out == ""
    assert result.err == "git-mem: error: no memory with an id starting 'zzzz'\n"


def test_same_id_in_a_file_and_a_note_is_refused(repo, mem, g):
    head = g.run("rev-parse", "HEAD").strip()
    g.write_record(repo, "facts/a.md", ID_A, title="In a file")
    g.run(
        "notes", "--ref=mem", "add", "-m",
        f"---\nid: {ID_A}\ntype: fact\ntitle: In a note\ncreated: 2026-01-01T00:00:00+00:00\n"
        "body: |\n  text\n", "HEAD",
    )  # fmt: skip
    result = mem("show", ID_A)
    assert result.code == 2
    assert result.err in {
        f"git-mem: error: id {ID_A} is used by 2 records ({places}); run `git mem doctor`\n"
        for places in (f".memory/facts/a.md, note:{head}", f"note:{head}, .memory/facts/a.md")
    }


def test_a_note_written_by_hand_reads_as_episodic(repo, mem, g, ids):
    g.run("notes", "--ref=mem", "add", "-m", "Deployed to prod by hand\n\nAll good.", "HEAD")
    (record_id,) = ids()
    result = mem("show", record_id, "--json")
    data = json.loads(result.out)
    assert data["type"] == "episodic"
    assert data["title"] == "Deployed to prod by hand"
    assert data["body"] == "Deployed to prod by hand\n\nAll good.\n"
    assert data["created"] == g.run("show", "-s", "--format=%cI", "HEAD").strip()
    raw = mem("show", record_id, "--raw").out
    assert raw == g.run("notes", "--ref=mem", "show", "HEAD")


def test_show_end_to_end(repo, g):
    proc = g.git_mem("save", "-m", "end to end", cwd=repo)
    record_id = proc.stdout.split()[1]
    proc = g.git_mem("show", record_id[:5], cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"{record_id} fact active\nend to end\n")
    assert "\x1b[" not in proc.stdout  # no colour on a pipe
    proc = g.git_mem("show", "zzzz", cwd=repo)
    assert proc.returncode == 1
    assert proc.stderr == "git-mem: error: no memory with an id starting 'zzzz'\n"


def test_show_raw_end_to_end_is_byte_exact(repo, g):
    path = repo / ".memory" / "facts" / "crlf.md"
    path.parent.mkdir(parents=True)
    data = (
        "---\r\nid: abcd00000003\r\ntype: fact\r\ntitle: Café ☕\r\n"
        "created: 2026-01-01T00:00:00+00:00\r\n---\r\n\r\nLine one\r\nno final newline"
    ).encode()
    path.write_bytes(data)
    proc = subprocess.run(["git", "mem", "show", "abcd", "--raw"], cwd=repo, capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == data
    # The same with a C locale: the bytes must not depend on the terminal's encoding.
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    proc = subprocess.run(
        ["git", "mem", "show", "abcd", "--raw"], cwd=repo, capture_output=True, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == data


def test_non_utf8_note_by_hand_end_to_end(repo, g):
    g.run("notes", "--ref=mem", "add", "-F", "-", "HEAD", input=b"Caf\xe9 latin-1 note\n")
    proc = g.git_mem("list", "--json", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    (row,) = json.loads(proc.stdout)["records"]
    assert (row["type"], row["title"]) == ("episodic", "Caf\ufffd latin-1 note")
    # utf-8:strict is what Python's stdout is in an ordinary UTF-8 locale (en_US.UTF-8).
    for encoding in ("utf-8:surrogateescape", "utf-8:strict"):
        raw = subprocess.run(
            ["git", "mem", "show", row["id"], "--raw"],
            cwd=repo,
            capture_output=True,
            env={**os.environ, "PYTHONIOENCODING": encoding},
        )
        assert raw.returncode == 0, raw.stderr
        assert raw.stdout == b"Caf\xe9 latin-1 note\n"


def test_show_loads_no_search_engine(repo, mem):
    """`show` answers from the catalog and the record's own file: Whoosh (~140 ms to import) is
    never loaded, nor the semantic extra's numpy, onnxruntime and tokenizers, even with it on
    (checked with -X importtime, not with a clock)."""
    record_id = mem("save", "-m", "Use PostgreSQL").saved_id
    assert mem("list").code == 0  # the index exists and is current
    proc, loaded = gitmem_loads(["show", record_id[:6]], repo, GITMEM_SEMANTIC="auto")
    assert proc.returncode == 0, proc.stderr
    assert "gitmem.records.store" in loaded
    heavy = ("whoosh", "pygit2", "numpy", "tokenizers", "onnxruntime")
    assert not {name for name in loaded if name.split(".")[0] in heavy}


@pytest.mark.parametrize("command", [["show"], ["list", "--limit", "20"]])
def test_reading_loads_neither_inspect_nor_the_reranker(repo, mem, command):
    """`show` and `list` never re-rank, inspect a signature nor deep-copy: `inspect` and `copy`
    (what `dataclasses` imports, store/lazy.py) and `gitmem.semantic` are not loaded (-X
    importtime, no clock)."""
    record_id = mem("save", "-m", "Use PostgreSQL").saved_id
    assert mem("list").code == 0  # the index exists and is current
    argv = [*command, record_id[:6]] if command == ["show"] else command
    proc, loaded = gitmem_loads(argv, repo, GITMEM_SEMANTIC="auto", GITMEM_SERVICE="off")
    assert proc.returncode == 0, proc.stderr
    assert "gitmem.records.store" in loaded
    unused = ("inspect", "ast", "dis", "tokenize", "urllib.parse", "ipaddress", "copy", "weakref")
    assert not {name for name in loaded if name in unused}
    assert not {name for name in loaded if name.startswith("gitmem.semantic")}


@pytest.mark.parametrize("mode", ["off", "auto"])
def test_one_shot_search_loads_no_reranker(repo, mem, mode):
    """A one-shot `git mem search` under `off`, and under `auto` (which re-ranks only in
    resident processes), imports neither `gitmem.semantic.rerank` nor `model` (-X importtime)."""
    mem("save", "-m", "Use PostgreSQL")
    assert mem("list").code == 0  # the index exists and is current
    proc, loaded = gitmem_loads(
        ["search", "postgresql"], repo, GITMEM_SEMANTIC=mode, GITMEM_SERVICE="off"
    )
    assert proc.returncode == 0, proc.stderr
    assert "gitmem.search.whoosh_reader" in loaded  # it did search
    assert not loaded & {"gitmem.semantic.rerank", "gitmem.semantic.model"}


def test_pathlib_loaded_without_urllib_keeps_as_uri(tmp_path):
    """gitmem/__init__.py loads pathlib with a stand-in for `urllib.parse`: `as_uri` still
    quotes (through the real module, loaded then) and a later import gets the real module."""
    script = (
        "import sys, gitmem, pathlib; print('urllib.parse' in sys.modules); "
        "print(pathlib.PurePosixPath('/a b/%').as_uri()); "
        "import urllib.parse; print(urllib.parse.quote('a b'), urllib.parse.urlsplit('h://x').netloc)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "False\nfile:///a%20b/%25\na%20b x\n"
