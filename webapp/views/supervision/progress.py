"""Supervisors' progress: figures per unit with drill-down, throughput, forecast, backlog, the
diagram with counts, quotas and the daily report (page and file)."""

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ... import labels
from ...i18n import message
from ...services import access, uow
from ...services.errors import Invalid
from ...services.supervision import progress, progress_chart
from ...services.supervision.stage_counts import STAGES
from ...services.text import parse_iso_date
from ...web import allow, render, send_table

bp = Blueprint("progress", __name__, url_prefix="/progress")
PAGE = "progress/index.html"
REPORT = "progress/report.html"


def _numbers() -> dict:
    """Vietnamese numbers in Vietnamese (315.913 · 63,3%), English ones in English. The
    locale's symbols are looked up once: a province's page shows thousands of numbers, and
    Babel's formatter takes a quarter of a millisecond for each."""
    locale = get_locale()
    symbols = str.maketrans({",": get_group_symbol(locale), ".": get_decimal_symbol(locale)})

    def num(n) -> str:
        return "—" if n is None else f"{n:,}".translate(symbols)

    def num1(x) -> str:
        return "—" if x is None else f"{x:,.1f}".translate(symbols)

    def pct(ratio) -> str:
        return "—" if ratio is None else f"{100 * ratio:,.1f}%".translate(symbols)

    return {"num": num, "num1": num1, "pct": pct}


def _stage_names() -> dict:
    return {
        "applied": _("Nộp hồ sơ"),
        "justice": _("Chuyển Tư pháp"),
        "approved": _("Phê duyệt"),
        "produced": _("Sản xuất thẻ"),
        "issued": _("Trả thẻ"),
        "eid_activated": _("Kích hoạt ĐDĐT mức 2"),
    }


def _page(data, status=200, quota_form=None):
    return render(
        PAGE,
        status=status,
        p=data,
        chart=progress_chart.chart(data.throughput, STAGES),
        stages=_stage_names(),
        labels=labels,
        quota_form=quota_form or {"value": "" if data.unit.quota is None else data.unit.quota, "errors": []},
        **_numbers(),
    )


@bp.get("/")
@allow(access.SEE_PROGRESS)
def index():
    data = progress.page(current_user, request.args.get("unit") or None)
    fmt = request.args.get("format")
    if fmt:
        rows = [*data.figures.children, data.figures.total]  # a commune's file: its own row
        return send_table(f"tien-do-{data.unit.code}", fmt, [*_figure_columns(), *_vneid_columns()], rows)
    return _page(data)


@bp.post("/quota")
@allow(access.SET_QUOTA)
def set_quota():
    """A plain form post: the page's figures, percentages and forecast all follow the quota, so
    the answer is the whole page again (a redirect), or the page with the error."""
    code = request.args.get("unit") or None
    value = request.form.get("quota", "")
    try:
        with uow.command():
            unit = progress.set_quota(current_user, code, value)
    except Invalid as exc:
        form = {"value": value, "errors": [message(p) for p in exc.fields.get("quota", [])]}
        return _page(progress.page(current_user, code), status=422, quota_form=form)
    flash(_("Đã lưu chỉ tiêu của %(unit)s.", unit=unit.name), "success")
    return redirect(url_for("progress.index", unit=unit.code), code=303)


@bp.post("/recount")
@allow(access.SET_QUOTA)
def recount():
    """Count the unit's residents again now (who must apply, eIDs activated)."""
    data = progress.page(current_user, request.args.get("unit") or None, recount=True)
    flash(_("Đã đếm lại số liệu dân cư của %(unit)s.", unit=data.unit.name), "success")
    return redirect(url_for("progress.index", unit=data.unit.code), code=303)


@bp.get("/backlog")
@allow(access.SEE_PROGRESS)
def backlog():
    """The backlog per step as a file (the page shows it)."""
    data = progress.page(current_user, request.args.get("unit") or None)
    columns = [
        (_("Bước"), lambda r: labels.step(r.step)),
        (_("Bộ phận"), lambda r: str(labels.DEPARTMENTS.get(r.department, r.department))),
        (_("Hồ sơ đang chờ"), lambda r: r.waiting),
    ]
    return send_table(f"ton-dong-{data.unit.code}", request.args.get("format", ""), columns, data.backlog)


@bp.get("/diagram.bpmn")
@allow(access.SEE_PROGRESS)
def diagram():
    """The current diagram, for the viewer on the progress page."""
    xml = progress.diagram_xml(current_user, request.args.get("process", "main"))
    if xml is None:
        abort(404)
    return Response(xml, mimetype="application/xml")


@bp.get("/report")
@allow(access.SEE_PROGRESS)
def report():
    """The daily report: one day (today by default) or a period, `from`/`to` as the date inputs
    send them (YYYY-MM-DD); a bad period says so above the form and shows today."""
    first, last = parse_iso_date(request.args.get("from")), parse_iso_date(request.args.get("to"))
    unit = request.args.get("unit") or None
    asked = {"from": request.args.get("from", ""), "to": request.args.get("to", "")}
    error = None
    try:
        data = progress.report(current_user, unit, first or last, last or first)
    except Invalid as exc:
        error = " ".join(message(p) for problems in exc.fields.values() for p in problems)
        data = progress.report(current_user, unit)
    fmt = request.args.get("format")
    if fmt:
        rows = [*data.rows, data.total]
        name = f"bao-cao-ngay-{data.unit.code}"
        if data.first != data.day:
            name = f"bao-cao-{data.unit.code}-{data.first:%Y%m%d}-{data.day:%Y%m%d}"
        return send_table(name, fmt, _report_columns(), rows)
    return render(REPORT, r=data, stages=_stage_names(), asked=asked, period_error=error, **_numbers())


def _figure_columns() -> list:
    """The first columns of both files; the report's file follows them with its day columns, so
    a column added here would shift those: add new ones after everything (_vneid_columns)."""
    return [
        (_("Mã đơn vị"), lambda f: f.unit.code),
        (_("Đơn vị"), lambda f: f.unit.name),
        (_("Phải làm thẻ"), lambda f: f.eligible),
        (_("Đã nộp"), lambda f: f.applied),
        (_("Đang ở Tư pháp"), lambda f: f.with_justice),
        (_("Đã duyệt"), lambda f: f.approved),
        (_("Đã sản xuất"), lambda f: f.produced),
        (_("Đã trả thẻ"), lambda f: f.issued),
        (_("ĐDĐT mức 2 đã kích hoạt"), lambda f: f.eid_activated),
        (_("Chỉ tiêu"), lambda f: f.quota),
        (_("Tỷ lệ đạt chỉ tiêu (%)"), lambda f: _percent(f.of_quota.value)),
    ]


def _report_columns() -> list:
    today = {
        "applied": _("Nộp hồ sơ trong ngày"),
        "justice": _("Chuyển Tư pháp trong ngày"),
        "approved": _("Phê duyệt trong ngày"),
        "produced": _("Sản xuất thẻ trong ngày"),
        "issued": _("Trả thẻ trong ngày"),
        "eid_activated": _("Kích hoạt ĐDĐT trong ngày"),
    }
    columns = [(name, _of_figures(get)) for name, get in _figure_columns()]
    columns += [(today[stage], _of_today(stage)) for stage in progress.REPORT_STAGES]
    columns += [(name, _of_figures(get)) for name, get in _vneid_columns()]
    return columns


def _vneid_columns() -> list:
    """The page's "Định danh điện tử mức 2 cho người đã có thẻ" line, a column per figure. Last
    in both files (after the report's day columns), so the columns that were there keep their
    places for whoever reads them by position."""
    names = {
        "requested": _("Định danh điện tử mức 2 cho người đã có thẻ: đã đề nghị"),
        "activated": _("Định danh điện tử mức 2 cho người đã có thẻ: đã kích hoạt"),
        "open": _("Định danh điện tử mức 2 cho người đã có thẻ: đang xử lý"),
        "refused": _("Định danh điện tử mức 2 cho người đã có thẻ: không thực hiện được"),
    }
    return [(name, _of_vneid(key)) for key, name in names.items()]


def _of_figures(get):
    return lambda row: get(row.figures)


def _of_vneid(key: str):
    return lambda f: f.vneid[key]


def _of_today(stage: str):
    return lambda row: row.today.get(stage, 0)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)
