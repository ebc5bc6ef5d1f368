"""Imports point one way, down the order of the layers and apps: the code of a lower one never
imports a higher one. (Tests may: a test of the core builds a world with every app's factories.)"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# core and api are the foundations; then the domain apps in the order of CONVENTIONS.md.
ORDER = [
    "core",
    "api",
    "accounts",
    "sedes",
    "clientes",
    "pacientes",
    "citas",
    "historial",
    "facturacion",
    "recordatorios",
    "integraciones",
    "demo",
]


def imported_packages(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            yield node.lineno, name.split(".")[0]


def modules_of(package):
    return sorted(
        path for path in (ROOT / package).rglob("*.py") if not {"migrations", "tests"} & set(path.parts)
    )


@pytest.mark.parametrize("package", ORDER)
def test_a_package_imports_only_itself_and_lower_ones(package):
    rank = ORDER.index(package)
    upward = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for path in modules_of(package)
        for line, imported in imported_packages(path)
        if imported in ORDER and ORDER.index(imported) > rank
    ]

    assert upward == []
