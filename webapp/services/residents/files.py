"""Reading a resident file (CSV or XLSX) as a stream of rows of text.

An XLSX file is a ZIP archive: before anything opens it, `check_archive` reads only its
directory and refuses one that would unpack past the limits (a "zip bomb"). Then a file is read
twice: `scan` reads it whole and raises FileProblem for anything that makes the whole file
unusable (not UTF-8, not an XLSX workbook, missing, unknown or repeated columns, no rows, a broken
CSV line), so such a file writes nothing; then `open_rows` streams its rows for the import. Both
passes hold one row at a time, never the file.
"""

import csv
import io
import itertools
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..errors import Msg
from .rows import FIELDS

# Every column a file must have (in any order): the API's field names.
COLUMNS = ("personal_id", *FIELDS)
XLSX_MAGIC = b"PK\x03\x04"  # an XLSX workbook is a ZIP archive
DELIMITERS = (",", ";", "\t")  # Excel in a Vietnamese locale saves CSV with ";"


class FileProblem(Exception):
    """The whole file cannot be imported; nothing has been written."""

    def __init__(self, message: Msg):
        super().__init__(message.en)
        self.message = message


@dataclass
class Layout:
    kind: str  # "csv" or "xlsx"
    columns: list[str]  # the header's column names, in the file's order
    rows: int  # data rows (blank rows not counted)
    delimiter: str = ","


def _columns(header: list) -> list[str]:
    names = [str(name).strip().lower() if name is not None else "" for name in header]
    while names and names[-1] == "":  # trailing empty header cells (a spreadsheet's habit)
        names.pop()
    if not names:
        raise FileProblem(
            Msg("Tệp trống: không có dòng tiêu đề.", "The file is empty: there is no header row.")
        )
    repeated = sorted({n for n in names if names.count(n) > 1 and n})
    missing = [c for c in COLUMNS if c not in names]
    unknown = [n or "(trống)" for n in names if n not in COLUMNS]
    problems_vi, problems_en = [], []
    if missing:
        problems_vi.append("thiếu cột " + ", ".join(missing))
        problems_en.append("missing columns " + ", ".join(missing))
    if unknown:
        problems_vi.append("cột không có trong định dạng " + ", ".join(unknown))
        problems_en.append(
            "columns not in the format " + ", ".join(n.replace("(trống)", "(empty)") for n in unknown)
        )
    if repeated:
        problems_vi.append("cột lặp lại " + ", ".join(repeated))
        problems_en.append("repeated columns " + ", ".join(repeated))
    if problems_vi:
        raise FileProblem(
            Msg(
                "Dòng tiêu đề không đúng định dạng: " + "; ".join(problems_vi) + ".",
                "The header row does not match the format: " + "; ".join(problems_en) + ".",
            )
        )
    return names


NO_ROWS = Msg("Tệp không có dòng dữ liệu nào.", "The file has no data rows.")
EMPTY = Msg("Tệp trống.", "The file is empty.")


def kind_of(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(4)
    if not head:
        raise FileProblem(EMPTY)
    if head == XLSX_MAGIC:
        return "xlsx"
    if path.suffix.lower() == ".xlsx":
        raise FileProblem(
            Msg(
                "Tệp .xlsx này không phải sổ tính Excel hợp lệ.",
                "This .xlsx file is not a valid Excel workbook.",
            )
        )
    return "csv"


def scan(path: Path, limits: "ArchiveLimits") -> Layout:
    """Check the whole file; raises FileProblem, or returns its layout."""
    kind = kind_of(path)
    if kind == "xlsx":
        check_archive(path, limits)
        return _scan_xlsx(path)
    return _scan_csv(path)


# --- CSV -----------------------------------------------------------------------------------


class _Lines:
    """The file's lines decoded as strict UTF-8, one at a time (a BOM dropped), counting the bytes
    read; a byte that is not UTF-8 stops it with the exact line number, never becomes "?"."""

    def __init__(self, raw: io.BufferedReader):
        self.raw, self.read_bytes = raw, 0

    def __iter__(self) -> Iterator[str]:
        for number, line in enumerate(self.raw, start=1):
            self.read_bytes += len(line)
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _not_utf8(number, exc) from None
            yield text[1:] if number == 1 and text.startswith("\ufeff") else text


def _reader(lines: _Lines, delimiter: str | None = None):
    """A csv reader over the lines; the delimiter is the header line's most frequent candidate."""
    stream = iter(lines)
    first = next(stream, "")
    if delimiter is None:
        delimiter = max(DELIMITERS, key=first.count)
    return csv.reader(itertools.chain([first], stream), delimiter=delimiter), delimiter


def _not_utf8(line: int, exc: UnicodeDecodeError) -> FileProblem:
    byte = exc.object[exc.start : exc.start + 1].hex().upper()
    return FileProblem(
        Msg(
            f"Tệp không được mã hóa UTF-8 (byte 0x{byte} ở dòng {line}). Hãy lưu lại tệp dạng “CSV UTF-8”.",
            f"The file is not encoded in UTF-8 (byte 0x{byte} on line {line}). Save it again as “CSV UTF-8”.",
        )
    )


def _scan_csv(path: Path) -> Layout:
    with open(path, "rb") as raw:
        reader, delimiter = _reader(_Lines(raw))
        try:
            header = next(reader, None)
            if header is None or not any(header):
                raise FileProblem(EMPTY)
            columns = _columns(header)
            rows = sum(1 for row in reader if any(row))
        except csv.Error as exc:
            line = reader.line_num
            raise FileProblem(
                Msg(
                    f"Dòng {line} của tệp CSV bị hỏng: {exc}.",
                    f"Line {line} of the CSV file is broken: {exc}.",
                )
            ) from None
    if rows == 0:
        raise FileProblem(NO_ROWS)
    return Layout("csv", columns, rows, delimiter)


def _csv_rows(path: Path, layout: Layout) -> Iterator[tuple[int, list[str], int]]:
    """(row number as a spreadsheet shows it, the cells, bytes read so far); blank rows skipped."""
    with open(path, "rb") as raw:
        lines = _Lines(raw)
        reader, _ = _reader(lines, layout.delimiter)
        next(reader)
        for number, row in enumerate(reader, start=2):
            if any(row):
                yield number, row, lines.read_bytes


# --- XLSX ----------------------------------------------------------------------------------

BAD_XLSX = Msg(
    "Tệp không phải sổ tính Excel (.xlsx) hợp lệ hoặc đã bị hỏng.",
    "The file is not a valid Excel workbook (.xlsx), or it is damaged.",
)


@dataclass(frozen=True)
class ArchiveLimits:
    """What an XLSX archive may unpack to (config: IMPORT_XLSX_MAX_UNPACKED_BYTES and
    IMPORT_XLSX_MAX_RATIO)."""

    unpacked_bytes: int
    ratio: int


# Small parts (styles, a theme) compress unevenly and cost nothing: the ratio is checked on parts
# that unpack to more than this.
RATIO_FLOOR = 1024 * 1024
MB = 1024 * 1024


def check_archive(path: Path, limits: ArchiveLimits) -> None:
    """Refuse an XLSX archive that would unpack past the limits, reading only its directory (no
    part is unpacked, nothing parsed). The directory's sizes bind: zipfile stops reading a part at
    its declared size (and a part that holds more fails its CRC), so openpyxl can never unpack more
    than is checked here. A real sheet compresses about 15:1; a zip bomb hundreds or a thousand."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FileProblem(BAD_XLSX) from None
    total = sum(p.file_size for p in parts)
    if total > limits.unpacked_bytes:
        size, limit = -(-total // MB), limits.unpacked_bytes // MB
        raise FileProblem(
            Msg(
                f"Tệp XLSX giải nén ra {size} MB, vượt giới hạn {limit} MB; tệp không được mở. "
                "Hãy chia nhỏ tệp hoặc lưu dạng CSV.",
                f"The XLSX file unpacks to {size} MB, over the limit of {limit} MB; it was not opened. "
                "Split it, or save it as CSV.",
            )
        )
    ratio = max(
        (p.file_size / max(p.compress_size, 1) for p in parts if p.file_size > RATIO_FLOOR), default=0
    )
    if ratio > limits.ratio:
        raise FileProblem(
            Msg(
                f"Tệp XLSX có phần bị nén {ratio:.0f} lần, vượt giới hạn {limits.ratio} lần (dấu hiệu tệp "
                "độc hại); tệp không được mở.",
                f"A part of the XLSX file is compressed {ratio:.0f} to 1, over the limit of {limits.ratio} "
                "to 1 (the mark of a malicious file); it was not opened.",
            )
        )


def _cell_text(value) -> str:
    """A cell as the text an officer typed: numbers without ".0", dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sheet_rows(path: Path):
    import openpyxl  # only when an XLSX file comes

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (zipfile, KeyError, XML) for a damaged file
        raise FileProblem(BAD_XLSX) from None
    if not book.worksheets:
        book.close()
        raise FileProblem(BAD_XLSX)
    sheet = book.worksheets[0]
    return book, sheet, sheet.iter_rows(values_only=True)


def _scan_xlsx(path: Path) -> Layout:
    book, _sheet, rows = _sheet_rows(path)
    try:
        header = next(rows, None)
        if header is None:
            raise FileProblem(EMPTY)
        columns = _columns(list(header))
        count = sum(1 for row in rows if any(v not in (None, "") for v in row))
    except FileProblem:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, SyntaxError):
        raise FileProblem(BAD_XLSX) from None  # a damaged sheet inside a readable archive
    finally:
        book.close()
    if count == 0:
        raise FileProblem(NO_ROWS)
    return Layout("xlsx", columns, count)


def _xlsx_rows(path: Path, layout: Layout, size: int) -> Iterator[tuple[int, list[str], int]]:
    book, _sheet, rows = _sheet_rows(path)
    try:
        next(rows)
        width = len(layout.columns)
        done = 0
        for number, row in enumerate(rows, start=2):
            cells = [_cell_text(v) for v in row]
            if not any(cells):
                continue
            while len(cells) > width and cells[-1] == "":  # formatted but empty cells on the right
                cells.pop()
            done += 1
            # The sheet is compressed XML read as a stream: report progress as a share of rows.
            yield number, cells, size * done // layout.rows
    finally:
        book.close()


def open_rows(path: Path, layout: Layout) -> Iterator[tuple[int, list[str], int]]:
    """The data rows of a scanned file: (row number, cells as text, progress in bytes)."""
    if layout.kind == "xlsx":
        return _xlsx_rows(path, layout, path.stat().st_size)
    return _csv_rows(path, layout)
