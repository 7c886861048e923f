"""Can sentence embeddings find the decisions the capture rules miss? (issue 16: a bench only;
nothing here is imported by gitmem at run time.)

    .venv/bin/python bench/capture_embed.py              # LOPO over the 13 labelled projects
    .venv/bin/python bench/capture_embed.py --speed      # embeddings per CPU-second vs the scan
    .venv/bin/python bench/capture_embed.py --blind DIR  # trained on all 13, scored once on
                                                         # DIR/capture_labels_holdout_*.jsonl

Data: the 13 projects of tests/fixtures/capture_labels*.jsonl (TRAINING, named one by one: a
sample added later is not read by accident), grouped by project; labels decision / breaking ->
decision, fix -> fix, the rest -> none. Each commit's message (line endings normalised) is
embedded twice with gitmem.semantic's all-MiniLM-L6-v2 (its loader, its tokenizer, 128
tokens): the subject alone, and the subject and the first BODY_CHARS characters of the body.
Vectors are cached in CACHE by variant and sha (embedding ~2,000 commits twice costs minutes).

Classifiers over one variant's vector (numpy only): softmax regression (decision / fix /
none; features standardised on the training rows, L2 penalty, a decision's loss weighted 1 or
3, full-batch gradient descent with momentum, a fixed number of steps: the same rows give the
same weights), or k nearest neighbours by cosine (the share of the k neighbours in each
class). As in bench/capture_model.py, the classifier sees only the commits whose verdict the
prose patterns gave (REVISED there): trailers, BREAKING CHANGE, facts, reverts, the ignore lists,
bots and merges stay the rules'. It is trained on those commits only.

Combination (`decisions` mode of round 6): the rules' verdict, plus a decision wherever
p(decision) >= t. Leave one project out: for each project P, the variant, the classifier and
its setting, and t (0.20-0.95) are chosen by leave-one-project-out inside the other 12
(objective: mean precision + decision recall + fix recall of the inner held-out projects,
among the settings whose mean precision is not below the rules'; none better than the rules'
own objective: the rules alone), then trained on the 12 and scored on P. Beside it: each
variant alone with its own inner choice (the same procedure, one variant), and "embeddings
alone" (the classifier decides every prose verdict: decision if p(decision) >= t_d, else fix
if p(fix) >= t_f, else nothing; both thresholds by inner CV without the precision floor).
Rates are weighted back to each history for the stratified samples (bench/capture_quality's
`score`), with its bootstrap intervals for the means' inputs.

Caveat: the rules were written while reading all 13 projects (each was a blind hold-out once,
then read): the "rules" columns are in-sample; the embedding classifier never saw the project
it is scored on. The blind pair (--blind) is out-of-sample for both.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
# One BLAS thread: these matrices are small, and on 2 shared cores threads only spin (10x
# slower measured with the default).
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402  (onnxruntime's dependency: the semantic extra)
from capture_model import labelled  # noqa: E402
from capture_quality import _cpu, generate, intervals, score  # noqa: E402

from gitmem.capture import backfill, classify  # noqa: E402
from gitmem.capture.commits import candidates  # noqa: E402
from gitmem.capture.rules import default_rules  # noqa: E402
from gitmem.semantic import model  # noqa: E402
from gitmem.store import git  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
TRAINING = [
    FIXTURES / f"capture_labels{name}.jsonl"
    for name in (
        "",
        "_holdout",
        "_holdout_gotools",
        "_holdout_gotools2",
        "_holdout_musl",
        "_holdout_libuv",
        "_holdout_flask",
        "_holdout_tokio",
        "_holdout_redis",
        "_holdout_jq",
        "_holdout_ripgrep",
        "_holdout_commitizen",
        "_holdout_fzf",
    )
]
CACHE = Path(tempfile.gettempdir()) / "gitmem-capture-embed"
BODY_CHARS = 400
VARIANTS = ("subject", "subject+body")
# Classifier settings: ("logreg", l2, decision weight) or ("knn", k, 0).
CLASSIFIERS = (
    *(("logreg", l2, w) for l2 in (0.003, 0.03, 0.3) for w in (1.0, 3.0)),
    *(("knn", k, 0.0) for k in (5, 15, 40)),
)
DECISION_GRID = np.round(np.arange(0.20, 0.951, 0.05), 2)  # 0.20 .. 0.95
FIX_GRID = np.round(np.arange(0.30, 0.951, 0.05), 2)  # "alone": p(fix) threshold
FLOOR = 2_000  # the capture speed floor, commits per second
STEPS = 200  # converged (training loss flat to 4 digits after ~100 at these L2)
RATE = 0.5
CODES = {None: 0, "decision": 1, "error": 2, "fact": 3}
NAMES = {0: None, 1: "decision", 2: "error", 3: "fact"}


# ------------------------------------------------------------------------ data


def texts(message: str) -> dict[str, str]:
    message = classify.normalise(message).strip()
    subject, _, body = message.partition("\n")
    body = " ".join(body.split())[:BODY_CHARS]
    return {"subject": subject.strip(), "subject+body": f"{subject.strip()}\n{body}".strip()}


def load(paths: list[Path]) -> list[dict[str, Any]]:
    """Rows with the rules' verdict (`rules`), whether the classifier may revise it
    (`seen`), the target class and the texts to embed."""
    rows = []
    for row, revised in labelled(paths, default_rules()):
        row["seen"] = revised
        row["texts"] = texts(row["message"])
        rows.append(row)
    return rows


def vectors(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """{variant: array (rows x 384)}, from CACHE where the sha and text were embedded before."""
    CACHE.mkdir(exist_ok=True)
    out = {}
    embedder = None
    for variant in VARIANTS:
        path = CACHE / f"{variant}.npz"
        kept: dict[str, Any] = dict(np.load(path)) if path.exists() else {}

        def key(row: dict[str, Any], variant: str = variant) -> str:
            digest = hashlib.blake2b(row["texts"][variant].encode(), digest_size=8).hexdigest()
            return f"{row['sha']}-{digest}"

        todo = [r for r in rows if key(r) not in kept]
        if todo:
            embedder = embedder or model.embedder()
            started = time.process_time()
            found = embedder.embed([r["texts"][variant] for r in todo])
            for row, vector in zip(todo, found, strict=True):
                kept[key(row)] = vector
            np.savez(path, **kept)
            print(
                f"embedded {len(todo)} {variant} texts in {time.process_time() - started:.1f} s "
                f"CPU (cached in {path})",
                file=sys.stderr,
            )
        out[variant] = np.stack([kept[key(r)] for r in rows]).astype(np.float64)
    return out


# ------------------------------------------------------------------------ classifiers


def fit_predict(
    setting: tuple[str, float, float], x: Any, y: Any, test: Any
) -> Any:  # fmt: skip
    """p(none), p(decision), p(fix) for each row of `test` (rows x 3)."""
    kind, a, b = setting
    if kind == "knn":
        k = int(a)
        similar = test @ x.T
        nearest = np.argpartition(-similar, k - 1, axis=1)[:, :k]
        votes = y[nearest]
        return np.stack([(votes == c).mean(axis=1) for c in range(3)], axis=1)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    xs = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    ts = np.hstack([(test - mean) / std, np.ones((len(test), 1))])
    onehot = np.eye(3)[y]
    scale = np.where(y == 1, b, 1.0)[:, None] / len(y)
    w = np.zeros((xs.shape[1], 3))
    velocity = np.zeros_like(w)
    penalty = np.ones((xs.shape[1], 1))
    penalty[-1] = 0.0  # the bias is not penalised
    for _ in range(STEPS):
        logits = xs @ w
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        gradient = xs.T @ ((p - onehot) * scale) + a * penalty * w
        velocity = 0.9 * velocity - RATE * gradient
        w += velocity
    logits = ts @ w
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


# ------------------------------------------------------------------------ scoring


class Held:
    """A held-out project's rows as arrays: rates for many thresholds at once (the same
    ratios as capture_quality.score's weighted ones: checked against it in `check`)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.weight = np.array([r.get("weight", 1.0) for r in rows])
        self.worth = np.array([r["label"] != "none" for r in rows])
        self.decision = np.array([r["label"] in ("decision", "breaking") for r in rows])
        self.fix = np.array([r["label"] == "fix" for r in rows])
        self.rules = np.array([CODES[r["rules"]] for r in rows])
        self.seen = np.array([r["seen"] for r in rows])

    def rates(self, got: Any) -> Any:
        """got: (settings x rows) type codes -> (settings x 3) P, DR, FR (0 if undefined)."""
        w = self.weight
        captured = got != 0
        out = []
        for hit, among in (
            (self.worth & captured, captured),
            (self.decision & (got == 1), np.broadcast_to(self.decision, got.shape)),
            (self.fix & (got == 2), np.broadcast_to(self.fix, got.shape)),
        ):
            total = (among * w).sum(axis=1)
            out.append(np.where(total > 0, (hit * w).sum(axis=1) / np.maximum(total, 1e-12), 0))
        return np.stack(out, axis=1)

    def added(self, p: Any, grid: Any) -> Any:
        """Types for each decision threshold in `grid`: the rules', plus decisions."""
        promote = self.seen[None, :] & (p[None, :, 1] >= grid[:, None])
        return np.where(promote, 1, self.rules[None, :])

    def alone(self, p: Any, grid: Any, fix_grid: Any) -> Any:
        """Types for each (t_d, t_f): the classifier decides every prose verdict."""
        out = []
        for t_d in grid:
            for t_f in fix_grid:
                own = np.where(p[:, 1] >= t_d, 1, np.where(p[:, 2] >= t_f, 2, 0))
                out.append(np.where(self.seen, own, self.rules))
        return np.array(out)


def check(held: Held, got: Any) -> None:
    """The array rates equal capture_quality.score's weighted ones (one setting)."""
    codes = dict(zip((id(r) for r in held.rows), got, strict=True))
    s = score(held.rows, lambda r: NAMES[int(codes[id(r)])])
    mine = held.rates(got[None, :])[0]
    for n, key in enumerate(("precision", "decision_recall", "fix_recall")):
        hit, total = s[key + "_w"]
        assert abs((hit / total if total else 0.0) - mine[n]) < 1e-9, (key, hit, total, mine)


def probabilities(
    vecs: dict[str, Any], rows: list[dict[str, Any]], train: Any, test: Any
) -> dict[tuple[str, tuple[str, float, float]], Any]:
    """{(variant, classifier setting): p for the `test` rows}, trained on the `train` rows the
    classifier sees."""
    train = train & np.array([r["seen"] for r in rows])
    y = np.array([r["target"] for r in rows])[train]
    return {
        (variant, setting): fit_predict(setting, vecs[variant][train], y, vecs[variant][test])
        for variant in VARIANTS
        for setting in CLASSIFIERS
    }


def choose(
    vecs: dict[str, Any], rows: list[dict[str, Any]], among: Any, variants: tuple[str, ...]
) -> dict[str, Any]:
    """Settings by LOPO inside the rows `among` (a mask): for each variant set in `variants`
    (and all together), the best (variant, classifier, t) for `decisions` mode, and the best
    (variant, classifier, t_d, t_f) for "alone"."""
    projects = sorted({r["project"] for r, m in zip(rows, among, strict=True) if m})
    project = np.array([r["project"] for r in rows])
    added: dict[tuple[Any, ...], list[Any]] = {}
    alone: dict[tuple[Any, ...], list[Any]] = {}
    rules_rates = []
    for inner in projects:
        test = project == inner
        held = Held([r for r, m in zip(rows, test, strict=True) if m])
        rules_rates.append(held.rates(held.rules[None, :])[0])
        for key, p in probabilities(vecs, rows, among & ~test, test).items():
            added.setdefault(key, []).append(held.rates(held.added(p, DECISION_GRID)))
            alone.setdefault(key, []).append(held.rates(held.alone(p, DECISION_GRID, FIX_GRID)))
    rules_mean = np.mean(rules_rates, axis=0)
    floor, rules_objective = rules_mean[0], rules_mean.sum()
    chosen: dict[str, Any] = {"rules_objective": rules_objective}
    for name in (*variants, "any"):
        best: tuple[float, float, Any] | None = None
        for (variant, setting), values in added.items():
            if name not in ("any", variant):
                continue
            mean = np.mean(values, axis=0)  # thresholds x 3
            for n, t in enumerate(DECISION_GRID):
                if mean[n, 0] < floor:
                    continue
                key = (float(mean[n].sum()), float(t))  # ties: the higher threshold
                if best is None or key > best[:2]:
                    best = (key[0], key[1], (variant, setting, float(t)))
        if best is None or best[0] <= rules_objective:
            chosen[name] = (None, None, 1.01, rules_objective)  # the rules alone
        else:
            chosen[name] = (*best[2], best[0])
    best_alone: tuple[float, Any] | None = None
    pairs = [(t_d, t_f) for t_d in DECISION_GRID for t_f in FIX_GRID]
    for (variant, setting), values in alone.items():
        sums = np.mean(values, axis=0).sum(axis=1)
        n = int(np.argmax(sums))
        if best_alone is None or sums[n] > best_alone[0]:
            best_alone = (float(sums[n]), (variant, setting, *pairs[n]))
    assert best_alone is not None
    chosen["alone"] = best_alone[1]
    return chosen


def apply(rows: list[dict[str, Any]], ps: dict[Any, Any], chosen: dict[str, Any]) -> dict[str, Any]:
    """Types of the held-out `rows` (whose probabilities are `ps`) for each chosen setting:
    {name: [type or None]}."""
    held = Held(rows)
    out: dict[str, list[Any]] = {"rules": [NAMES[int(c)] for c in held.rules]}
    for name, setting in chosen.items():
        if name == "rules_objective":
            continue
        if name == "alone":
            variant, classifier, t_d, t_f = setting
            got = held.alone(ps[(variant, classifier)], np.array([t_d]), np.array([t_f]))[0]
        elif setting[0] is None:
            got = held.rules
        else:
            variant, classifier, t, _objective = setting
            got = held.added(ps[(variant, classifier)], np.array([t]))[0]
        check(held, got)
        out[name] = [NAMES[int(c)] for c in got]
    return out


def classifier(setting: tuple[str, float, float]) -> str:
    kind, a, b = setting
    return f"logreg l2={a:g} decision weight={b:g}" if kind == "logreg" else f"knn k={int(a)}"


def described(setting: Any) -> str:
    if setting[0] is None:
        return "rules alone (no setting beats their inner objective)"
    variant, kind, *thresholds = setting
    ts = ", ".join(f"{t:.2f}" for t in thresholds[:2])
    return f"{variant}, {classifier(kind)}, t={ts}"


# ------------------------------------------------------------------------ report


def rates(rows: list[dict[str, Any]], types: list[Any]) -> tuple[float, float, float]:
    got = dict(zip((id(r) for r in rows), types, strict=True))
    s = score(rows, lambda r: got[id(r)])
    out = []
    for key in ("precision", "decision_recall", "fix_recall"):
        hit, total = s[key + "_w"]
        out.append(hit / total if total else 0.0)
    return out[0], out[1], out[2]


COLUMNS = ("rules", "any", "subject", "subject+body", "alone")
TITLES = {
    "rules": "rules",
    "any": "rules + embeddings",
    "subject": "rules + subject emb.",
    "subject+body": "rules + subject+body emb.",
    "alone": "embeddings alone",
}


def table(results: list[tuple[str, dict[str, tuple[float, float, float]]]]) -> None:
    print("| project | " + " | ".join(f"{TITLES[c]} P / DR / FR" for c in COLUMNS) + " |")
    print("|---|" + "---|" * len(COLUMNS))
    means = {c: tuple(np.mean([r[c] for _p, r in results], axis=0)) for c in COLUMNS}
    for project, figures in [*results, ("**mean**", means)]:
        cells = [" / ".join(f"{100 * x:.1f}" for x in figures[c]) for c in COLUMNS]
        print(f"| {project} | " + " | ".join(cells) + " |")


def lookup(rows: list[dict[str, Any]], types: list[Any]) -> Any:
    """The classifier `score` and `intervals` take: each row's type in `types`."""
    table = dict(zip((id(r) for r in rows), types, strict=True))
    return lambda row: table[id(row)]


def counts(rows: list[dict[str, Any]], types: list[Any]) -> str:
    s = score(rows, lookup(rows, types))
    d, f = s["decision_recall"], s["fix_recall"]
    p = s["precision"]
    return f"captured {s['captured']}, worth {p[0]}, decisions {d[0]}/{d[1]}, fixes {f[0]}/{f[1]}"


def lopo(rows: list[dict[str, Any]], vecs: dict[str, Any]) -> None:
    projects = list(dict.fromkeys(r["project"] for r in rows))
    project = np.array([r["project"] for r in rows])
    results = []
    curves: list[tuple[Held, dict[Any, Any]]] = []
    for name in projects:
        started = time.process_time()
        test = project == name
        train = ~test
        chosen = choose(vecs, rows, train, VARIANTS)
        held = [r for r, m in zip(rows, test, strict=True) if m]
        ps = probabilities(vecs, rows, train, test)
        types = apply(held, ps, chosen)
        curves.append((Held(held), ps))
        print(f"\n{name} ({len(held)} commits; {time.process_time() - started:.0f} s CPU):")
        for key in ("any", "subject", "subject+body", "alone"):
            print(f"  {TITLES[key]}: {described(chosen[key])}")
        for key in ("rules", "any", "alone"):
            print(f"  {TITLES[key]}: {counts(held, types[key])}")
        added = [
            r["message"].splitlines()[0][:80]
            for r, was, now in zip(held, types["rules"], types["any"], strict=True)
            if was != now
        ]
        for subject, row in zip(
            added,
            [r for r, a, b in zip(held, types["rules"], types["any"], strict=True) if a != b],
            strict=True,
        ):
            print(f"    + decision ({row['label']}): {subject}")
        results.append((name, {key: rates(held, types[key]) for key in COLUMNS}))
        sys.stdout.flush()
    print("\n### leave one project out (weighted rates; P = precision, DR / FR = decision / fix "
          "recall)\n")  # fmt: skip
    table(results)
    curve(curves)


REFERENCE = (("logreg", 0.03, 3.0), ("knn", 15, 0.0))  # fixed beforehand, for `curve` alone


def curve(curves: list[tuple[Held, dict[Any, Any]]]) -> None:
    """What a fixed threshold would give, for the two REFERENCE classifiers: mean over the
    left-out projects of rules + classifier at each t (a description of the trade-off, read
    on the outer folds: not a way to choose t), and how many of each project's top 10 commits
    by p(decision), among the seen ones the rules do not capture as decisions, are decisions."""
    print("\n### the trade-off at a fixed threshold (mean over the left-out projects)\n")
    keys = [(v, s) for v in VARIANTS for s in REFERENCE]
    print("| t | " + " | ".join(f"{v}, {classifier(s)} P / DR / FR" for v, s in keys) + " |")
    print("|---:|" + "---|" * len(keys))
    rules = np.mean([h.rates(h.rules[None, :])[0] for h, _ps in curves], axis=0)
    print("| rules | " + " | ".join(" / ".join(f"{100 * x:.1f}" for x in rules)
                                   for _ in keys) + " |")  # fmt: skip
    means = {k: np.mean([h.rates(h.added(ps[k], DECISION_GRID)) for h, ps in curves], axis=0)
             for k in keys}  # fmt: skip
    for n, t in enumerate(DECISION_GRID):
        cells = [" / ".join(f"{100 * x:.1f}" for x in means[k][n]) for k in keys]
        print(f"| {t:.2f} | " + " | ".join(cells) + " |")
    print("\ntop 10 by p(decision) among the seen commits the rules do not capture as decisions "
          "(decisions among them / base rate of decisions in that pool, unweighted):")  # fmt: skip
    aucs: dict[Any, list[float]] = {}
    for k in keys:
        cells = []
        for h, ps in curves:
            pool = np.flatnonzero(h.seen & (h.rules != 1))
            top = pool[np.argsort(-ps[k][pool, 1], kind="stable")[:10]]
            base = h.decision[pool].mean() if len(pool) else 0.0
            cells.append(f"{h.rows[0]['project']} {int(h.decision[top].sum())} ({10 * base:.1f})")
            aucs.setdefault(k, []).append(auc(ps[k][pool, 1], h.decision[pool]))
        print(f"  {k[0]}, {classifier(k[1])}: " + ", ".join(cells))
    print("\nAUC of p(decision) in that pool (decisions vs the rest; 0.5 = no signal), per "
          "project and mean:")  # fmt: skip
    for k, values in aucs.items():
        cells = [
            f"{h.rows[0]['project']} {v:.2f}" for (h, _ps), v in zip(curves, values, strict=True)
        ]
        print(f"  {k[0]}, {classifier(k[1])}: " + ", ".join(cells)
              + f"; mean {np.nanmean(values):.2f}")  # fmt: skip


def auc(p: Any, positive: Any) -> float:
    """The chance a random decision outranks a random other commit (ties count half)."""
    pos, neg = p[positive], p[~positive]
    if not len(pos) or not len(neg):
        return float("nan")
    above = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(above / (len(pos) * len(neg)))


def blind(rows: list[dict[str, Any]], directory: Path) -> None:
    """Trained on all 13 with settings chosen by LOPO over them; each file of `directory`
    scored once."""
    paths = sorted(directory.glob("capture_labels_holdout_*.jsonl"))
    held_rows = load(paths)
    everything = rows + held_rows
    vecs = vectors(everything)
    is_training = np.array([True] * len(rows) + [False] * len(held_rows))
    chosen = choose(vecs, everything, is_training, VARIANTS)
    for key in ("any", "subject", "subject+body", "alone"):
        print(f"{TITLES[key]} (chosen by LOPO over the 13): {described(chosen[key])}")
    project = np.array([r["project"] for r in everything])
    results = []
    curves: list[tuple[Held, dict[Any, Any]]] = []
    for name in dict.fromkeys(r["project"] for r in held_rows):
        test = project == name
        held = [r for r, m in zip(everything, test, strict=True) if m]
        ps = probabilities(vecs, everything, is_training, test)
        types = apply(held, ps, chosen)
        curves.append((Held(held), ps))
        print(f"\n{name} ({len(held)} commits, {dict(Counter(r['label'] for r in held))}):")
        for key in COLUMNS:
            print(
                f"  {TITLES[key]}: {counts(held, types[key])}; 95% intervals P / DR / FR "
                + " / ".join(intervals(held, lookup(held, types[key])))
            )
        for row, was, now in zip(held, types["rules"], types["any"], strict=True):
            if was != now:
                print(f"    + decision ({row['label']}): {row['message'].splitlines()[0][:80]}")
        results.append((name, {key: rates(held, types[key]) for key in COLUMNS}))
    print("\n### blind pair (weighted rates)\n")
    table(results)
    curve(curves)


# ------------------------------------------------------------------------ speed


def speed(rows: list[dict[str, Any]], repeat: int) -> None:
    """Embeddings per CPU-second (subjects, subject+body; batches of 32 sorted by length, and
    one at a time), against the capture scan over a generated 10,000-commit history, in the
    same run."""
    load_avg = " ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.git"
        generate(path, 10_000, rows)
        repo = git.RepoInfo(git_dir=path, common_dir=path, work_tree=None, bare=True)
        rules = default_rules()
        scans = []
        for _ in range(repeat):
            cpu = _cpu()
            scanned = kept = 0
            for commit in backfill.stream(repo, ["HEAD"]):
                scanned += 1
                kept += bool(candidates(commit, rules))
            scans.append(_cpu() - cpu)
    scan_rate = scanned / statistics.median(scans)
    cpu = time.process_time()
    embedder = model.embedder()
    load_cpu = time.process_time() - cpu
    sample = rows[:512]
    print(f"speed (load average {load_avg}; medians of {repeat} rounds; model load "
          f"{1000 * load_cpu:.0f} ms CPU)\n")  # fmt: skip
    print(f"capture scan (git log + rules), generated 10,000-commit history: {scan_rate:,.0f} "
          f"commits per CPU-second ({kept} captured)\n")  # fmt: skip
    print("| texts | batch | tokens (mean) | embeddings per CPU-second | ms CPU each |")
    print("|---|---:|---:|---:|---:|")
    figures = {}
    for variant in VARIANTS:
        texts_ = [r["texts"][variant] for r in sample]
        tokens = statistics.mean(len(e.ids) for e in embedder._tokenizer.encode_batch(texts_))
        for batch in (32, 1):
            ordered = sorted(texts_, key=len) if batch > 1 else texts_
            times = []
            for _ in range(repeat):
                cpu = time.process_time()
                for start in range(0, len(ordered), batch):
                    embedder._run(ordered[start : start + batch])
                times.append(time.process_time() - cpu)
            rate = len(ordered) / statistics.median(times)
            figures[(variant, batch)] = rate
            print(f"| {variant} | {batch} | {tokens:.0f} | {rate:,.0f} | {1000 / rate:.2f} |")
    # What a pass on the commits the rules leave to the prose patterns and do not capture
    # would cost, weighted back to the histories (the share of commits it would embed).
    share = []
    for name in dict.fromkeys(r["project"] for r in rows):
        held = [r for r in rows if r["project"] == name]
        total = sum(r.get("weight", 1.0) for r in held)
        share.append(sum(r.get("weight", 1.0) for r in held if r["seen"] and not r["rules"])
                     / total)  # fmt: skip
    uncaptured = statistics.mean(share)
    print(f"\ncommits the classifier would embed (prose verdict, not captured by the rules), "
          f"weighted back, mean over the projects: {100 * uncaptured:.0f}%")  # fmt: skip
    budget = 1 / FLOOR - 1 / scan_rate  # CPU-seconds per commit left at the floor
    print(
        f"\nat the issue's floor ({FLOOR:,} commits/s) a commit may cost {1e6 / FLOOR:.0f} us; "
        f"the scan takes {1e6 / scan_rate:.0f}, leaving {1e6 * budget:.0f} us: room to embed "
        + ", ".join(f"{100 * budget * figures[(v, 32)]:.1f}% of commits ({v})" for v in VARIANTS)
        + f"; the commit hook (one commit) would pay the model's load ({1000 * load_cpu:.0f} ms) "
        f"and one embedding ({1000 / figures[('subject+body', 1)]:.0f} ms)"
    )
    print("\n| pass | embeddings per commit | capture commits per CPU-second |")
    print("|---|---:|---:|")
    for variant in VARIANTS:
        for share_, what in ((1.0, "every commit"), (uncaptured, "uncaptured prose only")):
            cost = 1 / scan_rate + share_ / figures[(variant, 32)]
            print(f"| {variant}, batch 32, {what} | {share_:.2f} | {1 / cost:,.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--speed", action="store_true", help="embedding cost only")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--blind", type=Path, help="directory of the blind hold-out files")
    args = parser.parse_args()
    rows = load(TRAINING)
    if args.speed:
        speed(rows, args.repeat)
        return
    if args.blind:
        blind(rows, args.blind)
        return
    vecs = vectors(rows)
    mix = Counter((r["project"], r["target"]) for r in rows)
    print(f"labelled commits: {len(rows)} in {len({r['project'] for r in rows})} projects; the "
          f"classifier sees {sum(r['seen'] for r in rows)}")  # fmt: skip
    print("  " + ", ".join(f"{p} d{mix[(p, 1)]}/f{mix[(p, 2)]}/n{mix[(p, 0)]}"
                           for p in dict.fromkeys(r["project"] for r in rows)))  # fmt: skip
    lopo(rows, vecs)


if __name__ == "__main__":
    main()
