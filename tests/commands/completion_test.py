"""`git mem completion`: the scripts complete for real in bash (with git's own completion, so
`git mem <TAB>` works) and fish; zsh's is checked for syntax (its completion needs a terminal)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

GIT_COMPLETION = Path("/usr/share/bash-completion/completions/git")

# Complete LINE as bash would on TAB: split it into COMP_WORDS, call the function `complete`
# registered for its first word, print COMPREPLY one per line.
BASH_DRIVER = r"""
source "$1"
eval "$(git mem completion bash)"
COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}
read -ra COMP_WORDS <<< "$COMP_LINE"
[[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
fn=$(complete -p "${COMP_WORDS[0]}" | sed -E 's/.* -F ([^ ]+) .*/\1/')
"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""


def bash_complete(line: str, cwd: Path) -> list[str]:
    proc = subprocess.run(
        ["bash", "--norc", "-c", BASH_DRIVER, "driver", str(GIT_COMPLETION), line],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted(word.strip() for word in proc.stdout.splitlines() if word.strip())


needs_git_completion = pytest.mark.skipif(
    not GIT_COMPLETION.exists(), reason=f"git's bash completion is not installed ({GIT_COMPLETION})"
)


@needs_git_completion
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("git mem sea", ["search"]),
        ("git mem se", ["search", "serve", "service", "session"]),
        ("git-mem se", ["search", "serve", "service", "session"]),
        ("git mem session sh", ["show"]),
        ("git mem search --sor", ["--sort"]),
        ("git mem search --sort ", ["newest", "relevance"]),
        ("git mem list --type dec", ["decision"]),
        ("git mem completion ", ["bash", "fish", "zsh"]),
        ("git -C . mem checkpoint re", ["resume"]),
    ],
)
def test_bash_completes_commands_actions_options_and_choices(
    repo: Path, line: str, expected: list[str]
) -> None:
    assert bash_complete(line, repo) == expected


@pytest.mark.skipif(not shutil.which("fish"), reason="fish is not installed")
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("git-mem sea", ["search"]),
        ("git-mem session sh", ["show"]),
        ("git-mem search --sor", ["--sort"]),
        ("git-mem list --type dec", ["decision"]),
        ("git mem sea", ["search"]),  # fish's git completion hands `git mem` to git-mem's
    ],
)
def test_fish_completes(repo: Path, line: str, expected: list[str], tmp_path: Path) -> None:
    script = tmp_path / "git-mem.fish"
    script.write_text(
        subprocess.run(
            ["git", "mem", "completion", "fish"], capture_output=True, text=True, check=True
        ).stdout
    )
    proc = subprocess.run(
        ["fish", "--no-config", "-c", f"source {script}; complete -C '{line}'"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    assert sorted(row.split("\t")[0] for row in proc.stdout.splitlines()) == expected


@pytest.mark.skipif(not shutil.which("zsh"), reason="zsh is not installed")
def test_zsh_script_parses_and_defines_the_git_hook(tmp_path: Path) -> None:
    script = tmp_path / "_git-mem"
    script.write_text(
        subprocess.run(
            ["git", "mem", "completion", "zsh"], capture_output=True, text=True, check=True
        ).stdout
    )
    assert subprocess.run(["zsh", "-n", str(script)], capture_output=True).returncode == 0
    text = script.read_text()
    assert text.startswith("#compdef git-mem\n")
    assert '_git-mem() { _shtab_git_mem "$@"; }' in text


def test_an_unknown_shell_is_a_usage_error(repo: Path) -> None:
    proc = subprocess.run(["git", "mem", "completion", "tcsh"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1] == (
        "git-mem: error: argument shell: invalid choice: 'tcsh' (choose from 'bash', 'zsh', 'fish')"
    )
