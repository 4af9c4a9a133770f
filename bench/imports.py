"""Import benchmark: generate a resident CSV file of N rows and import it through the service
(webapp/services/residents/import_jobs.py), as `flask residents import` does.

The file looks like a real one from a province: Vietnamese names, today's ward codes of Ninh
Bình and some older (pre-2025) codes through the crosswalk, a few incomplete birth dates, dates
written both YYYY-MM-DD and dd/mm/yyyy, chip and CMND holders, and one row in a thousand invalid
(a birth year that disagrees with the ID), which the report lists. The database is a fresh SQLite
file and, when TEST_DATABASE_URL names a PostgreSQL server, also PostgreSQL, in a database
``bench_import`` created for the run and dropped after it. Generating the file is not timed; the
import (scan of the file, validation, batched upserts, progress on the job row) is. The last line
is JSON: {"rows", "seconds", "rows_per_s"} of the slowest database.
"""

import csv
import json
import logging
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from .common import databases_to_run, postgres_database
from .profiles import BIRTH_PROVINCES, GIVEN, MIDDLE, SURNAMES, weighted

PROVINCE = 37  # Ninh Bình: all its wards
PG_DATABASE = "bench_import"
TARGET_SECONDS_PER_MILLION = 120
OLD_CODES = 20  # older commune codes mapped to today's wards through the crosswalk


def write_file(path: Path, rows: int, ward_codes: list[str], old_codes: list[str], rng: random.Random) -> int:
    """The CSV file; returns how many rows are invalid on purpose."""
    from webapp.services.residents.files import COLUMNS
    from webapp.services.residents.personal_id import make_personal_id

    surnames, weights = weighted(SURNAMES)
    middles = {sex: weighted(MIDDLE[sex]) for sex in MIDDLE}
    given = {sex: GIVEN[sex].split() for sex in GIVEN}
    first_day = date(1935, 1, 1)
    span = (date(2012, 12, 31) - first_day).days
    invalid = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.DictWriter(f, COLUMNS)
        out.writeheader()
        for i in range(rows):
            sex = "male" if rng.random() < 0.5 else "female"
            name = " ".join(
                (
                    rng.choices(surnames, weights)[0],
                    rng.choices(*middles[sex])[0],
                    rng.choice(given[sex]),
                )
            )
            born = first_day + timedelta(days=rng.randrange(span))
            roll = rng.random()
            if roll < 0.03:
                precision, written = "year", str(born.year)
            elif roll < 0.05:
                precision, written = "month", f"{born.month:02d}/{born.year}"
            elif roll < 0.5:
                precision, written = "", born.strftime("%d/%m/%Y")
            else:
                precision, written = "day", born.isoformat()
            pid = make_personal_id(rng.choice(BIRTH_PROVINCES), born.year, sex, i % 1_000_000)
            if i % 1000 == 999:  # an unknown birth province: refused (an ID that disagrees is only flagged)
                pid, invalid = "999" + pid[3:], invalid + 1
            ward = rng.choice(old_codes) if rng.random() < 0.05 else rng.choice(ward_codes)
            card, issued = "none", ""
            if born.year < 2008:
                pick = rng.random()
                if pick < 0.5:
                    card = "cmnd"
                elif pick < 0.8:
                    card = "chip"
                    issued = (date(2021, 3, 1) + timedelta(days=rng.randrange(1500))).isoformat()
            out.writerow(
                {
                    "personal_id": pid,
                    "old_id_number": f"{rng.randrange(10**8, 10**9)}" if card == "cmnd" else "",
                    "full_name": name,
                    "birth_date": written,
                    "birth_date_precision": precision,
                    "sex": sex,
                    "ethnicity": "Kinh" if rng.random() < 0.9 else "Mường",
                    "household_id": f"HK{ward}{i // 4:07d}",
                    "permanent_unit": ward,
                    "temporary_unit": rng.choice(ward_codes) if rng.random() < 0.02 else "",
                    "status": "deceased" if rng.random() < 0.005 else "alive",
                    "card_state": card,
                    "card_issued_on": issued,
                }
            )
    return invalid


def one_database(label: str, uri: str, rows: int, workdir: Path) -> dict:
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.models import Resident, UnitCrosswalk, db
    from webapp.services import uow
    from webapp.services.accounts import units
    from webapp.services.residents import import_jobs

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "UPLOAD_DIR": str(workdir / f"up-{label}")}
    )
    for name in ("webapp", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    with app.app_context():
        upgrade()
        with uow.command():
            _root, wards = units.load_province(PROVINCE)
            for n, ward in enumerate(wards[:OLD_CODES]):
                db.session.add(
                    UnitCrosswalk(
                        old_code=f"9{n:04d}", old_name=f"Xã cũ {n}", old_level="commune", unit_id=ward.id
                    )
                )
        ward_codes = [w.code for w in wards]
        old_codes = [f"9{n:04d}" for n in range(min(OLD_CODES, len(wards)))]
        path = workdir / "residents.csv"
        if not path.exists():
            started = time.perf_counter()
            invalid = write_file(path, rows, ward_codes, old_codes, random.Random(20250701))
            print(
                f"  generated {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB, {invalid} invalid) "
                f"in {time.perf_counter() - started:.1f} s"
            )
        with uow.command():
            job_id = import_jobs.create_job(None, path.name, path.stat().st_size).id
        started, cpu = time.perf_counter(), time.process_time()
        job = import_jobs.run(job_id, path)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        stored = db.session.scalar(db.select(db.func.count()).select_from(Resident))
        assert job.status == "done", import_jobs.error_message(job)
        print(
            f"[{label}] {job.rows:,} rows in {seconds:.1f} s = {job.rows / seconds:,.0f} rows/s: "
            f"{job.created:,} created, {job.updated:,} updated, {job.rejected:,} rejected; {stored:,} stored"
        )
        print(
            f"  {cpu:.1f} s of CPU in this process (both threads; other load on the machine stretches "
            f"the wall time, not this)"
        )
        db.session.remove()
        db.engine.dispose()
    return {"rows": job.rows, "seconds": round(seconds, 1), "rows_per_s": round(job.rows / seconds)}


def run(rows: int, databases: list[str] | None = None) -> int:
    if not 1 <= rows <= 1_000_000:  # ID serials have six digits
        raise SystemExit("--rows must be between 1 and 1000000")
    pg_url, databases = databases_to_run(databases)
    print(f"import benchmark: {rows:,} residents on {' and '.join(databases)}")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for name in databases:
            if name == "postgresql":
                with postgres_database(pg_url, PG_DATABASE) as uri:
                    results.append(one_database(name, uri, rows, workdir))
            else:
                results.append(one_database(name, f"sqlite:///{workdir}/bench.sqlite", rows, workdir))
    slowest = min(results, key=lambda r: r["rows_per_s"])
    limit = TARGET_SECONDS_PER_MILLION * rows / 1_000_000
    if slowest["seconds"] > limit:
        print(f"  over the target of {limit:.0f} s")
    print(json.dumps(slowest))
    return 0
