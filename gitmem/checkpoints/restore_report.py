"""The Markdown report of a checkpoint resume (`git mem checkpoint resume --report FILE`)."""

from __future__ import annotations

from gitmem.checkpoints.restore import WRITES, Plan


def report(done: Plan, verify: bool) -> str:
    """The Markdown report of a resume (--report FILE)."""
    chosen = done.checkpoint
    stage = f", stage {chosen.stage}" if chosen.stage else ""
    lines = [
        f"# Resumed checkpoint {chosen.name}",
        "",
        f"- checkpoint: `{chosen.name}` at {chosen.timestamp}{stage}, commit `{chosen.commit}`",
        f"- target: `{done.target}`",
        f"- restored: {done.count(*WRITES)}, unchanged: {done.count('unchanged')}, "
        f"skipped: {done.count('skipped')}, missing: {done.count('missing')}",
        f"- verified: {sum(1 for i in done.items if i.verified)}"
        + ("" if verify else " (verification off: --no-verify)")
        + f", failed verification: {sum(1 for i in done.items if i.verified is False)}",
        "",
        "| file | action | sha256 verified | note |",
        "|---|---|---|---|",
    ]
    marks = {True: "yes", False: "**FAILED**", None: "-"}
    for item in done.items:
        path = item.path.replace("|", "\\|")
        lines.append(f"| `{path}` | {item.action} | {marks[item.verified]} | {item.note} |")
    missing = [i for i in done.items if i.action == "missing"]
    if missing:
        lines += ["", "## Not restored (missing blobs)", ""]
        lines += [f"- `{i.path}`: {i.note}" for i in missing]
    return "\n".join(lines) + "\n"
