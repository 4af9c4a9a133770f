"""Small helpers shared by the case tests: drive a case through its steps as officers would."""

from sqlalchemy import select

from webapp.models import Case, CaseEvent, CaseTask, db
from webapp.services.cases import commands, tasks
from webapp.services.uow import command


def start(user, pid, kind="new", **kw) -> str:
    with command():
        return commands.start_case(user, pid, kind, **kw).code


def case(code: str) -> Case:
    db.session.expire_all()
    return db.session.scalar(select(Case).where(Case.code == code))


def task_of(code: str, step: str) -> CaseTask:
    c = case(code)
    rows = db.session.scalars(select(CaseTask).where(CaseTask.case_id == c.id, CaseTask.step == step)).all()
    assert len(rows) == 1, f"{code}: expected one ready {step}, case is at {c.current_steps!r} ({c.status})"
    return rows[0]


def do(user, code: str, step: str, data: dict | None = None) -> Case:
    task_id = task_of(code, step).id
    with command():
        tasks.complete(user, task_id, data or {})
    return case(code)


def actions(code: str) -> list[tuple[str, str | None]]:
    c = case(code)
    return [
        (e.action, e.step)
        for e in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == c.id).order_by(CaseEvent.id))
    ]


CLEAN = {"discrepancies": []}
DOB = {"discrepancies": ["dob_mismatch"], "note": "Sổ hộ khẩu ghi 1990, giấy khai sinh ghi 1991"}
CORRECTION = {
    "decision_number": "15/QĐ-UBND",
    "decision_date": "2026-11-20",
    "changes": {"birth_date": "1990-11-17"},  # the same year: the ID stays consistent
}


def finish_from_biometrics(w, code: str) -> Case:
    """Biometrics, approval, production, reception and hand-over."""
    from datetime import date

    do(w.police, code, "capture_biometrics", {"fingerprints": "ok"})
    do(w.approval, code, "approve_application", {"decision": "approve"})
    with command():
        commands.record_card_produced(w.production, code, "C000123456", date(2026, 11, 20))
    do(w.police, code, "receive_card")
    return do(w.police, code, "hand_over_card", {"received_by": "self"})


def approved(w, unit=None, police=None) -> str:
    """A case approved and waiting for production."""
    police = police or w.police
    code = start(police, w.resident(unit=unit) if unit else w.resident())
    do(police, code, "verify_application", CLEAN)
    do(police, code, "capture_biometrics", {"fingerprints": "ok"})
    do(w.approval, code, "approve_application", {"decision": "approve"})
    return code


def transferred(w, code: str, reason: str = "Tạm trú tại Gia Viễn") -> None:
    """Commune A's police ask commune B to take the case and B's police accept: the only way a
    case changes unit (services/cooperation/transfers.py)."""
    from webapp.services.cooperation import transfers

    with command():
        asked = transfers.ask(w.police, code, w.commune_b.code, reason)
    with command():
        transfers.decide(w.police_b, asked.id, "accept", None)
