"""The pieces of `git mem pr` that need no repository: path matching, search words, and the
Markdown escaping that keeps record text from breaking (or pinging anyone in) a comment."""

from __future__ import annotations

import pytest

from gitmem.review import markdown, review


@pytest.mark.parametrize(
    ("changed", "recorded", "expected"),
    [
        ("src/db/pool.py", "src/db/", True),  # a directory prefix
        ("src/db/pool.py", "src/db", True),  # ... with or without the slash
        ("src/dbx/pool.py", "src/db/", False),  # a sibling is not inside
        ("src/db/pool.py", "src/db/pool.py", True),
        ("src/db/pool.py", "src/**/pool.py", True),
        ("src/pool.py", "src/**/pool.py", True),  # `**/` matches no folder too
        ("src/a/b/pool.py", "src/**/pool.py", True),
        ("lib/pool.py", "src/**/pool.py", False),
        ("src/db/pool.py", "src/*.py", True),  # fnmatch's `*` crosses `/`, as `list --path`
        ("src/db/pool.txt", "src/*.py", False),
        ("docs/x.md", "**/*.md", True),
        ("x.md", "**/*.md", True),
        ("src/db/pool.py", "src/db/p?ol.py", True),
        ("src/db/pool.py", "src/db/[pq]ool.py", True),
    ],
)
def test_glob_matches(changed: str, recorded: str, expected: bool) -> None:
    assert review.glob_matches(changed, recorded) is expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("pool", ["pool"]),
        ("connection_pool", ["connection", "pool"]),
        ("ConnectionPool", ["connection", "pool"]),
        ("__init__", []),
        ("utils", []),
        ("v2", []),  # too short
        ("Fix pool leak in the DB layer", ["pool", "leak", "layer"]),
        ("Bump version to 1.2.3", ["version"]),
        ("Merge branch 'main'", []),
        ("pool pool POOL", ["pool"]),
    ],
)
def test_search_words(text: str, words: list[str]) -> None:
    assert review._significant(text) == words


def test_text_escapes_markdown_and_defuses_mentions() -> None:
    text = markdown.text
    assert text("Use *PostgreSQL* over_Mongo") == "Use \\*PostgreSQL\\* over\\_Mongo"
    assert text("[a](b) <img src=x> a|b ~c~ &amp;") == (
        "\\[a\\](b) \\<img src=x\\> a\\|b \\~c\\~ \\&amp;"
    )
    assert text("ask @jane, mail jane@example.com, @") == (
        "ask @<!-- -->jane, mail jane@<!-- -->example.com, @"
    )
    assert text("two\nlines\tand  spaces") == "two lines and spaces"
    assert text("back\\slash `code`") == "back\\\\slash \\`code\\`"


def test_code_spans_hold_any_backticks() -> None:
    code = markdown.code
    assert code("abc") == "`abc`"
    assert code("a`b") == "``a`b``"
    assert code("`x`") == "`` `x` ``"
    assert code("a``b") == "```a``b```"


def test_links_quote_the_path_and_take_a_base() -> None:
    link = markdown.link
    assert link("T", ".memory/facts/a b(1).md", "") == "[T](.memory/facts/a%20b%281%29.md)"
    assert link("T", ".memory/x.md", "https://h/o/r/blob/abc/") == (
        "[T](https://h/o/r/blob/abc/.memory/x.md)"
    )
