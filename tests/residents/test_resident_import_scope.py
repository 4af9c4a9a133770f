"""The resident file import, continued: who may import into which units (the importer's scope,
checked again when the worker runs), the stored rows against the API's, and the command line."""

import random
import re

import pytest
from sqlalchemy import select

from tests.support.imports import count_residents, csv_bytes, person, pid, problems, stored
from webapp.models import Resident, db
from webapp.services import uow
from webapp.services.residents import import_batches as resident_batches
from webapp.services.residents import import_jobs as resident_import
from webapp.services.residents import personal_id
from webapp.services.residents import registry as residents
from webapp.services.residents import rows as resident_rows

# Uploaded files of each test in its own folder (tests/support/imports.py).
pytestmark = pytest.mark.usefixtures("upload_dir")


# --- the importer's scope ---------------------------------------------------------------------


def test_a_police_lead_imports_only_into_their_subtree(world, run_file):
    elsewhere = world.resident(unit=world.commune_b)  # registered in commune B
    mine, outside = person(), person(permanent_unit="13301")
    moved_in = person(personal_id=elsewhere, full_name="Nguyễn Thị Lan", permanent_unit="13300")
    lodger = person(temporary_unit="13301")  # lives temporarily elsewhere: fine
    before = stored()[elsewhere]
    job = run_file(csv_bytes([mine, outside, moved_in, lodger]), actor=world.lead)
    assert (job.rows, job.created, job.updated, job.rejected) == (4, 2, 0, 2)
    assert [(p[0], p[1]) for p in problems(job)] == [(3, "permanent_unit"), (4, "personal_id")]
    assert "outside your scope" in problems(job)[0][2]
    assert "registered in a unit outside your scope" in problems(job)[1][2]
    assert stored()[elsewhere] == before
    assert set(stored()) == {elsewhere, mine["personal_id"], lodger["personal_id"]}


def test_a_resident_visible_through_the_temporary_unit_may_be_updated_by_the_lead(world, run_file):
    lodger = person(permanent_unit="13301", temporary_unit="13300")
    run_file(csv_bytes([lodger]))
    job = run_file(csv_bytes([{**lodger, "permanent_unit": "13300", "temporary_unit": ""}]), actor=world.lead)
    assert (job.updated, job.rejected) == (1, 0), job.report


def test_an_administrator_imports_anywhere(world, run_file):
    job = run_file(
        csv_bytes([person(permanent_unit="00004"), person(permanent_unit="13301")]), actor=world.admin
    )
    assert (job.created, job.rejected) == (2, 0)


def test_a_role_that_may_not_import_gets_no_job(world):
    for user in (world.police, world.justice, world.supervisor):
        with pytest.raises(resident_import.Forbidden), uow.command():
            resident_import.create_job(user, "r.csv", 10)


def test_an_importer_deactivated_before_the_run_writes_nothing(world, run_file, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes([person()]))
    with uow.command():
        job_id = resident_import.create_job(world.lead, "r.csv", 10).id
        world.lead.active = False
    job = resident_import.run(job_id, path)
    assert job.status == "failed" and "may not import" in resident_import.error_message(job).en
    assert count_residents() == 0


def test_the_stored_row_matches_what_the_api_would_store(world, run_file):
    """The fast path (Core upsert with pre-processed values) stores what the ORM path stores."""
    record = person(card_state="chip", card_issued_on="2021-06-15", temporary_unit="13301")
    run_file(csv_bytes([record]))
    by_file = stored()[record["personal_id"]]
    with uow.command():
        db.session.execute(Resident.__table__.delete())
    data = {
        **{k: v for k, v in record.items() if k != "personal_id"},
        "birth_date": "1990-05-17",
        "birth_date_precision": "day",
    }
    with uow.command():
        residents.upsert(None, record["personal_id"], data)
    assert stored()[record["personal_id"]] == by_file
    db.session.expire_all()
    resident = db.session.scalar(select(Resident))
    assert resident.created_at.tzinfo is not None and resident.updated_at >= resident.created_at


@pytest.mark.no_db
def test_the_quick_id_check_agrees_with_the_personal_id_rules():
    rng = random.Random(20250701)
    provinces = [*personal_id.BIRTH_PROVINCES, "003", "999"]
    for _ in range(20_000):
        year = rng.randrange(1900, 2400)
        if rng.random() < 0.5:
            pid = personal_id.make_personal_id(rng.choice(list(personal_id.BIRTH_PROVINCES)), year, "male", 1)
            pid = pid[:3] + rng.choice("0123456789") + pid[4:]  # any century/sex digit
        else:
            pid = rng.choice(provinces) + "".join(rng.choice("0123456789") for _ in range(9))
        record_year = rng.choice([None, year, year + 1, year - 100])
        sex = rng.choice([None, "male", "female"])
        assert list(resident_rows._id_problems(pid, record_year, sex)) == personal_id.problems(
            pid, record_year, sex
        ), (pid, record_year, sex)
    for odd in (None, 37190700001, "0371907000O1", "037190７00001", " 37190700001", "03719070000"):
        assert list(resident_rows._id_problems(odd, 1990, "female")) == personal_id.problems(
            odd, 1990, "female"
        )


# --- the command line ----------------------------------------------------------------------------


def test_the_command_imports_a_file_and_prints_a_summary(world, app, tmp_path):
    path = tmp_path / "residents.csv"
    path.write_bytes(csv_bytes([person(), person(sex="x", personal_id=pid()), person()]))
    result = app.test_cli_runner().invoke(args=["residents", "import", str(path), "--quiet"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert re.fullmatch(r"import \d+: 3 rows, 2 created, 0 updated, 1 rejected, 0 flagged \(.*\)", lines[0])
    assert lines[1].startswith("rejected rows: ") and lines[1].endswith("-report.csv")
    assert count_residents() == 2
    again = app.test_cli_runner().invoke(args=["residents", "import", str(path), "--quiet"])
    assert again.exit_code == 0 and "0 created, 2 updated, 1 rejected" in again.output


def test_the_command_shows_a_progress_bar(world, app, tmp_path, monkeypatch):
    monkeypatch.setattr(resident_batches, "BATCH", 2)
    path = tmp_path / "residents.csv"
    path.write_bytes(csv_bytes([person() for _ in range(5)]))
    result = app.test_cli_runner().invoke(args=["residents", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "residents.csv: 100%" in result.output and "rows=5" in result.output


def test_the_command_exits_non_zero_when_the_file_is_refused(world, app, tmp_path):
    path = tmp_path / "residents.csv"
    path.write_bytes(b"hello,world\r\n1,2\r\n")
    result = app.test_cli_runner().invoke(args=["residents", "import", str(path), "--quiet"])
    assert result.exit_code == 1
    assert "Dòng tiêu đề không đúng định dạng" in result.output and "missing columns" in result.output
    missing = app.test_cli_runner().invoke(args=["residents", "import", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and count_residents() == 0
