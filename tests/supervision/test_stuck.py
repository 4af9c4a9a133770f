"""The stuck-cases list: each reason, the filters, working-day cutoffs across holidays, scope."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.cases import CLEAN, DOB, case, do, start, task_of
from tests.support.stuck import BPMN, MONDAY, at, error_case, to_production
from vntime import LOCAL_TZ, add_working_days, working_days_between
from webapp.models import StepTarget, db
from webapp.services import workflow_store
from webapp.services.cases import commands, tasks
from webapp.services.errors import NotFound
from webapp.services.supervision import stuck, stuck_query
from webapp.services.uow import command
from workflows import load_bundle


def listed(user, **filters) -> list[tuple[str, str | None, list[str]]]:
    page = stuck.page(user, stuck.Filters(**filters))
    return [(r.case.code, r.step, r.reasons) for r in page.rows]


def codes(user, **filters) -> set[str]:
    return {code for code, _step, _reasons in listed(user, **filters)}


def set_idle(step: str, days: int | None, target: int | None = None):
    with command():
        db.session.merge(StepTarget(step=step, idle_days=days, target_days=target))


# -- working days as cutoffs ----------------------------------------------------------------------
@pytest.mark.no_db
def test_idle_cutoff_counts_working_days_across_a_holiday():
    # Thursday 3 September 2026: 31 August (bridge day), 1 and 2 September (National Day) are off,
    # so one working day of idleness reaches back to Thursday 27 August.
    now = datetime(2026, 9, 3, 10, 0, tzinfo=LOCAL_TZ).astimezone(UTC)
    cutoff = stuck.idle_cutoff(now, 1)
    assert cutoff == datetime(2026, 8, 28, 0, 0, tzinfo=LOCAL_TZ)
    # It agrees with how due dates are counted, on both sides of the cutoff.
    assert add_working_days(cutoff - timedelta(seconds=1), 1) < now
    assert add_working_days(cutoff, 1) >= now
    # (Counting Monday to Friday only, the cutoff would have been Wednesday 2 September.)
    # Zero working days: anything from the last working day (Friday 28 August) or earlier.
    assert stuck.idle_cutoff(now, 0) == datetime(2026, 8, 29, 0, 0, tzinfo=LOCAL_TZ)


@pytest.mark.no_db
@pytest.mark.parametrize("days", [0, 1, 2, 5, 10])
@pytest.mark.parametrize(
    "day", [datetime(2026, 2, 23, 8, 0), datetime(2026, 5, 4, 16, 0), datetime(2026, 10, 5, 9, 0)]
)
def test_idle_cutoff_is_the_edge_of_add_working_days(day, days):
    now = day.replace(tzinfo=LOCAL_TZ).astimezone(UTC)
    cutoff = stuck.idle_cutoff(now, days)
    assert add_working_days(cutoff - timedelta(seconds=1), days) < now <= add_working_days(cutoff, days)


@pytest.mark.no_db
def test_late_cutoff_counts_working_days_after_tet():
    # Monday 23 February 2026, after the Tết week (16-20 February). Due on Friday 13 or any day
    # off since: one working day late (today). Two days late reaches back over Tết to Thursday 12.
    now = datetime(2026, 2, 23, 10, 0, tzinfo=LOCAL_TZ).astimezone(UTC)
    assert stuck.late_cutoff(now, 1) == datetime(2026, 2, 23, 0, 0, tzinfo=LOCAL_TZ)
    assert stuck.late_cutoff(now, 2) == datetime(2026, 2, 13, 0, 0, tzinfo=LOCAL_TZ)
    assert stuck.late_cutoff(now, 3) == datetime(2026, 2, 12, 0, 0, tzinfo=LOCAL_TZ)


@pytest.mark.no_db
def test_cutoffs_agree_with_walking_back_day_by_day_and_stay_fast_a_year_back():
    """The cutoffs are found by binary search; walking back one day at a time (the plain way,
    quadratic in the days) gives the same moments, across Tết and the September holidays."""
    from webapp.services.supervision.cutoffs import _midnight

    def walked(now, days, holds):
        day = now.astimezone(LOCAL_TZ).date()
        while not holds(day, now, days):
            day -= timedelta(days=1)
        return _midnight(day + timedelta(days=1))

    def idle(d, now, days):
        return add_working_days(_midnight(d), days) < now

    def late(d, now, days):
        return working_days_between(_midnight(d), now) >= days

    for now in (datetime(2026, 2, 23, 10, 0), datetime(2026, 9, 3, 16, 0), datetime(2027, 1, 4, 8, 0)):
        now = now.replace(tzinfo=LOCAL_TZ).astimezone(UTC)
        for days in (0, 1, 3, 7, 20, 45):
            assert stuck.idle_cutoff(now, days) == walked(now, days, idle)
            assert stuck.late_cutoff(now, days) == walked(now, days, late)
    # The most the list accepts (365 working days, back to June 2025) is found the same way.
    now = datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL_TZ).astimezone(UTC)
    far = stuck.late_cutoff(now, stuck.MAX_DAYS)
    assert far == walked(now, stuck.MAX_DAYS, late) and far.astimezone(LOCAL_TZ).year == 2025


# -- each reason ----------------------------------------------------------------------------------
def test_an_overdue_task_is_stuck_and_a_task_on_time_is_not(world):
    with at(MONDAY):
        late = start(world.police, world.resident())
    with at(MONDAY + timedelta(days=2)):
        fresh = start(world.police, world.resident())
        rows = listed(world.supervisor)
    assert rows == [(late, "verify_application", ["overdue"])]
    assert fresh != late


def test_an_idle_task_is_stuck_before_its_limit_and_an_action_clears_it(world):
    with at(MONDAY):
        code = start(world.police, world.resident())
        do(world.police, code, "verify_application", DOB)
        do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})  # at the same visit
        do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": False})
        assert task_of(code, "await_citizen_documents").due_at > MONDAY + timedelta(days=13)
    set_idle("await_citizen_documents", 2)
    # Thursday: two full working days (Tuesday, Wednesday) without any action.
    with at(MONDAY + timedelta(days=3)):
        assert listed(world.supervisor) == [(code, "await_citizen_documents", ["idle"])]
        assert codes(world.supervisor, reason="overdue") == set()
        with command():
            tasks.claim(world.justice, task_of(code, "await_citizen_documents").id)
        assert codes(world.supervisor) == set()
    # Without a threshold nothing is idle.
    set_idle("await_citizen_documents", None)
    with at(MONDAY + timedelta(days=8)):
        assert codes(world.supervisor) == set()


def test_a_task_past_its_steps_target_is_stuck_whatever_was_done_meanwhile(world):
    with at(MONDAY):
        code = start(world.police, world.resident())
        do(world.police, code, "verify_application", DOB)
        do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})  # at the same visit
        do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": False})
    set_idle("await_citizen_documents", None, target=3)
    # Thursday: two working days at the step, within the target of three.
    with at(MONDAY + timedelta(days=3)):
        assert codes(world.supervisor) == set()
    # The next Monday: four working days, past the target; the legal limit is still far, and a
    # claim (an action) does not clear it, unlike idleness.
    with at(MONDAY + timedelta(days=7)):
        with command():
            tasks.claim(world.justice, task_of(code, "await_citizen_documents").id)
        assert listed(world.supervisor) == [(code, "await_citizen_documents", ["target"])]
        assert codes(world.supervisor, reason="target") == {code}
        assert codes(world.supervisor, reason="overdue") == set()
        assert codes(world.supervisor, reason="idle") == set()
        page = stuck.page(world.supervisor, stuck.Filters())
        assert page.counts["target"] == 1 and page.counts["idle"] == 0
    # Without a target the same task is not stuck.
    set_idle("await_citizen_documents", None, target=None)
    with at(MONDAY + timedelta(days=7)):
        assert codes(world.supervisor) == set()


def test_a_task_of_an_older_diagram_with_a_longer_limit_is_still_listed(world, monkeypatch):
    """The list bounds due_at by the step's limit to read its index in order; a case started on
    an older version whose limit was longer (30 working days) must not fall outside that bound."""
    sources = {p.name: p.read_text(encoding="utf-8") for p in BPMN.iterdir() if p.suffix in (".bpmn", ".dmn")}
    one_day = '<outputEntry id="step_time_limit_r0_o0"><text>1</text></outputEntry>'
    assert one_day in sources["step_time_limits.dmn"]
    sources["step_time_limits.dmn"] = sources["step_time_limits.dmn"].replace(
        one_day, one_day.replace(">1<", ">30<")
    )
    older = load_bundle(sources)
    engine = workflow_store.engine()
    engine.add_bundle(older)
    with at(MONDAY), monkeypatch.context() as m:
        m.setattr(engine, "current", older)
        code = start(world.police, world.resident())
    set_idle("verify_application", 2, target=3)
    with at(MONDAY + timedelta(days=9)):  # seven working days on: idle, past target, not late
        assert listed(world.supervisor) == [(code, "verify_application", ["target", "idle"])]
        assert codes(world.supervisor, unit="13300") == {code}


def test_a_case_in_error_is_stuck(world, monkeypatch):
    code = error_case(world, monkeypatch)
    rows = listed(world.supervisor)
    assert rows == [(code, "gw_needs_justice", ["error"])]
    assert codes(world.supervisor, reason="error") == {code}
    assert codes(world.supervisor, reason="overdue") == set()


def test_a_case_waiting_on_production_past_its_limit_is_stuck(world):
    with at(MONDAY):
        code = to_production(world)
    deadline = case(code).next_timer_at
    with at(deadline - timedelta(hours=1)):
        assert codes(world.supervisor) == set()
    with at(deadline + timedelta(minutes=5)):
        # Due but not fired yet (the worker is behind): already stuck.
        assert listed(world.supervisor) == [(code, "await_card_production", ["production"])]
        with command():
            commands.fire_timers(commands.claim_due_case())
        assert case(code).next_timer_at is None
        # Fired and escalated: still waiting on production, still stuck.
        assert listed(world.supervisor, reason="production") == [
            (code, "await_card_production", ["production"])
        ]
        assert codes(world.supervisor, department="production") == {code}
        assert codes(world.supervisor, department="police") == set()


# -- filters, sort, pages -------------------------------------------------------------------------
@pytest.fixture
def mixed(world):
    """Overdue tasks at two steps in two communes, one of them later than the other."""
    with at(MONDAY - timedelta(days=14)):
        old_a = start(world.police, world.resident())
    with at(MONDAY):
        new_b = start(world.police_b, world.resident(unit=world.commune_b))
        bio_a = start(world.police, world.resident())
        do(world.police, bio_a, "verify_application", CLEAN)
    return {"old_a": old_a, "new_b": new_b, "bio_a": bio_a}


def test_filters_by_unit_step_department_reason_and_age(world, mixed):
    with at(MONDAY + timedelta(days=7)):
        assert codes(world.supervisor) == set(mixed.values())
        assert codes(world.supervisor, unit="13301") == {mixed["new_b"]}
        assert codes(world.supervisor, step="capture_biometrics") == {mixed["bio_a"]}
        assert codes(world.supervisor, department="police") == set(mixed.values())
        assert codes(world.supervisor, department="justice") == set()
        assert codes(world.supervisor, reason="idle") == set()
        # Ten working days late: only the case started two weeks earlier.
        assert codes(world.supervisor, min_days=10) == {mixed["old_a"]}
        page = stuck.page(world.supervisor, stuck.Filters())
        assert page.total == 3
        assert page.counts == {"overdue": 3, "target": 0, "idle": 0, "error": 0, "production": 0}


def test_sorts_most_overdue_first_oldest_case_first_and_by_unit(world, mixed):
    with at(MONDAY + timedelta(days=7)):
        most_late = [c for c, _s, _r in listed(world.supervisor)]
        assert most_late[0] == mixed["old_a"]
        oldest = [c for c, _s, _r in listed(world.supervisor, sort="oldest")]
        assert oldest == [mixed["old_a"], mixed["new_b"], mixed["bio_a"]]
        by_unit = [c for c, _s, _r in listed(world.supervisor, sort="unit")]
        assert by_unit[-1] == mixed["new_b"]  # commune 13301 after 13300


def test_pages_of_fifty_and_a_capped_count(world, monkeypatch):
    monkeypatch.setattr(stuck, "PER_PAGE", 2)
    monkeypatch.setattr(stuck_query, "COUNT_CAP", 3)
    with at(MONDAY):
        made = [start(world.police, world.resident()) for _ in range(5)]
    with at(MONDAY + timedelta(days=7)):
        first = stuck.page(world.supervisor, stuck.Filters())
        third = stuck.page(world.supervisor, stuck.Filters(page=2))
    assert first.total == 4 and first.capped and first.pages == 2  # 3 shown as "3+" over 2 pages
    assert {r.case.code for r in first.rows + third.rows} <= set(made)
    assert not {r.case.code for r in first.rows} & {r.case.code for r in third.rows}


def test_filters_from_a_query_string_ignore_what_they_do_not_know():
    f = stuck.Filters.from_args(
        {
            "step": "nope",
            "reason": "bored",
            "sort": "random",
            "min_days": "-3",
            "page": "x",
            "department": "x",
        }
    )
    assert f == stuck.Filters()
    f = stuck.Filters.from_args(
        {"step": "approve_application", "reason": "idle", "min_days": "4", "page": "2"}
    )
    assert (f.step, f.reason, f.min_days, f.page) == ("approve_application", "idle", 4, 2)
    assert f.args(page=None) == {"step": "approve_application", "reason": "idle", "min_days": 4}


# -- scope ----------------------------------------------------------------------------------------
def test_a_lead_sees_its_own_commune_only(world, mixed):
    with at(MONDAY + timedelta(days=7)):
        assert codes(world.lead) == {mixed["old_a"], mixed["bio_a"]}
        with pytest.raises(NotFound):
            stuck.page(world.lead, stuck.Filters(unit="13301"))
        with pytest.raises(NotFound):
            stuck.page(world.supervisor, stuck.Filters(unit="00004"))  # another province
        with pytest.raises(NotFound):
            stuck.page(world.supervisor, stuck.Filters(unit="99999"))


def test_export_streams_every_row_in_order(world, mixed):
    with at(MONDAY + timedelta(days=7)):
        rows = list(stuck.all_rows(world.supervisor, stuck.Filters(), batch=2))
    assert [r.case.code for r in rows][0] == mixed["old_a"] and len(rows) == 3
