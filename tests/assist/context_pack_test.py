"""Context packs on a generated repository of a few hundred records of every type.

The repository is generated once per module (records written through Store.save_file, session
summaries in the shape the sessions contract gives them) and copied for each test, its search
index included.
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from gitrepo import init_repo, sh

from gitmem.assist import context
from gitmem.assist.pack_sections import sections
from gitmem.records.store import Store
from gitmem.store import git
from gitmem.store.record import CROCKFORD, Memory
from gitmem.store.types import BUILTIN_TYPES, OTHER_SECTION, MemoryType

_VOCABULARY = """
cache schema index query latency retry timeout queue worker deploy rollback canary flag config
token proxy gateway client server payload parser build fixture pipeline runner release merge
commit hook lint coverage profile thread lock stream batch shard replica
"""
WORDS = _VOCABULARY.split()
MODULES = ["api", "db", "auth", "web", "jobs", "search"]
START = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
FOCUS_WORD = "zanzibar"  # in the titles of two old records only
BILLING = "src/billing/"  # the recorded path of three old errors only


class Generated:
    def __init__(self) -> None:
        self.rng = random.Random(6)
        self.ids: set[str] = set()
        self.memories: list[Memory] = []
        self.minutes = 0

    def new_id(self) -> str:
        while True:
            candidate = "".join(self.rng.choice(CROCKFORD) for _ in range(12))
            if not candidate.isdigit() and candidate not in self.ids:
                self.ids.add(candidate)
                return candidate

    def words(self, low: int, high: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high)))

    def add(self, type_name: str, *, days: float | None = None, **fields: object) -> Memory:
        self.minutes += 1
        when = START + timedelta(days=self.rng.uniform(30, 300) if days is None else days)
        memory = Memory(
            id=self.new_id(),
            type=type_name,
            title=str(fields.pop("title", None) or self.words(2, 7).capitalize()),
            created=(when + timedelta(minutes=self.minutes)).isoformat(timespec="seconds"),
            body=f"{self.words(8, 20).capitalize()}.\n\n## Notes\n\n{self.words(20, 60)}.\n",
            author="Test User <test@example.com>",
        )
        for key, value in fields.items():
            setattr(memory, key, value)
        if memory.summary is None and self.rng.random() < 0.4:
            memory.summary = self.words(4, 9).capitalize()
        self.memories.append(memory)
        return memory


def generate() -> Generated:
    gen = Generated()
    for _ in range(50):
        gen.add("decision", status=gen.rng.choice(["active", "accepted", "proposed"]))
    for _ in range(10):  # chains: the first two are superseded by the next
        first = gen.add("decision", title=f"Chain start {gen.words(1, 3)}")
        second = gen.add("decision", title=f"Chain middle {gen.words(1, 3)}")
        third = gen.add("decision", title=f"Chain end {gen.words(1, 3)}")
        second.supersedes = [first.id]
        third.supersedes = [second.id]
        third.status = "accepted"
    for status in ("superseded", "deprecated", "rejected"):
        gen.add("decision", status=status, title=f"Retired by status {status}")
        gen.add("fact", status=status, title=f"Retired fact {status}")
    for _ in range(80):
        gen.add("fact")
    gen.add("fact", days=1, title=f"Old fact about {FOCUS_WORD}")
    gen.add("decision", days=2, title=f"Old decision about {FOCUS_WORD}")
    for _ in range(20):
        gen.add("user")
    for _ in range(30):
        gen.add("procedural")
    for n in range(8):
        session = gen.new_id()
        gen.add(
            "episodic",
            title=f"Session {n}: {gen.words(2, 4)}",
            source="session",
            session=session,
            tags=["session"],
            summary=f"Worked on {gen.words(2, 5)}",
        )
    for _ in range(15):  # deploys and such: episodic but not session summaries
        gen.add("episodic", source="ci", tags=["deploy"])
    for _ in range(50):
        gen.add("error", paths=[f"src/{gen.rng.choice(MODULES)}/"])
    for _ in range(30):
        gen.add("code", paths=[f"src/{gen.rng.choice(MODULES)}/*.py"])
    for n in range(3):
        gen.add("error", days=3 + n, title=f"Billing error {n}", paths=[BILLING])
    return gen


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Generated]:
    root = tmp_path_factory.mktemp("context-template") / "repo"
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_NOTES_REF"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
        monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        root.mkdir()
        init_repo(root)
        gen = generate()
        store = Store(git.discover(root))
        for memory in gen.memories:
            store.save_file(memory)
        sh(root, "add", "-A")
        sh(root, "commit", "-q", "-m", "memories")
        store.catalog()  # the index, copied with the repository
    return root, gen


@pytest.fixture
def generated(
    template: tuple[Path, Generated], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Generated:
    path = tmp_path / "repo"
    shutil.copytree(template[0], path, symlinks=True)
    monkeypatch.chdir(path)
    return template[1]


def tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


def pack_ids(text: str) -> list[str]:
    return re.findall(r"^- \[([0-9a-z]{12})\]", text, re.MULTILINE)


def section(text: str, heading: str) -> list[str]:
    """The ids listed under `## heading`."""
    match = re.search(rf"^## {heading}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    return pack_ids(match.group(1)) if match else []


def by_title(gen: Generated, prefix: str) -> list[Memory]:
    return [m for m in gen.memories if m.title.startswith(prefix)]


@pytest.mark.parametrize("budget", [40, 200, 500, 2000, 10000])
def test_budget_respected(generated, mem, budget):
    result = mem("context", "--budget", str(budget))
    assert result.code == 0, result.err
    assert tokens(result.out) <= budget
    data = json.loads(mem("context", "--budget", str(budget), "--json").out)
    assert data["budget"] == budget
    assert data["used"] == tokens(result.out)
    shown = [e["id"] for s in data["sections"] for e in s["entries"]]
    assert shown == pack_ids(result.out)
    assert not set(shown) & set(data["omitted"])
    if budget >= 500:  # a tight budget still fills most of itself
        assert data["used"] > budget * 0.9
    more = re.findall(r"^more: git mem show ([0-9a-z]{12})$", result.out, re.MULTILINE)
    assert more == data["omitted"][: len(more)]
    left = re.search(r"^(\d+) more left out$", result.out, re.MULTILINE)
    assert data["left_out"] == len(more) + (int(left.group(1)) if left else 0)


def test_big_budget_holds_everything_current(generated, mem):
    result = mem("context", "--budget", str(EVERYTHING))
    assert "## Left out" not in result.out
    current = {m.id for m in generated.memories if m.status not in RETIRED}
    current -= {old for m in generated.memories for old in m.supersedes}
    current -= {m.id for m in generated.memories if m.type == "episodic"}
    sessions = sorted(
        (m for m in generated.memories if m.source == "session"), key=lambda m: m.created
    )
    assert sorted(pack_ids(result.out)) == sorted(current | {m.id for m in sessions[-3:]})


RETIRED = {"superseded", "deprecated", "rejected"}
# A budget that holds every current record of the generated repository (each entry's text is
# fenced, issue 15: about 40 characters more than a one-line entry).
EVERYTHING = 16000


@pytest.mark.parametrize("budget", ["200", "2000", "16000"])
def test_superseded_and_retired_never_appear(generated, mem, budget):
    out = mem("context", "--budget", budget).out
    starts, middles = by_title(generated, "Chain start"), by_title(generated, "Chain middle")
    retired = [m for m in generated.memories if m.status in RETIRED]
    assert len(starts) == len(middles) == 10 and len(retired) == 6
    assert not {m.id for m in starts + middles + retired} & set(pack_ids(out))
    assert not {m.id for m in starts + middles + retired} & set(re.findall(r"show (\w+)", out))
    if budget == "16000":  # the chains' ends are there, as accepted decisions
        for end in by_title(generated, "Chain end"):
            assert f"- [{end.id}] (accepted) from a file\n  ```\n  {end.title}" in out


def test_sessions_are_the_last_three_summaries(generated, mem):
    out = mem("context", "--budget", "10000").out
    sessions = sorted(
        (m for m in generated.memories if m.source == "session"), key=lambda m: m.created
    )
    assert section(out, "Recent sessions") == [m.id for m in reversed(sessions[-3:])]
    deploys = {m.id for m in generated.memories if m.source == "ci"}
    assert not deploys & set(pack_ids(out))


def test_path_brings_in_errors_otherwise_cut(generated, mem):
    billing = {m.id for m in by_title(generated, "Billing error")}
    plain = mem("context", "--budget", "500").out
    assert not billing & set(pack_ids(plain))
    focused = mem("context", "--budget", "500", "--path", "src/billing/invoice.py")
    assert focused.code == 0, focused.err
    errors = section(focused.out, "Errors and patterns")
    newest_first = sorted(by_title(generated, "Billing error"), key=lambda m: m.created)[::-1]
    assert errors[:3] == [m.id for m in newest_first]
    assert tokens(focused.out) <= 500
    data = json.loads(mem("context", "--budget", "500", "--path", "src/billing", "--json").out)
    entries = next(s for s in data["sections"] if s["name"] == "errors")["entries"]
    assert [e["focus"] for e in entries[:3]] == ["path"] * 3
    assert data["paths"] == ["src/billing"]


def test_path_matches_recorded_globs(generated, mem):
    out = mem("context", "--budget", "10000", "--path", "src/db/models.py").out
    errors = section(out, "Errors and patterns")
    about_db = [
        m
        for m in generated.memories
        if m.type in ("error", "code") and m.paths and m.paths[0].startswith("src/db/")
    ]
    assert {m.id for m in about_db} == set(errors[: len(about_db)])


def test_query_puts_hits_first(generated, mem):
    plain = mem("context", "--budget", "300").out
    focus = [m.id for m in generated.memories if FOCUS_WORD in m.title]
    assert not set(focus) & set(pack_ids(plain))
    out = mem("context", "--budget", "300", "--query", FOCUS_WORD).out
    assert section(out, "Decisions")[0] == focus[1]
    assert section(out, "Facts")[0] == focus[0]
    assert tokens(out) <= 300


def test_query_without_words_refused(generated, mem):
    result = mem("context", "--query", "!!")
    assert result.code == 2
    assert "nothing to search for" in result.err


def test_byte_identical_across_runs_and_a_reindex(generated, mem):
    variants = [
        ["--budget", "700"],
        ["--budget", "2000", "--query", "cache timeout", "--path", "src/db/"],
        ["--json", "--budget", "1500", "--query", "deploy"],
    ]
    first = [mem("context", *args).out for args in variants]
    assert [mem("context", *args).out for args in variants] == first
    assert mem("reindex", "--full").code == 0
    assert [mem("context", *args).out for args in variants] == first


def test_library_api_matches_the_command(generated, mem):
    store = Store(git.discover())
    pack = context.build(store, budget=800, queries=["cache"], paths=["src/api/"])
    out = mem("context", "--budget", "800", "--query", "cache", "--path", "src/api/").out
    assert pack.markdown() == out
    data = pack.to_json()
    assert list(data) == ["budget", "used", "queries", "paths", "sections", "omitted", "left_out"]
    assert [s["name"] for s in data["sections"]] == [
        "decisions",
        "facts",
        "preferences",
        "procedures",
        "sessions",
        "errors",
    ]
    entry = data["sections"][0]["entries"][0]
    assert {"id", "type", "title", "status", "created", "location"} <= set(entry)
    with pytest.raises(Exception, match="at least 40 tokens"):
        context.build(store, budget=0)


def test_after_deletions_and_edits_the_pack_agrees_with_list(generated, mem, ids):
    """Records removed or rewritten since the index was built (deleted documents in it)."""
    assert mem("context").code == 0
    files = sorted(Path(".memory").rglob("*.md"))
    for path in files[::7]:
        path.unlink()
    for path in files[3::11]:
        if path.exists():
            path.write_text(path.read_text().replace("\ntitle: ", "\ntitle: Edited "))
    out = mem("context", "--budget", str(EVERYTHING)).out
    assert "## Left out" not in out
    current = [
        *ids("--type", "decision"),
        *ids("--type", "fact"),
        *ids("--type", "user"),
        *ids("--type", "procedural"),
        *ids("--type", "error", "--type", "code"),
    ]
    sessions = ids("--source", "session", "--type", "episodic")[:3]
    assert sorted(pack_ids(out)) == sorted(current + sessions)
    assert out.count("\n  Edited ") > 0
    data = json.loads(mem("context", "--budget", "200", "--json").out)
    shown = sum(len(s["entries"]) for s in data["sections"])
    assert shown + data["left_out"] == len(current) + len(sessions)


def test_every_memory_type_has_a_pack_section() -> None:
    """A type whose `section` names no section of the layout would silently never reach a pack."""
    custom = MemoryType("runbook", "runbooks", "a custom type", OTHER_SECTION)
    placed = [t for spec in sections([*BUILTIN_TYPES, custom]) for t in spec.types]
    assert sorted(placed) == sorted([t.name for t in BUILTIN_TYPES] + ["runbook"])
