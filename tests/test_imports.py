"""The simulator is an independent model of Meta: production code never imports it (only the
demo's start-up and the CLI that mounts its commands do), and it imports no production module."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIMULATOR = ROOT / "pipelines" / "simulator"
# The demo starts the simulator; the CLI mounts `mmlens simulator ...`. Nothing else may.
MAY_START_THE_SIMULATOR = {"pipelines/run_commands.py", "pipelines/commands.py"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def production_files() -> list[Path]:
    files = [p for top in ("pipelines", "assets", "reports") for p in (ROOT / top).rglob("*.py")]
    return sorted(p for p in files if SIMULATOR not in p.parents and str(p.relative_to(ROOT)) not in MAY_START_THE_SIMULATOR)


@pytest.mark.parametrize("path", production_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_production_code_does_not_import_the_simulator(path):
    uses = {m for m in imported_modules(path) if m == "pipelines.simulator" or m.startswith("pipelines.simulator.")}
    assert uses == set(), f"{path.relative_to(ROOT)} imports {sorted(uses)}"


def test_the_demo_start_up_imports_only_what_starts_the_simulator():
    simulator_modules = lambda name: {  # noqa: E731
        m.rsplit(".", 1)[0] if m.count(".") > 2 else m
        for m in imported_modules(ROOT / name)
        if m.startswith("pipelines.simulator.")
    }
    assert simulator_modules("pipelines/run_commands.py") == {
        "pipelines.simulator.export",
        "pipelines.simulator.server",
        "pipelines.simulator.world",
    }
    assert simulator_modules("pipelines/commands.py") == {"pipelines.simulator.cli"}


@pytest.mark.parametrize("path", sorted(SIMULATOR.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_simulator_imports_no_production_module(path):
    production = {
        m
        for m in imported_modules(path)
        if (m.split(".")[0] in ("assets", "reports") or m == "pipelines" or m.startswith("pipelines."))
        and not (m == "pipelines.simulator" or m.startswith("pipelines.simulator."))
    }
    assert production == set(), f"{path.relative_to(ROOT)} imports {sorted(production)}"


def test_the_import_reader_sees_both_import_forms(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import pipelines.simulator.world\nfrom pipelines.simulator import server\n", encoding="utf-8")
    assert {"pipelines.simulator.world", "pipelines.simulator", "pipelines.simulator.server"} <= imported_modules(sample)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_import_cycles():
    """Imports inside functions count too: a cycle is a design knot even when it loads."""
    files = [p for top in ("pipelines", "assets", "reports") for p in (ROOT / top).rglob("*.py")]
    names = {_module_name(p) for p in files}
    graph = {_module_name(p): {m for m in imported_modules(p) if m in names} - {_module_name(p)} for p in files}
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for other in sorted(graph[module]):
            assert state.get(other) != "open", "import cycle: " + " -> ".join([*path, module, other])
            if other not in state:
                visit(other, [*path, module])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
