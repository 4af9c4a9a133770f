"""The justice steps' rules that need the case, not only the submitted data (step_rules checks
the data alone): the person alive for a re-registration, the consent of a person aged 9 or over
to a change of their own record, the changes a result must carry, and the result's kind.

Readings of the law (docs/correction-loop.md, "verify"): consent is asked for `change` (thay đổi
hộ tịch: name, ethnicity... on request), as the Civil Code arts. 27-29 and the Law on Civil
Status art. 26 require it from a person aged 9 or over; a correction or supplement fixes a fact
and asks none.
"""

from datetime import date

from sqlalchemy import select

from ...models import Case, CaseEvent, db
from ..errors import Invalid, Msg
from .commands import age_on

CONSENT_AGE = 9
CONSENT_PROCEDURES = ("change",)


def check(case: Case, step: str, clean: dict, today: date) -> str | None:
    """Raise Invalid naming each field whose rule the case breaks; normalises `clean` in place
    (a result's kind from the procedure when not given). Returns the procedure of the case's
    triage (chosen at this step, or read for the result's), None for other steps: the caller
    does not read it again."""
    problems: dict[str, list[Msg]] = {}
    procedure = None
    if step == "triage_correction":
        resident = case.resident
        procedure = clean["procedure"]
        if procedure == "birth_reregistration" and resident.status == "deceased":
            problems["procedure"] = [
                Msg(
                    "Không đủ điều kiện đăng ký lại khai sinh: người được đăng ký phải còn sống "
                    "(dữ liệu dân cư ghi đã mất).",
                    "Not eligible for re-registration: the person must be alive (the record says deceased).",
                )
            ]
        age = age_on(resident.birth_date, resident.birth_date_precision, today)
        if procedure in CONSENT_PROCEDURES and age >= CONSENT_AGE and clean["subject_consent"] is not True:
            problems["subject_consent"] = [
                Msg(
                    f"Người từ đủ 9 tuổi phải đồng ý việc thay đổi hộ tịch của mình (nay {age} tuổi).",
                    f"A person aged 9 or over must consent to a change of their own record (now {age}).",
                )
            ]
    if step == "record_correction":
        procedure = procedure_of(case)
        if clean["result_kind"] is None:
            clean["result_kind"] = "birth_certificate" if procedure == "birth_reregistration" else "extract"
        if not clean["changes"] and procedure != "birth_reregistration":
            problems["changes"] = [
                Msg(
                    "Ghi ít nhất một nội dung thay đổi (giá trị mới).",
                    "Give at least one change (the new value).",
                )
            ]
        if clean["changes"] is None:
            clean["changes"] = {}
    if problems:
        raise Invalid(problems)
    return procedure


def _triage(case: Case) -> dict:
    """What the case's latest triage recorded (its form data), or {}."""
    detail = db.session.scalar(
        select(CaseEvent.detail)
        .where(
            CaseEvent.case_id == case.id,
            CaseEvent.action == "completed",
            CaseEvent.step == "triage_correction",
        )
        .order_by(CaseEvent.id.desc())
        .limit(1)
    )
    return (detail or {}).get("data") or {}


def procedure_of(case: Case) -> str | None:
    """The procedure of the case's latest triage."""
    return _triage(case).get("procedure")


def reregistration(case: Case) -> dict:
    """What the latest triage said of a re-registration (year, place, conditions), for the
    verification step's page."""
    data = _triage(case)
    return {k: data.get(k) for k in ("original_registration_year", "original_registration_place")}
