"""Draw a stratified sample of a real history's commits to label by hand (capture quality).

    .venv/bin/python bench/capture_sample.py GIT_DIR PROJECT [--random 100] [--extra 60]

A plain random sample holds too few decisions to measure decision recall (the first hold-out
had 6 in 120). So: `--random` commits drawn uniformly from the whole history, plus `--extra`
drawn uniformly from the commits whose message holds a decision-ish word (DECISION_WORDS: the
issue's own list, not the capture rules' patterns) that the first draw missed. Together that is
a stratified sample: stratum "decision-words" (every sampled commit matching the words) and
stratum "rest"; each is a uniform sample of its stratum, and each row carries the weight
`stratum size / sampled in stratum`, so bench/capture_quality.py weighs the scores back to the
whole history. Rows come out with `"label": "?"`, to be labelled by hand from the text alone.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
from pathlib import Path

DECISION_WORDS = re.compile(
    r"\b(?:adopt|switch|replac|deprecat|drop|prefer|chose|choose|decid|migrat|instead\s+of|"
    r"rather\s+than|in\s+favou?r\s+of|no\s+longer)",
    re.IGNORECASE,
)
FORMAT = "%x1e%H%x00%P%x00%an%x00%ad%x00%cd%x00%B"


def history(git_dir: Path) -> list[dict[str, object]]:
    out = subprocess.run(
        ["git", "log", "--date=raw", f"--format={FORMAT}", "HEAD"],
        cwd=git_dir, capture_output=True, check=True,
    ).stdout.decode("utf-8", "replace")  # fmt: skip
    rows = []
    for chunk in out.split("\x1e")[1:]:
        sha, parents, author, adate, cdate, message = chunk.split("\0", 5)
        rows.append(
            {"sha": sha, "parents": len(parents.split()), "author": author,
             "author_date": adate, "committer_date": cdate,
             "message": message.rstrip("\n") + "\n"}
        )  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dir", type=Path)
    parser.add_argument("project")
    parser.add_argument("--random", type=int, default=100)
    parser.add_argument("--extra", type=int, default=60)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--exclude", type=Path, action="append", default=[],
        help="a labels file whose commits are left out of the history (a fresh sample)",
    )  # fmt: skip
    args = parser.parse_args()
    taken = {
        json.loads(line)["sha"]
        for path in args.exclude
        for line in path.read_text(encoding="utf-8").splitlines()
    }
    rows = [row for row in history(args.git_dir) if row["sha"] not in taken]
    rng = random.Random(args.seed)
    drawn = rng.sample(range(len(rows)), args.random)
    matching = [i for i in range(len(rows)) if DECISION_WORDS.search(str(rows[i]["message"]))]
    left = sorted(set(matching) - set(drawn))
    drawn += rng.sample(left, args.extra)
    sizes = {"decision-words": len(matching), "rest": len(rows) - len(matching)}
    picked = {"decision-words": 0, "rest": 0}
    strata = {}
    for i in drawn:
        strata[i] = "decision-words" if DECISION_WORDS.search(str(rows[i]["message"])) else "rest"
        picked[strata[i]] += 1
    for i in drawn:
        row = {"project": args.project, **rows[i], "label": "?", "stratum": strata[i]}
        row["weight"] = round(sizes[strata[i]] / picked[strata[i]], 3)
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
