"""CI detection: each provider's real variable names, read from a plain mapping."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gitmem.deploy.ci_env import PROVIDERS, CIInfo, detect, variables_help

NOW = datetime(2026, 11, 22, 3, 0, 0, tzinfo=UTC)

CASES = {
    "github-actions": (
        {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_RUN_ID": "9876543210",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "acme/shop",
            "GITHUB_JOB": "deploy",
            "GITHUB_ACTOR": "jane",
        },
        CIInfo(
            "github-actions",
            "9876543210",
            "https://github.com/acme/shop/actions/runs/9876543210",
            "deploy",
            "jane",
        ),
    ),
    "gitlab-ci": (
        {
            "CI": "true",
            "GITLAB_CI": "true",
            "CI_PIPELINE_ID": "4242",
            "CI_PIPELINE_URL": "https://gitlab.com/acme/shop/-/pipelines/4242",
            "CI_JOB_URL": "https://gitlab.com/acme/shop/-/jobs/777",
            "CI_JOB_NAME": "deploy-prod",
            "GITLAB_USER_LOGIN": "jdoe",
            "CI_JOB_STARTED_AT": "2026-11-22T02:58:30Z",
        },
        CIInfo(
            "gitlab-ci",
            "4242",
            "https://gitlab.com/acme/shop/-/jobs/777",
            "deploy-prod",
            "jdoe",
            90,
        ),
    ),
    "jenkins": (
        {
            "JENKINS_URL": "https://ci.acme.test/",
            "BUILD_ID": "311",
            "BUILD_NUMBER": "311",
            "BUILD_URL": "https://ci.acme.test/job/shop/311/",
            "JOB_NAME": "shop/deploy",
            "BUILD_USER_ID": "ops",
        },
        CIInfo("jenkins", "311", "https://ci.acme.test/job/shop/311/", "shop/deploy", "ops"),
    ),
    "circleci": (
        {
            "CI": "true",
            "CIRCLECI": "true",
            "CIRCLE_WORKFLOW_ID": "6b1e-4c2a",
            "CIRCLE_BUILD_NUM": "55",
            "CIRCLE_BUILD_URL": "https://circleci.com/gh/acme/shop/55",
            "CIRCLE_JOB": "deploy",
            "CIRCLE_USERNAME": "sam",
        },
        CIInfo("circleci", "6b1e-4c2a", "https://circleci.com/gh/acme/shop/55", "deploy", "sam"),
    ),
    "buildkite": (
        {
            "CI": "true",
            "BUILDKITE": "true",
            "BUILDKITE_BUILD_ID": "b81ed283-58b7",
            "BUILDKITE_BUILD_URL": "https://buildkite.com/acme/shop/builds/59034",
            "BUILDKITE_LABEL": ":rocket: deploy",
            "BUILDKITE_BUILD_CREATOR": "Abby",
        },
        CIInfo(
            "buildkite",
            "b81ed283-58b7",
            "https://buildkite.com/acme/shop/builds/59034",
            ":rocket: deploy",
            "Abby",
        ),
    ),
    "azure-pipelines": (
        {
            "TF_BUILD": "True",
            "BUILD_BUILDID": "1234",
            "SYSTEM_COLLECTIONURI": "https://dev.azure.com/acme/",
            "SYSTEM_TEAMPROJECT": "Shop Web",
            "SYSTEM_JOBDISPLAYNAME": "Deploy job",
            "BUILD_REQUESTEDFOR": "Jane Doe",
        },
        CIInfo(
            "azure-pipelines",
            "1234",
            "https://dev.azure.com/acme/Shop%20Web/_build/results?buildId=1234",
            "Deploy job",
            "Jane Doe",
        ),
    ),
    "ci": (
        {
            "CI": "1",
            "CI_RUN_ID": "r-17",
            "CI_RUN_URL": "https://drone.acme.test/shop/17",
            "CI_JOB": "deploy",
            "CI_ACTOR": "bot",
            "CI_STARTED_AT": str(int(NOW.timestamp()) - 42),
        },
        CIInfo("ci", "r-17", "https://drone.acme.test/shop/17", "deploy", "bot", 42),
    ),
}


@pytest.mark.parametrize("provider", sorted(CASES))
def test_each_provider_is_read_from_its_own_variables(provider):
    env, expected = CASES[provider]
    assert detect(env, NOW) == expected


def test_every_provider_has_a_case_and_a_line_in_the_help():
    assert {p.id for p in PROVIDERS} == set(CASES)
    text = variables_help()
    for provider in PROVIDERS:
        assert f"  {provider.id}: " in text


def test_outside_ci_everything_is_none():
    assert detect({}, NOW) == CIInfo(None, None, None, None, None, None)
    assert detect({"CI": "false", "GITHUB_ACTIONS": "", "HOME": "/root"}, NOW) == CIInfo()
    assert CIInfo().identity is None


def test_a_provider_wins_over_the_generic_ci_variable():
    """GitLab sets CI=true and CI_JOB_* too; its own reading must win, not the fallback's."""
    env = {"CI": "true", "GITLAB_CI": "true", "CI_PIPELINE_ID": "1", "CI_RUN_ID": "x"}
    assert detect(env, NOW).provider == "gitlab-ci"
    assert detect(env, NOW).run_id == "1"


def test_missing_and_blank_values_are_none_and_fallbacks_apply():
    env = {"GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": "5", "GITHUB_JOB": "  "}
    assert detect(env, NOW) == CIInfo("github-actions", "5", None, None, None)
    env = {"GITLAB_CI": "true", "CI_PIPELINE_URL": "https://gl/p/1", "CI_JOB_STARTED_AT": "junk"}
    assert detect(env, NOW) == CIInfo("gitlab-ci", None, "https://gl/p/1", None, None, None)
    env = {"CIRCLECI": "true", "CIRCLE_BUILD_NUM": "55"}
    assert detect(env, NOW).run_id == "55"
    env = {"JENKINS_HOME": "/var/jenkins", "BUILD_NUMBER": "7"}
    assert detect(env, NOW) == CIInfo("jenkins", "7", None, None, None)
    env = {"BUILDKITE": "true", "BUILDKITE_STEP_KEY": "deploy"}
    assert detect(env, NOW).job == "deploy"
    # Azure's URL needs all three parts; a server without the project gives none.
    env = {"TF_BUILD": "True", "BUILD_BUILDID": "9", "SYSTEM_COLLECTIONURI": "https://x/"}
    assert detect(env, NOW).run_url is None


def test_github_enterprise_server_url_is_used():
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_RUN_ID": "3",
        "GITHUB_SERVER_URL": "https://git.acme.test/",
        "GITHUB_REPOSITORY": "a/b",
    }
    assert detect(env, NOW).run_url == "https://git.acme.test/a/b/actions/runs/3"


@pytest.mark.parametrize(
    ("started", "duration"),
    [
        ("2026-11-22T02:59:00Z", 60),
        ("2026-11-22T02:59:00+00:00", 60),
        ("2026-11-22T03:59:00+01:00", 60),
        ("2026-11-22T02:59:00", 60),  # no offset: UTC, as the CIs that omit it mean
        ("2026-11-22T03:00:05Z", None),  # in the future: a clock skew, not a duration
        ("yesterday", None),
    ],
)
def test_duration_from_the_start_time(started, duration):
    env = {"CI": "true", "CI_STARTED_AT": started}
    assert detect(env, NOW).duration == duration


def test_ci_identity_names_the_provider():
    assert detect({"BUILDKITE": "true"}, NOW).identity == ("buildkite", "ci@buildkite")
    assert detect({"CI": "true"}, NOW).identity == ("ci", "ci@ci")
