"""The architecture, checked from the source: layering, function size, no hidden state or channels."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "adversarial_mlops"
MODULES = sorted(PACKAGE.rglob("*.py"))
ROLE_FOLDERS = {"attacks", "judging", "models", "loop", "storage", "reporting", "dagster_defs", "api"}
TOP_LEVEL_MODULES = {"__init__.py", "config.py", "errors.py", "data.py", "cli.py"}
MAX_FUNCTION_LINES = 60
MUTABLE_FACTORIES = {"list", "dict", "set", "defaultdict", "OrderedDict", "Counter", "deque", "bytearray"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def _imported_roots(tree: ast.Module) -> set[str]:
    roots = set()
    for node in ast.walk(tree):  # function-local imports count too
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_package_is_laid_out_by_role():
    folders = {path.name for path in PACKAGE.iterdir() if path.is_dir() and (path / "__init__.py").exists()}
    assert folders == ROLE_FOLDERS
    assert {path.name for path in PACKAGE.glob("*.py")} == TOP_LEVEL_MODULES


def test_only_the_dagster_layer_imports_dagster():
    offenders = [_name(path) for path in MODULES
                 if "dagster_defs" not in path.parts
                 and any(root == "dagster" or root.startswith("dagster_") for root in _imported_roots(_tree(path)))]
    assert offenders == []


def test_no_function_is_longer_than_sixty_lines():
    long = [f"{_name(path)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for path in MODULES for node in ast.walk(_tree(path))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []


def _is_mutable(value: ast.expr | None) -> bool:
    if isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)):
        return True
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        return name in MUTABLE_FACTORIES
    return False


def test_no_module_level_mutable_state():
    found = []
    for path in MODULES:
        tree = _tree(path)
        for node in tree.body:
            value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
            if _is_mutable(value):
                found.append(f"{_name(path)}:{node.lineno} {ast.unparse(node)[:60]}")
        found += [f"{_name(path)}:{node.lineno} global {', '.join(node.names)}"
                  for node in ast.walk(tree) if isinstance(node, ast.Global)]
    assert found == []


def _writes_environment(node: ast.AST) -> bool:
    def is_environ(expr) -> bool:
        return isinstance(expr, ast.Attribute) and expr.attr == "environ" and isinstance(expr.value, ast.Name) \
            and expr.value.id == "os"

    if isinstance(node, (ast.Assign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(isinstance(t, ast.Subscript) and is_environ(t.value) for t in targets)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        owner = node.func.value
        return (is_environ(owner) and node.func.attr in {"update", "setdefault", "pop", "clear"}) or \
            (isinstance(owner, ast.Name) and owner.id == "os" and node.func.attr in {"putenv", "unsetenv"})
    if isinstance(node, ast.Delete):
        return any(isinstance(t, ast.Subscript) and is_environ(t.value) for t in node.targets)
    return False


def test_nothing_travels_through_this_process_environment():
    # Config, the Dagster home and decisions are passed as values; a child process gets its own
    # environment mapping (subprocess env=, os.execve) instead of this process's being changed.
    writes = [f"{_name(path)}:{node.lineno}" for path in MODULES for node in ast.walk(_tree(path))
              if _writes_environment(node)]
    assert writes == []


def _compares_a_score_with_a_cut_off(node: ast.AST) -> bool:
    if not isinstance(node, ast.Compare) or not any(isinstance(op, (ast.GtE, ast.Lt)) for op in node.ops):
        return False
    for side in node.comparators:
        if isinstance(side, ast.Name) and "THRESHOLD" in side.id:
            return True
        if isinstance(side, ast.Constant) and side.value == 0.5 and isinstance(node.left, ast.Name) \
                and "score" in node.left.id:
            return True
    return False


def test_the_decision_rule_lives_in_one_place():
    elsewhere = [f"{_name(path)}:{node.lineno}" for path in MODULES if path.name != "decision.py"
                 for node in ast.walk(_tree(path)) if _compares_a_score_with_a_cut_off(node)]
    assert elsewhere == []


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_every_module_says_what_it_is_for(path):
    assert ast.get_docstring(_tree(path)), f"{_name(path)} has no module docstring"
