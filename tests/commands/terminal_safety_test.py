"""Record text never drives the terminal: control, C1 and bidi characters are shown escaped.

A memory from a pulled branch whose title holds `ESC [31m`, an OSC title or clipboard (52)
sequence, a C1 CSI or a bidi override is printed escaped by every human-readable output;
`--json` keeps the exact strings and `show --raw` the exact bytes, unless it prints to a terminal.
"""

from __future__ import annotations

import json
from pathlib import Path

from gitrepo import on_terminal

TITLE = "Red\x1b[31m alert\x1b]0;pwned\x07 clip\x1b]52;c;aGk=\x07 \x9b2J \u202eevil"
BODY = "body\x1b[8m hidden \u2066x\u2069 needle\there"
SAFE_TITLE = r"Red\x1b[31m alert\x1b]0;pwned\x07 clip\x1b]52;c;aGk=\x07 \x9b2J \u202eevil"
SAFE_BODY = "body\\x1b[8m hidden \\u2066x\\u2069 needle\there"
SAFE_SNIPPET = "body\\x1b[8m hidden \\u2066x\\u2069 needle here"  # a snippet folds whitespace


def _saved(mem) -> tuple[str, str, str]:
    """The hostile record's id, creation date and location."""
    record_id = mem("save", "--title", TITLE, "-m", BODY).saved_id
    document = json.loads(mem("show", record_id, "--json").out)
    return record_id, document["created"][:10], document["location"]


def test_list_escapes_the_title(repo, mem):
    record_id, created, location = _saved(mem)
    result = mem("list")
    assert result.code == 0, result.err
    assert result.out == f"{record_id} {created} fact       {SAFE_TITLE}  {location}\n"


def test_search_escapes_title_and_snippet(repo, mem):
    record_id, created, location = _saved(mem)
    result = mem("search", "needle")
    assert result.code == 0, result.err
    assert result.out == (
        f"{record_id} {created} fact       {SAFE_TITLE}  {location}\n    {SAFE_SNIPPET}\n"
    )


def test_show_escapes_every_field_and_the_body(repo, mem):
    record_id, _, location = _saved(mem)
    result = mem("show", record_id)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[:2] == [f"{record_id} fact active", SAFE_TITLE]
    assert result.out.endswith(f"location:   {location}\n\n{SAFE_BODY}\n")
    assert "\x1b" not in result.out and "\u202e" not in result.out


def test_context_escapes_the_markdown(repo, mem):
    record_id, _, _ = _saved(mem)
    result = mem("context")
    assert result.code == 0, result.err
    assert f"  {SAFE_TITLE} — {SAFE_SNIPPET}" in result.out.splitlines()
    assert f"- [{record_id}] from a file, source cli" in result.out.splitlines()
    assert "\x1b" not in result.out and "\x9b" not in result.out


def test_json_keeps_the_exact_strings(repo, mem):
    record_id, _, _ = _saved(mem)
    shown = json.loads(mem("show", record_id, "--json").out)
    assert (shown["title"], shown["body"].rstrip("\n")) == (TITLE, BODY)
    listed = json.loads(mem("list", "--json").out)
    assert listed["records"][0]["title"] == TITLE


def test_show_raw_piped_keeps_the_bytes(repo, mem):
    record_id, _, location = _saved(mem)
    result = mem("show", record_id, "--raw")
    assert result.code == 0, result.err
    assert result.out.encode() == (repo / location).read_bytes()
    assert "body\x1b[8m hidden \u2066x\u2069" in result.out


def _on_a_terminal(*args: str, cwd: Path) -> str:
    """`git mem ARGS` with its stdout on a real pseudo-terminal; what the terminal received."""
    proc, shown = on_terminal(["git", "mem", *args], cwd)
    assert proc.returncode == 0, proc.stderr
    return shown.replace("\r\n", "\n")


def test_show_raw_on_a_terminal_escapes(repo, mem):
    record_id, _, location = _saved(mem)
    shown = _on_a_terminal("show", record_id, "--raw", cwd=repo)
    exact = (repo / location).read_text()
    assert exact.endswith(f"\n{BODY}\n")
    assert shown.endswith(f"\n{SAFE_BODY}\n")
    assert "\x1b" not in shown and "\u2066" not in shown


def test_search_on_a_terminal_colours_the_match_but_escapes_the_text(repo, mem):
    _saved(mem)
    shown = _on_a_terminal("search", "needle", cwd=repo)
    snippet = shown.splitlines()[-1]
    assert snippet == ("    body\\x1b[8m hidden \\u2066x\\u2069 \x1b[1;33mneedle\x1b[0m here")
    assert SAFE_TITLE in shown.splitlines()[0]


def test_an_error_quoting_user_text_escapes_it(repo, mem):
    result = mem("show", "zz\x1b]0;x\x07")
    assert result.code != 0
    assert "\x1b" not in result.err and "\x07" not in result.err


def test_report_markdown_and_html_escape_titles(repo, mem):
    assert mem("save", "-t", "decision", "--title", TITLE, "-m", BODY).code == 0
    for form in ("markdown", "html"):
        result = mem("report", "decisions", "--format", form)
        assert result.code == 0, result.err
        assert "\x1b" not in result.out and "\x9b" not in result.out, form
        # Markdown escapes the backslashes and brackets too: it renders as \x1b]52;c;aGk=\x07.
        shown = r"\\x1b\]52;c;aGk=\\x07" if form == "markdown" else r"\x1b]52;c;aGk=\x07"
        assert "\u202e" not in result.out and shown in result.out, form
    exact = mem("report", "decisions", "--format", "json").out
    assert json.dumps(TITLE, ensure_ascii=False) in exact  # JSON keeps the exact string


def test_session_list_and_show_escape_label_and_messages(repo, mem):
    started = json.loads(mem("session", "start", "--label", "x\x1b]0;t\x07y", "--json").out)
    assert mem("session", "log", "hi\x1b[2Jthere\u2067").code == 0
    listed = mem("session", "list")
    assert listed.code == 0, listed.err
    assert listed.out.rstrip("\n").endswith(r"x\x1b]0;t\x07y")
    shown = mem("session", "show", started["id"])
    assert shown.code == 0, shown.err
    assert shown.out.splitlines()[0] == rf"session {started['id']} (x\x1b]0;t\x07y)"
    assert shown.out.splitlines()[-1].endswith(r"user: hi\x1b[2Jthere\u2067")
    assert "\x1b" not in listed.out + shown.out
