"""Shared by tests/test_resident_import.py and tests/test_import_web.py (no tests here): resident
files built row by row, and the state of the registry to compare before and after."""

import csv
import io
from datetime import date

from sqlalchemy import func, select

from webapp.models import ImportJob, Resident, db
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
