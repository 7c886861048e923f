"""The house rules of ARCHITECTURE.md, read from the source with `ast`: dependencies flow one
way (cli/commands -> domain packages -> records -> search -> store), nothing imports in a
circle, and each third-party dependency has one owner."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gitmem"

# Lower tiers never import higher ones. Domain packages share a tier: they may use each other,
# but never in a circle.
TIERS: dict[str, int] = {
    "gitmem": 0,  # __init__, errors, output: shared by everything
    "gitmem.store": 1,
    "gitmem.search": 2,
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
        )
    },
    "gitmem.cli": 5,
    "gitmem.commands": 5,
    "gitmem.main": 5,
    "gitmem.manpage": 5,
}

# Who may import each third-party dependency: a package, or one module where the issue of
# import cost makes one module the gate (pygit2 costs ~110 ms to import).
OWNERS: dict[str, tuple[str, ...]] = {
    "pygit2": ("gitmem.store.objects",),
    "whoosh": ("gitmem.search",),
    "yaml": ("gitmem.store",),
    "frontmatter": ("gitmem.store",),
    "mcp": ("gitmem.assist",),
    "anyio": ("gitmem.assist",),
    "jsonschema": ("gitmem.assist",),
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
    parts = module.split(".")
    for size in (2, 1):
        unit = ".".join(parts[:size])
        if unit in TIERS:
            return unit, TIERS[unit]
    raise AssertionError(f"{module} is in no tier: add its package to TIERS and ARCHITECTURE.md")


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


def test_no_module_imports_upward() -> None:
    upward = []
    for name in MODULES:
        tier = tier_of(name)[1]
        for target, line in imports(name):
            if target in MODULES and tier_of(target)[1] > tier:
                upward.append(f"{MODULES[name].name}:{line} {name} -> {target}")
    assert upward == []


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


@pytest.mark.parametrize("dependency", sorted(OWNERS))
def test_each_dependency_has_one_owner(dependency: str) -> None:
    importers = sorted(
        name
        for name in MODULES
        for target, _ in imports(name)
        if target.split(".")[0] == dependency
    )
    owners = OWNERS[dependency]
    strays = [n for n in importers if not any(n == o or n.startswith(o + ".") for o in owners)]
    assert strays == []


def test_every_package_says_what_it_owns_and_must_not_import() -> None:
    silent = []
    for name, path in MODULES.items():
        if path.name == "__init__.py" and name != "gitmem":
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            if "owns" not in doc.lower() or "must not import" not in doc:
                silent.append(name)
    assert silent == []


def test_the_checks_see_a_circle_and_an_upward_import() -> None:
    """The rules above can fail: a made-up circle and a made-up upward import are caught."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert tier_of("gitmem.store.git")[1] < tier_of("gitmem.records.store")[1]
    assert "gitmem.store.git" in {t for t, _ in imports("gitmem.records.store")}
