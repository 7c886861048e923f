"""`classify.Verdict.evidence`: what the patterns found on the way to a prose verdict (the
rule signals bench/capture_model.py gives its learned classifier, issue 16). Real commit texts
(uv, golang/tools, libuv, curl); the verdicts themselves are those of the other tests."""

from __future__ import annotations

import pytest

from gitmem.capture import classify
from gitmem.capture.rules import default_rules

CASES = [
    # A weak "Use X" decision that yields to the fault the body tells (uv).
    ("Use a global build concurrency semaphore (#18054)\n\nPreviously, each build was using "
     "its own build concurrency limit, effectively rendering the limit useless\n",
     "fix-pattern", ("d:verb", "x:word")),
    # A "don't X" subject whose body says X is no longer needed (golang/tools): a decision,
    # and the subject's fix word no longer counts.
    ("internal/lsp/cache: don't scan for modules when defining a view\n\nWith zero-config "
     "gopls, we no longer need to scan for modules when defining a view.\n",
     "decision-pattern", ("d:strong", "x:-", "stops")),
    # A decision stated without a decision verb (libuv): nothing found.
    ("unix: make uv_loop_init return on error\n", "no rule matched", ("d:-", "x:-")),
    # An ignore rule's verdict carries none: the learned model never sees it (curl).
    ("docs: fix typo in README\n", "ignored", ()),
]  # fmt: skip


@pytest.mark.parametrize(("message", "rule", "evidence"), CASES)
def test_prose_verdicts_say_what_the_patterns_found(
    message: str, rule: str, evidence: tuple[str, ...]
) -> None:
    subject = message.split("\n", 1)[0]
    verdict = classify.verdict(subject, message, default_rules())
    assert (verdict.rule, verdict.evidence) == (rule, evidence)
