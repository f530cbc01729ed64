"""The engine's packages import only the layers beneath them (see engine/README.md)."""

import ast
import shutil
from pathlib import Path

import engine
from engine import LAYERS

ENGINE_DIR = Path(engine.__file__).resolve().parent
# Above every layer: the composition root wires them together; migrations describe the schema.
TOP = {"service", "migrations", "__init__"}


def _imported(tree: ast.Module, package: list[str]) -> set[str]:
    """Every `engine.…` module a file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names |= {f"{module}.{alias.name}" for alias in node.names}
    return {name for name in names if name.split(".")[0] == "engine"}


def upward_imports(root: Path) -> list[str]:
    """`file: imports engine.x (layer) above its own layer` for each import against the order."""
    rank = {name: i for i, name in enumerate(LAYERS)}
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[0] in TOP:
            continue
        own = parts[0]
        if own not in rank:
            found.append(f"{path.relative_to(root)}: not in a layer")
            continue
        package = ["engine", *parts[:-1]] if parts[-1] != "__init__" else ["engine", *parts[:-1]]
        for name in sorted(_imported(ast.parse(path.read_text()), package)):
            target = name.split(".")[1] if "." in name else "__init__"
            if target in TOP - {"__init__"}:
                found.append(f"{path.relative_to(root)}: imports {name} (the composition root)")
            elif target in rank and rank[target] > rank[own]:
                found.append(f"{path.relative_to(root)}: imports {name} ({target} is above {own})")
    return found


def test_every_package_imports_only_the_layers_beneath_it():
    assert upward_imports(ENGINE_DIR) == []


def test_every_layer_is_a_package_and_every_package_a_layer():
    packages = {p.name for p in ENGINE_DIR.iterdir() if (p / "__init__.py").exists()}
    assert packages - {"migrations"} == set(LAYERS)
    loose = {p.stem for p in ENGINE_DIR.glob("*.py")} - {"__init__", "service"}
    assert loose == set()


def test_an_upward_import_is_caught(tmp_path):
    """The negative case: the core importing casework, even inside a function, fails."""
    copy = tmp_path / "engine"
    shutil.copytree(ENGINE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    runtime = copy / "workflow" / "runtime.py"
    runtime.write_text(
        runtime.read_text() + "\n\ndef _later():\n    from ..casework import records\n"
    )
    scheduler = copy / "platform" / "clock.py"
    scheduler.write_text(scheduler.read_text() + "\nimport engine.service\n")
    assert upward_imports(copy) == [
        "platform/clock.py: imports engine.service (the composition root)",
        "workflow/runtime.py: imports engine.casework (casework is above workflow)",
        "workflow/runtime.py: imports engine.casework.records (casework is above workflow)",
    ]
