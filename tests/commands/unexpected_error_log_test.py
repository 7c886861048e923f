"""`errors.log_unexpected`: the traceback of an unexpected error is written to a log the user can
send, whatever bytes the command line or the message hold."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gitmem.errors import log_unexpected


def test_a_non_utf8_argument_is_logged_not_a_second_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`git mem search $'caf\\xe9'`: Python reads the byte as a lone surrogate, which a UTF-8 log
    refused (UnicodeEncodeError from the error handler itself)."""
    monkeypatch.setattr(sys, "argv", ["git-mem", "search", "caf\udce9"])
    try:
        raise RuntimeError("no caf\udce9 here")
    except RuntimeError as error:
        where = log_unexpected(error, tmp_path)
    assert where == str(tmp_path / "gitmem-error.log")
    text = (tmp_path / "gitmem-error.log").read_text()
    assert " git-mem search caf\\udce9\n" in text
    assert "RuntimeError: no caf\\udce9 here\n" in text
