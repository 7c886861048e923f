"""Markdown reports escape record text as `git mem pr` does (issue 15, case 14): a title with
`<script>`, `<!--`, `@octocat` or `](javascript:` renders as written, never as HTML, a hidden
comment, a mention or a link."""

from __future__ import annotations

import re
from typing import Any

TITLE = "<script>alert(1)</script> <!-- hide @octocat [x](javascript:alert(1)) *b* |"
ESCAPED = (
    "\\<script\\>alert(1)\\</script\\> \\<!-- hide @<!-- -->octocat "
    "\\[x\\](javascript:alert(1)) \\*b\\* \\|"
)


def test_every_markdown_report_escapes_record_text(repo: Any, mem: Any) -> None:
    saved = mem("save", "--type", "decision", "--title", TITLE, "-m", "body")
    record_id = saved.saved_id
    location = saved.location
    for kind in ("decisions", "timeline"):
        result = mem("report", kind)
        assert result.code == 0, result.err
        # Every `<` is escaped but the empty comments that defuse mentions; no live link.
        assert re.findall(r"(?<!\\)<(?!!-- -->)", result.out) == []
        assert "](javascript:" not in result.out.replace("\\](javascript:", "")
        assert ESCAPED in result.out
    timeline = mem("report", "timeline").out
    row = timeline.splitlines()[-1]
    assert row.startswith("| ") and f"| decision | [{ESCAPED}]({location}) | {record_id} |" in row
    assert "Test User \\<test@<!-- -->example.com\\>" in row


def test_the_report_file_is_escaped_too(repo: Any, mem: Any, tmp_path: Any) -> None:
    mem("save", "--type", "error", "--title", TITLE, "-m", "body")
    out = tmp_path / "r.md"
    assert mem("report", "errors", "--output", str(out)).code == 0
    assert f"{ESCAPED} (active)" in out.read_text()
