"""The read path's modules import `typing` and friends only `if TYPE_CHECKING:` (a module-level
False: a one-shot command does not load them). A name imported that way exists for mypy only: used
at run time (`cast(...)`, `isinstance(x, Mapping)`, a module-level alias) it is a NameError on
whichever rare path reaches it, which neither mypy nor ruff reports. This test does, from the
source with `ast`."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "gitmem"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _bound(nodes: list[ast.stmt]) -> set[str]:
    """The names these statements bind at run time (imports, definitions, assignments)."""
    names: set[str] = set()
    for node in (sub for statement in nodes for sub in ast.walk(statement)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _annotation_nodes(tree: ast.Module) -> set[int]:
    """The ids of every node inside an annotation or a TYPE_CHECKING block (never evaluated)."""
    roots: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            every += [arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None]
            roots += [arg.annotation for arg in every if arg.annotation is not None]
            roots += [node.returns] if node.returns is not None else []
        elif isinstance(node, ast.AnnAssign):
            roots.append(node.annotation)
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            roots += node.body
    return {id(sub) for root in roots for sub in ast.walk(root)}


def runtime_uses(path: Path, root: Path = PACKAGE.parent) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    only_for_mypy: dict[str, int] = {}
    elsewhere: list[ast.stmt] = []
    for statement in tree.body:
        if isinstance(statement, ast.If) and _is_type_checking(statement.test):
            for name in _bound(statement.body):
                only_for_mypy.setdefault(name, statement.lineno)
            elsewhere += statement.orelse  # the run-time stand-ins beside them
        else:
            elsewhere.append(statement)
    suspects = {name: line for name, line in only_for_mypy.items() if name not in _bound(elsewhere)}
    skip = _annotation_nodes(tree)
    return [
        f"{path.relative_to(root)}:{node.lineno}: {node.id} (imported for mypy only, "
        f"line {suspects[node.id]})"
        for node in ast.walk(tree)
        if isinstance(node, ast.Name)
        and isinstance(node.ctx, ast.Load)
        and node.id in suspects
        and id(node) not in skip
    ]


def test_no_name_imported_for_mypy_only_is_used_at_run_time() -> None:
    found = [line for path in sorted(PACKAGE.rglob("*.py")) for line in runtime_uses(path)]
    assert found == []


def test_the_check_finds_a_run_time_use(tmp_path: Path) -> None:
    module = tmp_path / "probe.py"
    module.write_text(
        "from __future__ import annotations\n"
        "TYPE_CHECKING = False\n"
        "if TYPE_CHECKING:\n"
        "    from collections.abc import Mapping\n"
        "    from typing import Any, cast\n"
        "def f(x: Any) -> Mapping[str, int]:\n"
        "    y: Any = x\n"
        "    return cast(Mapping, y)\n",
        encoding="utf-8",
    )
    assert runtime_uses(module, tmp_path) == [
        "probe.py:8: cast (imported for mypy only, line 3)",
        "probe.py:8: Mapping (imported for mypy only, line 3)",
    ]
