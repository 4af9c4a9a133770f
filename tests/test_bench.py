"""The benchmarks run end to end on tiny databases, so that they cannot rot: the seeder (bulk
rows that the pages read as they read real ones, under the profile of each benchmark) and the timing
of every page. SQLite only: on PostgreSQL the benchmark drops and rebuilds the schema of the
database it is given, which must not be the test database."""

import json
import random
import tempfile
from collections import Counter

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from bench import dashboard
from bench.profiles import DASHBOARD, WEB
from bench.seed import Seeder
from webapp import create_app
from webapp.models import Case, CaseEvent, CaseTask, Resident, StageCount, db

pytestmark = pytest.mark.no_db


def test_the_benchmark_prints_its_figures_for_every_page(capsys):
    assert dashboard.run(300, 2, ["sqlite"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    last = json.loads(out[-1])
    assert set(last) == {"cases", "progress_p95_ms", "stuck_p95_ms"} and last["cases"] == 300
    assert last["progress_p95_ms"] > 0
    text = "\n".join(out)
    for page in ("province", "commune"):
        assert f"\n  {page} " in text, text
    if last["stuck_p95_ms"] is None:  # the stuck-cases page is not in this build yet
        assert "stuck     no such page" in text
    assert "seeded 361 residents, 301 cases" in text


def test_the_seeded_cases_stand_where_the_2021_picture_says():
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/s.sqlite", "SECRET_KEY": "t",
                          "PASSWORD_HASH_METHOD": "argon2id:m=64,t=1,p=1"})  # fmt: skip
        with app.app_context():
            upgrade()
            world = Seeder(2000, random.Random(7)).run()
            cases = db.session.scalar(select(func.count()).select_from(Case))
            assert cases == 2001 and db.session.scalar(select(func.count()).select_from(Resident)) == 2401
            status = Counter(
                dict(db.session.execute(select(Case.status, func.count()).group_by(Case.status)).all())
            )
            steps = Counter(
                dict(
                    db.session.execute(
                        select(Case.current_steps, func.count()).group_by(Case.current_steps)
                    ).all()
                )
            )
            approved = status["issued"] + sum(
                steps[s] for s in ("await_card_production", "receive_card", "hand_over_card")
            )
            produced = status["issued"] + steps["receive_card"] + steps["hand_over_card"]
            assert 0.60 < approved / cases < 0.70 and 0.16 < produced / cases < 0.24
            # one ready task per open case at a user step, a good share of them overdue
            open_at_tasks = (
                sum(n for s, n in steps.items() if s and s != "await_card_production") - status["error"]
            )
            tasks = db.session.scalar(select(func.count()).select_from(CaseTask))
            assert tasks == open_at_tasks and world.overdue_tasks > tasks / 3
            # the stage counts agree with the cases: every application counted once, on its day
            applied = db.session.scalar(
                select(func.sum(StageCount.count)).where(StageCount.stage == "applied")
            )
            assert applied == cases
            issued = db.session.scalar(select(func.sum(StageCount.count)).where(StageCount.stage == "issued"))
            assert issued == status["issued"]
            # the audit trail the stuck list reads: a start per case, a claim per held task
            held = db.session.scalar(select(func.count()).where(CaseTask.assignee_id.is_not(None)))
            actions = dict(
                db.session.execute(select(CaseEvent.action, func.count()).group_by(CaseEvent.action)).all()
            )
            # (the case started through the services holds its first task without a claim)
            assert actions["started"] == cases and actions["claimed"] == held - 1
            assert set(world.where) <= {s or st for st, s in DASHBOARD.where}
            db.session.remove()
            db.engine.dispose()


def test_the_web_profile_writes_every_case_history_the_case_page_reads():
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/w.sqlite", "SECRET_KEY": "t",
                          "PASSWORD_HASH_METHOD": "argon2id:m=64,t=1,p=1"})  # fmt: skip
        with app.app_context():
            upgrade()
            world = Seeder(600, random.Random(11), WEB).run()
            status = dict(db.session.execute(select(Case.status, func.count()).group_by(Case.status)).all())
            assert 0.3 < status["issued"] / 601 < 0.5 and set(status) == {"open", "issued"}
            # an issued case went through every step: its hand-over is in its audit trail
            handed = db.session.scalar(
                select(func.count(func.distinct(CaseEvent.case_id))).where(
                    CaseEvent.action == "completed", CaseEvent.step == "hand_over_card"
                )
            )
            assert handed == status["issued"]
            # the officer measured works in the busiest commune, whose police queue was counted
            police = db.session.scalar(
                select(func.count())
                .select_from(CaseTask)
                .where(CaseTask.department == "police", CaseTask.unit_path == world.commune_path)
            )
            assert police == world.queue_size > 0 and len(world.case_codes) > 0
            db.session.remove()
            db.engine.dispose()


def test_the_import_benchmark_writes_a_file_the_import_takes(capsys):
    from bench import imports

    assert imports.run(1200, ["sqlite"]) == 0
    out = capsys.readouterr().out
    # one row in a thousand has ID digits that disagree with its birth year, on purpose
    assert "1,199 created, 0 updated, 1 rejected; 1,199 stored" in out, out


def test_the_http_benchmark_drives_whole_cases_through_gunicorn(capsys):
    """Two gunicorn nodes on SQLite, one and two clients, two cases each: every case issued."""
    from bench import http

    assert http.run([1, 2], ["sqlite"], nodes=2, per_client=1, min_cases=2) == 0
    out = capsys.readouterr().out.strip().splitlines()
    last = json.loads(out[-1])
    assert last["errors"] == 0 and last["clients"] == [1, 2] and last["nodes"] == 2
    assert set(last["completions_per_s"]) == {"sqlite/1", "sqlite/2"}
    assert all(rate > 0 for rate in last["completions_per_s"].values())
    assert all(ms > 0 for ms in last["complete_p95_ms"].values())
    text = "\n".join(out)
    assert " 1 client(s): 2 cases issued" in text and " 2 client(s): 2 cases issued" in text
    for kind in ("start", "read", "complete", "callback"):
        assert f"     {kind} " in text


def test_the_engine_benchmark_prints_its_figures(capsys):
    """Two cases on each path: the figures print, every command after the start finds its
    workflow in the cache, and a completion runs no more statements than the command tests
    count (tests/cases/test_command_statements.py): a lazy load or an extra write shows here."""
    from bench import engine

    assert engine.run(2) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last["raw_per_s"] > 0 and last["persisted_per_s"] > 0 and last["ratio"] > 0
    assert last["cache_hit_rate"] == 1.0
    # One visit adds a row: intake makes two tasks (biometrics beside the justice office).
    assert last["statements_per_completion"] <= 6.8, last
