"""A correction that changes the birth year makes the personal ID contradict the record: the case
carries the flag "số định danh cần xác lập lại" and cannot be approved until a police lead
records a decision."""

from datetime import date

import pytest

from tests.support.cases import CORRECTION, DOB, actions, case, do, start
from tests.support.web import login
from webapp.services.cases import id_decision
from webapp.services.errors import Conflict, Forbidden, Invalid
from webapp.services.residents.personal_id import make_personal_id
from webapp.services.uow import command


def to_approval(world, new_birth_date: str) -> str:
    """Justice corrects the birth date, police update the record and take the biometrics."""
    code = start(world.police, world.resident(born=date(1990, 5, 17)))
    do(world.police, code, "verify_application", DOB)
    do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": True})
    do(world.justice, code, "record_correction", {**CORRECTION, "changes": {"birth_date": new_birth_date}})
    do(world.police, code, "update_population_record", {"confirmed": True})
    do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
    return code


def test_a_correction_within_the_same_year_needs_no_decision(world):
    code = to_approval(world, "1990-11-17")
    assert not id_decision.needed(case(code))
    assert do(world.approval, code, "approve_application", {"decision": "approve"}).current_steps


def test_a_new_birth_year_blocks_approval_until_a_lead_decides(world):
    code = to_approval(world, "1991-05-17")
    c = case(code)
    assert c.resident.id_mismatch == "birth_year" and id_decision.needed(c)
    with pytest.raises(Invalid) as err:
        do(world.approval, code, "approve_application", {"decision": "approve"})
    assert "xác lập lại" in err.value.fields["decision"][0].vi
    assert case(code).current_steps == "approve_application"  # nothing moved
    with pytest.raises(Forbidden), command():
        id_decision.decide(world.police, code, "kept", reason="x")
    with pytest.raises(Invalid) as err, command():
        id_decision.decide(world.lead, code, "kept")
    assert set(err.value.fields) == {"reason"}
    with command():
        id_decision.decide(world.lead, code, "kept", reason="C06 xác nhận giữ số")
    assert ("id_decided", None) in actions(code)
    do(world.approval, code, "approve_application", {"decision": "approve"})
    with pytest.raises(Conflict), command():
        id_decision.decide(world.lead, code, "kept", reason="again")


def test_a_reestablished_number_must_agree_with_the_record_and_replaces_it(world):
    code = to_approval(world, "1991-05-17")
    wrong = make_personal_id("037", 1990, "female", 999)  # still says 1990
    with pytest.raises(Invalid) as err, command():
        id_decision.decide(world.lead, code, "reestablished", wrong)
    assert "new_personal_id" in err.value.fields
    taken = world.resident(born=date(1991, 1, 1))
    with pytest.raises(Invalid), command():
        id_decision.decide(world.lead, code, "reestablished", taken)
    new = make_personal_id("037", 1991, "female", 31337)
    with command():
        id_decision.decide(world.lead, code, "reestablished", new)
    c = case(code)
    assert (c.resident.personal_id, c.resident.id_mismatch, c.id_decision) == (new, None, "reestablished")


def test_the_case_page_shows_the_flag_and_the_lead_decides_there(app, world):
    code = to_approval(world, "1991-05-17")
    page = login(app.test_client(), "police_a").get(f"/cases/{code}").get_data(as_text=True)
    assert "Số định danh cần xác lập lại" in page and "Ghi quyết định về số định danh" not in page
    lead = login(app.test_client(), "lead_a")
    assert "Ghi quyết định về số định danh" in lead.get(f"/cases/{code}").get_data(as_text=True)
    bad = lead.post(f"/cases/{code}/id-decision", data={"decision": "kept", "reason": ""})
    assert bad.status_code == 422 and "Ghi lý do giữ nguyên số định danh" in bad.get_data(as_text=True)
    ok = lead.post(f"/cases/{code}/id-decision", data={"decision": "kept", "reason": "C06 xác nhận"})
    assert ok.status_code == 303
    assert "Số định danh cần xác lập lại" not in lead.get(f"/cases/{code}").get_data(as_text=True)


def test_the_receipt_slip_prints_the_legal_return_date_with_a_qr_code(app, world):
    code = start(world.police, world.resident())
    page = login(app.test_client(), "police_a").get(f"/cases/{code}/receipt").get_data(as_text=True)
    due = case(code).legal_due_on
    assert "Giấy hẹn trả thẻ Căn cước" in page and due.strftime("%d/%m/%Y") in page
    assert 'src="data:image/svg+xml' in page
