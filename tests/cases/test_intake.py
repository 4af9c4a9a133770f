"""Intake: the papers against the registry propose discrepancy codes; the officer's choice drives
the route and is recorded beside the proposal; the electronic identity goes on the resident."""

import unicodedata
from datetime import date

import pytest

from tests.support.api import Api, complete, task_id
from tests.support.cases import CLEAN, actions, case, do, start, task_of
from webapp.models import CaseEvent, Resident, db
from webapp.services import workflow_store
from webapp.services.cases import commands, intake, step_rules, tasks
from webapp.services.errors import Invalid
from webapp.services.residents import eligibility
from webapp.services.uow import command


def resident(pid: str) -> Resident:
    db.session.expire_all()
    return db.session.query(Resident).filter_by(personal_id=pid).one()


def codes(pid: str, papers: dict) -> list[str]:
    return [p.code for p in intake.propose(resident(pid), papers)]


def reasons(pid: str, papers: dict, code: str) -> list[str]:
    return [r.en for p in intake.propose(resident(pid), papers) if p.code == code for r in p.reasons]


# --- the proposal, code by code -----------------------------------------------------------------


def test_papers_that_agree_with_the_registry_propose_nothing(world):
    pid = world.resident(born=date(1990, 5, 17), sex="female", name="Nguyễn Thị Lan")
    papers = {
        "hr": {
            "full_name": "Nguyễn Thị Lan",
            "birth_date": "1990-05-17",
            "sex": "female",
            "hometown": "Ninh Bình",
        },
        # old ID cards print names in capitals; spacing and Unicode composition do not count
        "old_id": {"full_name": "NGUYỄN  THỊ LAN ", "birth_date": "1990-05-17", "sex": "female"},
        "bc": {"full_name": unicodedata.normalize("NFD", "Nguyễn Thị Lan"), "hometown": "ninh bình"},
        "birth_certificate": "present",
    }
    assert codes(pid, papers) == []
    assert intake.compare(resident(pid), papers).cells == {}
    assert codes(pid, {}) == []


def test_a_birth_date_that_differs_from_the_registry_or_another_paper_is_dob_mismatch(world):
    pid = world.resident(born=date(1990, 5, 17))
    assert codes(pid, {"hr": {"birth_date": "1991-05-17"}}) == ["dob_mismatch"]
    assert reasons(pid, {"hr": {"birth_date": "1991-05-17"}}, "dob_mismatch") == [
        "The household register gives 17/05/1991, the registry 17/05/1990."
    ]
    # only the year on the old ID: it agrees with the registry, but is incomplete
    assert codes(pid, {"old_id": {"birth_date": "1990"}}) == ["dob_incomplete"]
    assert codes(pid, {"old_id": {"birth_date": "1989"}}) == ["dob_mismatch", "dob_incomplete"]
    # the registry knows only the year: two papers that agree with it may still disagree together
    vague = world.resident(born=date(1990, 1, 1), precision="year")
    split = {"hr": {"birth_date": "1990-05-17"}, "bc": {"birth_date": "1990-06-01"}}
    assert codes(vague, split) == ["dob_mismatch", "dob_incomplete"]
    assert "The household register gives 17/05/1990, the birth certificate 01/06/1990." in reasons(
        vague, split, "dob_mismatch"
    )
    cells = intake.compare(resident(vague), split).cells
    assert set(cells) == {"hr_birth_date", "bc_birth_date", "registry_birth_date"}


def test_a_birth_date_without_day_and_month_is_dob_incomplete(world):
    year_only = world.resident(born=date(1950, 1, 1), precision="year")
    assert codes(year_only, {}) == ["dob_incomplete"]
    assert reasons(year_only, {}, "dob_incomplete") == ["The registry gives the birth date only as 1950."]
    month_only = world.resident(born=date(1950, 3, 1), precision="month")
    assert reasons(month_only, {}, "dob_incomplete") == ["The registry gives the birth date only as 03/1950."]
    full = world.resident(born=date(1950, 3, 9))
    assert codes(full, {"bc": {"birth_date": "1950-03"}}) == ["dob_incomplete"]


def test_a_name_that_differs_even_by_one_diacritic_is_name_mismatch(world):
    pid = world.resident(name="Nguyễn Thị Lan")
    assert codes(pid, {"hr": {"full_name": "Nguyễn Thị Lân"}}) == ["name_mismatch"]
    assert codes(pid, {"old_id": {"full_name": "Nguyen Thi Lan"}}) == ["name_mismatch"]
    assert reasons(pid, {"bc": {"full_name": "Nguyễn Thị Lam"}}, "name_mismatch") == [
        "The birth certificate gives the name “Nguyễn Thị Lam”, the registry “Nguyễn Thị Lan”."
    ]
    assert intake.compare(resident(pid), {"bc": {"full_name": "Nguyễn Thị Lam"}}).cells == {
        "bc_full_name": intake.DIFFERS
    }


def test_a_sex_that_differs_is_sex_mismatch(world):
    pid = world.resident(sex="female")
    assert codes(pid, {"hr": {"sex": "male"}, "bc": {"sex": "female"}}) == ["sex_mismatch"]
    assert reasons(pid, {"hr": {"sex": "male"}}, "sex_mismatch") == [
        "The household register says male, the registry female."
    ]


def test_id_digits_that_disagree_with_the_registry_birth_year_or_sex_are_id_inconsistent(world):
    pid = world.resident(born=date(1990, 5, 17), sex="female")
    with command():  # a registry record that drifted from its ID (it came from another system)
        record = resident(pid)
        record.birth_date, record.sex = date(1991, 5, 17), "male"
    found = reasons(pid, {}, "id_inconsistent")
    assert codes(pid, {}) == ["id_inconsistent"]
    assert any("give birth year 1990, but the record says 1991" in r for r in found)
    assert any("means female, but the record says male" in r for r in found)


def test_a_lost_birth_certificate_is_no_birth_certificate(world):
    pid = world.resident()
    assert codes(pid, {"birth_certificate": "lost"}) == ["no_birth_certificate"]
    assert codes(pid, {"birth_certificate": "not_brought"}) == []
    assert intake.compare(resident(pid), {"birth_certificate": "not_brought"}).notes  # said, without a code


def test_hometowns_that_differ_between_papers_are_pointed_out_without_a_code(world):
    pid = world.resident()
    comparison = intake.compare(
        resident(pid), {"hr": {"hometown": "Ninh Bình"}, "bc": {"hometown": "Nam Định"}}
    )
    assert comparison.codes == []
    assert set(comparison.cells) == {"hr_hometown", "bc_hometown"}
    assert "Nam Định" in comparison.notes[0].en


def test_values_that_are_not_valid_are_left_to_the_form(world):
    pid = world.resident()
    assert codes(pid, {"hr": {"birth_date": "17/05/1991", "sex": "x"}}) == []


# --- completing verify_application --------------------------------------------------------------


def _intake_event(code: str) -> dict:
    c = case(code)
    return db.session.scalar(
        db.select(CaseEvent.detail).where(
            CaseEvent.case_id == c.id, CaseEvent.action == "completed", CaseEvent.step == "verify_application"
        )
    )


def test_the_officers_choice_drives_the_route_and_overrides_are_recorded(world):
    code = start(world.police, world.resident(born=date(1990, 5, 17), name="Nguyễn Thị Lan"))
    papers = {"hr_birth_date": "1991-05-17", "bc_full_name": "Nguyễn Thị Lân", "birth_certificate": "present"}
    # The officer keeps the name, drops the birth date (the register is the one wrong) and adds sex.
    c = do(
        world.police,
        code,
        "verify_application",
        {**papers, "discrepancies": ["name_mismatch", "sex_mismatch"]},
    )
    assert c.current_steps == "capture_biometrics,triage_correction"
    detail = _intake_event(code)
    assert detail["intake"]["proposed"] == ["dob_mismatch", "name_mismatch"]
    assert detail["intake"]["chosen"] == ["name_mismatch", "sex_mismatch"]
    assert detail["intake"]["removed"] == ["dob_mismatch"] and detail["intake"]["added"] == ["sex_mismatch"]
    assert detail["intake"]["reasons"]["dob_mismatch"][0]["vi"].startswith(
        "Sổ hộ khẩu ghi ngày sinh 17/05/1991"
    )
    assert detail["data"]["hr_birth_date"] == "1991-05-17"  # what the papers said stays in the case record


def test_a_proposal_the_officer_unticks_leaves_the_record_consistent(world):
    code = start(world.police, world.resident(born=date(1990, 5, 17)))
    c = do(world.police, code, "verify_application", {"hr_birth_date": "1991-05-17", **CLEAN})
    assert c.current_steps == "capture_biometrics"
    assert _intake_event(code)["intake"]["removed"] == ["dob_mismatch"]


def test_papers_and_the_phone_stay_out_of_the_workflow_state(world):
    code = start(world.police, world.resident())
    data = {"hr_full_name": "Nguyễn Thị Lan", "eid_request": True, "eid_phone": "0912345678", **CLEAN}
    c = do(world.police, code, "verify_application", data)
    state = workflow_store.unpack(c.state)
    assert "0912345678" not in state and "hr_full_name" not in state
    assert "discrepancies" in state  # the routing fact is there


# --- electronic identity --------------------------------------------------------------------------


def _to_hand_over(world, code):
    do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
    do(world.approval, code, "approve_application", {"decision": "approve"})
    with command():
        commands.record_card_produced(world.production, code, "C000123456", date(2026, 11, 20))
    do(world.police, code, "receive_card")


def test_an_eid_request_at_intake_and_its_activation_at_hand_over(world):
    pid = world.resident()
    code = start(world.police, pid)
    do(
        world.police,
        code,
        "verify_application",
        {**CLEAN, "eid_request": True, "eid_phone": "+84 912 345 678"},
    )
    assert (resident(pid).eid_state, resident(pid).eid_phone) == ("requested", "0912345678")
    _to_hand_over(world, code)

    before = (case(code).version, len(actions(code)))
    with pytest.raises(Invalid) as caught, command():
        tasks.complete(world.police, task_of(code, "hand_over_card").id, {"received_by": "self"})
    assert "say whether it was activated" in caught.value.fields["eid_activated"][0].en
    assert (case(code).version, len(actions(code))) == before
    assert (resident(pid).eid_state, resident(pid).card_state) == ("requested", "none")  # rolled back

    c = do(world.police, code, "hand_over_card", {"received_by": "self", "eid_activated": True})
    assert c.status == "issued" and resident(pid).eid_state == "activated"


def test_an_eid_not_activated_at_hand_over_is_kept(world):
    pid = world.resident()
    code = start(world.police, pid)
    do(world.police, code, "verify_application", {**CLEAN, "eid_request": True, "eid_phone": "0381234567"})
    _to_hand_over(world, code)
    do(world.police, code, "hand_over_card", {"received_by": "self", "eid_activated": False})
    assert resident(pid).eid_state == "not_activated"


def test_without_an_eid_request_hand_over_takes_no_activation(world):
    pid = world.resident()
    code = start(world.police, pid)
    do(world.police, code, "verify_application", CLEAN)
    _to_hand_over(world, code)
    with pytest.raises(Invalid) as caught, command():
        tasks.complete(
            world.police, task_of(code, "hand_over_card").id, {"received_by": "self", "eid_activated": True}
        )
    assert "No electronic identity was requested" in caught.value.fields["eid_activated"][0].en
    c = do(world.police, code, "hand_over_card", {"received_by": "self"})
    assert c.status == "issued" and resident(pid).eid_state is None
    # The resident now holds a chip card issued on its production day: the exchange ages count
    # from it and the listing no longer asks them to apply.
    assert (resident(pid).card_state, resident(pid).card_issued_on) == ("chip", date(2026, 11, 20))
    assert eligibility.reason(eligibility.current_rule(), resident(pid), date(2026, 12, 1)) is None


def test_an_activated_eid_is_not_requested_again(world):
    pid = world.resident()
    with command():
        resident(pid).eid_state = "activated"
    code = start(world.police, pid)
    with pytest.raises(Invalid) as caught, command():
        tasks.complete(
            world.police,
            task_of(code, "verify_application").id,
            {**CLEAN, "eid_request": True, "eid_phone": "0912345678"},
        )
    assert "already activated" in caught.value.fields["eid_request"][0].en
    assert case(code).current_steps == "verify_application"


@pytest.mark.parametrize(
    ("phone", "normalised"),
    [
        ("0912345678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("84 912 345 678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("0312-345-678", "0312345678"),
        ("0562345678", "0562345678"),
        ("0712345678", "0712345678"),
        ("0812345678", "0812345678"),
    ],
)
def test_mobile_numbers_are_normalised(phone, normalised):
    assert step_rules.normalise_phone(phone) == normalised


@pytest.mark.parametrize(
    ("data", "field", "rule"),
    [
        ({"eid_request": True}, "eid_phone", "needs a mobile phone number"),
        (
            {"eid_request": True, "eid_phone": "0212345678"},
            "eid_phone",
            "10 digits starting 03, 05, 07, 08 or 09",
        ),
        ({"eid_request": True, "eid_phone": "091234567"}, "eid_phone", "10 digits"),
        ({"eid_request": True, "eid_phone": "09123456789"}, "eid_phone", "10 digits"),
        ({"eid_request": True, "eid_phone": "０９１２３４５６７８"}, "eid_phone", "10 digits"),
        ({"eid_request": True, "eid_phone": "+85912345678"}, "eid_phone", "10 digits"),
        ({"eid_phone": "0912345678"}, "eid_phone", "only with a request"),
        (
            {"eid_request": True, "eid_phone": "0912345678", "refusal_reason": "duplicate"},
            "eid_request",
            "refused application requests no electronic identity",
        ),
        ({"hr_birth_date": "17/05/1991"}, "hr_birth_date", "YYYY-MM-DD, YYYY-MM or YYYY"),
        ({"bc_birth_date": "1990-02-30"}, "bc_birth_date", "a real date"),
        ({"old_id_birth_date": "1890"}, "old_id_birth_date", "YYYY-MM-DD"),
        ({"hr_birth_date": "2999"}, "hr_birth_date", "cannot be in the future"),
        ({"hr_sex": "m"}, "hr_sex", "choose one of: male, female"),
        ({"birth_certificate": "burnt"}, "birth_certificate", "present, not_brought, lost"),
        ({"bc_full_name": "x" * 201}, "bc_full_name", "At most 200"),
    ],
)
def test_bad_intake_data_names_the_field_and_rule_and_changes_nothing(world, data, field, rule):
    pid = world.resident()
    code = start(world.police, pid)
    before = (case(code).version, len(actions(code)))
    with pytest.raises(Invalid) as caught, command():
        tasks.complete(world.police, task_of(code, "verify_application").id, data)
    assert list(caught.value.fields) == [field]
    assert rule in caught.value.fields[field][0].en
    assert (case(code).version, len(actions(code))) == before
    assert resident(pid).eid_state is None


# --- through the API ---------------------------------------------------------------------------


def test_the_api_form_lists_the_papers_and_the_eid_fields_and_records_the_proposal(app, world):
    api = Api(app)
    started = api.post(
        "/cases", world.police, json={"personal_id": world.resident(sex="female"), "kind": "new"}
    )
    body = started.get_json()
    tid = task_id(body, "verify_application")
    names = [f["name"] for f in api.get(f"/tasks/{tid}", world.police).get_json()["form"]["fields"]]
    assert names[:3] == ["discrepancies", "note", "refusal_reason"]  # the contract only grows
    assert {
        "birth_certificate",
        "hr_birth_date",
        "old_id_full_name",
        "bc_sex",
        "eid_request",
        "eid_phone",
    } <= set(names)
    after = complete(api, world.police, tid, {"discrepancies": ["sex_mismatch"], "hr_sex": "male"})
    # One visit: the justice office and biometrics at once.
    assert {t["step"] for t in after["case"]["tasks"]} == {"triage_correction", "capture_biometrics"}
    shown = api.get(f"/cases/{body['code']}", world.police).get_json()
    done = next(e for e in shown["events"] if e["action"] == "completed")
    assert (
        done["detail"]["intake"]["proposed"] == ["sex_mismatch"] and done["detail"]["intake"]["removed"] == []
    )
