"""Case commands: start, transfer, withdraw, deliver the "card produced" message, the centre's
return of a file, fire timers.
Each is one transaction: the service flushes, the caller commits."""

from datetime import date, datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from vntime import LOCAL_TZ
from workflows import NotWaiting

from ...models import OPEN_STATUSES, Case, CaseCounter, CaseTask, Resident, Unit, User, db
from .. import access, clock, laws, workflow_store
from ..errors import NOT_FOUND_CASE, Conflict, Forbidden, Invalid, Msg, NotFound
from ..residents import registry
from . import engine, legal_due
from .case_reasons import REASONS

KINDS = {
    "new": Msg("Cấp mới", "New issue"),
    "exchange": Msg("Cấp đổi", "Exchange"),
    "reissue": Msg("Cấp lại", "Reissue"),
}
REASON_KINDS = {reason: kind for reason, (kind, _label) in REASONS.items()}
PRIORITIES = {
    "home_visit": Msg("Người già, ốm cần đến tận nhà", "Elderly or sick, home visit"),
    "student": Msg("Học sinh, sinh viên", "Student"),
    "official": Msg("Cán bộ, công chức", "Official"),
}
NOT_YOURS = Msg("Bạn không có quyền thực hiện thao tác này.", "Your role may not do this.")


def get_case(user: User, code: str) -> Case:
    """Load a case the user may see, or NotFound (also when it is outside their scope)."""
    case = db.session.scalar(select(Case).where(Case.code == code))
    if case is None or not access.can_see_case(user, case):
        raise NotFound(NOT_FOUND_CASE)
    return case


def age_on(birth: date, precision: str, day: date) -> int:
    """Completed years; with only the year or month known, count from the end of that period
    (nobody is treated as older than they surely are)."""
    if precision == "year":
        birth = date(birth.year, 12, 31)
    elif precision == "month":
        birth = date(birth.year, birth.month, 28)
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def start_case(
    actor: User,
    personal_id: str,
    kind: str,
    priority: str | None = None,
    unit: Unit | None = None,
    law: str | None = None,
    presented: bool = False,
    reason: str | None = None,
) -> Case:
    """Start a case in `unit` (the actor's by default). `presented`: the person stands at the
    desk with their ID, so a resident registered anywhere in the country may apply here (a
    walk-in at a station); otherwise the resident must be visible to the actor. `law` None is the
    law in force today (services/laws.py), which every entry point leaves to this rule.
    `reason`: why an exchange or reissue is asked for (case_reasons.REASONS), kept in the
    case's history; it must agree with `kind`."""
    errors = {}
    if kind not in KINDS:
        errors["kind"] = [
            Msg(
                f"Loại hồ sơ phải là một trong: {', '.join(KINDS)}.",
                f"Kind must be one of: {', '.join(KINDS)}.",
            )
        ]
    if reason is not None and (reason not in REASON_KINDS or REASON_KINDS[reason] != kind):
        errors["reason"] = [
            Msg(
                f"Lý do không hợp với loại hồ sơ {kind}: chọn một trong "
                f"{', '.join(r for r, k in REASON_KINDS.items() if k == kind) or '(không có)'}.",
                f"The reason does not fit the kind {kind}: choose one of "
                f"{', '.join(r for r, k in REASON_KINDS.items() if k == kind) or '(none)'}.",
            )
        ]
    if priority not in (None, "", *PRIORITIES):
        errors["priority"] = [
            Msg(
                f"Ưu tiên phải là một trong: {', '.join(PRIORITIES)}.",
                f"Priority must be one of: {', '.join(PRIORITIES)}.",
            )
        ]
    resident = (
        db.session.scalar(select(Resident).where(Resident.personal_id == personal_id))
        if isinstance(personal_id, str)
        else None
    )
    # A resident outside the officer's scope is treated as unknown: their record is not revealed.
    if resident is None or not (presented or registry.visible(actor, resident)):
        errors["personal_id"] = [
            Msg("Không có công dân với số định danh này.", "No resident has this personal ID.")
        ]
    if errors:
        raise Invalid(errors)
    unit = unit or actor.unit
    if not access.can_start_case(actor, unit):
        raise Forbidden(NOT_YOURS)
    now = clock.now()
    law = law or laws.law_on(now.astimezone(LOCAL_TZ).date())
    _check_eligible(resident, kind, law)
    existing = db.session.scalar(
        select(Case.code).where(Case.resident_id == resident.id, Case.status.in_(OPEN_STATUSES))
    )
    if existing:
        raise _open_case_conflict(existing)

    version = workflow_store.current_version()
    outcome = workflow_store.engine().start({"kind": kind, "discrepancies": []})
    case = Case(
        code=_next_code(now.year),
        resident_id=resident.id,
        kind=kind,
        priority=priority or None,
        unit_id=unit.id,
        unit_path=unit.path,
        status="open",
        spec_version=version,
        state=b"",
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
        unit=unit,
        resident=resident,  # the answer shows the resident: not read again
        law=law,
    )
    case.legal_due_on = legal_due.due_on(now, law, kind, legal_due.area_of(unit), version)
    try:
        with db.session.begin_nested():  # the partial unique index guards against a parallel start
            db.session.add(case)
            db.session.flush()
    except IntegrityError:
        raise _open_case_conflict(None) from None
    started = {"kind": kind, "priority": priority, "unit": unit.code}
    if reason is not None:
        started["reason"] = reason
    engine.record(case, actor, "started", None, started, now)
    # The officer who starts a case holds its first task.
    # (An administrator starting one on an officer's behalf leaves it in the police queue.)
    holder = actor if actor.department == "police" else None
    engine.apply(case, outcome, actor, now, assign_new_to=holder)
    db.session.flush()
    return case


def _open_case_conflict(code: str | None) -> Conflict:
    return Conflict(
        Msg(
            f"Công dân đã có hồ sơ đang xử lý{' ' + code if code else ''}.",
            f"The resident already has an open case{' ' + code if code else ''}.",
        ),
        {"open_case": [Msg(code or "", code or "")]},
    )


def _check_eligible(resident: Resident, kind: str, law: str) -> None:
    if resident.status == "deceased":
        raise Invalid({"personal_id": [Msg("Công dân đã chết.", "The resident is deceased.")]})
    age = age_on(resident.birth_date, resident.birth_date_precision, clock.today_local())
    verdict = workflow_store.engine().current.decide("eligibility", law=law, kind=kind, age=age)
    if not verdict.get("eligible"):
        raise Invalid(
            {
                "kind": [
                    Msg(
                        f"Không đủ điều kiện cấp ({verdict.get('rule', 'không có quy định')}, {age} tuổi).",
                        f"Not eligible ({verdict.get('rule', 'no rule')}, age {age}).",
                    )
                ]
            }
        )


def _next_code(year: int) -> str:
    """HS-2026-000123: a per-year counter row, incremented under its row lock. The year's first
    case creates the row (a savepoint: another start may create it at the same moment)."""
    number = _increment(year)
    if number is None:
        try:
            with db.session.begin_nested():
                db.session.add(CaseCounter(year=year, last=0))
        except IntegrityError:
            pass
        number = _increment(year)
    return f"{current_app.config['CASE_CODE_PREFIX']}-{year}-{number:06d}"


def _increment(year: int) -> int | None:
    return db.session.execute(
        update(CaseCounter)
        .where(CaseCounter.year == year)
        .values(last=CaseCounter.last + 1)
        .returning(CaseCounter.last)
    ).scalar_one_or_none()


def move(actor: User, case: Case, target: Unit, reason: str, request_id: int | None = None) -> Case:
    """Move a locked, open case and its waiting work to `target`, audited. The one caller checked
    who may do it: the receiving unit accepting a transfer request
    (services/cooperation/transfers.py, `request_id`). There is no silent direct move."""
    now = clock.now()
    source = case.unit
    case.unit_id, case.unit_path, case.updated_at = target.id, target.path, now
    # Work moves with the case; nobody at the old unit holds it any more.
    db.session.execute(
        update(CaseTask)
        .where(CaseTask.case_id == case.id)
        .values(unit_id=target.id, unit_path=target.path, assignee_id=None)
    )
    engine.record(
        case,
        actor,
        "transferred",
        None,
        {"from": source.code, "to": target.code, "reason": reason}
        | ({"request": request_id} if request_id else {}),
        now,
    )
    db.session.flush()
    return case


def withdraw(actor: User, code: str, reason: str, expected_version: int | None = None) -> Case:
    """The citizen withdraws the application: the diagram's withdrawal event ends the case."""
    get_case(actor, code)
    if not access.can_transfer(actor):
        raise Forbidden(NOT_YOURS)
    if not isinstance(reason, str) or not reason.strip():
        raise Invalid({"reason": [Msg("Ghi lý do rút hồ sơ.", "Give the reason for the withdrawal.")]})
    return _deliver(
        actor, code, "case_withdrawn", {"withdraw_reason": reason.strip()}, "withdrawn", expected_version
    )


def record_card_produced(
    actor: User, code: str, card_number: str, produced_at: date | datetime
) -> tuple[Case, bool]:
    """The production centre's "card produced" message, with the day or the moment (aware) the
    card was made. Repeating it changes nothing and answers (case, False); a case not waiting
    for production is a conflict."""
    if not access.can_deliver_cards(actor):
        raise Forbidden(NOT_YOURS)
    case = engine.lock_case(code=code, with_resident=True)
    if card_number == case.resident.personal_id:
        raise Invalid(
            {
                "card_number": [
                    Msg(
                        "Số thẻ là số sê-ri in trên phôi thẻ, không phải số định danh cá nhân.",
                        "The card number is the serial printed on the card, not the personal ID.",
                    )
                ]
            }
        )
    received, data = engine.messages(case, "card_produced")
    if data is not None:
        if data.get("card_number") == card_number:
            return case, False
        raise Conflict(Msg("Hồ sơ đã có thẻ khác.", "The case already has another card."))
    if any(d.get("card_number") == card_number for d in received):
        # A card recorded before a supervisor sent the case back: a late repeat of the old
        # callback must not pass for the card made again, which has a number of its own.
        raise Conflict(
            Msg(
                "Thẻ số này được ghi trước khi hồ sơ bị chuyển lại; thẻ làm lại phải có số mới.",
                "This card was recorded before the case was sent back; "
                "the card made again needs a new number.",
            )
        )
    _deliver(
        actor,
        code,
        "card_produced",
        {"card_number": card_number, "produced_at": produced_at.isoformat()},
        "message_received",
        None,
        case=case,
    )
    return case, True


# Why the national centre returns a file, and the step that can fix it (bpmn: gw_return_reason).
RETURN_REASONS = {
    "photo_quality": Msg("Ảnh chân dung không đạt chất lượng", "Portrait photo quality"),
    "fingerprint_quality": Msg("Vân tay không đạt chất lượng", "Fingerprint quality"),
    "data_check": Msg("Dữ liệu không qua kiểm tra", "Data failed the checks"),
}
RETURN_NOTE_MAX = 500
AT_PRODUCTION = "await_card_production"


def return_file(actor: User, code: str, reason, note=None) -> tuple[Case, bool]:
    """The production centre returns a file waiting for production: photo or fingerprint quality
    sends it back to biometrics, a data check to verification; then it comes back through
    approval to production. Repeating the same return while the case is being fixed changes
    nothing and answers (case, False); a case not waiting for production is a conflict."""
    if not access.can_deliver_cards(actor):
        raise Forbidden(NOT_YOURS)
    errors = {}
    if reason not in RETURN_REASONS:
        errors["reason"] = [
            Msg(
                f"Lý do trả phải là một trong: {', '.join(RETURN_REASONS)}.",
                f"The reason must be one of: {', '.join(RETURN_REASONS)}.",
            )
        ]
    if note is not None and (not isinstance(note, str) or len(note) > RETURN_NOTE_MAX):
        errors["note"] = [Msg(f"Tối đa {RETURN_NOTE_MAX} ký tự.", f"At most {RETURN_NOTE_MAX} characters.")]
    if errors:
        raise Invalid(errors)
    case = db.session.scalar(select(Case).where(Case.code == code)) if isinstance(code, str) else None
    if case is None or not access.can_see_case(actor, case):
        raise NotFound(NOT_FOUND_CASE)
    case = engine.lock_case(code=code)
    if AT_PRODUCTION not in case.steps:
        last = engine.last_message(case, "file_returned")
        if last is not None and last.get("reason") == reason and case.status == "open":
            return case, False  # the same return again, while the unit fixes the file
        raise Conflict(
            Msg("Hồ sơ không ở bước chờ sản xuất thẻ.", "The case is not waiting for card production.")
        )
    payload = {"reason": reason} | ({"note": note.strip()} if isinstance(note, str) and note.strip() else {})
    _deliver(actor, code, "file_returned", payload, "message_received", None, case=case)
    return case, True


def _deliver(actor, code, message, payload, action, expected_version, case=None) -> Case:
    case = case or engine.lock_case(code=code)
    engine.check_version(case, expected_version)
    if case.status != "open":
        raise Conflict(Msg("Hồ sơ không ở trạng thái chờ thao tác này.", "The case is not waiting for this."))
    now = clock.now()
    try:
        version, state, key = workflow_store.workflow_of(case)
        outcome = workflow_store.engine().deliver_message(version, state, message, payload, key=key)
    except NotWaiting:
        raise Conflict(
            Msg("Hồ sơ không ở bước chờ thao tác này.", "The case is not at a step waiting for this.")
        ) from None
    engine.record(case, actor, action, message, {"message": message, **payload}, now)
    engine.apply(case, outcome, actor, now)
    db.session.flush()
    return case


def claim_due_case() -> Case | None:
    """Lock one open case whose next timer is due; other workers skip it (PostgreSQL)."""
    query = (
        select(Case)
        .where(Case.status == "open", Case.next_timer_at <= clock.now())
        .order_by(Case.next_timer_at)
        .limit(1)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return db.session.scalars(query).first()


def fire_timers(case: Case) -> Case:
    now = clock.now()
    version, state, key = workflow_store.workflow_of(case)
    outcome = workflow_store.engine().fire_timers(version, state, key=key)
    engine.apply(case, outcome, None, now)
    db.session.flush()
    return case
