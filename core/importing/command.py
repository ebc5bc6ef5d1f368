"""The management command behind every `importar_*`: options, output and exit codes.

Exit codes: 0 everything imported, 1 some rows rejected, 2 the file cannot be
used at all. `call_command` callers see 1 and 2 as `CommandError.returncode`.
"""

from __future__ import annotations

import csv
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.utils.translation import gettext as _
from tqdm import tqdm

from .importer import ERROR_COLUMN, ModelImporter, Row
from .source import CsvSource, UnusableFile, normalize_name

EXIT_REJECTED = 1
EXIT_UNUSABLE = 2


class RejectedWriter:
    """The `--rechazados` file: the input's header plus `error`, UTF-8 with BOM, the
    input's delimiter, the rejected rows' original cells. Fixed, it imports as is."""

    def __init__(self, path: Path, *, header: list[str], delimiter: str):
        self._file = path.open("w", encoding="utf-8-sig", newline="")
        # A rechazados file fed back in already has an `error` column: replace it.
        self._keep = [i for i, cell in enumerate(header) if normalize_name(cell) != ERROR_COLUMN]
        self._writer = csv.writer(self._file, delimiter=delimiter)
        self._writer.writerow([header[i] for i in self._keep] + [ERROR_COLUMN])

    def write(self, row: Row) -> None:
        cells = [row.cells[i] if i < len(row.cells) else "" for i in self._keep]
        self._writer.writerow(cells + ["; ".join(f"{campo}: {message}" for campo, message in row.errors)])

    def close(self) -> None:
        self._file.close()


class ImportCommand(BaseCommand):
    """Subclasses set `importer_class` (a ModelImporter) and `help`."""

    importer_class: type[ModelImporter]

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("fichero CSV (UTF-8 o Windows-1252; separador , ; o tabulador)"))
        parser.add_argument("--dry-run", action="store_true", help=_("valida e informa sin guardar nada"))
        parser.add_argument("--parcial", action="store_true", help=_("importa las filas válidas y omite las erróneas"))
        parser.add_argument(
            "--rechazados", metavar="PATH", help=_("escribe las filas rechazadas con una columna error")
        )
        parser.add_argument("--batch-size", type=int, default=1000, help=_("filas por lote (por defecto 1000)"))

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size debe ser mayor que 0"), returncode=EXIT_UNUSABLE)
        try:
            summary = self._import(Path(options["file"]), options)
        except UnusableFile as exc:
            raise CommandError(str(exc), returncode=EXIT_UNUSABLE) from exc
        self.stdout.write(str(summary))
        if options["dry_run"]:
            self.stderr.write(_("simulación (--dry-run): no se ha guardado nada"), style_func=self.style.WARNING)
        if summary.con_errores:
            if options["parcial"] or options["dry_run"]:
                message = _("%(n)d filas con errores no importadas") % {"n": summary.con_errores}
            else:
                message = _(
                    "%(n)d filas con errores: no se ha importado nada (use --parcial para importar las válidas)"
                )
                message %= {"n": summary.con_errores}
            raise CommandError(message, returncode=EXIT_REJECTED)

    def _import(self, path: Path, options):
        source = CsvSource(path)
        with ExitStack() as stack:
            stack.enter_context(source)
            show_progress = self.stderr.isatty()
            bar = stack.enter_context(
                tqdm(
                    desc=path.name,
                    total=source.size,
                    unit="B",
                    unit_scale=True,
                    file=self.stderr._out,
                    disable=not show_progress,
                )
            )

            def report(line: str, style_func=None) -> None:
                if show_progress:
                    bar.write((style_func or self.style.ERROR)(line), file=self.stderr._out)
                else:
                    self.stderr.write(line, style_func=style_func)

            for column in self.importer_class.unknown_columns(source.header):
                warning = _("aviso: se ignora la columna desconocida «%(column)s»") % {"column": column.strip()}
                report(warning, self.style.WARNING)
            self.importer_class.check_header(source.header)

            rejected = None
            if options["rechazados"]:
                try:
                    rejected = RejectedWriter(
                        Path(options["rechazados"]), header=source.header, delimiter=source.delimiter
                    )
                except OSError as exc:
                    raise UnusableFile(
                        _("no se puede escribir %(path)s: %(error)s")
                        % {"path": options["rechazados"], "error": exc.strerror}
                    ) from exc
                stack.callback(rejected.close)

            def on_rejected(row: Row) -> None:
                for campo, message in row.errors:
                    report(f"línea {row.line}: {campo}: {message}")
                if rejected:
                    rejected.write(row)

            def on_batch() -> None:
                bar.update(source.position - bar.n)
                if settings.DEBUG and not connection.force_debug_cursor:
                    # Under DEBUG Django keeps every SQL statement (bulk inserts are
                    # large); memory must not grow with the file. Query-counting
                    # tests force the debug cursor and keep their log.
                    reset_queries()

            importer = self.importer_class(
                actor=None,
                change_reason=_("importación: %(file)s") % {"file": path.name},
                batch_size=options["batch_size"],
                dry_run=options["dry_run"],
                partial=options["parcial"],
                on_rejected=on_rejected,
                on_batch=on_batch,
            )
            return importer.run(source)
