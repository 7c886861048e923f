"""Train a learned capture classifier and score it leave-one-project-out (issue 16: tried twice,
not adopted; gitmem ships the rules alone, and nothing here is imported at run time).

    nice .venv/bin/python bench/capture_model.py --jobs 2     # LOPO report over every project
    nice .venv/bin/python bench/capture_model.py --jobs 2 --blind FILE...
                                                  # a model trained on every project, scored once
                                                  # on hold-out label files kept out of fixtures

Data: every labelled sample in tests/fixtures/capture_labels*.jsonl, grouped by project (13
since round 12: vite, uv, curl, golang/tools (two samples), musl, libuv, flask, tokio, redis,
jq, ripgrep, commitizen, fzf; 2,250 commits). Labels: decision and breaking -> decision, fix ->
error, fact and none -> none (facts are the rules' alone).

Model: multinomial logistic regression over the features `features` gives (subject
words and word pairs, body words and pairs, the first word, the prefix kind, the body's length,
and what the patterns found: their verdict and the kind of evidence), trained by Adagrad SGD
with an L2 penalty, in a fixed order (seeded): the same data gives the same weights. Features
seen in fewer than MIN_COUNT training commits are left out.

Evaluation, leave one project out (nested): for each project P, the hyperparameters (L2
strength, rule signals in or out, a decision's loss weight, whether the model only adds
decisions or also drops rule captures, the two thresholds) are picked by leave-one-project-out
cross-validation *inside* the other projects (objective: mean precision + decision recall + fix
recall over the inner held-out projects, among the settings whose mean precision is not below
the rules'; if none beats the rules' objective the rules are kept); then a model trained on
the others with them scores P. Beside it: the same with rule signals forced off (the rules were
written reading these projects, so their signals carry that fit into training), and "model
alone" (words only, deciding every prose verdict). The inner fold (P, Q) trains on every
project but P and Q, the same model as the inner fold (Q, P): each pair is trained once, and
the outer models (every project but P) are trained for every grid point, so the settings a
model over all projects would get (--blind) come out of the same runs. Rates are weighted back
to each history for the stratified samples, with 95% bootstrap intervals per project and for
the mean difference to the rules (paired: the same resampled rows score both).

Adoption rule (fixed before the 13-project run): a variant would be adopted only if its LOPO
mean precision is not below the rules' and its mean decision recall or fix recall is above the
rules' with the paired 95% interval of that mean difference above zero.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import combinations, pairwise
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
TRAINING = sorted(FIXTURES.glob("capture_labels*.jsonl"))
TARGET = {"decision": 1, "breaking": 1, "fix": 2}  # else 0 (none)
MIN_COUNT = 2
EPOCHS = 12
RATE = 0.3
# The grid of the sixth round cut to what its inner CV chose (spread 1, mode decisions; veto
# costs no training, so it stays), thresholds 0.60-0.95.
L2_GRID = (3e-2, 1e-1)
SIGNALS_GRID = (True, False)
WEIGHT_GRID = (1.0, 3.0)
SPREAD = 1
THRESHOLDS = tuple(round(0.6 + 0.05 * n, 2) for n in range(8))  # 0.60 .. 0.95
MODES = ("decisions", "veto")
# "model alone": words only, deciding every prose verdict ("full"), as in the sixth round.
ALONE = (3e-2, SPREAD, False, 1.0)  # l2, spread, rule signals, decision weight
ALONE_DECISION = tuple(round(0.2 + 0.05 * n, 2) for n in range(16))  # 0.20 .. 0.95
ALONE_ERROR = tuple(round(0.3 + 0.05 * n, 2) for n in range(14))  # 0.30 .. 0.95
SEED = 16
BOOTSTRAP = 1000
KEEP_RULES = ("decisions", 1.01, 1.01)  # a setting under which the model changes nothing

Hyper = tuple[float, int, bool, float]  # l2, spread, rule signals, decision weight
Setting = tuple[str, float, float]  # mode, decision threshold, second threshold
Probs = list[list[float] | None]


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


def labelled(paths: list[Path], rules: Any) -> Iterator[tuple[dict[str, Any], bool]]:
    """Every labelled row with the rules' verdict (`rules`: decision / error / fact / None)
    and the class to learn (`target`), and whether the verdict came from the prose patterns
    (the only verdicts a model may revise)."""
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            found, reason = explain(as_commit(row), rules)
            row["rules"] = found[0].type if found else None
            row["target"] = TARGET.get(row["label"], 0)
            yield row, reason.startswith(REVISED)


def load(paths: list[Path]) -> list[dict[str, Any]]:
    """Rows as `labelled` gives them, with the model's features (`features`: None when the
    model never sees the commit)."""
    rules = default_rules()
    rows = []
    for row, revised in labelled(paths, rules):
        row["features"] = None
        if revised:
            message = classify.normalise(row["message"])
            subject_line = message.strip().split("\n", 1)[0].strip()
            verdict = classify.verdict(subject_line, message, rules)
            row["features"] = features(subject_line, message, verdict)
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


def setting_grid() -> list[Setting]:
    """The combinations the inner CV tries: the model adds decisions (p(decision) >= t), or
    also drops a rule capture (p(none) >= t2)."""
    out: list[Setting] = [("decisions", t, 1.0) for t in THRESHOLDS]
    return out + [("veto", t, v) for t in THRESHOLDS for v in THRESHOLDS]


def alone_grid() -> list[Setting]:
    return [("full", d, e) for d in ALONE_DECISION for e in ALONE_ERROR]


def hypers(signals: tuple[bool, ...] = SIGNALS_GRID) -> list[Hyper]:
    return [(l2, SPREAD, s, w) for l2 in L2_GRID for s in signals for w in WEIGHT_GRID]


def rates(rows: list[dict[str, Any]], types: list[Any]) -> tuple[float, float, float]:
    """Weighted precision, decision recall, fix recall (0 where undefined): `score`'s
    ratios, without its tables (this runs a few million times)."""
    captured = worth = decisions = decided = fixes = fixed = 0.0
    for row, got in zip(rows, types, strict=True):
        weight, label = row.get("weight", 1.0), row["label"]
        if got:
            captured += weight
            worth += weight if label != "none" else 0.0
        if label in ("decision", "breaking"):
            decisions += weight
            decided += weight if got == "decision" else 0.0
        elif label == "fix":
            fixes += weight
            fixed += weight if got == "error" else 0.0
    return (
        worth / captured if captured else 0.0,
        decided / decisions if decisions else 0.0,
        fixed / fixes if fixes else 0.0,
    )


# ------------------------------------------------------------------------ the models

_ROWS: list[dict[str, Any]] = []  # what the workers train on (set before the pool forks)
Table = dict[tuple[frozenset[str], Hyper], dict[str, Probs]]


def _job(job: tuple[frozenset[str], Hyper]) -> tuple[frozenset[str], Hyper, dict[str, Probs]]:
    """Train without the `excluded` projects; their rows' probabilities."""
    excluded, hyper = job
    fitted = train([r for r in _ROWS if r["project"] not in excluded], *hyper)
    return (
        excluded,
        hyper,
        {
            project: [
                probabilities(fitted, r["features"]) if r["features"] else None
                for r in _ROWS
                if r["project"] == project
            ]
            for project in excluded
        },
    )


def fit_all(rows: list[dict[str, Any]], jobs: int, pairs: bool) -> Table:
    """Every model the nested CV needs, for every grid point: without each project (the
    outer folds, and the inner folds of a model over all projects) and, with `pairs`,
    without each pair (the inner fold (P, Q) is the inner fold (Q, P))."""
    global _ROWS
    _ROWS = rows
    projects = sorted({r["project"] for r in rows})
    excluded = [frozenset({p}) for p in projects]
    if pairs:
        excluded += [frozenset(pair) for pair in combinations(projects, 2)]
    work = [(e, h) for e in excluded for h in hypers()]
    if jobs > 1:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            done = list(pool.map(_job, work, chunksize=1))
    else:
        done = [_job(w) for w in work]
    return {(e, h): out for e, h, out in done}


def choose(
    by_project: dict[str, list[dict[str, Any]]],
    projects: list[str],
    outer: frozenset[str],
    table: Table,
    candidates: list[Hyper],
    grid: list[Setting],
    floor: bool = True,
) -> tuple[Hyper, Setting, str]:
    """Hyperparameters by leave-one-project-out over `projects` (the models trained without
    `outer` and each of them): the best mean precision + decision recall + fix recall; with
    `floor`, among the settings whose mean precision is not below the rules', and the rules
    kept (KEEP_RULES) unless one beats their objective. Ties: the higher thresholds."""
    rules = [rates(by_project[q], [r["rules"] for r in by_project[q]]) for q in projects]
    rules_mean = [sum(r[k] for r in rules) / len(rules) for k in range(3)]
    best: tuple[tuple[float, float], Hyper, Setting] | None = None
    for hyper in candidates:
        values: dict[Setting, list[tuple[float, float, float]]] = {}
        for q in projects:
            held, ps = by_project[q], table[(outer | {q}, hyper)][q]
            for setting in grid:
                types = [decide(r, p, setting) for r, p in zip(held, ps, strict=True)]
                values.setdefault(setting, []).append(rates(held, types))
        for setting, v in values.items():
            mean = [sum(x[k] for x in v) / len(v) for k in range(3)]
            if floor and mean[0] < rules_mean[0]:
                continue
            key = (sum(mean), setting[1] + setting[2])
            if best is None or key > best[0]:
                best = (key, hyper, setting)
    if not floor and best is not None:
        return best[1], best[2], f"inner objective {best[0][0]:.3f}"
    if best is None or best[0][0] <= sum(rules_mean):
        return candidates[0], KEEP_RULES, f"the rules kept: inner objective {sum(rules_mean):.3f}"
    return best[1], best[2], f"inner objective {best[0][0]:.3f}, rules {sum(rules_mean):.3f}"


VARIANTS: dict[str, tuple[list[Hyper], list[Setting], bool]] = {
    "rules + model": (hypers(), setting_grid(), True),
    "rules + model, signals off": (hypers((False,)), setting_grid(), True),
    "model alone": ([ALONE], alone_grid(), False),
}


def describe(hyper: Hyper, setting: Setting) -> str:
    if setting == KEEP_RULES:
        return "changes nothing"
    second = {"decisions": "", "veto": f", none >= {setting[2]:.2f}"}.get(
        setting[0], f", error >= {setting[2]:.2f}"
    )
    return (
        f"l2={hyper[0]:g}, rule signals {'on' if hyper[2] else 'off'}, decision weight="
        f"{hyper[3]:g}, mode {setting[0]}, decision >= {setting[1]:.2f}{second}"
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


def paired(
    by_project: dict[str, list[dict[str, Any]]], types: dict[str, dict[str, list[Any]]]
) -> dict[str, list[tuple[float, float]]]:
    """95% intervals of (variant's mean - rules' mean) over the projects, for precision,
    decision and fix recall: BOOTSTRAP resamples, each project's rows resampled within their
    strata, the same rows scoring the rules and every variant."""
    rng = random.Random(SEED)
    names = [n for n in next(iter(types.values())) if n != "rules"]
    diffs: dict[str, list[list[float]]] = {n: [[], [], []] for n in names}
    strata: dict[str, list[list[int]]] = {}
    for project, rows in by_project.items():
        groups: dict[str, list[int]] = {}
        for n, r in enumerate(rows):
            groups.setdefault(r.get("stratum", ""), []).append(n)
        strata[project] = list(groups.values())
    for _ in range(BOOTSTRAP):
        sums = {n: [0.0, 0.0, 0.0] for n in ["rules", *names]}
        for project, rows in by_project.items():
            drawn = [rng.choice(group) for group in strata[project] for _ in group]
            sample = [rows[n] for n in drawn]
            for name in sums:
                got = rates(sample, [types[project][name][n] for n in drawn])
                sums[name] = [a + b for a, b in zip(sums[name], got, strict=True)]
        for name in names:
            for k in range(3):
                diffs[name][k].append((sums[name][k] - sums["rules"][k]) / len(by_project))
    out: dict[str, list[tuple[float, float]]] = {}
    for name in names:
        out[name] = []
        for values in diffs[name]:
            values.sort()
            out[name].append((values[int(0.025 * BOOTSTRAP)], values[int(0.975 * BOOTSTRAP) - 1]))
    return out


def summary(
    by_project: dict[str, list[dict[str, Any]]],
    types: dict[str, dict[str, list[Any]]],
    rule: bool = True,
) -> None:
    """Per project and mean; the mean differences to the rules with their paired intervals;
    with `rule`, the adoption rule applied (it is the LOPO figures' alone)."""
    names = list(next(iter(types.values())))
    figures = {p: {n: rates(by_project[p], types[p][n]) for n in names} for p in by_project}
    means = {n: [sum(f[n][k] for f in figures.values()) / len(figures) for k in range(3)]
             for n in names}  # fmt: skip
    print(f"\n### summary (weighted rates; mean over the {len(by_project)} projects)\n")
    print("| project | " + " | ".join(f"{n} P / DR / FR" for n in names) + " |")
    print("|---|" + "---|" * len(names))
    lines: list[tuple[str, dict[str, Any]]] = [*figures.items(), ("mean", means)]
    for project, row in lines:
        cells = [" / ".join(f"{100 * x:.1f}" for x in row[n]) for n in names]
        print(f"| {project} | " + " | ".join(cells) + " |")
    print("\nmean difference to the rules, with its paired 95% bootstrap interval", end="")
    if rule:
        print(", and the adoption rule (mean P not below the rules', and mean DR or FR above")
        print("them with the interval of the difference above zero)", end="")
    print(":\n")
    print("| variant | P | DR | FR |" + (" adopted by the rule |" if rule else ""))
    print("|---|---:|---:|---:|" + ("---|" if rule else ""))
    for name, spans in paired(by_project, types).items():
        deltas = [means[name][k] - means["rules"][k] for k in range(3)]
        cells = [
            f"{100 * d:+.1f} ({100 * lo:+.1f}..{100 * hi:+.1f})"
            for d, (lo, hi) in zip(deltas, spans, strict=True)
        ]
        better = any(deltas[k] > 0 and spans[k][0] > 0 for k in (1, 2))
        verdict = "yes" if better and deltas[0] >= 0 else "no"
        print(f"| {name} | " + " | ".join(cells) + (f" | {verdict} |" if rule else " |"))


def group(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r["project"], []).append(r)
    return out


def lopo(rows: list[dict[str, Any]], table: Table) -> None:
    by_project = group(rows)
    projects = list(by_project)
    print("## leave one project out: rules vs rules + model (trained without the project)\n")
    print(
        "The rules columns are in-sample for every project a round of rules read (all but "
        "fzf, round 12's blind hold-out, at d7359db): read them as the rules' fit, not their "
        "figure on a new project. The model never saw the project it is scored on, nor chose "
        "its settings on it: its columns are out of sample for the model; with rule signals "
        "on, the rules' in-sample fit leaks into them (the signals-off column has only the "
        "words and the rules' verdicts on the commits the model does not see)."
    )
    types: dict[str, dict[str, list[Any]]] = {}
    for project in projects:
        inner = [q for q in projects if q != project]
        held = by_project[project]
        types[project] = {"rules": [r["rules"] for r in held]}
        print()
        for name, (candidates, grid, floor) in VARIANTS.items():
            hyper, setting, why = choose(
                by_project, inner, frozenset({project}), table, candidates, grid, floor
            )
            ps = table[(frozenset({project}), hyper)][project]
            types[project][name] = [decide(r, p, setting) for r, p in zip(held, ps, strict=True)]
            print(f"{project}, {name} (inner CV): {describe(hyper, setting)} ({why})")
        report(held, project, types[project])
    summary(by_project, types)
    print("\n### the settings over all the projects (what --blind uses)\n")
    for name, (candidates, grid, floor) in VARIANTS.items():
        hyper, setting, why = choose(
            by_project, projects, frozenset(), table, candidates, grid, floor
        )
        print(f"- {name}: {describe(hyper, setting)} ({why})")


def blind(rows: list[dict[str, Any]], table: Table, paths: list[Path]) -> None:
    """Hold-out label files, scored once: the rules; each variant trained on every labelled
    project with the settings LOPO over them chooses (the same procedure as each fold)."""
    by_project = group(rows)
    projects = list(by_project)
    held = group(load(paths))
    types: dict[str, dict[str, list[Any]]] = {
        p: {"rules": [r["rules"] for r in h]} for p, h in held.items()
    }
    for name, (candidates, grid, floor) in VARIANTS.items():
        hyper, setting, why = choose(
            by_project, projects, frozenset(), table, candidates, grid, floor
        )
        fitted = train(rows, *hyper)
        print(f"- {name}: {describe(hyper, setting)} ({why}; {len(fitted['weights'])} features)")
        for p, h in held.items():
            types[p][name] = [
                decide(r, probabilities(fitted, r["features"]) if r["features"] else None, setting)
                for r in h
            ]
    for p, h in held.items():
        counts = Counter(r["label"] for r in h)
        report(h, f"{p} (blind, {len(h)} commits: {dict(counts)})", types[p])
    summary(held, types, rule=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1, help="processes that train (default 1)")
    parser.add_argument(
        "--blind", nargs="+", type=Path, metavar="FILE", help="score these label files once"
    )
    args = parser.parse_args()
    rows = load(TRAINING)
    if args.blind:  # a hold-out project is never trained on, whatever fixtures hold
        names = {json.loads(line)["project"] for path in args.blind
                 for line in path.read_text(encoding="utf-8").splitlines()}  # fmt: skip
        rows = [r for r in rows if r["project"] not in names]
    counts = Counter((r["project"], r["label"]) for r in rows)
    print(f"labelled commits: {len(rows)}; the model sees {sum(bool(r['features']) for r in rows)}")
    print("  " + ", ".join(f"{p}/{k} {n}" for (p, k), n in sorted(counts.items())))
    table = fit_all(rows, args.jobs, pairs=not args.blind)
    if args.blind:
        blind(rows, table, args.blind)
    else:
        lopo(rows, table)
    cpu = os.times()
    print(f"\nCPU: {cpu.user + cpu.system + cpu.children_user + cpu.children_system:.0f} s "
          f"(load average {' '.join(f'{x:.1f}' for x in os.getloadavg())})")  # fmt: skip


if __name__ == "__main__":
    main()
