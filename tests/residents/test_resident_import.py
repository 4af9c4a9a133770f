"""The resident file import (services/residents/import_jobs.py): whole-file problems write nothing,
each invalid row is reported (row, field, reason) while the valid rows are kept, re-import
updates by personal ID, old unit codes resolve through the crosswalk, the importer's scope."""

import csv
import io
from datetime import date, timedelta

import openpyxl
import pytest

from tests.support.imports import count_residents, csv_bytes, person, pid, problems, stored
from tests.support.paths import ROOT
from webapp.models import Resident, UnitCrosswalk, db
from webapp.services import clock, uow
from webapp.services.accounts import units
from webapp.services.errors import Invalid
from webapp.services.residents import import_batches as resident_batches
from webapp.services.residents import import_jobs as resident_import
from webapp.services.residents import registry as residents
from webapp.services.residents.files import COLUMNS

# Uploaded files of each test in its own folder (tests/support/imports.py).
pytestmark = pytest.mark.usefixtures("upload_dir")


def report_rows(job) -> list[dict]:
    with open(resident_import.report_path(job), encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# --- a good file, then the same people again --------------------------------------------------


def test_a_valid_csv_creates_every_resident_with_every_field(world, run_file):
    lan = person(full_name="  Nguyễn   Thị  Lan ", temporary_unit="13301")
    chip = person(
        personal_id=pid(date(1975, 1, 1), "male"),
        full_name="Trần Văn Bình",
        sex="male",
        birth_date="1975",
        old_id_number="",
        card_state="chip",
        card_issued_on="2021-06-15",
    )
    month = person(personal_id=pid(date(1969, 3, 1)), birth_date="03/1969", birth_date_precision="month")
    job = run_file(csv_bytes([lan, chip, month]))
    assert (job.status, job.rows, job.created, job.updated, job.rejected) == ("done", 3, 3, 0, 0)
    assert job.error is None and job.report == [] and job.read_bytes == job.total_bytes
    rows = stored()
    first = rows[lan["personal_id"]]
    assert first["full_name"] == "Nguyễn Thị Lan" and first["name_key"] == "nguyen thi lan"
    assert (first["birth_date"], first["birth_date_precision"]) == (date(1990, 5, 17), "day")
    assert (first["old_id_number"], first["ethnicity"], first["household_id"]) == (
        "164123456",
        "Kinh",
        "HK13300-0001",
    )
    assert (
        first["permanent_unit_id"] == world.commune_a.id and first["temporary_unit_id"] == world.commune_b.id
    )
    assert (first["status"], first["card_state"], first["card_issued_on"]) == ("alive", "none", None)
    assert first["listing_status"] == "not_visited"
    second = rows[chip["personal_id"]]
    assert (second["birth_date"], second["birth_date_precision"]) == (date(1975, 1, 1), "year")
    assert (second["card_state"], second["card_issued_on"], second["old_id_number"]) == (
        "chip",
        date(2021, 6, 15),
        None,
    )
    third = rows[month["personal_id"]]
    assert (third["birth_date"], third["birth_date_precision"]) == (date(1969, 3, 1), "month")
    # Stored through the model, readable by the services as any resident.
    assert residents.get(lan["personal_id"]).permanent_unit.code == "13300"


def test_reimport_updates_by_personal_id_and_keeps_what_the_file_does_not_carry(world, run_file):
    lan = person()
    run_file(csv_bytes([lan]))
    db.session.expire_all()
    resident = residents.get(lan["personal_id"])
    created_at = resident.created_at
    with uow.command():  # the door-to-door listing recorded something meanwhile
        resident.listing_status, resident.listing_note = "away", "Đi làm ở Hà Nội"
    changed = {**lan, "full_name": "Nguyễn Thị Lan Anh", "ethnicity": "", "card_state": "cmnd"}
    newcomer = person()
    job = run_file(csv_bytes([changed, newcomer]))
    assert (job.rows, job.created, job.updated, job.rejected) == (2, 1, 1, 0)
    row = stored()[lan["personal_id"]]
    assert (row["full_name"], row["name_key"], row["ethnicity"], row["card_state"]) == (
        "Nguyễn Thị Lan Anh",
        "nguyen thi lan anh",
        None,
        "cmnd",
    )
    assert (row["listing_status"], row["listing_note"]) == ("away", "Đi làm ở Hà Nội")
    db.session.expire_all()
    assert residents.get(lan["personal_id"]).created_at == created_at
    assert count_residents() == 2


def test_xlsx_rows_import_like_csv_rows(world, run_file, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    lan, binh = (
        person(),
        person(personal_id=pid(date(1975, 1, 1), "male"), sex="male", full_name="Trần Văn Bình"),
    )
    for row in (lan, binh):
        values = [row[c] for c in COLUMNS]
        sheet.append(values)
    # What Excel hands over: a date cell, a numeric unit code, a short row, a blank row.
    sheet.cell(row=2, column=COLUMNS.index("birth_date") + 1, value=date(1990, 5, 17))
    sheet.cell(row=2, column=COLUMNS.index("permanent_unit") + 1, value=13300)
    sheet.cell(row=3, column=COLUMNS.index("birth_date") + 1, value=1975)
    sheet.cell(row=3, column=COLUMNS.index("birth_date_precision") + 1, value="year")
    for column in range(COLUMNS.index("temporary_unit") + 1, len(COLUMNS) + 1):
        sheet.cell(row=3, column=column, value=None)
    sheet.append([None] * len(COLUMNS))
    bad = person(personal_id="０３７１９０７００００１")
    sheet.append([bad[c] for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    job = run_file(buffer.getvalue(), "residents.xlsx")
    assert (job.status, job.rows, job.created, job.rejected) == ("done", 3, 2, 1), job.report
    assert problems(job)[0][:2] == (5, "personal_id") and "non-ASCII digits" in problems(job)[0][2]
    rows = stored()
    assert rows[lan["personal_id"]]["birth_date"] == date(1990, 5, 17)
    assert rows[binh["personal_id"]]["birth_date_precision"] == "year"
    assert rows[binh["personal_id"]]["status"] == "alive"  # left empty: the default


@pytest.mark.parametrize("sample", ["residents.csv", "residents.xlsx"])
def test_the_documented_samples_import_cleanly_into_the_demo_units(world, run_file, sample):
    with uow.command():
        for code in ("13285", "13291", "13318", "13324", "13330"):
            units.ensure(code, f"Phường {code}", "commune", world.province)
    job = run_file((ROOT / "docs" / "samples" / sample).read_bytes(), sample)
    assert (job.status, job.rows, job.created, job.rejected) == ("done", 12, 12, 0), job.report
    rows = stored().values()
    assert any(r["birth_date_precision"] == "year" for r in rows)
    assert any(r["card_state"] == "chip" and r["card_issued_on"] for r in rows)


# --- whole-file problems: the job fails and nothing is written -------------------------------


def _latin1() -> bytes:
    return csv_bytes([person(full_name="Nguyen Thi Lan")]).replace(b"Nguyen", "Lê".encode("cp1258"))


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"", "r.csv", "The file is empty."),
        (b"\xef\xbb\xbf", "r.csv", "The file is empty."),  # a BOM alone
        (csv_bytes([]), "r.csv", "no data rows"),
        (csv_bytes([]) + b"\r\n,,,\r\n", "r.csv", "no data rows"),
        (_latin1(), "r.csv", "not encoded in UTF-8"),
        ("personal_id".encode("utf-16"), "r.csv", "not encoded in UTF-8"),
        (csv_bytes([person()], columns=COLUMNS[:-1]), "r.csv", "missing columns card_issued_on"),
        (csv_bytes([person()], columns=(*COLUMNS, "note")), "r.csv", "columns not in the format note"),
        (csv_bytes([person()], columns=(*COLUMNS, "sex")), "r.csv", "repeated columns sex"),
        (b"hello,world\r\n1,2\r\n", "r.csv", "missing columns personal_id"),
        (b"not a workbook", "r.xlsx", "not a valid Excel workbook"),
        (b"PK\x03\x04 broken zip", "r.xlsx", "not a valid Excel workbook"),
    ],
)
def test_a_whole_file_problem_fails_the_job_and_writes_nothing(world, run_file, content, name, reason):
    before = stored()
    job = run_file(content, name)
    assert job.status == "failed"
    message = resident_import.error_message(job)
    assert reason in message.en, message.en
    assert message.vi and message.vi != message.en
    assert (job.rows, job.created, job.updated) == (0, 0, 0)
    assert stored() == before


def test_a_bad_byte_deep_in_a_large_file_still_writes_nothing(world, run_file, monkeypatch):
    monkeypatch.setattr(resident_batches, "BATCH", 10)  # batches would be written before the byte
    good = [person() for _ in range(50)]
    content = csv_bytes(good) + "037190000001,,Lê Hoa\r\n".encode("cp1258")
    job = run_file(content)
    assert job.status == "failed" and "on line 52" in resident_import.error_message(job).en
    assert count_residents() == 0


def test_a_bom_a_semicolon_and_header_case_are_accepted(world, run_file):
    rows = [person(), person()]
    header, body = csv_bytes(rows, delimiter=";").split(b"\r\n", 1)
    content = b"\xef\xbb\xbf" + header.upper().replace(b";", b" ; ") + b"\r\n" + body
    job = run_file(content)
    assert (job.status, job.created, job.rejected) == ("done", 2, 0), job.report


# --- rows: each invalid row reported, the valid rows kept ------------------------------------

TODAY = clock.today_local()


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"personal_id": "03719070000"}, "personal_id", "exactly 12 digits"),
        ({"personal_id": "０３７１９０７００００１"}, "personal_id", "non-ASCII digits"),
        ({"personal_id": " 037190700001"}, "personal_id", "spaces at the start"),
        ({"personal_id": "999190700001"}, "personal_id", "province code 999"),
        ({"birth_date": (TODAY + timedelta(days=1)).strftime("%d/%m/%Y")}, "birth_date", "future"),
        ({"birth_date": "31/02/1990"}, "birth_date", "Invalid birth date"),
        ({"birth_date": "1990-13-01"}, "birth_date", "Invalid birth date"),
        ({"birth_date": "17.05.1990"}, "birth_date", "Invalid birth date"),
        ({"birth_date": ""}, "birth_date", "required"),
        ({"birth_date": "1899-12-31"}, "birth_date", "1900 or later"),
        ({"birth_date": "1990", "birth_date_precision": "day"}, "birth_date", "only a year"),
        ({"birth_date": "05/1990", "birth_date_precision": "day"}, "birth_date", "only a month"),
        ({"birth_date_precision": "week"}, "birth_date_precision", "day, month or year"),
        ({"sex": "nữ"}, "sex", "male or female"),
        ({"full_name": "   "}, "full_name", "required"),
        ({"full_name": "x" * 201}, "full_name", "200"),
        ({"old_id_number": "12345"}, "old_id_number", "9 or 12 digits"),
        ({"ethnicity": "x" * 51}, "ethnicity", "50"),
        ({"household_id": "x" * 31}, "household_id", "30"),
        ({"permanent_unit": "99999"}, "permanent_unit", "No unit"),
        ({"permanent_unit": ""}, "permanent_unit", "required"),
        ({"temporary_unit": "nowhere"}, "temporary_unit", "No unit"),
        ({"status": "missing"}, "status", "alive or deceased"),
        ({"card_state": "passport"}, "card_state", "none, cmnd, chip or lost"),
        ({"card_state": "chip"}, "card_issued_on", "required when card_state is chip"),
        ({"card_state": "cmnd", "card_issued_on": "2021-06-15"}, "card_issued_on", "only given when"),
        ({"card_state": "chip", "card_issued_on": "2021-06"}, "card_issued_on", "Invalid issue date"),
        (
            {"card_state": "chip", "card_issued_on": (TODAY + timedelta(days=1)).isoformat()},
            "card_issued_on",
            "future",
        ),
        ({"card_state": "chip", "card_issued_on": "16/05/1990"}, "card_issued_on", "before the birth date"),
        ({"full_name": "Lan\x00"}, "row", "NUL character"),
    ],
)
def test_an_invalid_row_is_reported_and_the_others_are_kept(world, run_file, changes, field, reason):
    before, after = person(), person()
    bad = person(**{"personal_id": "037190700001", **changes})
    job = run_file(csv_bytes([before, bad, after]))
    assert (job.status, job.rows, job.created, job.rejected) == ("done", 3, 2, 1)
    found = [p for p in problems(job) if p[1] == field]
    assert found and found[0][0] == 3 and reason in found[0][2], problems(job)
    assert all(r["reason_vi"] for r in job.report)
    assert set(stored()) == {before["personal_id"], after["personal_id"]}


@pytest.mark.parametrize(
    ("pid", "mismatch"),
    [("037191700001", "birth_year"), ("037090700001", "sex"), ("037091700001", "birth_year,sex")],
)
def test_a_row_whose_id_disagrees_is_stored_flagged_and_counted_apart(world, run_file, pid, mismatch):
    """The file says a woman born 1990; the ID's digits say otherwise: stored, flagged, counted."""
    job = run_file(csv_bytes([person(), person(personal_id=pid)]))
    assert (job.status, job.rows, job.created, job.rejected, job.flagged) == ("done", 2, 2, 0, 1)
    flagged = db.session.scalar(db.select(Resident).where(Resident.personal_id == pid))
    assert flagged.id_mismatch == mismatch


def test_the_api_rules_and_the_import_rules_agree(world, run_file):
    """The same bad record is refused by the API's PUT (residents.upsert) naming the same fields."""
    record = person(
        personal_id="999191700001", sex="male", birth_date="1990-05-17", card_state="chip", card_issued_on=""
    )
    job = run_file(csv_bytes([record]))
    from_file = {p[1] for p in problems(job)}
    data = {k: v for k, v in record.items() if k != "personal_id" and v != ""}
    with pytest.raises(Invalid) as err, uow.command():
        residents.upsert(None, record["personal_id"], data)
    assert from_file == set(err.value.fields) == {"personal_id", "card_issued_on"}


def test_a_row_with_too_many_or_too_few_cells_is_reported(world, run_file):
    good, long = person(), person()
    content = csv_bytes([good]) + b"037190700002,extra\r\n"
    content += (",".join([long[c] for c in COLUMNS] + ["surplus"]) + "\r\n").encode()
    job = run_file(content)
    assert (job.rows, job.created, job.rejected) == (3, 1, 2)
    assert [(p[0], p[1]) for p in problems(job)] == [(3, "row"), (4, "row")]
    assert problems(job)[0][2] == "The row has 2 cells but the header has 13."
    assert problems(job)[1][2] == "The row has 14 cells but the header has 13."
    assert [r["personal_id"] for r in job.report] == ["037190700002", long["personal_id"]]


def test_a_duplicate_id_in_the_file_rejects_the_later_row_naming_the_first(world, run_file):
    twin = person()
    job = run_file(csv_bytes([twin, person(), {**twin, "full_name": "Người Khác"}]))
    assert (job.rows, job.created, job.rejected) == (3, 2, 1)
    assert problems(job) == [
        (4, "personal_id", "The same personal ID is on row 2 of the file; this row is skipped.")
    ]
    assert stored()[twin["personal_id"]]["full_name"] == "Nguyễn Thị Lan"  # the first one


def test_old_unit_codes_resolve_through_the_crosswalk_and_todays_codes_win(world, run_file):
    with uow.command():
        db.session.add(
            UnitCrosswalk(old_code="14161", old_name="Xã cũ", old_level="commune", unit_id=world.commune_b.id)
        )
        db.session.add(
            UnitCrosswalk(
                old_code="13300", old_name="Trùng mã", old_level="commune", unit_id=world.commune_b.id
            )
        )
    old, today = person(permanent_unit="14161", temporary_unit="14161"), person(permanent_unit="13300")
    job = run_file(csv_bytes([old, today]))
    assert (job.created, job.rejected) == (2, 0), job.report
    rows = stored()
    assert rows[old["personal_id"]]["permanent_unit_id"] == world.commune_b.id
    assert rows[old["personal_id"]]["temporary_unit_id"] == world.commune_b.id
    assert rows[today["personal_id"]]["permanent_unit_id"] == world.commune_a.id


def test_rows_are_written_in_batches_with_progress_and_a_sorted_full_report(world, run_file, monkeypatch):
    monkeypatch.setattr(resident_batches, "BATCH", 4)
    monkeypatch.setattr(resident_batches, "REPORT_KEPT", 3)
    rows = []
    for i in range(30):
        rows.append(person(sex="x", personal_id=pid()) if i % 3 == 0 else person())
    seen = []
    job = run_file(csv_bytes(rows), progress=lambda counts: seen.append(dict(counts)))
    assert (job.rows, job.created, job.rejected) == (30, 20, 10)
    assert len(seen) >= 6
    assert [s["rows"] for s in seen] == sorted(s["rows"] for s in seen)
    assert [s["read_bytes"] for s in seen] == sorted(s["read_bytes"] for s in seen)
    assert seen[-1] == {
        "read_bytes": job.total_bytes,
        "total_bytes": job.total_bytes,
        "rows": 30,
        "created": 20,
        "updated": 0,
        "rejected": 10,
        "flagged": 0,
    }
    assert [(r["row"], r["field"]) for r in job.report] == [(2, "sex"), (5, "sex"), (8, "sex")]
    full = report_rows(job)
    assert [int(r["row"]) for r in full] == sorted(int(r["row"]) for r in full)
    assert {int(r["row"]) for r in full} == set(range(2, 32, 3))
    assert set(full[0]) == {"row", "personal_id", "field", "reason_vi", "reason_en"}


def test_a_database_failure_fails_the_job_and_keeps_the_batches_already_written(world, run_file, monkeypatch):
    monkeypatch.setattr(resident_batches, "BATCH", 2)
    calls = []
    real = resident_import.Upsert.execute

    def failing(self):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(self)

    monkeypatch.setattr(resident_import.Upsert, "execute", failing)
    job = run_file(csv_bytes([person() for _ in range(6)]))
    assert job.status == "failed"
    assert "batches written before it are kept" in resident_import.error_message(job).en
    assert count_residents() == 2  # the first batch, whole; nothing of the second
