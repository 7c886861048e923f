"""Which CI system we run in, and what it says about the run: a pure function of the environment.

Each provider is recognised by the marker variable it always sets and read through its own,
documented variable names. The first provider whose marker is set wins, the generic fallback
(`CI` set to a true value, as almost every CI system does) comes last, so a GitLab job, which
also sets `CI=true`, is GitLab's and not generic. Nothing here touches git or the disk, so the
table test can feed any mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import quote

GENERIC = "ci"


class CIInfo(NamedTuple):
    """What the environment says about a CI run; every field None outside CI."""

    provider: str | None = None  # github-actions, gitlab-ci, ..., "ci" (generic)
    run_id: str | None = None
    run_url: str | None = None
    job: str | None = None
    actor: str | None = None
    duration: int | None = None  # seconds since the job started, where the CI says when

    @property
    def identity(self) -> tuple[str, str] | None:
        """(name, email) to write as when git has no identity: `github-actions <ci@...>`."""
        if self.provider is None:
            return None
        return self.provider, f"ci@{self.provider}"


def _get(env: Mapping[str, str], *names: str) -> str | None:
    """The first of `names` set to something other than blanks."""
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return value
    return None


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() not in ("", "0", "false", "no", "off")


def _duration(started: str | None, now: datetime) -> int | None:
    """Seconds from `started` (ISO 8601, or Unix seconds) to `now`; None if unreadable."""
    if not started:
        return None
    try:
        if started.isdigit():
            begin = datetime.fromtimestamp(int(started), UTC)
        else:
            begin = datetime.fromisoformat(started.replace("Z", "+00:00"))
            if begin.tzinfo is None:
                begin = begin.replace(tzinfo=UTC)  # CIs that omit the offset mean UTC
    except (ValueError, OverflowError, OSError):
        return None
    seconds = int((now - begin).total_seconds())
    return seconds if seconds >= 0 else None


def _github(env: Mapping[str, str], now: datetime) -> CIInfo:
    run_id = _get(env, "GITHUB_RUN_ID")
    server = _get(env, "GITHUB_SERVER_URL") or "https://github.com"
    repository = _get(env, "GITHUB_REPOSITORY")
    url = (
        f"{server.rstrip('/')}/{repository}/actions/runs/{run_id}"
        if run_id and repository
        else None
    )
    return CIInfo("github-actions", run_id, url, _get(env, "GITHUB_JOB"), _get(env, "GITHUB_ACTOR"))


def _gitlab(env: Mapping[str, str], now: datetime) -> CIInfo:
    return CIInfo(
        "gitlab-ci",
        _get(env, "CI_PIPELINE_ID"),
        _get(env, "CI_JOB_URL", "CI_PIPELINE_URL"),
        _get(env, "CI_JOB_NAME"),
        _get(env, "GITLAB_USER_LOGIN"),
        _duration(_get(env, "CI_JOB_STARTED_AT"), now),
    )


def _jenkins(env: Mapping[str, str], now: datetime) -> CIInfo:
    return CIInfo(
        "jenkins",
        _get(env, "BUILD_ID", "BUILD_NUMBER"),
        _get(env, "BUILD_URL"),
        _get(env, "JOB_NAME"),
        _get(env, "BUILD_USER_ID"),  # set by the build-user-vars plugin, when installed
    )


def _circleci(env: Mapping[str, str], now: datetime) -> CIInfo:
    return CIInfo(
        "circleci",
        _get(env, "CIRCLE_WORKFLOW_ID", "CIRCLE_BUILD_NUM"),
        _get(env, "CIRCLE_BUILD_URL"),
        _get(env, "CIRCLE_JOB"),
        _get(env, "CIRCLE_USERNAME"),
    )


def _buildkite(env: Mapping[str, str], now: datetime) -> CIInfo:
    return CIInfo(
        "buildkite",
        _get(env, "BUILDKITE_BUILD_ID"),
        _get(env, "BUILDKITE_BUILD_URL"),
        _get(env, "BUILDKITE_LABEL", "BUILDKITE_STEP_KEY"),
        _get(env, "BUILDKITE_BUILD_CREATOR"),
    )


def _azure(env: Mapping[str, str], now: datetime) -> CIInfo:
    run_id = _get(env, "BUILD_BUILDID")
    collection = _get(env, "SYSTEM_COLLECTIONURI")
    project = _get(env, "SYSTEM_TEAMPROJECT")
    url = None
    if run_id and collection and project:
        url = f"{collection.rstrip('/')}/{quote(project)}/_build/results?buildId={run_id}"
    return CIInfo(
        "azure-pipelines",
        run_id,
        url,
        _get(env, "SYSTEM_JOBDISPLAYNAME"),
        _get(env, "BUILD_REQUESTEDFOR"),
    )


def _generic(env: Mapping[str, str], now: datetime) -> CIInfo:
    return CIInfo(
        GENERIC,
        _get(env, "CI_RUN_ID"),
        _get(env, "CI_RUN_URL"),
        _get(env, "CI_JOB"),
        _get(env, "CI_ACTOR"),
        _duration(_get(env, "CI_STARTED_AT"), now),
    )


Reader = Callable[[Mapping[str, str], datetime], CIInfo]


class Provider(NamedTuple):
    id: str
    detect: Callable[[Mapping[str, str]], bool]
    read: Reader
    help: str  # the variables read, for `git mem deploy --help`


PROVIDERS = (
    Provider(
        "github-actions",
        lambda env: _truthy(env.get("GITHUB_ACTIONS")),
        _github,
        "GITHUB_ACTIONS; run GITHUB_RUN_ID, url GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/"
        "runs/ID, job GITHUB_JOB, actor GITHUB_ACTOR",
    ),
    Provider(
        "gitlab-ci",
        lambda env: _truthy(env.get("GITLAB_CI")),
        _gitlab,
        "GITLAB_CI; run CI_PIPELINE_ID, url CI_JOB_URL (else CI_PIPELINE_URL), job "
        "CI_JOB_NAME, actor GITLAB_USER_LOGIN, duration since CI_JOB_STARTED_AT",
    ),
    Provider(
        "buildkite",
        lambda env: _truthy(env.get("BUILDKITE")),
        _buildkite,
        "BUILDKITE; run BUILDKITE_BUILD_ID, url BUILDKITE_BUILD_URL, job BUILDKITE_LABEL "
        "(else BUILDKITE_STEP_KEY), actor BUILDKITE_BUILD_CREATOR",
    ),
    Provider(
        "circleci",
        lambda env: _truthy(env.get("CIRCLECI")),
        _circleci,
        "CIRCLECI; run CIRCLE_WORKFLOW_ID (else CIRCLE_BUILD_NUM), url CIRCLE_BUILD_URL, job "
        "CIRCLE_JOB, actor CIRCLE_USERNAME",
    ),
    Provider(
        "azure-pipelines",
        lambda env: _truthy(env.get("TF_BUILD")),
        _azure,
        "TF_BUILD; run BUILD_BUILDID, url SYSTEM_COLLECTIONURI + SYSTEM_TEAMPROJECT + "
        "/_build/results?buildId=ID, job SYSTEM_JOBDISPLAYNAME, actor BUILD_REQUESTEDFOR",
    ),
    Provider(
        "jenkins",
        lambda env: bool(_get(env, "JENKINS_URL", "JENKINS_HOME")),
        _jenkins,
        "JENKINS_URL or JENKINS_HOME; run BUILD_ID (else BUILD_NUMBER), url BUILD_URL, job "
        "JOB_NAME, actor BUILD_USER_ID (build-user-vars plugin)",
    ),
    Provider(
        GENERIC,
        lambda env: _truthy(env.get("CI")),
        _generic,
        "CI=true (any other CI); run CI_RUN_ID, url CI_RUN_URL, job CI_JOB, actor CI_ACTOR, "
        "duration since CI_STARTED_AT (ISO 8601 or Unix seconds)",
    ),
)


def detect(env: Mapping[str, str], now: datetime | None = None) -> CIInfo:
    """The CI run described by `env` (os.environ, or a test's dict); CIInfo() outside CI."""
    now = now or datetime.now(UTC)
    for provider in PROVIDERS:
        if provider.detect(env):
            return provider.read(env, now)
    return CIInfo()


def variables_help() -> str:
    """The variables each provider is read from, one paragraph each, for --help."""
    import textwrap

    lines = ["CI metadata is read from these variables (the first provider that matches):"]
    for provider in PROVIDERS:
        text = f"{provider.id}: {provider.help}"
        lines += textwrap.wrap(text, 79, initial_indent="  ", subsequent_indent="      ")
    return "\n".join(lines)
