"""The house rules of ARCHITECTURE.md, read from the source with `ast`: dependencies flow one
way (cli/commands -> domain packages -> records -> search -> store), nothing imports in a
circle, each third-party dependency has one owner, and a domain package uses another only where
its docstring says so.

Imports made with `importlib.import_module` (main.py and commands/checkpoint.py load a command
module by name) are invisible here; both load `gitmem.commands.*` from the CLI tier."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gitmem"

# Lower tiers never import higher ones. Domain packages share a tier: they may use each other,
# but never in a circle.
TIERS: dict[str, int] = {
    "gitmem": 0,  # __init__: the version, the stand-in module helper
    "gitmem.errors": 0,  # shared by everything
    "gitmem.output": 0,
    "gitmem.early": 0,  # a one-shot read's first git, from gitmem/__init__: standard library only
    "gitmem.spawn": 0,  # git started without `subprocess`, for the read path (and `early`)
    "gitmem.store": 1,
    "gitmem.search": 2,
    "gitmem.semantic": 2,  # the semantic extra: re-ranking by embeddings (no engine)
    "gitmem.records": 3,
    **{
        f"gitmem.{name}": 4
        for name in (
            "capture",
            "share",
            "checkpoints",
            "sessions",
            "assist",
            "review",
            "reports",
            "deploy",
            "exchange",
            "serve",
            "publish",
        )
    },
    "gitmem.cli": 5,
    "gitmem.commands": 5,
    "gitmem.main": 5,
    "gitmem.manpage": 5,
    "gitmem.service": 5,  # the index service's client side: standard library only
    "gitmem.daemon": 6,  # the index service process: runs main's commands in process
}

# Where a domain package may use another (each says so in its docstring); any other pair fails.
DOMAIN_USES: dict[str, set[str]] = {
    "gitmem.share": {"gitmem.sessions"},  # session transcripts travel with sync and backups
    "gitmem.assist": {"gitmem.sessions"},  # the MCP session tools
    # a ~/.global/memory tree's conversations and checkpoints
    "gitmem.exchange": {"gitmem.sessions", "gitmem.checkpoints"},
    # the HTTP adapter: what the CLI shows, over HTTP (sessions, reports, backups, context
    # packs and the MCP app), and the org API over the published database
    "gitmem.serve": {
        "gitmem.sessions",
        "gitmem.reports",
        "gitmem.share",
        "gitmem.assist",
        "gitmem.publish",
    },
    "gitmem.publish": {"gitmem.sessions"},  # transcripts are published
}

# Who may import each third-party dependency (every one the package imports must be here): a
# package, or the modules that gate an import cost (pygit2 ~110 ms, whoosh ~140 ms, which
# `show` and the commit hook must never pay). A prefix ending in "_" names a module family.
OWNERS: dict[str, tuple[str, ...]] = {
    "pygit2": ("gitmem.store.objects",),
    "whoosh": ("gitmem.search.whoosh_", "gitmem.search.index"),
    "yaml": ("gitmem.store",),
    "frontmatter": ("gitmem.store",),
    "mcp": ("gitmem.assist",),
    "anyio": ("gitmem.assist",),
    "jsonschema": ("gitmem.assist",),
    "shtab": ("gitmem.cli.completion",),
    "starlette": ("gitmem.serve",),
    "uvicorn": ("gitmem.serve",),
    "jinja2": ("gitmem.serve",),
    "markdown_it": ("gitmem.serve",),
    "nh3": ("gitmem.serve",),
    "psycopg": ("gitmem.publish",),
    "re2": ("gitmem.capture.guard",),
    "numpy": ("gitmem.semantic",),
    "tokenizers": ("gitmem.semantic",),
    "onnxruntime": ("gitmem.semantic",),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> Iterator[tuple[str, int]]:
    """Every module `name` imports, anywhere in it (lazy imports count), with its line."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            yield target, node.lineno
            for alias in node.names:  # `from gitmem.store import git` imports a module
                if f"{target}.{alias.name}" in MODULES:
                    yield f"{target}.{alias.name}", node.lineno


def internal_graph() -> dict[str, set[str]]:
    return {
        name: {target for target, _ in imports(name) if target in MODULES and target != name}
        for name in MODULES
    }


def tier_of(module: str) -> tuple[str, int]:
    """The unit a module belongs to (its package, or itself at the top) and that unit's tier."""
    unit = ".".join(module.split(".")[:2])
    if unit not in TIERS:
        raise AssertionError(f"{module} is in no tier: add it to TIERS and ARCHITECTURE.md")
    return unit, TIERS[unit]


def upward(graph: dict[str, set[str]]) -> list[str]:
    """The imports that go up a tier, or from one domain package to one it may not use."""
    found = []
    for name, targets in sorted(graph.items()):
        unit, tier = tier_of(name)
        for target in sorted(targets):
            their_unit, their_tier = tier_of(target)
            across = tier == their_tier == 4 and unit != their_unit
            if their_tier > tier or (across and their_unit not in DOMAIN_USES.get(unit, ())):
                found.append(f"{name} -> {target}")
    return found


def owned_by(module: str, owners: tuple[str, ...]) -> bool:
    """Whether `module` is one of `owners`: a module, a package (and what is in it), or a
    family of modules (a prefix ending in "_")."""
    for owner in owners:
        prefix = owner if owner.endswith("_") else owner + "."
        if module == owner or module.startswith(prefix):
            return True
    return False


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_module_is_in_a_tier() -> None:
    for name in MODULES:
        tier_of(name)


def test_no_module_imports_upward_or_across() -> None:
    assert upward(internal_graph()) == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert cycles(internal_graph()) == []


def test_no_packages_import_each_other_in_a_circle() -> None:
    packages: dict[str, set[str]] = {}
    for name, targets in internal_graph().items():
        unit = tier_of(name)[0]
        packages.setdefault(unit, set()).update(
            tier_of(t)[0] for t in targets if tier_of(t)[0] != unit
        )
    assert cycles(packages) == []


def third_party() -> dict[str, set[str]]:
    """Every top-level package outside gitmem and the standard library, by its importers."""
    found: dict[str, set[str]] = {}
    for name in MODULES:
        for target, _ in imports(name):
            top = target.split(".")[0]
            if top and top != "gitmem" and top not in sys.stdlib_module_names:
                found.setdefault(top, set()).add(name)
    return found


def test_every_third_party_import_has_an_owner() -> None:
    assert set(third_party()) <= set(OWNERS)


@pytest.mark.parametrize("dependency", sorted(OWNERS))
def test_each_dependency_has_one_owner(dependency: str) -> None:
    importers = third_party().get(dependency, set())
    assert sorted(n for n in importers if not owned_by(n, OWNERS[dependency])) == []


def test_test_file_names_are_unique() -> None:
    """Test folders are not packages, so pytest needs every test module's name to be unique."""
    names = [path.name for path in (PACKAGE.parent / "tests").rglob("*_test.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []


def test_every_package_says_what_it_owns_and_must_not_import() -> None:
    silent = []
    for name, path in MODULES.items():
        if path.name == "__init__.py" and name != "gitmem":
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            if "owns" not in doc.lower() or "must not import" not in doc:
                silent.append(name)
    assert silent == []


def test_the_checks_see_what_they_forbid() -> None:
    """The rules above can fail: made-up circles, upward and across imports, strays."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    graph = {
        "gitmem.store.git": {"gitmem.records.store"},  # up
        "gitmem.reports.kinds": {"gitmem.deploy.deploy"},  # across, not declared
        "gitmem.share.sync": {"gitmem.sessions.transcripts"},  # across, declared
        "gitmem.commands.list": {"gitmem.store.git"},  # down
    }
    assert upward(graph) == [
        "gitmem.reports.kinds -> gitmem.deploy.deploy",
        "gitmem.store.git -> gitmem.records.store",
    ]
    with pytest.raises(AssertionError, match="in no tier"):
        tier_of("gitmem.util")
    assert owned_by("gitmem.search.whoosh_write", OWNERS["whoosh"])
    assert not owned_by("gitmem.search.catalog", OWNERS["whoosh"])
    assert owned_by("gitmem.store.front_matter", OWNERS["yaml"])
    assert not owned_by("gitmem.storex", OWNERS["yaml"])
    assert "gitmem.store.git" in {t for t, _ in imports("gitmem.records.store")}
