"""Every report kind, declared once in gitmem/reports/report.py, is offered by `git mem report`,
documented in the README and renders in every format."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gitmem.main import build_parser
from gitmem.reports.report import FORMATS, KINDS

ROOT = Path(__file__).resolve().parents[2]


def _report_parser() -> argparse.ArgumentParser:
    parser = build_parser("report")
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices["report"]


def test_every_kind_and_format_is_offered_by_the_cli() -> None:
    report = _report_parser()
    choices = {action.dest: action.choices for action in report._actions}
    assert list(choices["kind"] or []) == list(KINDS)
    assert list(choices["format"] or []) == list(FORMATS)
    text = report.format_help()
    for name in KINDS:
        assert f"\n  {name} " in text, f"`git mem report -h` does not describe {name}"


@pytest.mark.parametrize("name", list(KINDS))
def test_kind_is_in_readme(name: str) -> None:
    readme = (ROOT / "README.md").read_text()
    assert f"| `{name}` |" in readme, f"README.md's Reports table does not document {name}"


@pytest.fixture
def records(repo: Path, mem: Callable[..., Any]) -> Path:
    """One record of each kind a report singles out: a deploy, a decision, an error."""
    for args in (
        ("deploy", "--env", "production"),
        ("save", "-t", "decision", "--tag", "db", "-m", "Use PostgreSQL"),
        ("save", "-t", "error", "--tag", "ci", "--path", "src/", "-m", "Flaky sync test"),
    ):
        assert mem(*args).code == 0
    return repo


@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("name", list(KINDS))
def test_kind_renders_in_every_format(
    records: Path, mem: Callable[..., Any], name: str, form: str
) -> None:
    result = mem("report", name, "--format", form)
    assert result.code == 0, result.err
    if form == "json":
        assert json.loads(result.out)["report"] == name
    else:
        assert KINDS[name].title in result.out
