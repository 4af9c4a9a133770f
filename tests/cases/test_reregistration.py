"""Re-registration of a birth (đăng ký lại khai sinh): its conditions checked at triage, each
error naming the condition; the original commune's verification step; the result recorded as
the new birth certificate (or a copy extract) with its number and date. And the consent of a
person aged 9 or over to a change of their own record."""

from datetime import date, datetime

import pytest
import time_machine

from tests.support.cases import case, do, start, task_of
from tests.support.web import login
from vntime import LOCAL_TZ
from webapp.models import CaseEvent, Resident, db
from webapp.services.cases import tasks
from webapp.services.errors import Invalid
from webapp.services.uow import command

LOST = {"discrepancies": ["no_birth_certificate", "dob_mismatch"], "birth_certificate": "lost"}
CONDITIONS = {
    "procedure": "birth_reregistration",
    "documents_complete": True,
    "original_registration_year": "1992",
    "original_registration_place": "Xã Gia Sinh, Ninh Bình",
    "register_lost": True,
    "certificate_lost": True,
}
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=LOCAL_TZ)


def at_triage(world, **kw) -> str:
    """A case at the justice office whose biometrics were captured at the same visit."""
    code = start(world.police, world.resident(**kw))
    do(world.police, code, "verify_application", LOST)
    do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
    return code


def refused(user, code: str, step: str, data: dict) -> dict:
    """The completion is refused; returns the problems by field (the case stays where it was)."""
    task_id = task_of(code, step).id
    with pytest.raises(Invalid) as caught, command():
        tasks.complete(user, task_id, data)
    assert case(code).current_steps == step
    return {name: " ".join(m.vi for m in msgs) for name, msgs in caught.value.fields.items()}


def test_a_reregistration_goes_through_the_original_communes_verification(world):
    with time_machine.travel(MONDAY, tick=False):
        code = at_triage(world)
        c = do(world.justice, code, "triage_correction", CONDITIONS)
    assert c.current_steps == "verify_original_commune"
    verification = task_of(code, "verify_original_commune")
    assert verification.department == "justice"
    assert verification.due_at.astimezone(LOCAL_TZ).date() == date(2026, 11, 23)  # 5 working days
    with time_machine.travel(datetime(2026, 11, 19, 10, 0, tzinfo=LOCAL_TZ), tick=False):
        c = do(
            world.justice,
            code,
            "verify_original_commune",
            {"register_kept": False, "reply_number": "12/UBND-TP", "reply_date": "2026-11-19"},
        )
    assert c.current_steps == "record_correction"
    # Re-registration: 5 working days from the verification's answer (Thursday → 27 Nov; the
    # 24th is a day off in the calendar).
    assert task_of(code, "record_correction").due_at.astimezone(LOCAL_TZ).date() == date(2026, 11, 27)
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=LOCAL_TZ), tick=False):
        c = do(
            world.justice,
            code,
            "record_correction",
            {"decision_number": "85/2026", "decision_date": "2026-11-20"},  # the record already agrees
        )
    assert c.current_steps == "update_population_record"
    recorded = (
        db.session.query(CaseEvent)
        .filter_by(case_id=c.id, step="record_correction", action="completed")
        .one()
    )
    assert recorded.detail["data"]["result_kind"] == "birth_certificate"  # the new certificate
    assert recorded.detail["data"]["decision_number"] == "85/2026"


def test_other_procedures_skip_the_verification(world):
    code = at_triage(world)
    c = do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": True})
    assert c.current_steps == "record_correction"
    problems = refused(
        world.justice, code, "record_correction", {"decision_number": "1", "decision_date": "2026-11-20"}
    )
    assert "ít nhất một nội dung thay đổi" in problems["changes"]  # only a re-registration may change nothing


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"original_registration_year": "2016"}, "original_registration_year", "trước ngày 01/01/2016"),
        ({"original_registration_year": None}, "original_registration_year", "năm đã đăng ký"),
        ({"original_registration_year": "１９９２"}, "original_registration_year", "4 chữ số"),
        ({"original_registration_place": None}, "original_registration_place", "nơi đã đăng ký"),
        ({"register_lost": False}, "register_lost", "sổ hộ tịch nơi đăng ký trước đây phải không còn"),
        ({"certificate_lost": None}, "certificate_lost", "bản chính giấy khai sinh phải đã mất"),
    ],
)
def test_each_unmet_condition_is_named(world, change, field, words):
    code = at_triage(world)
    problems = refused(world.justice, code, "triage_correction", {**CONDITIONS, **change})
    assert set(problems) == {field} and words in problems[field]


def test_a_deceased_person_is_not_re_registered(world):
    code = at_triage(world)
    with command():
        case(code).resident.status = "deceased"
    problems = refused(world.justice, code, "triage_correction", CONDITIONS)
    assert "phải còn sống" in problems["procedure"]


def test_a_change_needs_the_consent_of_a_person_aged_9_or_over(world):
    code = at_triage(world)
    change = {"procedure": "change", "documents_complete": True}
    problems = refused(world.justice, code, "triage_correction", change)
    assert "từ đủ 9 tuổi phải đồng ý" in problems["subject_consent"]
    c = do(world.justice, code, "triage_correction", {**change, "subject_consent": True})
    assert c.current_steps == "record_correction"
    # A correction fixes a fact: no consent asked (docs/correction-loop.md, verify).
    other = at_triage(world)
    assert do(
        world.justice, other, "triage_correction", {"procedure": "correction", "documents_complete": True}
    )


def test_a_child_under_9_needs_no_consent(world):
    code = at_triage(world)
    with command():
        db.session.query(Resident).filter_by(id=case(code).resident_id).one().birth_date = date(2019, 3, 1)
    c = do(world.justice, code, "triage_correction", {"procedure": "change", "documents_complete": True})
    assert c.current_steps == "record_correction"


def test_the_triage_page_names_the_unmet_condition(app, world):
    code = at_triage(world)
    justice = login(app.test_client(), "justice_a")
    task = task_of(code, "triage_correction")
    form = {
        "procedure": "birth_reregistration",
        "documents_complete": "true",
        "original_registration_year": "2018",
        "original_registration_place": "Xã Gia Sinh",
        "register_lost": "true",
        "certificate_lost": "false",
        "version": case(code).version,
    }
    page = justice.post(f"/tasks/{task.id}", data=form)
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "trước ngày 01/01/2016" in text and "bản chính giấy khai sinh phải đã mất" in text
    assert case(code).current_steps == "triage_correction"
