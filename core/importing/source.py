"""Reading a delimited text file a row at a time, whatever old system exported it.

Encoding and delimiter are detected; the rows are streamed, so memory does not
grow with the size of the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

DELIMITERS = (",", ";", "\t")
CHUNK_SIZE = 1 << 20
SNIFF_SIZE = 64 * 1024

# A text export has no control characters but tab, newlines, form feed and the
# DOS end-of-file mark; anything else (NUL above all) means binary or UTF-16/32.
_BINARY_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 26))
# Decoded with surrogateescape, a byte that is not part of valid UTF-8 becomes U+DC80..U+DCFF;
# any other non-ASCII character is a valid UTF-8 multi-byte sequence.
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
_UTF8_SEQUENCE = re.compile("[^\x00-\x7f\udc80-\udcff]")
# Bytes Windows-1252 leaves undefined, so escaped: a file holding them outside UTF-8
# sequences can only be Latin-1.
_CP1252_UNDEFINED = re.compile("[\udc81\udc8d\udc8f\udc90\udc9d]")
# How many lines of a file in two encodings are named (the message counts them all).
MIXED_LINES_SHOWN = 20
# What a blank row may hold: white space, and the DOS end-of-file mark (Ctrl-Z) that old
# Windows programs append to their exports.
_FILLER = " \t\r\n\x0b\x0c\x1a"


class UnusableFile(Exception):
    """The file cannot be imported at all (missing, binary, no header, missing columns).

    `lines`: the `línea N: ...` messages locating the problem, when it has lines to point at.
    """

    def __init__(self, message: str, *, lines: list[str] | None = None):
        super().__init__(message)
        self.lines = lines or []


def normalize_name(text: str) -> str:
    """A column name as the importers know it: trimmed, lower case, no accents, `_` for spaces."""
    text = unicodedata.normalize("NFKD", text.strip().lstrip("\ufeff").casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return "_".join(text.split())


def detect_encoding(path: Path) -> str:
    """`utf-8-sig`, `utf-8`, `cp1252` or `latin-1`, verified over the whole file.

    The file is scanned in chunks (constant memory): a sample alone would take a
    Windows-1252 file whose first accented name comes late for UTF-8.

    Windows-1252 decodes almost any bytes, so a file that is not valid UTF-8 is taken for
    Windows-1252 only when it holds no valid UTF-8 multi-byte sequence either. One that holds
    both (a row pasted from another export) is unusable: decoded either way, some of its rows
    would be stored as mojibake. The lines in the odd encoding are named (`mixed_lines`).
    """
    utf8 = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    has_utf8 = False  # a valid multi-byte sequence (or the BOM)
    not_utf8 = False
    is_cp1252 = True
    with path.open("rb") as raw:
        head = raw.read(4)
        if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or head.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        ):
            raise UnusableFile(_("el fichero está en UTF-16/UTF-32; guárdelo como UTF-8 o Windows-1252"))
        has_bom = head.startswith(codecs.BOM_UTF8)
        raw.seek(0)
        while True:
            chunk = raw.read(CHUNK_SIZE)
            if chunk.translate(None, _BINARY_BYTES) != chunk:
                raise UnusableFile(_("el fichero no es de texto (contiene bytes de control); use UTF-8 o Windows-1252"))
            # at the end, what is left of a multi-byte sequence cut short
            text = utf8.decode(chunk, final=not chunk)
            if not text.isascii():
                not_utf8 = not_utf8 or _NOT_UTF8.search(text) is not None
                has_utf8 = has_utf8 or _UTF8_SEQUENCE.search(text) is not None
                is_cp1252 = is_cp1252 and _CP1252_UNDEFINED.search(text) is None
            if not chunk:
                break
    legacy = "cp1252" if is_cp1252 else "latin-1"
    if not not_utf8:
        return "utf-8-sig" if has_bom else "utf-8"
    if not has_utf8:
        return legacy
    lines, count = mixed_lines(path, legacy=legacy, utf8_wins=has_bom)
    raise UnusableFile(
        _(
            "el fichero mezcla UTF-8 y %(encoding)s (%(n)d líneas en otra codificación que el resto): "
            "guárdelo entero en una sola codificación; no se ha importado nada"
        )
        % {"encoding": "Windows-1252" if is_cp1252 else "Latin-1", "n": count},
        lines=lines,
    )


def mixed_lines(path: Path, *, legacy: str, utf8_wins: bool = False) -> tuple[list[str], int]:
    """The lines of `path` not in the encoding most of its non-ASCII lines use, UTF-8 (always,
    when `utf8_wins`) or `legacy`: their `línea N: ...` messages (the first MIXED_LINES_SHOWN)
    and how many they are. Lines are numbered as CsvSource numbers them."""
    legacy_name = "Windows-1252" if legacy == "cp1252" else "Latin-1"
    # per encoding: [lines only in it, lines with some of it, messages about those]
    in_legacy, in_utf8 = [0, 0, []], [0, 0, []]
    with path.open(encoding="utf-8", errors="surrogateescape", newline="") as text:
        for number, line in enumerate(text, start=1):
            if line.isascii():
                continue
            bad, good = _NOT_UTF8.findall(line), _UTF8_SEQUENCE.findall(line.lstrip("\ufeff"))
            for found, other, tally in ((bad, good, in_legacy), (good, bad, in_utf8)):
                if not found:
                    continue
                tally[0] += not other
                tally[1] += 1
                if len(tally[2]) < MIXED_LINES_SHOWN:
                    tally[2].append((number, found))
    if utf8_wins or in_utf8[0] >= in_legacy[0]:
        messages = [
            _("línea %(line)d: no está en UTF-8 como el resto del fichero (bytes %(bytes)s)")
            % {"line": number, "bytes": ", ".join(f"0x{ord(c) - 0xDC00:02X}" for c in _first(found))}
            for number, found in in_legacy[2]
        ]
        return messages, in_legacy[1]
    messages = [
        _("línea %(line)d: tiene texto en UTF-8 («%(text)s») y el resto del fichero está en %(encoding)s")
        % {"line": number, "text": ", ".join(_first(found)), "encoding": legacy_name}
        for number, found in in_utf8[2]
    ]
    return messages, in_utf8[1]


def _first(items: list[str], limit: int = 5) -> list[str]:
    return list(dict.fromkeys(items))[:limit]


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
