"""Any list as a CSV or XLSX file, streamed row by row so a list of a million cases never sits in
memory. A column is (header, getter); the caller gives headers in the page's language."""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from vntime import LOCAL_TZ

FORMATS = ("csv", "xlsx")
Column = tuple[str, Callable[[object], object]]


# A cell whose text starts with one of these is run as a formula by Excel, LibreOffice or Sheets
# (a "-" or "+" too: "-2+3" computes, "@SUM(...)" calls).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral(value):
    """The one rule for every exported cell (CSV, XLSX, import reports): text a spreadsheet would
    run as a formula gets a leading apostrophe, so it shows as the text it is. Numbers and dates
    are left alone (a negative number is a number, not text)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _plain(value):
    """Timestamps in local time without zone (Excel has none); None as an empty cell."""
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).replace(tzinfo=None)
    return "" if value is None else value


def _text(value, decimal: str = ".") -> str:
    value = _plain(value)
    if isinstance(value, float):
        # The page's decimal mark (17,2 in Vietnamese); the header states the unit.
        return str(value).replace(".", decimal)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return neutral(str(value))


def csv_chunks(columns: list[Column], rows: Iterable, decimal: str = ".") -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so Excel shows Vietnamese letters correctly; decimals with
    the page language's mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutral(header) for header, _get in columns])
    yield "\ufeff".encode() + _drain(buffer)
    for n, row in enumerate(rows, 1):
        writer.writerow([_text(get(row), decimal) for _header, get in columns])
        if n % 500 == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    return data


def _cell(ws, value):
    """Text is written as a text cell (openpyxl would store "=..." as a formula), neutralised."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(ws, value=neutral(value))
    cell.data_type = "s"
    return cell


def xlsx_file(columns: list[Column], rows: Iterable, sheet: str = "Danh sách"):
    """A write-only workbook (constant memory) in a spooled temporary file, rewound."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    # The header row stays in view and stands out; each column as wide as its header (at least
    # a date's or a name's width). Write-only sheets take these before the first row.
    ws.freeze_panes = "A2"
    for n, (header, _get) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(n)].width = min(60, max(14, len(header) + 4))
    bold = Font(bold=True)
    head = []
    for header, _get in columns:
        cell = WriteOnlyCell(ws, value=neutral(header))
        cell.data_type = "s"
        cell.font = bold
        head.append(cell)
    ws.append(head)
    for row in rows:
        ws.append([_cell(ws, _plain(get(row))) for _header, get in columns])
    # The caller (send_file) reads and closes it, so no context manager here.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    book.save(out)
    out.seek(0)
    return out
