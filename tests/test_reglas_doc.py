"""docs/reglas.md, the map from each rule of the contract to the place that holds it, cannot rot
silently: every dotted reference in it resolves to a live object, every constraint it names is
declared, and every rule row names its place."""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reglas.md"

# The project's top-level packages: a backticked dotted name starting with one is a reference.
PACKAGES = frozenset(path.parent.name for path in ROOT.glob("*/__init__.py"))

SECTIONS = (
    "General rules",
    "Roles",
    "Auth",
    "Usuarios",
    "Clientes",
    "Pacientes",
    "Citas",
    "Horarios",
    "Bloqueos",
    "Consultas",
    "Vacunas",
    "Recordatorios",
    "Facturación",
    "Reminder channels",
    "Management commands",
)
HEADER = ["Rule", "Held by", "Database guard"]

_BACKTICKED = re.compile(r"`([^`]+)`")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$")
_CONSTRAINT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CONSTRAINT_IN_PROSE = re.compile(r"\bconstraints?\s+`([a-z][a-z0-9_]*)`")


def resolve(reference):
    """The object `reference` names: its longest importable prefix as a module, then getattr
    along the rest. LookupError when no prefix imports, AttributeError when an attribute is missing."""
    parts = reference.split(".")
    for split in range(len(parts), 0, -1):
        module_name = ".".join(parts[:split])
        try:
            obj = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # Only "this prefix is not a module" moves on; a module failing to import is a failure.
            if exc.name is None or not module_name.startswith(exc.name):
                raise
            continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute)
        return obj
    raise LookupError(reference)


def declared_constraints():
    """Names of the constraints in every model's Meta.constraints."""
    return {
        constraint.name
        for model in apps.get_models(include_auto_created=True)
        for constraint in model._meta.constraints
    }


def migration_sources():
    return [path.read_text(encoding="utf-8") for path in sorted(ROOT.glob("*/migrations/*.py"))]


def constraint_exists(name, *, declared, migrations):
    """Declared on a model, or (a PostgreSQL-only constraint made by SQL) named in a migration."""
    return name in declared or any(name in source for source in migrations)


def references(text):
    """Every backticked dotted name that starts with a project package."""
    found = []
    for token in _BACKTICKED.findall(text):
        token = token.strip()
        if _DOTTED.match(token) and token.split(".")[0] in PACKAGES:
            found.append(token)
    return found


def strange_dotted_names(text):
    """Backticked names of three or more dotted parts that start with no project package: in this
    document those can only be misspelt references (`cita.services.x`)."""
    return [
        token
        for token in _BACKTICKED.findall(text)
        if _DOTTED.match(token) and token.count(".") >= 2 and token.split(".")[0] not in PACKAGES
    ]


def _cells(line):
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def rule_tables(text):
    """{section heading: [row as {column: cell}]} for the tables with the rule columns."""
    tables, section = {}, None
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("## "):
            section = line[3:].split(" — ")[0].strip()
        is_header = (
            line.startswith("|")
            and number + 1 < len(lines)
            and re.match(r"^\|(\s*-+\s*\|)+\s*$", lines[number + 1])
            and _cells(line) == HEADER
        )
        if not is_header:
            continue
        rows = tables.setdefault(section, [])
        for row_line in lines[number + 2 :]:
            if not row_line.startswith("|"):
                break
            cells = _cells(row_line)
            assert len(cells) == len(HEADER), f"a rule row with {len(cells)} cells: {row_line}"
            rows.append(dict(zip(HEADER, cells, strict=True)))
    return tables


def cited_constraints(text):
    """Constraint names: the undotted names of the "Database guard" cells, and any name written
    right after the word "constraint"."""
    names = set(_CONSTRAINT_IN_PROSE.findall(text))
    for rows in rule_tables(text).values():
        for row in rows:
            for token in _BACKTICKED.findall(row["Database guard"]):
                if "." not in token:
                    assert _CONSTRAINT_NAME.match(token), f"not a constraint name: `{token}`"
                    names.add(token)
    return names


@pytest.fixture(scope="module")
def doc():
    return DOC.read_text(encoding="utf-8")


# --- the checker itself: it must fail for what does not exist -------------------------------


def test_resolve_finds_functions_classes_attributes_and_model_fields():
    from accounts.scoping import ScopedQuerySet
    from citas import services

    assert resolve("citas.services.cita_create") is services.cita_create
    assert resolve("accounts.scoping.ScopedQuerySet.visible_to") is ScopedQuerySet.visible_to
    assert resolve("citas.services.TRANSICIONES") is services.TRANSICIONES
    assert resolve("clientes.models.Cliente.usuario") is not None


@pytest.mark.parametrize(
    "reference",
    ["citas.services.cita_crear", "citas.servicios.cita_create", "core.validators.no_control_characters.x"],
)
def test_resolve_refuses_a_name_that_does_not_exist(reference):
    with pytest.raises((LookupError, AttributeError)):
        resolve(reference)


def test_a_constraint_exists_only_when_a_model_or_a_migration_declares_it():
    declared, migrations = declared_constraints(), migration_sources()

    assert constraint_exists("citas_cita_sin_solape_veterinario", declared=declared, migrations=migrations)
    assert constraint_exists("pacientes_paciente_microchip_unique", declared=declared, migrations=migrations)
    assert not constraint_exists("citas_cita_sin_solape_sede", declared=declared, migrations=migrations)


def test_the_parser_reads_rule_rows_references_and_constraints():
    text = (
        "## Citas — `/api/v1/citas/`\n\n"
        "| Rule | Held by | Database guard |\n|---|---|---|\n"
        "| no double booking | `citas.services._check_cita_free` | `citas_cita_sin_solape_veterinario` |\n"
        "\nSee `citas.models.Cita` constraint `citas_cita_fin_tras_inicio`, `manage.py`, `cita.services.x`.\n"
    )

    assert rule_tables(text) == {
        "Citas": [
            {
                "Rule": "no double booking",
                "Held by": "`citas.services._check_cita_free`",
                "Database guard": "`citas_cita_sin_solape_veterinario`",
            }
        ]
    }
    assert references(text) == ["citas.services._check_cita_free", "citas.models.Cita"]
    assert cited_constraints(text) == {"citas_cita_sin_solape_veterinario", "citas_cita_fin_tras_inicio"}
    assert strange_dotted_names(text) == ["cita.services.x"]


# --- the document ----------------------------------------------------------------------------


def test_every_dotted_reference_in_the_map_resolves(doc):
    unresolved = []
    for reference in sorted(set(references(doc))):
        try:
            resolve(reference)
        except (LookupError, AttributeError, ImportError) as exc:
            unresolved.append(f"{reference}: {type(exc).__name__}: {exc}")

    assert unresolved == []


def test_the_map_has_no_misspelt_package_in_a_reference(doc):
    assert strange_dotted_names(doc) == []


def test_every_constraint_the_map_names_is_declared(doc):
    declared, migrations = declared_constraints(), migration_sources()
    cited = cited_constraints(doc)

    missing = sorted(name for name in cited if not constraint_exists(name, declared=declared, migrations=migrations))

    assert missing == []
    # The exclusion constraints against double booking are the map's best-known guards.
    assert {"citas_cita_sin_solape_veterinario", "citas_cita_sin_solape_paciente"} <= cited


def test_every_constraint_declared_on_a_model_has_a_place_in_the_map(doc):
    # A new constraint is a new guarantee: the map says which rule it guards.
    assert sorted(declared_constraints() - cited_constraints(doc)) == []


def test_every_section_of_the_contract_has_a_table_of_rules(doc):
    tables = rule_tables(doc)

    assert [section for section in SECTIONS if not tables.get(section)] == []


def test_every_rule_row_names_a_place_that_holds_it(doc):
    nameless = [
        f"{section}: {row['Rule']}"
        for section, rows in rule_tables(doc).items()
        for row in rows
        if not references(row["Held by"])
    ]

    assert nameless == []


def test_the_map_ends_with_what_is_not_implemented_yet(doc):
    headings = [line[3:].strip() for line in doc.splitlines() if line.startswith("## ")]

    assert headings[-1] == "Not yet"


def test_the_readme_links_the_map():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert "(docs/reglas.md)" in readme
