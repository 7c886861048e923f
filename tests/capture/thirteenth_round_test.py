"""Thirteenth round of the capture rules (issue 16): families read in the false captures of fzf
(the blind hold-out of round 12, in-sample since) and in the decisions every labelled sample
misses, each kept only because no labelled sample's precision fell by more than a point
(bench/capture_quality.py --summary) and the verdicts it moved over eleven full histories read
mostly right (bench/capture_moves.py; bench/RESULTS-capture.md). Each family is quoted with
the real commits that motivated it and a real commit on the other side of the same rule (cut
at 400 characters: the rule's words are in what is kept).
"""

from __future__ import annotations

import pytest
from decision_families_test import both_ways

THIRTEENTH_ROUND = [
    # fzf's bracketed tag is an area prefix: the fix verbs after it are read ("[vim] Respect
    # g:fzf_colors"), and so are the vetoes (tests, docs, a `[man]` page).
    ('[vim] Respect g:fzf_colors\n\nClose #711\n\n',
     'error', "fix-pattern '[vim] Respect'"),
    ('[zsh] Do not cd when cancelling alt+c keybind (#840)\n\n\n',
     'error', "fix-pattern '[zsh] Do not cd'"),
    ('[test] Fix test failure on Travis CI\n\nNo guarantee in the order in '
     'which files are listed\n\n',
     None, 'ignored: tests only'),
    ('[test] Prefer match_count over item_count\n\nmatch_count can lag '
     'behind item_count and can cause intermittent failures.\n\n',
     None, 'ignored: tests only'),
    ('[install] Clarify that .bashrc should be loaded from .bash_profile '
     'on macOS\n\nClose #1986\n\n',
     None, 'ignored: docs, typo or formatting'),
    ('[man] Document that FZF_DEFAULT_COMMAND should be '
     'POSIX-compliant\n\nClose #1379\n\n',
     None, 'ignored: docs only'),
    # A fix that names no fault ("Fix build error", "Fix RuboCop errors"); not one that says
    # when it broke.
    ('Fix build error\n\n',
     None, 'ignored: says not what was wrong'),
    ('Fix RuboCop errors\n\n',
     None, 'ignored: says not what was wrong'),
    ('openssl: fix build error with OpenSSL < 1.0.2\n\nCloses '
     'https://github.com/curl/curl/pull/6920\n\n',
     'error', "fix-pattern 'openssl: fix'"),
    # A fenced block is a tool's output or code, not the author's decision; a decision in the
    # prose around one stays.
    ('docker: fix dockerfile warnings (#4080)\n\nThe following warnings '
     'were emitted when running `make docker-test`:\n```\n 2 warnings found '
     '(use docker --debug to expand):\n - LegacyKeyValueFormat: "ENV '
     'key=value" should be used instead of legacy "ENV key value" format '
     '(line 11)\n - JSONArgsRecommended: JSON arguments recommended for '
     'CMD to prevent unintended behavior related to OS signals (line '
     '12)\n```\n\nTh',
     None, 'ignored: compiler warnings or lint'),
    ('build(pre-commit): migrate pre-commit config\n\nWhen running '
     '`pre-commit run --all-files`, the following error was '
     'encountered.\n\n```\n[WARNING] hook id `commitizen-branch` uses '
     'deprecated stage names (push) which will be removed in a future '
     'version.  run: `pre-commit migrate-config` to automatically fix '
     'this.\n[WARNING] hook id `linter and test` uses deprecated stage '
     'names (push) which will be removed',
     None, 'no rule matched'),
    ('perl: switch from backticks to `qx()`\n\nTo make it easier to find '
     'external command invocation in the source.\n\nAlso drop backticks '
     'from a comment.\n\nTo find external command invocations in Perl code '
     'use:\n```sh\ngit grep -E '
     '"((exec|qx|open2|open3|system)\\(|open\\(.+-\\|)" '
     '$(<perlfiles>)\n```\n\nRefs:\nhttps://perldoc.perl.org/functions/qx\nhttp'
     's://perldoc.perl.org/perlop#Simpler-Quote-Like-Operators\n\nCloses #',
     'decision', "decision-pattern 'perl: switch from'"),
    # What a subject uses or replaces to be faster is speed work; a limit or a preference stated
    # for speed stays a decision.
    ('Replace procFun map with fixed-size array for faster algo '
     'dispatch\n\ntermType is already a small integer enum (0-5), so a '
     '[6]algo.Algo\narray avoids hash table overhead in the extendedMatch '
     'hot loop.\n\n',
     None, 'no rule matched'),
    ('Use memcpy instead of strcpy to improve performance.\n\n',
     None, 'no rule matched'),
    ('Streams: reduce listpack max size to 2k to speedup range '
     'queries.\n\nListpack max size is a tradeoff between space and time. A '
     '2k max entry\nputs the memory usage approximately at a similar order '
     'of magnitude (5\nmillion entries went from 96 to 120 MB), but the '
     'range queries speed\ndoubled (because there are half entries to scan '
     'in the average case).\n\nLower values could be considered, or maybe '
     'this par',
     'decision', "decision-pattern 'Streams: reduce listpack max size to 2k'"),
    ('GHA/torture: prefer pip `--break-system-packages` for '
     'speed\n\nFollow-up to c5e3d8ba94791dbc51f98a56ce07b3ba6b0aa446 '
     '#14972\n\nCloses #15071\n\n',
     'decision', "decision-pattern 'GHA/torture: prefer pip'"),
    # A change in the man page's text is docs; a change in how the man page is built is not.
    ('Remove deprecated item from man page\n\n',
     None, 'ignored: docs only'),
    ('Updates man page documentation (#4607)\n\n* docs(man): Add example '
     'for {+f} in preview command\n* docs(man): replace echo -e with '
     'printf to improve portability across different shells\n',
     None, 'ignored: docs only'),
    ('Remove ruby dependency from manpage build\n\n',
     'decision', "decision-pattern 'Remove ruby dependency'"),
    # A user-facing name changed: a flag, an option, a command; not a function, nor a test.
    ('Option "backlog" renamed "tcp-backlog".\n\nThis is especially '
     'important since we already have a concept of backlog\n(the '
     'replication backlog).\n\n',
     'decision', 'decision-pattern \'Option "backlog" renamed "tcp\''),
    ("Make 'double-click' behave the same as 'enter' by default\n\nClose "
     '#3061\n\n',
     'decision', 'decision-pattern "Make \'double-click\' behave the same as \'enter\' by de'),
    ('Rename --history-max to --history-size\n\nConsidering HISTSIZE and '
     'HISTFILESIZE of bash\n\n',
     'decision', "decision-pattern 'Rename --history-max to --history'"),
    ("time: rename Curl_tvnow to Curl_now\n\n... since the 'tv' stood for "
     'timeval and this function does not return a\ntimeval struct '
     'anymore.\n\nAlso, cleaned up the Curl_timediff*() functions to avoid '
     'typecasts and\nclean up the descriptive comments.\n\nCloses #2011\n\n',
     None, 'no rule matched'),
    ('SCAN: Fix test after option renamed from PATTERN to MATCH.\n\n',
     None, 'ignored: tests or CI only'),
    # An option added to replace another.
    ('Add --tmux option to replace fzf-tmux script\n\n',
     'decision', "decision-pattern 'Add --tmux option to replace fzf'"),
    ('Add --no-mouse option to replace FZF_MOUSE_ENABLED\n\n',
     'decision', "decision-pattern 'Add --no-mouse option to replace FZF'"),
    # A default the subject sets; not a statement of one, nor how a new feature ships.
    ('default all feature flags to off (#1811)\n\nChanges the set of '
     '`default` feature flags to `[]`. By default, only\ncore traits are '
     'included without specifying feature flags. This makes it\neasier for '
     'users to pick the components they need.\n\nFor convenience, a `full` '
     'feature flag is included that includes all\ncomponents.\n\nTests are '
     'configured to require the `full` feature. Testing '
     'individual\nfeature fla',
     'decision', "decision-pattern 'default all feature flags to off'"),
    ('build: make NTLM disabled by default\n\nNTLM has weak security and '
     'does not work over HTTP/2 or HTTP/3.\n\nEnable in cmake or configure '
     'to get support for it.\n\nCloses #20698\n\n',
     'decision', "decision-pattern 'build: make NTLM disabled by default'"),
    ('connect: connections are persistent by default for HTTP/3\n\n',
     None, 'no rule matched'),
    ('feat: add .git to deny list by default (#18382)\n',
     None, 'no rule matched'),
    # A flag or a feature removed; not a flag taken out of a call.
    ('Remove --walker-path-sep\n\nRelated: #3859 #3907 #3909\n\n',
     'decision', "decision-pattern 'Remove --walker-path-sep'"),
    ('Geo: JSON features removed\n\nThe command can only return data in the '
     'normal Redis protocol. It is up\nto the caller to translate to JSON '
     'if needed.\n\n',
     'decision', "decision-pattern 'Geo: JSON features removed'"),
    ('configure: remove --automake from libtoolize call\n\nThat option is '
     'not mentioned in the man page of libtoolize '
     '2.4.4.19-fda4.\nMoveover, a comment in line 2623 says "--automake is '
     'for 1.5 compatibility".\n\nThis option is redundant now.\n\n',
     None, 'no rule matched'),
    # An API or a behaviour changed on purpose; not an update to another project's API.
    ('Change custom fuzzy completion API\n\nTo make it easier to write more '
     'complex fzf options. Although this\ndoes not break backward '
     'compatibility, users are encouraged to update\ntheir code '
     'accordingly.\n\n  # Before\n  _fzf_complete "FZF_ARG1 FZF_ARG2..." '
     '"$@" < <(\n    # Print candidates\n  )\n\n  # After\n  _fzf_complete '
     'FZF_ARG1 FZF_ARG2... -- "$@" < <(\n    # Print candidates\n  )\n\n',
     'decision', "decision-pattern 'Change custom fuzzy completion API'"),
    ('RESP3: change behavior of Lua returning true/false for RESP3.\n\nHere '
     'we introduce a change in the way we convert values from Lua '
     'to\nRedis when RESP3 is selected: this is possible without breaking '
     'the fact\nwe can return directly what a command returned, because '
     'there is no\nRedis command in RESP2 that returns true or false to '
     'Lua, so the\nconversion in the case of RESP2 is totally arbitrary. '
     'When a sc',
     'decision', "decision-pattern 'RESP3: change behavior'"),
    ('quiche: update for network path aware API\n\nLatest version of quiche '
     'requires the application to pass the peer\naddress of received '
     'packets, and it provides the address for outgoing\npackets '
     'back.\n\nCloses #7120\n\n',
     None, 'no rule matched'),
]  # fmt: skip


@pytest.mark.parametrize(("message", "kind", "rule"), THIRTEENTH_ROUND)
def test_thirteenth_round_families_both_ways(message: str, kind: str | None, rule: str) -> None:
    both_ways(message, kind, rule)
