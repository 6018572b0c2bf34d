"""Declared = imported: every third-party module the product imports comes from a dependency that
pyproject.toml declares, and every declared dependency is imported (or says why it is not)."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Declared but used without an import: `make dev` runs `dagster dev`, which serves the UI from it.
NOT_IMPORTED = {"dagster-webserver": "the Dagster UI of `make dev`"}


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _imported_top_modules(tops: tuple[str, ...] = ("pipelines", "assets", "reports")) -> set[str]:
    found: set[str] = set()
    for top in tops:
        for path in (ROOT / top).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m not in ("pipelines", "assets", "reports", "tests")}


def test_declared_is_imported():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(r) for r in project["dependencies"]}
    providers = packages_distributions()
    imported = {_name(dist) for module in _imported_top_modules() for dist in providers.get(module, [module])}
    assert imported - declared == set(), "imported but not declared"
    assert declared - imported == set(NOT_IMPORTED), "declared but never imported"


def test_what_the_tests_import_is_declared_for_them():
    """The test extra (requirements-test.lock) brings every module the tests import that the
    product does not."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(r) for r in [*project["dependencies"], *project["optional-dependencies"]["test"]]}
    providers = packages_distributions()
    imported = {_name(dist) for module in _imported_top_modules(("tests",)) for dist in providers.get(module, [module])}
    assert imported - declared == set()
    assert {"pytest", "playwright", "facebook-business", "aiosmtpd", "packaging"} <= imported
