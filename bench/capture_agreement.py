"""Label reliability for capture quality: a second labeller's labels against the first.

    .venv/bin/python bench/capture_agreement.py [DIR]      # every project with second labels
                                                          # (in DIR: PROJECT.jsonl files)

The capture rules are scored against one labeller's labels (tests/fixtures/capture_labels*).
Where two labellers following the same guide (bench/RESULTS-capture.md, "Label guide")
disagree, no classifier can be scored above their agreement, so this prints, per project that
has second labels (tests/fixtures/capture_second_labels/PROJECT.jsonl, labelled blind: from the
text alone, without the first labels or any rule's verdict):

- agreement on three classes (decision + breaking / fix / the rest), raw and as Cohen's kappa,
  and the 3x3 table first x second (counts in the sample, not weighted back);
- the second labeller scored as if it were a classifier against the first labeller (precision,
  decision recall, fix recall, weighted back like the rules): the score a second careful human
  reaches, the ceiling to read the rules' targets against;
- the rules (this tree's) scored against the first labels, the second labels, and the commits
  both labellers agree on;
- a plain baseline against the first labels: a decision wherever the issue's own decision
  words appear (`capture_sample.DECISION_WORDS`), else a fix where the subject says fix or bug.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from capture_quality import current_classifier, intervals, load_labels, pct, score  # noqa: E402
from capture_sample import DECISION_WORDS  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
SECOND = FIXTURES / "capture_second_labels"
CLASSES = ("decision", "fix", "other")
# A label read as the record type a classifier would have captured for it.
AS_CAPTURED = {"decision": "decision", "breaking": "decision", "fix": "error", "fact": "fact"}
FIX_WORDS = re.compile(r"\b(?:fix(?:e[sd]|ing)?|bug)\b", re.IGNORECASE)


def plain(row: dict[str, Any]) -> str | None:
    """The plain baseline: the issue's decision words anywhere, else a fix word in the subject."""
    message = row["message"]
    if DECISION_WORDS.search(message):
        return "decision"
    return "error" if FIX_WORDS.search(message.split("\n", 1)[0]) else None


def three_way(label: str) -> str:
    return "decision" if label in ("decision", "breaking") else "fix" if label == "fix" else "other"


def kappa(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """Raw agreement and Cohen's kappa of (first, second) class pairs."""
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in CLASSES) / (n * n)
    return observed, (observed - expected) / (1 - expected) if expected < 1 else 1.0


def rates(result: dict[str, Any]) -> str:
    return " | ".join(
        pct(result[key], result[key + "_w"] if result["weighted"] else None)
        for key in ("precision", "decision_recall", "fix_recall")
    )


def report(project: str, first: list[dict[str, Any]], second: list[dict[str, Any]]) -> None:
    by_sha = {row["sha"]: row for row in second}
    missing = [row["sha"][:10] for row in first if row["sha"] not in by_sha]
    if missing or len(second) != len(first):
        raise SystemExit(f"{project}: the second labels do not cover the sample: {missing[:5]}")
    unlabelled = [row["sha"][:10] for row in second if row["label"] not in (*AS_CAPTURED, "none")]
    if unlabelled:
        raise SystemExit(f"{project}: rows without a label in the second file: {unlabelled[:5]}")
    pairs = [(three_way(row["label"]), three_way(by_sha[row["sha"]]["label"])) for row in first]
    observed, k = kappa(pairs)
    table = Counter(pairs)
    print(f"## {project} ({len(first)} commits)\n")
    print(f"agreement on 3 classes: {100 * observed:.1f}%, Cohen's kappa {k:.2f}\n")
    print("| first \\ second | " + " | ".join(CLASSES) + " |")
    print("|---|" + "---:|" * len(CLASSES))
    for a in CLASSES:
        print(f"| {a} | " + " | ".join(str(table[a, b]) for b in CLASSES) + " |")

    def second_labeller(row: dict[str, Any]) -> str | None:
        return AS_CAPTURED.get(by_sha[row["sha"]]["label"])

    rules = current_classifier()
    relabelled = [{**row, "label": by_sha[row["sha"]]["label"]} for row in first]
    agreed = [row for row, (a, b) in zip(first, pairs, strict=True) if a == b]
    print("\n| scored | against | precision | decision recall | fix recall | 95% intervals |")
    print("|---|---|---:|---:|---:|---|")
    for name, classify, rows, against in (
        ("second labeller", second_labeller, first, "first labels"),
        ("rules", rules, first, "first labels"),
        ("rules", rules, relabelled, "second labels"),
        ("rules", rules, agreed, f"both agree ({len(agreed)})"),
        ("plain keywords", plain, first, "first labels"),
    ):
        spans = " / ".join(intervals(rows, classify))
        print(f"| {name} | {against} | {rates(score(rows, classify))} | {spans} |")
    print()


def main() -> None:
    second = Path(sys.argv[1]) if len(sys.argv) > 1 else SECOND
    projects = sorted(path.stem for path in second.glob("*.jsonl"))
    if not projects:
        raise SystemExit(f"no second labels in {second}")
    for project in projects:
        first = load_labels(FIXTURES / f"capture_labels_holdout_{project}.jsonl")
        report(project, first, load_labels(second / f"{project}.jsonl"))


if __name__ == "__main__":
    main()
