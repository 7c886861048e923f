"""The installed console scripts (`git-mem`, `gitmem`) run wherever pip puts them: also in a
virtual environment whose path has a space (macOS's `~/Library/Application Support`, where
pipx 1.3+ put its environments, a user's `~/My Projects/`), where a script's first line
`#!/path with space/bin/python` cannot name its interpreter. pip writes a console script
(an entry point) so that it still starts there (a `/bin/sh` first line that execs Python);
a script installed as a data file gets its `#!python` replaced as it is (pypa/pip#13389)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gitmem import __version__

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout built as a wheel, as `pip install .` builds it."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (found,) = out.glob("gitmem-*.whl")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("script", ["git-mem", "gitmem"])
def test_the_console_scripts_start_in_an_environment_whose_path_has_a_space(
    tmp_path: Path, wheel: Path, script: str
) -> None:
    venv = tmp_path / "Application Support" / "venv"
    # Without gitmem's dependencies: `--version` loads none of them.
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
         str(wheel)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    run = subprocess.run(
        [str(venv / "bin" / script), "--version"], capture_output=True, text=True, cwd=tmp_path
    )
    assert (run.returncode, run.stdout, run.stderr) == (0, f"gitmem {__version__}\n", "")
