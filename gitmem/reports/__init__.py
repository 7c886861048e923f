"""`git mem report`: deploys (DORA), decisions, activity, errors, timeline.

Each kind builds one JSON-able document from the records (`kinds.py`, `deploys.py`); the
Markdown and HTML renderers only read that document, so the three formats never disagree.
"""

from __future__ import annotations

KINDS = ("deploys", "decisions", "activity", "errors", "timeline")
FORMATS = ("markdown", "json", "html")
SCHEMA = 1  # bump when a key of a report's JSON document changes meaning or goes away
