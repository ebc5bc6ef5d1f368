"""The management command behind every `importar_*`: options, output and exit codes.

Exit codes: 0 everything imported, 1 some rows rejected, 2 the file cannot be
used at all. `call_command` callers see 1 and 2 as `CommandError.returncode`.
"""

from __future__ import annotations

import csv
import os
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
    input's delimiter, the rejected rows' original cells. Fixed, it imports as is.

    The file is created with the first rejected row: a run that rejects nothing leaves no
    file behind, so re-running the same command line is not refused for a file of its own."""

    def __init__(self, path: Path, *, header: list[str], delimiter: str, overwrite: bool = False):
        self._path, self._header, self._delimiter, self._overwrite = path, header, delimiter, overwrite
        self._file = self._writer = None
        # A rechazados file fed back in already has an `error` column: replace it.
        self._keep = [i for i, cell in enumerate(header) if normalize_name(cell) != ERROR_COLUMN]

    def _open(self) -> None:
        try:
            # "x": a file that appeared since check_rejected_path() is not clobbered either.
            self._file = self._path.open("w" if self._overwrite else "x", encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise UnusableFile(
                _("no se puede escribir %(path)s: %(error)s") % {"path": self._path, "error": exc.strerror}
            ) from exc
        self._writer = csv.writer(self._file, delimiter=self._delimiter)
        self._writer.writerow([self._header[i] for i in self._keep] + [ERROR_COLUMN])

    def write(self, row: Row) -> None:
        if self._writer is None:
            self._open()
        cells = [row.cells[i] if i < len(row.cells) else "" for i in self._keep]
        self._writer.writerow(cells + ["; ".join(f"{campo}: {message}" for campo, message in row.errors)])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def check_rejected_path(rejected: Path, *, source: Path, overwrite: bool) -> None:
    """UnusableFile unless `rejected` may be written: its folder exists and is writable, it is
    not the input file (however it is spelt: a relative path, a link) and, unless `overwrite`,
    does not exist. Checked before the import starts: the file itself is created only with
    the first rejected row."""
    folder = rejected.parent
    if not (folder.is_dir() and os.access(folder, os.W_OK)):
        raise UnusableFile(
            _("no se puede escribir %(path)s: %(error)s")
            % {"path": rejected, "error": _("la carpeta no existe o no admite escritura")}
        )
    if not (rejected.exists() or rejected.is_symlink()):
        return
    try:
        same = os.path.samefile(rejected, source)
    except OSError:  # a dangling link, or no input file (reported as such later)
        same = False
    if same:
        raise UnusableFile(
            _("--rechazados %(path)s es el fichero de entrada; indique otro fichero") % {"path": rejected}
        )
    if not overwrite:
        raise UnusableFile(
            _("--rechazados %(path)s ya existe; indique otro fichero o use --sobrescribir para reemplazarlo")
            % {"path": rejected}
        )


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
        parser.add_argument(
            "--sobrescribir",
            action="store_true",
            help=_("reemplaza el fichero de --rechazados si ya existe (nunca el fichero de entrada)"),
        )
        parser.add_argument("--batch-size", type=int, default=1000, help=_("filas por lote (por defecto 1000)"))

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size debe ser mayor que 0"), returncode=EXIT_UNUSABLE)
        try:
            summary = self._import(Path(options["file"]), options)
        except UnusableFile as exc:
            for line in exc.lines:
                self.stderr.write(line, style_func=self.style.ERROR)
            raise CommandError(str(exc), returncode=EXIT_UNUSABLE) from exc
        self.stdout.write(str(summary))
        if options["dry_run"]:
            self.stderr.write(_("simulación (--dry-run): no se ha guardado nada"), style_func=self.style.WARNING)
        if summary.con_errores:
            values = {"n": summary.con_errores, "validas": summary.descartadas}
            if options["parcial"]:
                message = _("%(n)d filas con errores no importadas") % values
            elif not summary.descartadas:
                message = _("%(n)d filas con errores: no se ha importado nada") % values
            elif options["dry_run"]:
                message = (
                    _(
                        "%(n)d filas con errores: no se importaría nada, tampoco las %(validas)d filas válidas "
                        "(use --parcial para importarlas)"
                    )
                    % values
                )
            else:
                message = (
                    _(
                        "%(n)d filas con errores: no se ha importado nada, tampoco las %(validas)d filas válidas "
                        "(use --parcial para importarlas)"
                    )
                    % values
                )
            raise CommandError(message, returncode=EXIT_REJECTED)

    def _import(self, path: Path, options):
        if options["rechazados"]:
            check_rejected_path(Path(options["rechazados"]), source=path, overwrite=options["sobrescribir"])
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
                rejected = RejectedWriter(
                    Path(options["rechazados"]),
                    header=source.header,
                    delimiter=source.delimiter,
                    overwrite=options["sobrescribir"],
                )
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

            def on_wait() -> None:
                kind = self.importer_class.model._meta.verbose_name_plural
                report(
                    _("otra importación de %(kind)s está en curso: se espera a que termine") % {"kind": kind},
                    self.style.WARNING,
                )

            importer = self.importer_class(
                actor=None,
                change_reason=_("importación: %(file)s") % {"file": path.name},
                batch_size=options["batch_size"],
                dry_run=options["dry_run"],
                partial=options["parcial"],
                on_rejected=on_rejected,
                on_batch=on_batch,
                on_wait=on_wait,
            )
            return importer.run(source)
