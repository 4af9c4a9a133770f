"""Progress figures per unit with drill-down, throughput, forecast, backlog, quotas and the
daily report, exact on a small world."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.support.cases import CLEAN, case, do, finish_from_biometrics, start
from tests.support.vneid import EVERY_STATUS, NONE, chip_holder, in_every_status
from tests.support.vneid import start as start_vneid
from webapp.models import CaseTask, StageCount, Unit, db
from webapp.services.cases import commands
from webapp.services.errors import Forbidden, Invalid, NotFound
from webapp.services.supervision import progress, progress_chart, progress_flow, stage_counts
from webapp.services.uow import command
from webapp.services.vneid import requests as vneid


def figures(f) -> dict:
    return {
        name: getattr(f, name)
        for name in ("eligible", "applied", "with_justice", "approved", "produced", "issued", "eid_activated")
    }


def test_province_figures_and_each_commune_exactly(campaign):
    page = progress.page(campaign.supervisor, "37")
    assert figures(page.figures.total) == {
        # A: 4 applied + 1 who must; B: 1 applied + the withdrawn one, who still must apply.
        "eligible": 7,
        "applied": 5,
        "with_justice": 1,
        "approved": 3,
        "produced": 2,
        "issued": 1,
        "eid_activated": 1,
    }
    by_code = {f.unit.code: figures(f) for f in page.figures.children}
    assert by_code == {
        "13300": {
            "eligible": 5,
            "applied": 4,
            "with_justice": 1,
            "approved": 3,
            "produced": 2,
            "issued": 1,
            "eid_activated": 1,
        },
        "13301": {
            "eligible": 2,
            "applied": 1,
            "with_justice": 0,
            "approved": 0,
            "produced": 0,
            "issued": 0,
            "eid_activated": 0,
        },
    }
    assert [u.code for u in page.figures.trail] == ["37"]


def test_drill_down_to_a_commune(campaign):
    page = progress.page(campaign.supervisor, "13300")
    assert page.figures.total.applied == 4 and page.figures.children == []
    assert [u.code for u in page.figures.trail] == ["37", "13300"]


def test_own_unit_by_default_and_scope(campaign):
    assert progress.page(campaign.lead, None).unit.code == "13300"
    for code in ("37", "13301", "01", "00004", "nope"):
        with pytest.raises(NotFound):
            progress.page(campaign.lead, code)
    with pytest.raises(NotFound):
        progress.page(campaign.supervisor, "00004")
    for user in (campaign.police, campaign.justice, campaign.approval, campaign.production):
        with pytest.raises(Forbidden):
            progress.page(user, None)


def test_percentages_keep_their_parts(campaign):
    with command():
        progress.set_quota(campaign.supervisor, "37", "8")
    total = progress.page(campaign.supervisor, "37").figures.total
    assert (total.of_quota.num, total.of_quota.den, total.of_quota.value) == (5, 8, 0.625)
    assert (total.of_eligible.num, total.of_eligible.den) == (5, 7)
    assert total.of_applied("issued").value == pytest.approx(0.2)
    assert progress.page(campaign.supervisor, "13301").figures.total.of_quota.value is None


# --- backlog and the diagram ------------------------------------------------------------------


def test_backlog_per_step_and_department(campaign):
    w = campaign
    page = progress.page(w.supervisor, "37")
    assert [(r.step, r.department, r.waiting) for r in page.backlog] == [
        ("verify_application", "police", 1),
        ("triage_correction", "justice", 1),
        ("await_card_production", "production", 1),
        ("receive_card", "police", 1),
    ]
    assert page.departments == [("police", 2), ("justice", 1), ("production", 1)]
    # The same figures as the ready tasks of the task projection.
    ready = dict(db.session.execute(select(CaseTask.step, func.count()).group_by(CaseTask.step)).all())
    assert ready == {r.step: r.waiting for r in page.backlog if r.department != "production"}
    assert page.diagram == {
        "main": {
            "verify_application": 1,
            "await_card_production": 1,
            "receive_card": 1,
            "call_civil_status_correction": 1,
        },
        "justice": {"triage_correction": 1},
    }
    commune_b = progress.page(w.supervisor, "13301")
    assert [(r.step, r.waiting) for r in commune_b.backlog] == [("verify_application", 1)]


# --- throughput and forecast ------------------------------------------------------------------


def test_throughput_covers_thirty_days_of_the_subtree(campaign):
    w = campaign
    today = stage_counts.local_day(datetime.now(UTC))
    with command():
        stage_counts.add(
            {
                (today - timedelta(days=29), w.commune_b.id, "applied"): 4,
                (today - timedelta(days=30), w.commune_b.id, "applied"): 100,  # outside the window
                (today - timedelta(days=3), w.other_commune.id, "applied"): 50,  # another province
            }
        )
    flow = progress_flow.throughput(w.province, today)
    assert len(flow.days) == 30 and flow.days[-1] == today and flow.days[0] == today - timedelta(days=29)
    assert flow.series["applied"][0] == 4
    assert flow.series["applied"][-1] == 6  # every case of the campaign started today
    assert flow.total("applied") == 10 and flow.total("applied", 7) == 6
    assert flow.series["issued"][-1] == 1 and flow.series["eid_activated"][-1] == 1
    assert progress_flow.throughput(w.commune_b, today).total("applied") == 6


def test_forecast_at_the_last_weeks_pace():
    today = date(2021, 4, 20)
    assert progress_flow.forecast(None, 10, 7, today) is None
    # 315,913 of 498,794 with 7,000 in the last 7 days: 182,881 left at 1,000 a day.
    f = progress_flow.forecast(498_794, 315_913, 7_000, today)
    assert (f.rate, f.days_left, f.on, f.reached, f.unreachable) == (
        1000,
        183,
        date(2021, 10, 20),
        False,
        False,
    )
    # A pace that does not divide evenly rounds up to a whole day.
    assert progress_flow.forecast(10, 0, 3, today).days_left == 24  # 10 / (3/7) = 23.3
    zero = progress_flow.forecast(100, 40, 0, today)
    assert zero.unreachable and zero.on is None and zero.days_left is None
    done = progress_flow.forecast(100, 100, 0, today)
    assert done.reached and not done.unreachable and done.on == today
    assert progress_flow.forecast(0, 0, 0, today).reached


def test_the_page_forecast_uses_the_quota_and_the_weeks_applications(campaign):
    w = campaign
    assert progress.page(w.supervisor, "37").forecast is None
    with command():
        progress.set_quota(w.supervisor, "37", "12")
    f = progress.page(w.supervisor, "37").forecast
    # 5 applied, 6 applications this week (the withdrawn one counts as received): 7 left at 6/7 a day.
    assert (f.applied, f.last_days, f.days_left) == (5, 6, 9)


def test_chart_geometry():
    assert [progress_chart.nice_ceiling(v) for v in (0, 3, 6, 10, 11, 48, 120, 999)] == [
        5,
        5,
        10,
        10,
        20,
        50,
        200,
        1000,
    ]
    flow = progress_flow.Throughput(
        [date(2026, 1, 1) + timedelta(days=n) for n in range(3)], {"applied": [0, 5, 10], "issued": [0, 0, 0]}
    )
    chart = progress_chart.chart(flow, ("applied", "issued"))
    left, top, right, bottom = chart.plot
    assert (
        chart.lines[0].points
        == f"{left}.0,{bottom}.0 {(left + right) / 2},{(top + bottom) / 2} {right}.0,{top}.0"
    )
    assert chart.lines[0].total == 15 and chart.y_ticks[-1] == (top, 10)


# --- quotas -----------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["abc", "-1", "1.5", "12.34", "1,2345", "٣", "100000001", "1e6", "12 3"])
def test_a_bad_quota_names_the_field_and_changes_nothing(world, raw):
    with command():
        progress.set_quota(world.supervisor, "13300", "40")
    with pytest.raises(Invalid) as caught, command():
        progress.set_quota(world.supervisor, "13300", raw)
    assert list(caught.value.fields) == ["quota"]
    assert "whole number from 0" in caught.value.fields["quota"][0].en
    db.session.expire_all()
    assert db.session.scalar(select(Unit.quota).where(Unit.code == "13300")) == 40


@pytest.mark.parametrize(
    ("raw", "value"),
    [("498794", 498794), ("498.794", 498794), ("498,794", 498794), ("0", 0), ("", None), ("  ", None)],
)
def test_a_quota_is_a_whole_number_or_nothing(world, raw, value):
    with command():
        progress.set_quota(world.admin, "37", raw)
    db.session.expire_all()
    assert db.session.scalar(select(Unit.quota).where(Unit.code == "37")) == value


def test_only_supervisors_and_admins_set_quotas_in_their_scope(world):
    with pytest.raises(Forbidden):
        progress.set_quota(world.lead, "13300", "10")
    with pytest.raises(NotFound):
        progress.set_quota(world.supervisor, "00004", "10")
    db.session.rollback()
    assert db.session.scalar(select(Unit.quota).where(Unit.code == "13300")) is None


# --- the daily report -------------------------------------------------------------------------


def test_daily_report_gives_todays_figures_and_changes_per_commune(campaign):
    w = campaign
    yesterday = stage_counts.local_day(datetime.now(UTC)) - timedelta(days=1)
    with command():
        stage_counts.add({(yesterday, w.commune_a.id, "applied"): 9})  # not today's change
    report = progress.report(w.supervisor, "37")
    rows = {r.figures.unit.code: r for r in report.rows}
    assert rows["13300"].today == {
        "applied": 4,
        "justice": 1,
        "approved": 3,
        "produced": 2,
        "issued": 1,
        "eid_activated": 1,
    }
    assert rows["13301"].today["applied"] == 2 and rows["13301"].figures.applied == 1
    assert report.total.today["applied"] == 6 and report.total.figures.applied == 5
    assert report.day == yesterday + timedelta(days=1)


def test_stage_counts_of_closed_cases_stay(campaign):
    """A withdrawn application stays in the day's throughput (it was received), not in the
    figures of files in hand."""
    code = campaign.codes["waiting"]
    with command():
        commands.withdraw(campaign.police, code, "Công dân rút")
    assert case(code).status == "withdrawn"
    page = progress.page(campaign.supervisor, "13300")
    assert page.figures.total.applied == 3 and page.throughput.total("applied") == 4
    assert db.session.scalar(select(StageCount.count).where(StageCount.stage == "approved")) == 3


def test_finished_case_is_issued_everywhere(world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", CLEAN)
    finish_from_biometrics(world, code)
    f = progress.page(world.admin, "37").figures.total
    assert (f.applied, f.approved, f.produced, f.issued, f.with_justice) == (1, 1, 1, 1, 0)


# --- VNeID level 2 for chip-card holders, per unit --------------------------------------------


def test_vneid_line_per_commune_on_the_page_and_in_the_report(campaign):
    """The page's VNeID line for every row of the files and the report: by the unit that took
    the request, zeros for a commune without any, a request taken at the province itself in
    the province's total only."""
    w = campaign
    in_every_status(w)
    start_vneid(w, chip_holder(w), user=w.admin, presented=True)  # the province's own desk
    own = {**EVERY_STATUS, "requested": 7, "open": 4}
    page = progress.page(w.supervisor, "37")
    assert page.vneid == page.figures.total.vneid == own == vneid.counts(w.province.path)
    assert {f.unit.code: f.vneid for f in page.figures.children} == {"13300": EVERY_STATUS, "13301": NONE}
    report = progress.report(w.supervisor, "37")
    assert report.total.figures.vneid == own
    assert {r.figures.unit.code: r.figures.vneid for r in report.rows} == {
        "13300": EVERY_STATUS,
        "13301": NONE,
    }
    assert progress.page(w.lead, None).figures.total.vneid == EVERY_STATUS  # a commune: no rows
    assert progress.report(w.supervisor, "13301").total.figures.vneid == NONE
