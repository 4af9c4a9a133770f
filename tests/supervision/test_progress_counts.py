"""The counts behind the progress figures (services/supervision/stage_counts.py): kept in step
with every change of a case, residents counted once a day and on request, and cases moved in
opposite directions at once never deadlock."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import OperationalError

from tests.support.cases import start, transferred
from webapp.models import Case, StageCount, Unit, db
from webapp.models.progress import CaseCount
from webapp.services.errors import Forbidden
from webapp.services.supervision import progress, stage_counts
from webapp.services.uow import command

# --- the counts behind the figures ------------------------------------------------------------


def grouped_cases() -> dict:
    rows = db.session.execute(
        select(Case.unit_id, Case.status, Case.current_steps, func.count()).group_by(
            Case.unit_id, Case.status, Case.current_steps
        )
    )
    return {(u, s, c): n for u, s, c, n in rows}


def kept_counts() -> dict:
    db.session.expire_all()
    rows = db.session.execute(select(CaseCount.unit_id, CaseCount.status, CaseCount.steps, CaseCount.count))
    return {(u, s, c): n for u, s, c, n in rows if n}


def test_case_counts_follow_every_change_of_a_case(campaign, app):
    w = campaign
    assert kept_counts() == grouped_cases() and sum(kept_counts().values()) == 6
    transferred(w, w.codes["justice"])
    assert kept_counts() == grouped_cases()
    # Whatever writes the cases table, by any path, is counted: a bulk update, a delete.
    with command():
        db.session.execute(
            update(Case).where(Case.status == "issued").values(status="withdrawn", current_steps="")
        )
        db.session.execute(delete(Case).where(Case.code == w.codes["waiting"]))
    assert kept_counts() == grouped_cases()
    assert progress.page(w.supervisor, "37").figures.total.issued == 0

    with command():
        db.session.execute(update(CaseCount).values(count=99))  # a repair is one command away
    result = app.test_cli_runner().invoke(args=["stats", "rebuild-daily"])
    assert result.exit_code == 0, result.output
    assert "case counts rebuilt: 5 cases" in result.output
    assert kept_counts() == grouped_cases()


def test_resident_figures_are_counted_once_a_day_and_on_request(campaign):
    w = campaign
    assert progress.page(w.supervisor, "37").figures.total.eligible == 7
    db.session.commit()
    w.resident()
    w.resident(unit=w.commune_b)
    # The same day, a lead's view of a commune counted with the province reads the same figures.
    assert progress.page(w.supervisor, "37").figures.total.eligible == 7
    assert progress.page(w.lead, None).figures.total.eligible == 5
    with pytest.raises(Forbidden):
        progress.page(w.lead, None, recount=True)
    assert progress.page(w.supervisor, "13301", recount=True).figures.total.eligible == 3
    # A recount of a commune leaves its province's day figure as it was counted.
    assert progress.page(w.supervisor, "37").figures.total.eligible == 8
    assert progress.page(w.supervisor, "37", recount=True).figures.total.eligible == 9
    today = stage_counts.local_day(datetime.now(UTC))
    rows = db.session.execute(
        select(Unit.code, StageCount.count)
        .join(Unit, Unit.id == StageCount.unit_id)
        .where(StageCount.day == today, StageCount.stage == "eligible")
    )
    assert dict(rows.all()) == {"37": 0, "13300": 6, "13301": 3}
    # The throughput is not disturbed by the day's resident figures.
    assert progress.page(w.supervisor, "37").throughput.total("applied") == 6


def test_a_province_counted_on_an_earlier_day_shows_that_day_and_a_commune_is_recounted(world):
    w = world
    w.resident()
    yesterday = stage_counts.local_day(datetime.now(UTC)) - timedelta(days=1)
    with command():
        stage_counts.add(
            {
                (yesterday, w.province.id, "eligible"): 0,
                (yesterday, w.province.id, "applied_res"): 0,  # the mark of a whole count
                (yesterday, w.commune_a.id, "eligible"): 40,
                (yesterday, w.commune_a.id, "eid_total"): 3,
                (yesterday, w.commune_b.id, "eligible"): 2,
            },
            replace=True,
        )
    province = progress.page(w.supervisor, "37").figures
    assert (province.total.eligible, province.total.eid_activated, province.residents_on) == (
        42,
        3,
        yesterday,
    )
    commune = progress.page(w.supervisor, "13300").figures  # small: counted again now
    assert (commune.total.eligible, commune.residents_on) == (1, yesterday + timedelta(days=1))
    fresh = progress.page(w.supervisor, "37", recount=True).figures
    assert (fresh.total.eligible, fresh.residents_on) == (1, yesterday + timedelta(days=1))


def test_cases_moved_in_opposite_directions_at_once_never_deadlock(app, world, postgres_only):
    """Each move decrements one count row and increments another: the trigger locks the two in
    key order. (Locked old-then-new, this test saw hundreds of deadlocks.)"""
    codes = [start(world.police, world.resident()) for _ in range(4)]
    ids = list(db.session.scalars(select(Case.id).where(Case.code.in_(codes))))
    deadlocks = []

    def move(case_id: int, phase: int):
        with app.app_context():
            try:
                for i in range(150):
                    step = ("capture_biometrics", "verify_application")[(i + phase) % 2]
                    try:
                        with command():
                            db.session.execute(
                                update(Case).where(Case.id == case_id).values(current_steps=step)
                            )
                    except OperationalError as exc:
                        deadlocks.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=move, args=(case_id, n % 2)) for n, case_id in enumerate(ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert deadlocks == []
    assert kept_counts() == grouped_cases()
