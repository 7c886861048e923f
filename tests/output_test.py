"""`output`: the progress bar off a terminal, the JSON-or-human branch, plurals."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from gitmem.output import LONG_JOB, emit, plural, progress_bar, safe


def test_a_long_job_says_once_that_it_is_running(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar() as progress:
        assert progress is not None
        for done in range(0, LONG_JOB * 2 + 1, 200):
            progress(done, LONG_JOB * 2)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"git-mem: building the search index: {LONG_JOB * 2} records, this takes a while\n"
    )


def test_a_short_job_is_silent(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar("indexing") as progress:
        assert progress is not None
        for done in range(0, LONG_JOB, 200):
            progress(done, LONG_JOB - 1)
    assert capsys.readouterr() == ("", "")


def test_emit_prints_the_document_under_json_and_the_lines_otherwise(
    capsys: pytest.CaptureFixture[str],
) -> None:
    made: list[str] = []

    def lines() -> Iterator[str]:
        for word in ("one", "two"):
            made.append(word)
            yield word

    emit(True, {"ids": ["a"], "n": 1}, lines())
    assert json.loads(capsys.readouterr().out) == {"ids": ["a"], "n": 1}
    assert made == []  # the human lines were never made
    emit(False, {"ids": ["a"]}, lines())
    assert capsys.readouterr().out == "one\ntwo\n"
    emit(False, {}, "# Markdown\n", end="")
    assert capsys.readouterr().out == "# Markdown\n"


def test_plural() -> None:
    assert [plural(n, "record") for n in (0, 1, 2)] == ["0 records", "1 record", "2 records"]


def test_safe_escapes_each_class_of_terminal_control() -> None:
    assert safe("a\x1b[31mb\x1b]0;t\x07\x00\r\x08") == r"a\x1b[31mb\x1b]0;t\x07\x00\x0d\x08"
    assert safe("del\x7f c1\x80\x9b\x9f") == r"del\x7f c1\x80\x9b\x9f"
    assert safe("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") == (
        r"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    )
    assert safe("tab\tnewline\n é ü 日本 \u00a0\u200b") == "tab\tnewline\n é ü 日本 \u00a0\u200b"
    assert safe("\x01marked\x02\x1b", keep="\x01\x02") == "\x01marked\x02\\x1b"


def test_safe_skips_the_regex_only_for_text_it_would_not_change() -> None:
    """`safe` returns printable text (tabs and newlines aside) as it is without the UNSAFE
    regex: for every character up to U+3000 (every one UNSAFE names is below it) and the
    format, private and astral ones after it, alone and in text, it gives what the regex does."""
    from gitmem.output import UNSAFE, _escaped

    def by_regex(text: str, keep: str = "") -> str:
        return UNSAFE.sub(lambda m: m[0] if m[0] in keep else _escaped(m[0]), text)

    later = [0x3000, 0xE000, 0xFEFF, 0xFFF9, 0xFFFC, 0xFFFD, 0xFFFE, 0x1F600, 0xE0001, 0x10FFFD]
    for code in [*range(0x3000), *later]:
        char = chr(code)
        for text in (char, f"a {char}\tb\n", f"\u00e9{char}"):
            assert safe(text) == by_regex(text), hex(code)
    assert safe("\x1b[31m", keep="\x1b") == by_regex("\x1b[31m", keep="\x1b") == "\x1b[31m"
