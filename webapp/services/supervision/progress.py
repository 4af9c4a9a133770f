"""Supervisors' progress, one call per page: page() for the progress page of any unit (a
province with its communes, or a commune: the drill-down), report() for the daily report,
set_quota() for the quota form. The figures are in progress_figures.py, throughput, forecast and
backlog in progress_flow.py.

A benchmark times province_page(user, "37") and commune_page(user, "<commune code>"): both are
page(), named for what they are asked for."""

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from ...models import Unit, User, db
from .. import access, clock, workflow_store
from ..errors import Forbidden, Invalid, Msg
from ..vneid import requests as vneid
from . import progress_figures, progress_flow
from .progress_figures import Breakdown, Figures
from .progress_flow import BacklogRow, Forecast, Throughput

log = logging.getLogger(__name__)

JUSTICE_PROCESS = "civil_status_correction"
DIAGRAMS = {"main": "cccd_issuance.bpmn", "justice": f"{JUSTICE_PROCESS}.bpmn"}
# 498794, or grouped in thousands as people write it: 498.794, 498,794, 498 794
QUOTA_TEXT = re.compile(r"[0-9]+|[0-9]{1,3}(?:([., \u00a0])[0-9]{3})(?:\1[0-9]{3})*")
MAX_QUOTA = 100_000_000  # far above any province (Hà Nội's 2021 quota: about 6 million)
NO_RECOUNT = Msg("Vai trò của bạn không yêu cầu đếm lại được.", "Your role may not ask for a recount.")
REPORT_STAGES = ("applied", "justice", "approved", "produced", "issued", "eid_activated")


@dataclass
class Page:
    unit: Unit
    figures: Breakdown
    throughput: Throughput
    forecast: Forecast | None
    backlog: list[BacklogRow]
    departments: list[tuple[str, int]]
    diagram: dict[str, dict[str, int]]
    today: date
    now: datetime
    can_set_quota: bool = False
    # VNeID level 2 for chip-card holders, its own line (no card, so not in the stages above).
    vneid: dict[str, int] = field(default_factory=dict)


def page(user: User, unit_code: str | None, recount: bool = False) -> Page:
    """Everything the progress page of a unit shows. A commune's first view of the day, or a
    unit's first view ever, counts its residents (stored at once); `recount` counts again."""
    progress_figures.check_reader(user)
    unit = progress_figures.unit_in_scope(user, unit_code)
    if recount and not access.can_set_quota(user):
        raise Forbidden(NO_RECOUNT)
    now, today = clock.now(), clock.today_local()
    figures = progress_figures.breakdown(user, unit, recount)
    flow = progress_flow.throughput(unit, today)
    forecast = progress_flow.forecast(
        unit.quota, figures.total.applied, flow.total("applied", progress_flow.RATE_DAYS), today
    )
    rows = progress_flow.backlog(figures.at_step)
    return Page(
        unit=unit,
        figures=figures,
        throughput=flow,
        forecast=forecast,
        backlog=rows,
        departments=progress_flow.by_department(rows),
        diagram=progress_flow.diagram_counts(figures.at_step, justice_steps()),
        today=today,
        now=now,
        can_set_quota=access.can_set_quota(user),
        vneid=with_vneid(figures),
    )


province_page = commune_page = page


def with_vneid(figures: Breakdown) -> dict[str, int]:
    """Each figure's VNeID level-2 line (zeros for a unit without requests, so a file has no
    empty cell) from one grouped query; returns the unit's own line, the page's."""
    total, children = vneid.counts_by_child(figures.total.unit.path)
    figures.total.vneid = total
    for child in figures.children:
        child.vneid = children.get(child.unit.code) or dict.fromkeys(vneid.COUNTS, 0)
    return total


def diagram_xml(user: User, process: str) -> str | None:
    """The current version's diagram ("main" or "justice") for the progress page's viewer."""
    progress_figures.check_reader(user)
    return workflow_store.engine().current.sources.get(DIAGRAMS.get(process, ""))


def justice_steps() -> set[str]:
    steps = workflow_store.engine().current.steps.values()
    return {s.id for s in steps if s.process == JUSTICE_PROCESS}


# -- the daily report ---------------------------------------------------------------------------


@dataclass
class ReportRow:
    figures: Figures
    today: dict[str, int] = field(default_factory=dict)  # stage -> cases that passed it today


@dataclass
class Report:
    unit: Unit
    day: date  # the last day of the period
    total: ReportRow
    rows: list[ReportRow]
    trail: list[Unit]
    first: date | None = None  # the first day of the period (the same as `day` for one day)


MAX_REPORT_DAYS = 366
BAD_PERIOD = Msg(
    "Khoảng ngày không hợp lệ: từ ngày phải trước hoặc bằng đến ngày, không ở tương lai, tối đa 366 ngày.",
    "Invalid period: the first day must not be after the last, nor in the future; at most 366 days.",
)


def report(user: User, unit_code: str | None, first: date | None = None, last: date | None = None) -> Report:
    """The figures per child unit now, and what changed in a period (one day, today by default):
    the cases that passed each stage from `first` to `last` (the daily stage counts)."""
    progress_figures.check_reader(user)
    unit = progress_figures.unit_in_scope(user, unit_code)
    today = last or clock.today_local()
    first = first or today
    if first > today or today > clock.today_local() or (today - first).days >= MAX_REPORT_DAYS:
        raise Invalid({"from": [BAD_PERIOD]})
    figures = progress_figures.breakdown(user, unit)
    with_vneid(figures)
    total = ReportRow(figures.total, dict.fromkeys(REPORT_STAGES, 0))
    rows = {f.unit.code: ReportRow(f, dict.fromkeys(REPORT_STAGES, 0)) for f in figures.children}
    for path, stage, n in progress_flow.changes_on(unit, first, today):
        if stage not in total.today:
            continue
        total.today[stage] += n
        child = rows.get(path[len(unit.path) :].split("/", 1)[0])
        if child is not None:
            child.today[stage] += n
    return Report(unit, today, total, list(rows.values()), figures.trail, first)


# -- quotas -------------------------------------------------------------------------------------


def set_quota(user: User, unit_code: str | None, raw: str | int | None) -> Unit:
    """Set (or, with an empty value, clear) a unit's quota: applications the steering committee
    expects from it. An integer from 0 up; an operator's log line names who changed what."""
    unit = progress_figures.unit_in_scope(user, unit_code)
    if not access.can_set_quota(user):
        raise Forbidden(Msg("Vai trò của bạn không đặt được chỉ tiêu.", "Your role may not set quotas."))
    quota = parse_quota(raw)
    old, unit.quota = unit.quota, quota
    db.session.flush()
    log.info("quota of unit %s changed from %s to %s by %s", unit.code, old, quota, user.username)
    return unit


def parse_quota(raw: str | int | None) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and QUOTA_TEXT.fullmatch(raw.strip()):
        value = int(re.sub(r"[^0-9]", "", raw))
    else:
        raise Invalid({"quota": [NOT_A_QUOTA]})
    if not 0 <= value <= MAX_QUOTA:
        raise Invalid({"quota": [NOT_A_QUOTA]})
    return value


NOT_A_QUOTA = Msg(
    "Chỉ tiêu phải là số nguyên từ 0 đến 100.000.000 (để trống: không đặt chỉ tiêu).",
    "The quota must be a whole number from 0 to 100,000,000 (empty: no quota).",
)
