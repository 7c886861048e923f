"""`git mem deploy` and `git mem report deploys` agree on the deploy record (the contract
between them): records written by the command are the ones the report counts and measures."""

from __future__ import annotations

import json


def test_report_counts_what_deploy_recorded(repo, mem, g):
    g.run("commit", "-q", "--allow-empty", "-m", "feature", cwd=repo)
    for env, status in (("staging", "success"), ("production", "failure")):
        assert mem("deploy", "--env", env, "--status", status).code == 0
    g.run("commit", "-q", "--allow-empty", "-m", "fix", cwd=repo)
    fix = g.run("rev-parse", "HEAD", cwd=repo).strip()
    assert mem("deploy", "--env", "production", "--version", "v2").code == 0
    assert mem("deploy", "--env", "production", "--status", "started").code == 0

    result = mem("report", "deploys", "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["deploys"] == 4
    production, staging = report["environments"]
    assert (production["env"], staging["env"]) == ("production", "staging")
    assert (production["deployments"], production["success"], production["failure"]) == (3, 1, 1)
    assert production["started"] == 1
    assert production["change_failure_rate"] == {"failed": 1, "completed": 2, "rate": 0.5}
    # The failure and its fix are recorded within the same second: still in that order.
    restore = production["time_to_restore"]
    assert (restore["incidents"], restore["restored"], restore["open"]) == (1, 1, 0)
    assert (production["latest"]["status"], production["latest"]["commit"]) == ("started", fix)
    assert production["lead_time"]["changes"] == 3  # initial commit, feature, fix
    assert (staging["success"], staging["lead_time"]["changes"]) == (1, 2)
