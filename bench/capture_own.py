"""A capture model trained on the project's *own* labels, scored by repeated K-fold inside each
project (issue 16: the per-repository design round 6 named and no round tried; nothing here is
imported at run time, nothing ships).

    nice -n 19 .venv/bin/python bench/capture_own.py --jobs 2

Question: rules and models fitted across projects do not transfer (a model trained on the other
projects adds about a point; bench/capture_model.py). If a team confirms or corrects N of its
own commits (captured or not), how much of its gap to the targets (P >= 80, DR >= 70,
FR >= 60) does a model trained on those N close?

Data: every tests/fixtures/capture_labels*.jsonl, grouped by project (15: the tuning-sample
projects vite / uv / curl with their tuning and hold-out rows, golang/tools with both samples).
Features, training, the decision modes and the weighted rates are capture_model's (imported:
`features` through `load`, `train`, `probabilities`, `decide`, `rates`, `summary`, `report`).

Evaluation, per project P, for each of SEEDS seeds: FOLDS folds stratified by label; for each
fold, the other folds are the labels a team would have; N of them (a stratified random prefix,
nested: the 25 are among the 50, ...; N = 25, 50, 100 and "all" = every row of the other folds)
train the own model, and the held-out fold is scored. Everything the own model chooses is
chosen on those N alone, by an inner INNER-fold CV (stratified; the out-of-fold predictions of
the N pooled, rates weighted back with the stratum weights): the hyperparameters of
capture_model's grid (L2 0.03 / 0.1, rule signals on / off, decision weight 1 / 3), the weight
`alpha` of the other projects (0, 0.5 or 1) and the mode and thresholds. Two variants:
- "rules + own": modes `decisions` and `veto` (capture_model.setting_grid), chosen as
  capture_model does (best P + DR + FR among settings whose P on the N is not below the rules'
  on the same N; the rules kept unless one beats their objective);
- "own decides": mode `full` (the model decides every prose verdict; decision 0.2-0.9 x error
  0.3-0.9, step 0.1), best P + DR + FR, no floor (capture_model's "model alone").
The other projects at a lower weight: retraining on ~2,300 rows costs ~1.3 s, too much for the
~30,000 fits here, so the other projects enter as a fixed model trained once without P (the
settings capture_model's LOPO over all projects chose: L2 0.1, rule signals off, decision
weight 3) whose class probabilities multiply the own model's raised to `alpha`
(p ~ p_own * p_others^alpha: its log-odds added at weight alpha). alpha = 0 is own labels only.

Blind hold-outs not yet scored by their round must be left out (--exclude): this prints the
rules' figures on every project it reads. The 15-project run of RESULTS-capture.md was made at
1a02b42; bat and git, round 14's blind hold-outs, arrived later: `--exclude bat git` reads the
same 15 projects.

Reported, per N: per project rates averaged over the seeds, their mean, how many projects meet
each target; for seed 0, capture_model's summary (paired 95% bootstrap interval of the mean
difference to the rules) and, for N = all, its per-project tables with 95% intervals; what the
inner CV chose. The rules' columns are in-sample for every project a round of rules read
(all but httpx and tmux, the blind hold-outs of round 13): they are the rules' fit there.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import capture_model as cm  # noqa: E402

FOLDS = 5
SEEDS = 3
INNER = 3
SIZES: tuple[int | None, ...] = (25, 50, 100, None)  # None: every row of the other folds
ALPHAS = (0.0, 0.5, 1.0)
OTHERS: cm.Hyper = (0.1, 1, False, 3.0)
FULL_GRID: list[cm.Setting] = [
    ("full", d / 100, e / 100) for d in range(20, 100, 10) for e in range(30, 100, 10)
]
VARIANTS: dict[str, tuple[list[cm.Setting], bool]] = {
    "rules + own": (cm.setting_grid(), True),
    "own decides": (FULL_GRID, False),
}
TARGETS = (0.80, 0.70, 0.60)

Rows = list[dict[str, Any]]
Choice = tuple[cm.Hyper, float, cm.Setting]  # own hyperparameters, alpha, setting

_ROWS: Rows = []  # every labelled row (set before the pool forks)
_OTHERS: dict[int, list[float] | None] = {}  # id(row) -> the other projects' probabilities


def label(n: int | None) -> str:
    return "all" if n is None else str(n)


def order(rows: Rows, rng: random.Random) -> list[int]:
    """The rows' indices in a random order stratified by label: every prefix holds each label
    in about its share (the folds deal this order round robin; the N own labels are a prefix)."""
    by_label: dict[str, list[int]] = {}
    for n, r in enumerate(rows):
        by_label.setdefault(r["label"], []).append(n)
    keyed: list[tuple[float, int]] = []
    for indices in by_label.values():
        rng.shuffle(indices)
        keyed += [((j + rng.random()) / len(indices), n) for j, n in enumerate(indices)]
    return [n for _, n in sorted(keyed)]


def combine(own: list[float] | None, others: list[float] | None, alpha: float) -> Any:
    """p ~ p_own * p_others^alpha (None where the model does not see the commit)."""
    if own is None or others is None:
        return own
    if alpha == 0.0:
        return own
    joint = [a * max(b, 1e-300) ** alpha for a, b in zip(own, others, strict=True)]
    total = sum(joint)
    return [x / total for x in joint]


def predict(fitted: dict[str, Any], rows: Rows) -> cm.Probs:
    return [cm.probabilities(fitted, r["features"]) if r["features"] else None for r in rows]


def scored(rows: Rows, probs: cm.Probs, rules: Any) -> Iterator[tuple[str, float, Any, Any]]:
    """Every alpha, variant and setting applied to `probs`, with the rates it gets
    (name, alpha, setting, rates); a variant with a precision floor skips the settings whose
    precision is under the rules'."""
    for alpha in ALPHAS:
        ps = [combine(p, _OTHERS[id(r)], alpha) for p, r in zip(probs, rows, strict=True)]
        for name, (grid, floor) in VARIANTS.items():
            for setting in grid:
                types = [cm.decide(r, p, setting) for r, p in zip(rows, ps, strict=True)]
                got = cm.rates(rows, types)
                if floor and got[0] < rules[0]:
                    continue
                yield name, alpha, setting, got


def select(rows: Rows, rng: random.Random) -> dict[str, Choice]:
    """Each variant's choice by INNER-fold CV over `rows` (the N own labels): out-of-fold
    probabilities for every hyperparameter, then every alpha and setting scored on them."""
    positions = order(rows, rng)
    fold_of = {n: k % INNER for k, n in enumerate(positions)}
    rules = cm.rates(rows, [r["rules"] for r in rows])
    best: dict[str, tuple[tuple[float, float, float], Choice]] = {}
    for hyper in cm.hypers():
        oof: cm.Probs = [None] * len(rows)
        for k in range(INNER):
            fitted = cm.train([r for n, r in enumerate(rows) if fold_of[n] != k], *hyper)
            for n, r in enumerate(rows):
                if fold_of[n] == k and r["features"]:
                    oof[n] = cm.probabilities(fitted, r["features"])
        for name, alpha, setting, got in scored(rows, oof, rules):
            key = (sum(got), setting[1] + setting[2], -alpha)
            if name not in best or key > best[name][0]:
                best[name] = (key, (hyper, alpha, setting))
    out: dict[str, Choice] = {}
    for name, (_grid, floor) in VARIANTS.items():
        if name not in best or (floor and best[name][0][0] <= sum(rules)):
            out[name] = (cm.hypers()[0], 0.0, cm.KEEP_RULES)
        else:
            out[name] = best[name][1]
    return out


def _job(job: tuple[str, int]) -> tuple[str, int, dict[str, dict[str, list[Any]]], list[Any]]:
    """One project, one seed: every row's type per N and variant (out of fold), and the
    choices made."""
    project, seed = job
    rows = [r for r in _ROWS if r["project"] == project]
    rng = random.Random(f"{cm.SEED}/{project}/{seed}")
    positions = order(rows, rng)
    fold_of = {n: k % FOLDS for k, n in enumerate(positions)}
    types: dict[str, dict[str, list[Any]]] = {
        label(n): {name: [None] * len(rows) for name in VARIANTS} for n in SIZES
    }
    chosen: list[Any] = []
    for k in range(FOLDS):
        held = [n for n in range(len(rows)) if fold_of[n] == k]
        pool = [positions[j] for j in range(len(positions)) if fold_of[positions[j]] != k]
        for size in SIZES:
            if size is not None and size >= len(pool):
                own = list(pool)  # fewer rows than N: every one (recorded as such below)
            else:
                own = pool[:size] if size is not None else list(pool)
            own_rows = [rows[n] for n in own]
            choices = select(own_rows, random.Random(f"{project}/{seed}/{k}/{size}"))
            for name, (hyper, alpha, setting) in choices.items():
                fitted = cm.train(own_rows, *hyper)
                for n in held:
                    r = rows[n]
                    p = cm.probabilities(fitted, r["features"]) if r["features"] else None
                    types[label(size)][name][n] = cm.decide(
                        r, combine(p, _OTHERS[id(r)], alpha), setting
                    )
                chosen.append((label(size), name, len(own), hyper, alpha, setting))
    return project, seed, types, chosen


def _hindsight(project: str) -> tuple[str, dict[str, dict[str, Any]]]:
    """An upper bound, not an estimate: seed 0's folds, every hyperparameter and alpha trained
    on each fold's N, and each variant's setting chosen on the held-out predictions of the
    whole project (the test rows choose: what the best single setting in hindsight reaches)."""
    rows = [r for r in _ROWS if r["project"] == project]
    positions = order(rows, random.Random(f"{cm.SEED}/{project}/0"))
    fold_of = {n: k % FOLDS for k, n in enumerate(positions)}
    rules = cm.rates(rows, [r["rules"] for r in rows])
    out: dict[str, dict[str, Any]] = {}
    for size in SIZES:
        best: dict[str, tuple[tuple[float, float], Any]] = {}
        for hyper in cm.hypers():
            probs: cm.Probs = [None] * len(rows)
            for k in range(FOLDS):
                pool = [n for n in positions if fold_of[n] != k]
                own = pool if size is None else pool[:size]
                fitted = cm.train([rows[n] for n in own], *hyper)
                for n in range(len(rows)):
                    if fold_of[n] == k and rows[n]["features"]:
                        probs[n] = cm.probabilities(fitted, rows[n]["features"])
            for name, alpha, setting, got in scored(rows, probs, rules):
                key = (sum(got), -alpha)
                if name not in best or key > best[name][0]:
                    best[name] = (key, (got, hyper, alpha, setting))
        out[label(size)] = {name: best[name][1] for name in best}
    return project, out


def _others(project: str) -> tuple[str, cm.Probs]:
    fitted = cm.train([r for r in _ROWS if r["project"] != project], *OTHERS)
    return project, predict(fitted, [r for r in _ROWS if r["project"] == project])


def run(
    rows: Rows, jobs: int, seeds: int, only: list[str] | None
) -> tuple[dict[Any, Any], list[Any]]:
    global _ROWS
    _ROWS = rows
    by_project = cm.group(rows)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        for project, ps in pool.map(_others, list(by_project)):
            for r, p in zip(by_project[project], ps, strict=True):
                _OTHERS[id(r)] = p
    work = [(p, s) for p in by_project if not only or p in only for s in range(seeds)]
    results: dict[Any, Any] = {}
    chosen: list[Any] = []
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:  # forks with _OTHERS set
        for project, seed, types, made in pool.map(_job, work, chunksize=1):
            results[(project, seed)] = types
            chosen += [(project, seed, *c) for c in made]
    return results, chosen


def hindsight(rows: Rows, jobs: int, only: list[str] | None) -> None:
    global _ROWS
    _ROWS = rows
    by_project = cm.group(rows)
    projects = [p for p in by_project if not only or p in only]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        for project, ps in pool.map(_others, projects):
            for r, p in zip(by_project[project], ps, strict=True):
                _OTHERS[id(r)] = p
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        done = dict(pool.map(_hindsight, projects, chunksize=1))
    print("\n## hindsight: the best single setting per project, chosen on its test rows (an")
    print("upper bound on what the inner CV could pick; seed 0's folds)\n")
    names = ["rules", *VARIANTS]
    print("| N | project | " + " | ".join(f"{n} P / DR / FR" for n in names) + " |")
    print("|---|---|" + "---|" * len(names))
    for size in map(label, SIZES):
        sums = {n: [0.0, 0.0, 0.0] for n in names}
        for project in projects:
            held = by_project[project]
            rules = cm.rates(held, [r["rules"] for r in held])
            cells = {n: done[project][size].get(n, (rules,))[0] for n in VARIANTS}
            if sum(cells["rules + own"]) < sum(rules):  # the rules kept
                cells["rules + own"] = rules
            cells["rules"] = rules
            for n, x in cells.items():
                sums[n] = [a + b for a, b in zip(sums[n], x, strict=True)]
            print(f"| {size} | {project} | " + " | ".join(fmt(cells[n]) for n in names) + " |")
        means = {n: [x / len(projects) for x in v] for n, v in sums.items()}
        print(f"| {size} | **mean** | " + " | ".join(f"**{fmt(means[n])}**" for n in names)
              + " |")  # fmt: skip


def fmt(x: tuple[float, float, float] | list[float]) -> str:
    return " / ".join(f"{100 * v:.1f}" for v in x)


def meets(x: tuple[float, float, float] | list[float]) -> list[bool]:
    return [v >= t - 1e-9 for v, t in zip(x, TARGETS, strict=True)]


def tables(rows: Rows, results: dict[Any, Any], chosen: list[Any], seeds: int) -> None:
    by_project = cm.group(rows)
    projects = list(by_project)
    names = ["rules", *VARIANTS]
    curve: dict[str, dict[str, list[float]]] = {}
    for size in map(label, SIZES):
        figures: dict[str, dict[str, list[float]]] = {}
        for p in projects:
            held = by_project[p]
            figures[p] = {"rules": list(cm.rates(held, [r["rules"] for r in held]))}
            for name in VARIANTS:
                per_seed = [cm.rates(held, results[(p, s)][size][name]) for s in range(seeds)]
                figures[p][name] = [sum(x[k] for x in per_seed) / seeds for k in range(3)]
        means = {n: [sum(f[n][k] for f in figures.values()) / len(figures) for k in range(3)]
                 for n in names}  # fmt: skip
        curve[size] = {n: means[n] for n in names}
        print(f"\n## N = {size} own labels (rates weighted back, mean of {seeds} seeds)\n")
        print("| project | " + " | ".join(f"{n} P / DR / FR" for n in names) + " |")
        print("|---|" + "---|" * len(names))
        for p in projects:
            print(f"| {p} | " + " | ".join(fmt(figures[p][n]) for n in names) + " |")
        print("| **mean** | " + " | ".join(f"**{fmt(means[n])}**" for n in names) + " |")
        print("| projects meeting P / DR / FR / all three | " + " | ".join(
            " / ".join(str(sum(meets(figures[p][n])[k] for p in projects)) for k in range(3))
            + f" / {sum(all(meets(figures[p][n])) for p in projects)}"
            for n in names) + " |")  # fmt: skip
        print(f"\nseed 0, capture_model's summary (N = {size}):")
        types = {
            p: {"rules": [r["rules"] for r in by_project[p]], **results[(p, 0)][size]}
            for p in projects
        }
        cm.summary(by_project, types, rule=False)
        census: dict[str, Counter[str]] = {n: Counter() for n in VARIANTS}
        sizes: Counter[int] = Counter()
        for _p, _s, at, name, n_own, hyper, alpha, setting in chosen:
            if at != size:
                continue
            sizes[n_own] += 1
            if setting == cm.KEEP_RULES:
                census[name]["rules kept"] += 1
                continue
            census[name][f"mode {setting[0]}"] += 1
            census[name][f"alpha {alpha:g}"] += 1
            census[name][f"signals {'on' if hyper[2] else 'off'}"] += 1
        print(f"\nthe inner CV chose (folds x seeds x projects; own labels: {dict(sizes)}):")
        for name, counts in census.items():
            print(f"- {name}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        print(
            "\nwhat the model changed (commits x seeds; label: rules -> model, the most frequent):"
        )
        for name in VARIANTS:
            moves: Counter[str] = Counter()
            for p in projects:
                for s in range(seeds):
                    for r, got in zip(by_project[p], results[(p, s)][size][name], strict=True):
                        if got != r["rules"]:
                            moves[f"{r['label']}: {r['rules'] or '-'} -> {got or '-'}"] += 1
            print(f"- {name} ({sum(moves.values())}): "
                  + ", ".join(f"{k} {v}" for k, v in moves.most_common(8)))  # fmt: skip
        if size == "all":
            for p in projects:
                cm.report(by_project[p], f"{p}, N = all, seed 0", types[p])
    print("\n## learning curve (mean over the projects; P / DR / FR)\n")
    print("| N own labels | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for size, means in curve.items():
        print(f"| {size} | " + " | ".join(fmt(means[n]) for n in names) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1, help="processes (default 1)")
    parser.add_argument("--seeds", type=int, default=SEEDS, help=f"repeats (default {SEEDS})")
    parser.add_argument("--projects", nargs="+", help="only these projects (a quick check)")
    parser.add_argument(
        "--exclude", nargs="+", default=[], help="leave these projects out (blind hold-outs)"
    )
    parser.add_argument(
        "--hindsight", action="store_true", help="the upper bound: settings chosen on the test rows"
    )
    args = parser.parse_args()
    rows = [r for r in cm.load(cm.TRAINING) if r["project"] not in args.exclude]
    counts = Counter(r["project"] for r in rows)
    print(f"labelled commits: {len(rows)}; projects with >= 150: "
          + ", ".join(f"{p} {n}" for p, n in counts.items() if n >= 150))  # fmt: skip
    rows = [r for r in rows if counts[r["project"]] >= 150]
    if args.hindsight:
        hindsight(rows, args.jobs, args.projects)
        return
    results, chosen = run(rows, args.jobs, args.seeds, args.projects)
    shown = [r for r in rows if not args.projects or r["project"] in args.projects]
    tables(shown, results, chosen, args.seeds)
    cpu = os.times()
    print(f"\nCPU: {cpu.user + cpu.system + cpu.children_user + cpu.children_system:.0f} s "
          f"(load average {' '.join(f'{x:.1f}' for x in os.getloadavg())})")  # fmt: skip


if __name__ == "__main__":
    main()
