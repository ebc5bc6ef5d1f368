"""Shared machinery of the `importar_*` management commands (see docs/ejemplos/README.md).

An app declares a `ModelImporter` subclass in `<app>/importers.py` and a
three-line command subclassing `ImportCommand`.
"""

from .command import ImportCommand
from .importer import ROW, Column, ModelImporter, Row, Summary
from .parsers import choice_parser, fold, parse_bool, parse_date, parse_decimal, parse_text
from .source import CsvSource, UnusableFile

__all__ = [
    "ROW",
    "Column",
    "CsvSource",
    "ImportCommand",
    "ModelImporter",
    "Row",
    "Summary",
    "UnusableFile",
    "choice_parser",
    "fold",
    "parse_bool",
    "parse_date",
    "parse_decimal",
    "parse_text",
]
