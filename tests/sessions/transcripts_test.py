"""transcripts.py: the JSONL format, merging, and compare-and-swap writes of refs/gitmem/sessions
under concurrent writers (real processes), cross-checked with plain git."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from gitmem.records.store import Store
from gitmem.sessions import sessions, transcripts
from gitmem.sessions.transcripts import Message, Transcript, message_hash
from gitmem.store import git

REF = transcripts.REF


def test_hash_covers_role_content_and_timestamp_or_position():
    a = message_hash("user", "ok", "2026-01-01T00:00:00Z")
    assert len(a) == 16 and a == message_hash("user", "ok", "2026-01-01T00:00:00Z")
    assert a != message_hash("user", "ok", "2026-01-01T00:00:01Z")
    assert a != message_hash("assistant", "ok", "2026-01-01T00:00:00Z")
    assert message_hash("user", "ok", None, 1) != message_hash("user", "ok", None, 2)
    assert message_hash("user", "ok", None, 1) == message_hash("user", "ok", "", 1)


def test_merge_is_a_union_ordered_by_timestamp_then_hash_and_prefers_the_ended_header():
    m1 = Message.new("user", "one", "2026-01-01T00:00:01Z")
    m2 = Message.new("assistant", "two", "2026-01-01T00:00:02Z")
    m3 = Message.new("user", "three", "2026-01-01T00:00:03Z")
    ours = Transcript({"session": "s", "label": "mine", "started": "t0"}, [m1, m3])
    theirs = Transcript({"session": "s", "ended": "t9", "summary_id": "x", "label": None}, [m2, m1])
    merged = transcripts.merge(ours, theirs)
    assert merged.messages == [m1, m2, m3]
    assert merged.header == {
        "session": "s",
        "ended": "t9",
        "summary_id": "x",
        "label": "mine",
        "started": "t0",
    }
    assert transcripts.merge(theirs, ours).messages == [m1, m2, m3]  # either way round
    # Untimed messages keep their order: ours, then theirs' new ones.
    u1, u2, u3 = (Message.new("user", t, None, n) for n, t in enumerate("abc"))
    merged_untimed, added = transcripts.merge_messages([u2, u1], [u1, u3])
    assert (merged_untimed, added) == ([u2, u1, u3], 1)


def test_encode_decode_round_trip_and_bad_lines_are_skipped():
    m = Message.new("tool", "line one\nline two \u2192 \U0001f600", "2026-01-01T00:00:00Z")
    transcript = Transcript({"session": "abcd", "source": "session"}, [m])
    data = transcript.encode()
    assert data.count(b"\n") == 2 and data.endswith(b"\n")
    assert transcripts.decode(data, "abcd") == transcript
    damaged = data + b"not json\n" + b'{"role": 1}\n' + b'{"role": "user", "content": "x"}\n'
    decoded = transcripts.decode(damaged, "abcd")
    assert [x.content for x in decoded.messages] == [m.content, "x"]
    assert decoded.messages[1].hash == message_hash("user", "x", None)
    assert transcripts.header_of(damaged, "abcd") == ({"session": "abcd", "source": "session"}, 4)


def test_update_writes_one_commit_for_many_sessions_and_removes(repo, g):
    info = git.discover()
    many = {f"sess{n:08d}": Transcript({"session": f"sess{n:08d}"}).encode() for n in range(30)}
    first = transcripts.update(info, lambda snap: dict(many), "import 30 sessions")
    assert g.run("rev-list", "--count", REF, cwd=repo).strip() == "1"
    assert len(g.run("ls-tree", "--name-only", REF, cwd=repo).split()) == 30
    # Nothing changed: no commit.
    assert transcripts.update(info, lambda snap: dict(many), "again") == first
    assert transcripts.update(info, lambda snap: {"absent": None}, "remove nothing") == first
    transcripts.update(info, lambda snap: {"sess00000000": None}, "remove one")
    names = g.run("ls-tree", "--name-only", REF, cwd=repo).split()
    assert len(names) == 29 and "sess00000000.jsonl" not in names
    g.fsck(repo)


WRITER = """
import sys
from gitmem.store import git
from gitmem.sessions import transcripts
from gitmem.sessions.transcripts import Message, Transcript
info = git.discover()
for n in range(int(sys.argv[2])):
    sid = f"w{sys.argv[1]}x{n:06d}"
    m = Message.new("user", f"from {sid}", "2026-01-01T00:00:00Z")
    transcripts.put(info, Transcript({"session": sid}, [m]), f"put {sid}")
"""


@pytest.mark.slow
def test_concurrent_writers_lose_nothing(repo, g):
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(w), "8"], stderr=subprocess.PIPE)
        for w in range(5)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    names = g.run("ls-tree", "--name-only", REF, cwd=repo).split()
    assert len(names) == 40
    assert g.run("rev-list", "--count", REF, cwd=repo).strip() == "40"
    text = g.run("cat-file", "-p", f"{REF}:w3x000007.jsonl", cwd=repo)
    assert json.loads(text.splitlines()[1])["content"] == "from w3x000007"
    g.fsck(repo)


LOGGER = """
import sys
from gitmem.store import git
from gitmem.sessions import sessions
from gitmem.records.store import Store
store = Store(git.discover())
for n in range(25):
    sessions.log(store, f"writer {sys.argv[1]} message {n} " + "x" * 5000)
"""


def test_concurrent_log_appends_stay_whole_lines(repo, mem, g):
    sid = sessions.start(Store(git.discover())).id
    procs = [
        subprocess.Popen([sys.executable, "-c", LOGGER, str(w)], stderr=subprocess.PIPE)
        for w in range(4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    ended = sessions.end(Store(git.discover()), summary="parallel")
    assert ended.session.messages == 100
    lines = g.run("cat-file", "-p", f"{REF}:{sid}.jsonl", cwd=repo).splitlines()
    contents = {json.loads(line)["content"].split(" x")[0] for line in lines[1:]}
    assert contents == {f"writer {w} message {n}" for w in range(4) for n in range(25)}


def test_a_ref_pointing_at_a_blob_is_refused_with_a_way_out(repo, g, mem):
    blob = g.run("hash-object", "-w", "--stdin", cwd=repo, input="x").strip()
    g.run("update-ref", REF, blob, cwd=repo)
    result = mem("session", "list")
    assert result.code == 128
    assert "refs/gitmem/sessions points at a blob, not a commit" in result.err


def test_headers_come_from_a_disposable_cache_kept_in_step(repo):
    info = git.discover()
    one = Message.new("user", "one", "2026-01-01T00:00:01Z")
    two = Message.new("user", "two", "2026-01-01T00:00:02Z")
    transcripts.put(info, Transcript({"session": "aaaa", "label": "A"}, [one]), "a")
    transcripts.put(info, Transcript({"session": "bbbb"}, [one, two]), "b")

    def read() -> dict[str, tuple[str | None, int]]:
        return {h["session"]: (h.get("label"), n) for h, n in transcripts.headers(info)}

    assert read() == {"aaaa": ("A", 1), "bbbb": (None, 2)}
    cache = info.state_dir / "sessions-headers.json"
    assert len(json.loads(cache.read_text())) == 2
    transcripts.put(info, Transcript({"session": "aaaa"}, [two]), "a grows")
    assert read() == {"aaaa": ("A", 2), "bbbb": (None, 2)}
    assert len(json.loads(cache.read_text())) == 2  # the old blob's entry is dropped
    for damage in ("not json", '{"x": [1]}', "[]"):
        cache.write_text(damage)
        assert read() == {"aaaa": ("A", 2), "bbbb": (None, 2)}
