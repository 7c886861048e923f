"""`output.progress_bar` off a terminal: silent for short jobs, one line for long ones."""

from __future__ import annotations

import pytest

from gitmem.output import LONG_JOB, progress_bar


def test_a_long_job_says_once_that_it_is_running(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar() as progress:
        assert progress is not None
        for done in range(0, LONG_JOB * 2 + 1, 200):
            progress(done, LONG_JOB * 2)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"git-mem: building the search index: {LONG_JOB * 2} records, this takes a while\n"
    )


def test_a_short_job_is_silent(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar("indexing") as progress:
        assert progress is not None
        for done in range(0, LONG_JOB, 200):
            progress(done, LONG_JOB - 1)
    assert capsys.readouterr() == ("", "")
