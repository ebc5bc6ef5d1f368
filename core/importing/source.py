"""Reading a delimited text file a row at a time, whatever old system exported it.

Encoding and delimiter are detected; the rows are streamed, so memory does not
grow with the size of the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

DELIMITERS = (",", ";", "\t")
CHUNK_SIZE = 1 << 20
SNIFF_SIZE = 64 * 1024

# Bytes Windows-1252 leaves undefined; a file holding them can only be Latin-1.
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
# A text export has no control characters but tab, newlines, form feed and the
# DOS end-of-file mark; anything else (NUL above all) means binary or UTF-16/32.
_BINARY_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 26))
# What a blank row may hold: white space, and the DOS end-of-file mark (Ctrl-Z) that old
# Windows programs append to their exports.
_FILLER = " \t\r\n\x0b\x0c\x1a"


class UnusableFile(Exception):
    """The file cannot be imported at all (missing, binary, no header, missing columns)."""


def normalize_name(text: str) -> str:
    """A column name as the importers know it: trimmed, lower case, no accents, `_` for spaces."""
    text = unicodedata.normalize("NFKD", text.strip().lstrip("\ufeff").casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return "_".join(text.split())


def detect_encoding(path: Path) -> str:
    """`utf-8-sig`, `utf-8`, `cp1252` or `latin-1`, verified over the whole file.

    The file is scanned in chunks (constant memory): a sample alone would take a
    Windows-1252 file whose first accented name comes late for UTF-8.
    """
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    is_cp1252 = True
    with path.open("rb") as raw:
        head = raw.read(4)
        if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or head.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        ):
            raise UnusableFile(_("el fichero está en UTF-16/UTF-32; guárdelo como UTF-8 o Windows-1252"))
        has_bom = head.startswith(codecs.BOM_UTF8)
        raw.seek(0)
        while chunk := raw.read(CHUNK_SIZE):
            if chunk.translate(None, _BINARY_BYTES) != chunk:
                raise UnusableFile(_("el fichero no es de texto (contiene bytes de control); use UTF-8 o Windows-1252"))
            if is_utf8:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
            if is_cp1252 and any(b in chunk for b in _CP1252_UNDEFINED):
                is_cp1252 = False
        if is_utf8:
            try:
                utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                is_utf8 = False
    if is_utf8:
        return "utf-8-sig" if has_bom else "utf-8"
    if has_bom:
        raise UnusableFile(_("el fichero empieza como UTF-8 pero contiene bytes que no son UTF-8 válido"))
    return "cp1252" if is_cp1252 else "latin-1"


def detect_delimiter(sample: str) -> str:
    """`,`, `;` or tab: the one the header line uses, asking csv.Sniffer when it holds several."""
    header = sample.splitlines()[0] if sample else ""
    present = [d for d in DELIMITERS if d in header]
    if len(present) == 1:
        return present[0]
    if not present:
        return ","
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return max(present, key=header.count)


@dataclass(frozen=True)
class Record:
    line: int  # physical line where the record starts; the header is line 1
    cells: list[str]


class CsvSource:
    """A header row plus records, read lazily. Use as a context manager."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise UnusableFile(_("no existe el fichero %(path)s") % {"path": self.path})
        self.size = self.path.stat().st_size
        self.encoding = detect_encoding(self.path)
        with self.path.open(encoding=self.encoding, newline="") as text:
            sample = text.read(SNIFF_SIZE)
        if not sample.strip():
            raise UnusableFile(_("el fichero está vacío: falta la fila de cabecera"))
        self.delimiter = detect_delimiter(sample)
        self._raw = None
        self._reader = None
        self.header: list[str] = []

    def __enter__(self):
        self._raw = self.path.open("rb")
        text = io.TextIOWrapper(self._raw, encoding=self.encoding, newline="")
        self._reader = csv.reader(text, delimiter=self.delimiter)
        try:
            self.header = next(self._reader)
        except StopIteration:
            self.header = []
        except (csv.Error, UnicodeDecodeError) as exc:
            raise UnusableFile(_("línea 1: cabecera ilegible: %(error)s") % {"error": exc}) from exc
        if not any(cell.strip() for cell in self.header):
            raise UnusableFile(_("línea 1: falta la fila de cabecera"))
        return self

    def __exit__(self, *exc_info):
        self._raw.close()

    @property
    def position(self) -> int:
        """Bytes consumed so far (for a progress bar)."""
        return self._raw.tell() if self._raw and not self._raw.closed else self.size

    def __iter__(self) -> Iterator[Record]:
        reader = self._reader
        last_line = reader.line_num
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise UnusableFile(
                    _("línea %(line)d: bytes no válidos en %(encoding)s")
                    % {"line": last_line + 1, "encoding": self.encoding}
                ) from exc
            except csv.Error as exc:
                raise UnusableFile(_("línea %(line)d: %(error)s") % {"line": last_line + 1, "error": exc}) from exc
            start, last_line = last_line + 1, reader.line_num
            if not any(cell.strip(_FILLER) for cell in cells):
                continue
            yield Record(line=start, cells=cells)
