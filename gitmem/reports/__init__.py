"""`git mem report`: deploys (DORA), decisions, activity, errors, timeline.

Each kind is one declaration in `report.py`: its name and help (which the CLI offers), the
function building its JSON document (`kinds.py`, `deploys.py`) and the one laying that document
out (`layout.py`). The Markdown and HTML renderers only read the layout, so the three formats
never disagree.

Owns the report kinds and their renderers. It may import `store`, `search` and `records`; it
must not import another domain package or the CLI.
"""

from __future__ import annotations

SCHEMA = 1  # bump when a key of a report's JSON document changes meaning or goes away
