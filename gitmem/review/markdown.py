"""A review (`findings.Review`) as Markdown to paste into, or post as, a pull-request comment.

Text from records (titles, commit subjects) is escaped so it renders as written: no stray
emphasis or links, no HTML, and no `@name` that would notify someone from a bot's comment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from gitmem.output import markdown_code, markdown_text, plural

if TYPE_CHECKING:
    from gitmem.review.findings import FileChange, Review, Why

from gitmem.review.findings import MARKER, NOTHING

text = markdown_text  # plain text for inline Markdown (`output.markdown_text`)
code = markdown_code  # an inline code span holding a value exactly


def link(title: str, path: str, link_base: str) -> str:
    return f"[{text(title)}]({link_base}{quote(path)})"


def _where(location: str, title: str, link_base: str) -> str:
    if location.startswith("note:"):
        return f"{text(title)} (note on {code(location[5:12])})"
    return link(title, location, link_base)


def _why(why: Why) -> str:
    if why.kind == "paths":
        more = f" (and {why.more} more)" if why.more else ""
        return f"paths: {code(why.match)} matches {code(why.source)}{more}"
    if why.kind == "name":
        return f"search: matches {code(why.match)} from {code(why.source)}"
    return f"search: commit subject “{text(why.source)}”"


def _file_line(item: FileChange, link_base: str) -> str:
    verb = f"**{item.change.capitalize()}**"
    if item.error is not None:
        return f"- {verb} {code(item.path)}: not a valid record ({text(item.error)})"
    assert item.title is not None and item.id is not None and item.type is not None
    if item.change == "removed":
        shown = f"{text(item.title)} ({code(item.path)})"
    else:
        shown = link(item.title, item.path, link_base)
    details = []
    if item.old_status is not None and item.old_status != item.status:
        details.append(f"status {item.old_status} → {item.status}")
    else:
        details.append(str(item.status))
    if item.old_title is not None and item.old_title != item.title:
        details.append(f"was titled {text(item.old_title)}")
    if item.old_path is not None:
        details.append(f"moved from {code(item.old_path)}")
    return f"- {verb} {item.type} {code(item.id)}: {shown} · {'; '.join(details)}"


def render(review: Review, link_base: str = "") -> str:
    """The comment: a hidden marker (so a bot can find and update it), then each part that
    has something to say."""
    lines = [MARKER]
    if review.empty:
        return "\n".join([*lines, NOTHING, ""])
    n = len(review.commits)
    lines += [
        "## Memory for this change",
        "",
        f"{code(review.head)} ({code(review.head_commit[:7])}) against {code(review.base)}, "
        f"from their merge base {code(review.merge_base[:7])}: "
        f"{plural(n, 'commit')}.",
    ]
    if review.files:
        lines += ["", f"### Memory files ({len(review.files)})", ""]
        lines += [_file_line(item, link_base) for item in review.files]
    if review.captured:
        lines += ["", f"### Captured in notes on this branch ({len(review.captured)})", ""]
        lines += [
            f"- {c.type} {code(c.id)}: {text(c.title)} · {c.status} · on {code(c.commit[:7])}"
            for c in review.captured
        ]
    if review.relevant:
        lines += ["", f"### Relevant existing memories ({len(review.relevant)})", ""]
        lines += [
            f"- {r.type} {code(r.id)}: {_where(r.location, r.title, link_base)} · {_why(r.why)}"
            for r in review.relevant
        ]
    return "\n".join([*lines, ""])
