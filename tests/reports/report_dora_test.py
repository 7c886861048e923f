"""`git mem report deploys`: every DORA figure against values worked out by hand from the
table in tests/reportrepo.py, plus an independent cross-check of lead time with plain git."""

from __future__ import annotations

import json
import math
import statistics
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reportrepo import HOUR, MISSING, PRODUCTION, STAGING, at, build_history, write_deploys

Env = dict[str, Any]


@pytest.fixture
def dora_repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, g: Any
) -> tuple[Path, dict[str, str]]:
    root = g.make_repo(tmp_path / "dora", commit=False)
    names = build_history(root)
    write_deploys(root, names)
    monkeypatch.chdir(root)
    return root, names


def report(mem: Callable[..., Any], *args: str) -> dict[str, Env]:
    result = mem("report", "deploys", "--format", "json", *args)
    assert result.code == 0, result.err
    document = json.loads(result.out)
    return {env["env"]: env for env in document["environments"]} | {"": document}


# Lead times in hours, by the definition: deploy time - commit time, for the commits each
# successful deploy brings first (history is linear but for the merge of x1..x3 at c110).
PRODUCTION_LEAD = (
    [103 - 2 * i for i in range(1, 51)]  # P1 c50 at 103 h: c1..c50 -> 101, 99 .. 3
    + [182 - 2 * i for i in range(51, 91)]  # P3 c90 at 182 h: c51..c90 -> 80 .. 2
    + [301 - 2 * i for i in range(91, 151)]  # P5 c150 at 301 h: c91..c150 -> 119 .. 1
    + [301 - 200.5, 301 - 201, 301 - 201.5]  # ... and x1..x3 through the merge c110
    + [445 - 2 * i for i in range(151, 221)]  # P8 c220 at 445 h (c151..c200 were rolled back)
)  # P7 redeploys c150: nothing new. c221..c300 never deployed successfully.
STAGING_LEAD = (
    [81 - 2 * i for i in range(1, 41)]  # S1 c40 at 81 h
    + [201 - 2 * i for i in range(41, 101)]  # S2 c100 at 201 h
    + [203 - 200.5, 203 - 201, 203 - 201.5]  # S2b x3 at 203 h: the hotfix branch alone
    + [261 - 2 * i for i in range(101, 131)]  # S5 c130 at 261 h (x1..x3 already deployed)
    + [501 - 2 * i for i in range(131, 251)]  # S6 c250 at 501 h
)  # S7's commit is missing: skipped


def nearest_rank_p90(values: list[float]) -> float:
    return sorted(values)[math.ceil(0.9 * len(values)) - 1]


def test_hand_derived_lead_times_are_what_the_literals_say() -> None:
    """The literals below, from sorting the lists by hand: guards the derivation itself."""
    assert (len(PRODUCTION_LEAD), statistics.median(PRODUCTION_LEAD)) == (223, 57)
    assert nearest_rank_p90(PRODUCTION_LEAD) == 109  # the 201st of 223
    assert (len(STAGING_LEAD), statistics.median(STAGING_LEAD)) == (253, 63)
    assert nearest_rank_p90(STAGING_LEAD) == 189  # the 228th of 253


def test_every_dora_figure_over_the_whole_history(mem: Callable[..., Any], dora_repo: Any) -> None:
    envs = report(mem)
    document = envs[""]
    # The window runs from the first deploy shown (S1, 81 h) to the last (P9, 602 h).
    assert document["window"] == {
        "since": None,
        "until": None,
        "start": at(81).isoformat(),
        "end": at(602).isoformat(),
        "days": 21.708,  # 521 h / 24
    }
    assert document["deploys"] == 17
    assert document["missing_commits"] == [MISSING]
    prod, staging = envs["production"], envs["staging"]

    counts = ("deployments", "success", "failure", "rolled_back", "started")
    assert [prod[key] for key in counts] == [9, 5, 2, 1, 1]
    assert [staging[key] for key in counts] == [8, 6, 2, 0, 0]

    # Deployment frequency: successful deploys / 21.7083 days.
    assert prod["frequency"] == {
        "successful": 5,
        "days": 21.708,
        "per_day": 0.23,  # 5 / 21.7083 = 0.2303
        "per_week": 1.612,  # 35 / 21.7083
    }
    assert staging["frequency"] == {
        "successful": 6,  # S7 counts: it was deployed, only its commit is unknown here
        "days": 21.708,
        "per_day": 0.276,
        "per_week": 1.935,
    }

    # Lead time: median and nearest-rank p90 of the hand-derived lists, in seconds.
    assert prod["lead_time"] == {
        "changes": 223,
        "median_seconds": 57 * HOUR,
        "p90_seconds": 109 * HOUR,
        "skipped_deploys": 0,
    }
    assert staging["lead_time"] == {
        "changes": 253,
        "median_seconds": 63 * HOUR,
        "p90_seconds": 189 * HOUR,
        "skipped_deploys": 1,  # S7
    }

    # Change failure rate: P2, P6 (rolled back), P9 of 8 completed (P4 only started).
    assert prod["change_failure_rate"] == {"failed": 3, "completed": 8, "rate": 0.375}
    assert staging["change_failure_rate"] == {"failed": 2, "completed": 8, "rate": 0.25}

    # Time to restore: P2 161 h -> P3 182 h = 21 h; P6 404 h -> P7 410 h = 6 h; P9 open.
    assert prod["time_to_restore"] == {
        "incidents": 3,
        "restored": 2,
        "open": 1,
        "median_seconds": 13.5 * HOUR,
    }
    # S3 241 h and S4 251 h are one incident, restored by S5 at 261 h: 20 h.
    assert staging["time_to_restore"] == {
        "incidents": 1,
        "restored": 1,
        "open": 0,
        "median_seconds": 20 * HOUR,
    }

    assert prod["latest"]["time"] == at(602).isoformat()
    assert prod["latest"]["status"] == "failure"
    assert prod["latest"]["version"] == "v9"
    assert staging["latest"]["commit"] == MISSING


def test_window_since_until(mem: Callable[..., Any], dora_repo: Any) -> None:
    envs = report(mem, "--since", at(150).isoformat(), "--until", at(420).isoformat())
    prod, staging = envs["production"], envs["staging"]
    assert envs[""]["window"]["days"] == 11.25  # 270 h
    # In the window: P2 failure, P3, P4 started, P5, P6 rolled back, P7.
    assert [prod[key] for key in ("deployments", "success", "failure", "rolled_back")] == [
        6,
        3,
        1,
        1,
    ]
    assert prod["frequency"]["per_day"] == round(3 / 11.25, 3)
    # Lead time counts only the commits first deployed inside the window: P3's and P5's.
    window_lead = PRODUCTION_LEAD[50:153]
    assert len(window_lead) == 103
    assert prod["lead_time"]["median_seconds"] == statistics.median(window_lead) * HOUR == 52 * HOUR
    assert prod["lead_time"]["p90_seconds"] == 100.5 * HOUR
    assert prod["change_failure_rate"] == {"failed": 2, "completed": 5, "rate": 0.4}
    assert prod["time_to_restore"]["median_seconds"] == 13.5 * HOUR
    # Staging: S2, S2b, S3, S4, S5; c1..c40 went out with S1, before the window.
    assert staging["deployments"] == 5
    assert staging["lead_time"]["changes"] == 60 + 3 + 30
    assert staging["time_to_restore"] == {
        "incidents": 1,
        "restored": 1,
        "open": 0,
        "median_seconds": 20 * HOUR,
    }


def test_env_filter_and_an_incident_restored_after_the_window(
    mem: Callable[..., Any], dora_repo: Any
) -> None:
    envs = report(mem, "--env", "production", "--until", at(405).isoformat())
    assert list(envs) == ["production", ""]
    # P6 (404 h) is in the window and its restore P7 (410 h) after it: still a restore.
    ttr = envs["production"]["time_to_restore"]
    assert ttr == {"incidents": 2, "restored": 2, "open": 0, "median_seconds": 13.5 * HOUR}


def test_lead_time_matches_plain_git(dora_repo: Any, mem: Callable[..., Any]) -> None:
    """An independent computation: `git rev-list` of every successful deploy, in time order;
    each commit's first such deploy."""
    root, names = dora_repo

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=True
        ).stdout

    times = {
        sha: int(t)
        for sha, t in (line.split() for line in git("log", "--all", "--format=%H %ct").splitlines())
    }
    envs = report(mem)
    for env, table in (("production", PRODUCTION), ("staging", STAGING)):
        first: dict[str, float] = {}
        for hours, name, status in table:
            if status != "success" or name == "missing":
                continue
            for sha in git("rev-list", names[name]).split():
                first.setdefault(sha, at(hours).timestamp() - times[sha])
        seconds = list(first.values())
        assert envs[env]["lead_time"]["changes"] == len(seconds)
        assert envs[env]["lead_time"]["median_seconds"] == statistics.median(seconds)
        assert envs[env]["lead_time"]["p90_seconds"] == nearest_rank_p90(seconds)


def test_a_shallow_clone_skips_lead_time_and_says_so(
    dora_repo: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mem: Callable[..., Any], g: Any
) -> None:
    """CI's depth-1 clone holds none of the deployed commits: lead time is skipped (and the
    commits named); the measures that need no history are unchanged."""
    root, names = dora_repo
    clone = tmp_path / "shallow"
    g.run("clone", "-q", "--depth", "1", root.as_uri(), str(clone))
    g.run("fetch", "-q", "--depth", "1", "origin", "refs/notes/mem:refs/notes/mem", cwd=clone)
    monkeypatch.chdir(clone)
    envs = report(mem)
    deployed = {names[name] for _, name, status in PRODUCTION + STAGING if status == "success"}
    assert envs[""]["missing_commits"] == sorted(deployed)
    assert envs["production"]["lead_time"] == {
        "changes": 0,
        "median_seconds": None,
        "p90_seconds": None,
        "skipped_deploys": 5,
    }
    assert envs["staging"]["lead_time"]["skipped_deploys"] == 6
    assert envs["production"]["change_failure_rate"]["rate"] == 0.375
    assert envs["production"]["time_to_restore"]["median_seconds"] == 13.5 * HOUR
    text = mem("report", "deploys").out
    assert "| production | 0.23/day (1.612/week) | - / - (0 commits) | 37.5% (3 of 8) |" in text
    assert "Lead time skips 11 successful deploys: commits missing from this repository" in text
