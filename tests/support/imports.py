"""Shared by the resident import tests (tests/residents/test_resident_import*.py, test_import_*.py;
no tests here): resident files built row by row, the state of the registry to compare before and
after, and the fixtures of a pytest plugin (tests/conftest.py): each test's own upload folder and
a file run through the import as the worker would."""

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from webapp.models import ImportJob, Resident, db
from webapp.services import uow
from webapp.services.residents import import_jobs as resident_import
from webapp.services.residents.files import COLUMNS
from webapp.services.residents.personal_id import make_personal_id

_serial = iter(range(700_000, 800_000))


def pid(born=date(1990, 5, 17), sex="female", province="037") -> str:
    return make_personal_id(province, born.year, sex, next(_serial))


def person(**changes) -> dict:
    """A valid row of commune A (13300); `personal_id` consistent with the birth year and sex."""
    row = {
        "personal_id": None,
        "old_id_number": "164123456",
        "full_name": "Nguyễn Thị Lan",
        "birth_date": "17/05/1990",
        "birth_date_precision": "",
        "sex": "female",
        "ethnicity": "Kinh",
        "household_id": "HK13300-0001",
        "permanent_unit": "13300",
        "temporary_unit": "",
        "status": "alive",
        "card_state": "none",
        "card_issued_on": "",
    }
    row.update(changes)
    if row["personal_id"] is None:
        row["personal_id"] = pid(date(1990, 5, 17), row["sex"])
    return row


def csv_bytes(rows: list[dict], columns=COLUMNS, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode(encoding)


def stored() -> dict[str, dict]:
    """Every resident, by personal ID, with every column but the timestamps."""
    db.session.expire_all()
    skip = {"id", "created_at", "updated_at"}
    return {
        r.personal_id: {c.name: getattr(r, c.name) for c in Resident.__table__.columns if c.name not in skip}
        for r in db.session.scalars(select(Resident))
    }


def count_residents() -> int:
    return db.session.scalar(select(func.count()).select_from(Resident))


def job(job_id: int) -> ImportJob:
    db.session.expire_all()
    return db.session.get(ImportJob, job_id)


@pytest.fixture
def upload_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.fixture
def run_file(tmp_path):
    """Import bytes as a file; returns the finished job."""

    def run(content: bytes, name: str = "residents.csv", actor=None, progress=None):
        path = tmp_path / name
        path.write_bytes(content)
        with uow.command():
            job_id = resident_import.create_job(actor, name, len(content)).id
        return resident_import.run(job_id, path, progress)

    return run


def problems(job) -> list[tuple[int, str, str]]:
    """(row, field, English reason) of each reported problem."""
    return [(r["row"], r["field"], r["reason_en"]) for r in job.report]
