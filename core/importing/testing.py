"""Test helpers for the `importar_*` commands (used by each app's tests)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.management import CommandError, call_command


@dataclass(frozen=True)
class ImportRun:
    code: int
    stdout: str
    stderr: str

    @property
    def summary(self) -> str:
        """The last stdout line: `N creados, N actualizados, N sin cambios, N con errores`."""
        lines = self.stdout.strip().splitlines()
        return lines[-1] if lines else ""

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("línea ")]


def run_import(command: str, *args) -> ImportRun:
    """Runs `command` like `manage.py` would; the exit code is CommandError.returncode."""
    stdout, stderr = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(command, *[str(a) for a in args], stdout=stdout, stderr=stderr)
    except CommandError as exc:
        code = exc.returncode
        stderr.write(f"CommandError: {exc}\n")
    return ImportRun(code=code, stdout=stdout.getvalue(), stderr=stderr.getvalue())


def write_csv(path, text: str, *, encoding: str = "utf-8"):
    """Writes `text` (lines joined by \\n) to `path` in `encoding`; returns the path."""
    path.write_bytes(text.encode(encoding))
    return path
