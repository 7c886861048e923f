"""Train a learned capture classifier and score it leave-one-project-out (issue 16: tried, not
adopted; gitmem ships the rules alone, and nothing here is imported at run time).

    .venv/bin/python bench/capture_model.py            # LOPO report: rules vs rules+model
    .venv/bin/python bench/capture_model.py --blind    # a model trained on all six, scored on
                                                       # the blind hold-out (flask): once

Data: every labelled sample in tests/fixtures/capture_labels*.jsonl except the blind hold-out
(BLIND), grouped by project: vite, uv, curl (conventional / squash-merged / hand-written),
golang/tools (two samples), musl, libuv. Labels: decision and breaking -> decision, fix ->
error, fact and none -> none (facts are the rules' alone).

Model: multinomial logistic regression over the features `features` gives (subject
words and word pairs, body words and pairs, the first word, the prefix kind, the body's length,
and what the patterns found: their verdict and the kind of evidence), trained by Adagrad SGD
with an L2 penalty, in a fixed order (seeded): the same data gives the same weights. Features
seen in fewer than MIN_COUNT training commits are left out.

Evaluation, leave one project out: for each project P, the hyperparameters (L2 strength,
whether the model may only add decisions or revise every prose verdict, the two probability
thresholds) are picked by leave-one-project-out cross-validation *inside* the other five
projects (objective: mean precision + decision recall + fix recall over the inner held-out
projects, among the settings whose mean precision is not below the rules'); then a model is
trained on the five with them and scores P. Rates are weighted back to each history for the
stratified samples, with 95% bootstrap intervals, as bench/capture_quality.py does.

Caveat printed with the report: the rules themselves were written while reading every project
here but libuv (and flask), so "rules" columns are in-sample except there, and the model's
rule features carry that fit with them.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from capture_quality import as_commit, intervals, pct, score  # noqa: E402

from gitmem.capture import classify, default_patterns  # noqa: E402
from gitmem.capture.commits import explain  # noqa: E402
from gitmem.capture.rules import default_rules  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
BLIND = FIXTURES / "capture_labels_holdout_flask.jsonl"
TRAINING = [
    FIXTURES / name
    for name in (
        "capture_labels.jsonl",
        "capture_labels_holdout.jsonl",
        "capture_labels_holdout_gotools.jsonl",
        "capture_labels_holdout_gotools2.jsonl",
        "capture_labels_holdout_musl.jsonl",
        "capture_labels_holdout_libuv.jsonl",
    )
]
TARGET = {"decision": 1, "breaking": 1, "fix": 2}  # else 0 (none)
MIN_COUNT = 2
EPOCHS = 12
RATE = 0.3
L2_GRID = (1e-2, 3e-2, 1e-1)
SIGNALS_GRID = (True, False)
SPREAD_GRID = (1, 2)
WEIGHT_GRID = (1.0, 3.0)
DECISION_GRID = tuple(round(0.2 + 0.05 * n, 2) for n in range(16))  # 0.20 .. 0.95
# The second threshold: p(error) in "full" mode, p(none) in "veto" mode.
ERROR_GRID = tuple(round(0.3 + 0.05 * n, 2) for n in range(14))  # 0.30 .. 0.95
MODES = ("decisions", "veto", "full")
ALONE = (3e-2, 1, False, 1.0)  # l2, spread, rule signals, decision weight of "model alone"
SEED = 16


# The verdicts the model may revise: those the patterns read from prose. Trailers,
# Memory-Type, BREAKING CHANGE, facts, reverts, the ignore lists, bots, merges and short
# messages stay the rules' alone.
REVISED = ("decision-pattern", "fix-pattern", "no rule matched")
# Past this much of the body, words add little and cost time (golang/tools' bodies are long).
MAX_BODY = 1500
WORD_RE = re.compile(r"[a-z][a-z0-9_]*(?:'[a-z]+)?")
PREFIX_RE = re.compile(default_patterns._PREFIX, re.IGNORECASE)


def features(subject_line: str, message: str, verdict: classify.Verdict) -> list[str]:
    """The model's features of a (normalised) message and the patterns' verdict on it: plain
    strings (a weight can be read back as its word): "v:" the verdict's rule, "e:" what the
    patterns found on the way (classify.Verdict.evidence), "k:" the subject's prefix kind,
    "f:" its first word, "s:" its words and word pairs, "b:" the body's (the first MAX_BODY
    characters), "len:" the body's length."""
    low_subject = subject_line.lower()
    prefix = PREFIX_RE.match(low_subject)
    rest = low_subject[prefix.end() :] if prefix else low_subject
    kind = "k:-"
    if prefix and prefix.end():  # "fix(auth): " -> k:fix; "http2: " -> k:area
        head = re.split(r"[(!:]", prefix[0], maxsplit=1)[0]
        kind = f"k:{head}" if head in classify.CONVENTIONAL_KINDS else "k:area"
    words = WORD_RE.findall(rest)
    found = [f"v:{verdict.rule}", kind, *(f"e:{e}" for e in verdict.evidence)]
    found.append(f"f:{words[0]}" if words else "f:-")
    found += [f"s:{w}" for w in words]
    found += [f"s:{a} {b}" for a, b in pairwise(words)]
    newline = message.find("\n")
    body = message[newline + 1 : newline + 1 + MAX_BODY].lower() if newline >= 0 else ""
    body_words = WORD_RE.findall(body)
    found.append(
        "len:0" if not body_words
        else "len:short" if len(body_words) < 30
        else "len:medium" if len(body_words) < 120
        else "len:long"
    )  # fmt: skip
    found += [f"b:{w}" for w in body_words]
    found += [f"b:{a} {b}" for a, b in pairwise(body_words)]
    return list(dict.fromkeys(found))  # each counts once


def load(paths: list[Path]) -> list[dict[str, Any]]:
    """Rows with the rules' verdict (`rules`: decision / error / fact / None) and the model's
    features (`features`: None when the model never sees the commit)."""
    rules = default_rules()
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            found, reason = explain(as_commit(row), rules)
            row["rules"] = found[0].type if found else None
            row["features"] = None
            if reason.startswith(REVISED):  # the verdict came from the prose patterns
                message = classify.normalise(row["message"])
                subject_line = message.strip().split("\n", 1)[0].strip()
                verdict = classify.verdict(subject_line, message, rules)
                row["features"] = features(subject_line, message, verdict)
            row["target"] = TARGET.get(row["label"], 0)
            rows.append(row)
    return rows


# ------------------------------------------------------------------------ training


def train(
    rows: list[dict[str, Any]],
    l2: float,
    spread: int = 1,
    signals: bool = True,
    decision_weight: float = 1.0,
) -> dict[str, Any]:
    """Softmax regression on the rows the model sees: {"bias": [3], "weights": {f: [3]}}.
    `spread`: a feature counts only if it occurs in that many projects (a word only one
    project uses says nothing about the next project). `signals`: False leaves out what the
    patterns found (features "v:" and "e:"): the rules were fitted to these projects, so on
    them their verdicts look better than they are on a new one. `decision_weight`: how much
    a decision's error counts (they are the rare class, and the one to find)."""
    seen = [row for row in rows if row["features"] is not None]
    counts = Counter(f for row in seen for f in row["features"])
    where: dict[str, set[str]] = {}
    for row in seen:
        for f in row["features"]:
            where.setdefault(f, set()).add(row["project"])
    vocabulary = sorted(
        f for f, n in counts.items()
        if n >= MIN_COUNT and len(where[f]) >= spread and (signals or f[:2] not in ("v:", "e:"))
    )  # fmt: skip
    index = {f: n for n, f in enumerate(vocabulary)}
    data = [([index[f] for f in row["features"] if f in index], row["target"]) for row in seen]
    size = len(vocabulary)
    weights = [[0.0] * size for _ in range(3)]
    squares = [[1e-8] * size for _ in range(3)]
    bias = [0.0, 0.0, 0.0]
    bias_squares = [1e-8, 1e-8, 1e-8]
    order = list(range(len(data)))
    rng = random.Random(SEED)
    for _epoch in range(EPOCHS):
        rng.shuffle(order)
        for n in order:
            active, target = data[n]
            scale = decision_weight if target == 1 else 1.0
            scores = list(bias)
            for c in range(3):
                w = weights[c]
                scores[c] += sum(w[j] for j in active)
            top = max(scores)
            exp = [math.exp(s - top) for s in scores]
            total = sum(exp)
            for c in range(3):
                gradient = scale * (exp[c] / total - (c == target))
                bias_squares[c] += gradient * gradient
                bias[c] -= RATE * gradient / math.sqrt(bias_squares[c])
                w, g2 = weights[c], squares[c]
                for j in active:
                    step = gradient + l2 * w[j]
                    g2[j] += step * step
                    w[j] -= RATE * step / math.sqrt(g2[j])
    return {
        "bias": bias,
        "weights": {f: [weights[0][n], weights[1][n], weights[2][n]] for f, n in index.items()},
    }


def probabilities(fitted: dict[str, Any], features: list[str]) -> list[float]:
    scores = list(fitted["bias"])
    for f in features:
        w = fitted["weights"].get(f)
        if w is not None:
            scores = [s + x for s, x in zip(scores, w, strict=True)]
    top = max(scores)
    exp = [math.exp(s - top) for s in scores]
    return [e / sum(exp) for e in exp]


def decide(row: dict[str, Any], p: list[float] | None, setting: tuple[str, float, float]) -> Any:
    """The type captured: the rules' unless the model sees the commit and disagrees. Modes:
    "decisions" (the model only adds decisions), "veto" (it adds decisions and drops what it
    finds worth nothing: p(none) >= the second threshold), "full" (it decides: decision, else
    error, else nothing)."""
    mode, t_decision, t_other = setting
    if p is None:
        return row["rules"]
    if p[1] >= t_decision:
        return "decision"
    if mode == "decisions":
        return row["rules"]
    if mode == "veto":
        return None if p[0] >= t_other else row["rules"]
    return "error" if p[2] >= t_other else None


def settings() -> list[tuple[str, float, float]]:
    out: list[tuple[str, float, float]] = []
    for mode in MODES:
        for t_d in DECISION_GRID:
            for t_o in ERROR_GRID if mode != "decisions" else (1.0,):
                out.append((mode, t_d, t_o))
    return out


def rates(rows: list[dict[str, Any]], types: list[Any]) -> tuple[float, float, float]:
    """Weighted precision, decision recall, fix recall (0 where undefined)."""
    got = dict(zip((id(r) for r in rows), types, strict=True))
    s = score(rows, lambda r: got[id(r)])
    out = []
    for key in ("precision", "decision_recall", "fix_recall"):
        hit, total = s[key + "_w"]
        out.append(hit / total if total else 0.0)
    return out[0], out[1], out[2]


def choose(
    rows: list[dict[str, Any]],
) -> tuple[tuple[float, int, bool, float], tuple[str, float, float], str]:
    """Hyperparameters by leave-one-project-out inside `rows` (see the module doc):
    ((l2, spread, signals, decision weight), (mode, decision threshold, second threshold), why)."""
    projects = sorted({r["project"] for r in rows})
    best: tuple[float, float, tuple[float, int, bool, float], tuple[str, float, float]] | None = (
        None
    )
    grid = settings()
    rules_rates = [
        rates(held, [r["rules"] for r in held])
        for project in projects
        for held in ([r for r in rows if r["project"] == project],)
    ]
    floor = sum(r[0] for r in rules_rates) / len(rules_rates)
    for l2, spread, signals, weight in (
        (a, b, c, d)
        for a in L2_GRID
        for b in SPREAD_GRID
        for c in SIGNALS_GRID
        for d in WEIGHT_GRID
    ):
        per_setting: dict[tuple[str, float, float], list[tuple[float, float, float]]] = {}
        for project in projects:
            inner = [r for r in rows if r["project"] != project]
            held = [r for r in rows if r["project"] == project]
            fitted = train(inner, l2, spread, signals, weight)
            ps = [probabilities(fitted, r["features"]) if r["features"] else None for r in held]
            for setting in grid:
                types = [decide(r, p, setting) for r, p in zip(held, ps, strict=True)]
                per_setting.setdefault(setting, []).append(rates(held, types))
        for setting, values in per_setting.items():
            mean = [sum(v[k] for v in values) / len(values) for k in range(3)]
            if mean[0] < floor:
                continue
            key = (sum(mean), setting[1] + setting[2])  # ties: the more conservative
            if best is None or key > best[:2]:
                best = (key[0], key[1], (l2, spread, signals, weight), setting)
    rules_objective = floor + sum(sum(r[k] for r in rules_rates) / len(rules_rates) for k in (1, 2))
    if best is None or best[0] <= rules_objective:  # the model adds nothing the rules lack
        return (
            (L2_GRID[0], 1, True, 1.0),
            ("decisions", 1.01, 1.01),
            f"no setting beats the rules' inner objective {rules_objective:.3f} at their precision",
        )
    return best[2], best[3], f"inner objective {best[0]:.3f}, rules {rules_objective:.3f}"


def choose_alone(rows: list[dict[str, Any]]) -> tuple[str, float, float]:
    """For the reference column "model alone": the words only (no rule signals), deciding
    every prose verdict itself ("full"), thresholds by inner LOPO without the precision floor;
    L2 and the rest fixed (ALONE)."""
    projects = sorted({r["project"] for r in rows})
    per_setting: dict[tuple[str, float, float], list[tuple[float, float, float]]] = {}
    grid = [s for s in settings() if s[0] == "full"]
    for project in projects:
        fitted = train([r for r in rows if r["project"] != project], *ALONE)
        held = [r for r in rows if r["project"] == project]
        ps = [probabilities(fitted, r["features"]) if r["features"] else None for r in held]
        for setting in grid:
            types = [decide(r, p, setting) for r, p in zip(held, ps, strict=True)]
            per_setting.setdefault(setting, []).append(rates(held, types))
    return max(
        per_setting,
        key=lambda s: (sum(sum(v) for v in per_setting[s]), s[1] + s[2]),
    )


# ------------------------------------------------------------------------ report


def report(rows: list[dict[str, Any]], title: str, types: dict[str, list[Any]]) -> None:
    print(f"\n### {title}\n")
    print("| classifier | captured | precision | decision recall | fix recall |")
    print("|---|---:|---:|---:|---:|")
    for name, got in types.items():
        table = dict(zip((id(r) for r in rows), got, strict=True))
        s = score(rows, lambda r, table=table: table[id(r)])
        cells = [
            pct(s[key], s[key + "_w"] if s["weighted"] else None)
            for key in ("precision", "decision_recall", "fix_recall")
        ]
        print(f"| {name} | {s['captured']} | " + " | ".join(cells) + " |")
    print("\n95% intervals (bootstrap, rows resampled within strata)")
    print("| classifier | precision | decision recall | fix recall |")
    print("|---|---:|---:|---:|")
    for name, got in types.items():
        table = dict(zip((id(r) for r in rows), got, strict=True))
        cells = intervals(rows, lambda r, table=table: table[id(r)])
        print(f"| {name} | " + " | ".join(cells) + " |")


def lopo(rows: list[dict[str, Any]]) -> None:
    projects = list(dict.fromkeys(r["project"] for r in rows))
    print("## leave one project out: rules vs rules + model (trained without the project)\n")
    print(
        "The rules were written reading every project below but libuv: their figures are "
        "in-sample except libuv's. The model never saw the project it is scored on, nor "
        "chose its settings on it."
    )
    summary = []
    for project in projects:
        started = time.process_time()
        train_rows = [r for r in rows if r["project"] != project]
        held = [r for r in rows if r["project"] == project]
        (l2, spread, signals, weight), setting, why = choose(train_rows)
        fitted = train(train_rows, l2, spread, signals, weight)
        types = [
            decide(r, probabilities(fitted, r["features"]) if r["features"] else None, setting)
            for r in held
        ]
        print(
            f"\n{project}: chosen by inner CV: l2={l2:g}, spread={spread}, rule signals="
            f"{signals}, decision weight={weight:g}, mode={setting[0]}, decision >= "
            f"{setting[1]:.2f}, second >= {setting[2]:.2f} ({why}; "
            f"{len(fitted['weights'])} features; {time.process_time() - started:.0f} s CPU)"
        )
        alone_setting = choose_alone(train_rows)
        alone_fit = train(train_rows, *ALONE)
        alone = [
            decide(r, probabilities(alone_fit, r["features"]) if r["features"] else None,
                   alone_setting)
            for r in held
        ]  # fmt: skip
        print(
            f"model alone (words only, deciding every prose verdict): error >= "
            f"{alone_setting[2]:.2f}, decision >= {alone_setting[1]:.2f} by inner CV"
        )
        report(
            held,
            project,
            {"rules": [r["rules"] for r in held], "rules + model": types, "model alone": alone},
        )
        summary.append(
            (project, rates(held, [r["rules"] for r in held]), rates(held, types),
             rates(held, alone))
        )  # fmt: skip
    print("\n### summary (weighted rates; mean over the six projects)\n")
    print("| project | rules P / DR / FR | rules + model P / DR / FR | model alone P / DR / FR |")
    print("|---|---|---|---|")
    means = [[sum(s[i][k] for s in summary) / len(summary) for k in range(3)] for i in (1, 2, 3)]
    for project, *figures in [*summary, ("mean", *means)]:
        cells = [" / ".join(f"{100 * x:.1f}" for x in f) for f in figures]
        print(f"| {project} | " + " | ".join(cells) + " |")


def blind() -> None:
    """The blind hold-out (flask), scored once: rules; rules + a model trained on all six
    projects with settings chosen by LOPO over them (the same procedure as each fold above);
    the model alone."""
    rows = load(TRAINING)
    held = load([BLIND])
    (l2, spread, signals, weight), setting, why = choose(rows)
    fitted = train(rows, l2, spread, signals, weight)
    alone_setting = choose_alone(rows)
    alone_fit = train(rows, *ALONE)
    types, alone = [], []
    for r in held:
        p = probabilities(fitted, r["features"]) if r["features"] else None
        types.append(decide(r, p, setting))
        p = probabilities(alone_fit, r["features"]) if r["features"] else None
        alone.append(decide(r, p, alone_setting))
    counts = Counter(r["label"] for r in held)
    print(f"## blind hold-out: {BLIND.relative_to(ROOT)} ({len(held)} commits: {dict(counts)})")
    print(
        f"\nmodel trained on all six: l2={l2:g}, spread={spread}, rule signals={signals}, "
        f"decision weight={weight:g}, mode={setting[0]}, decision >= {setting[1]:.2f}, second >= "
        f"{setting[2]:.2f} ({why}; {len(fitted['weights'])} features); model alone: decision >= "
        f"{alone_setting[1]:.2f}, error >= {alone_setting[2]:.2f}"
    )
    report(
        held,
        "flask",
        {"rules": [r["rules"] for r in held], "rules + model": types, "model alone": alone},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blind", action="store_true", help="score the blind hold-out only")
    args = parser.parse_args()
    if args.blind:
        blind()
        return
    rows = load(TRAINING)
    counts = Counter((r["project"], r["label"]) for r in rows)
    print(f"labelled commits: {len(rows)}; the model sees {sum(bool(r['features']) for r in rows)}")
    print("  " + ", ".join(f"{p}/{k} {n}" for (p, k), n in sorted(counts.items())))
    lopo(rows)


if __name__ == "__main__":
    main()
