"""The intake task page: the registry beside the papers, the proposal ticked and refreshed with
htmx as the officer types, the officer's choice submitted; the electronic identity fields."""

import re
from datetime import date

import pytest

from tests.support.cases import CLEAN, case, do, start, task_of
from tests.support.web import HTMX, login
from webapp.models import CaseEvent, Resident, db
from webapp.services.cases import commands
from webapp.services.uow import command


@pytest.fixture
def police(app, world):
    return login(app.test_client(), "police_a")


def ticked(html: str) -> list[str]:
    tags = re.findall(r'<input[^>]*name="discrepancies"[^>]*>', html)
    return [re.search(r'value="(\w+)"', t).group(1) for t in tags if re.search(r"\schecked[\s>]", t)]


def proposed(html: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="proposed" value="(\w+)">', html)


def oob(html: str, element_id: str) -> str:
    """The out-of-band element with this id in an htmx answer."""
    match = re.search(rf'<(\w+) id="{element_id}"[^>]*hx-swap-oob="true"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no out-of-band #{element_id} in the answer"
    return match.group(0)


def check(client, task_id: str, field: str, form: dict):
    return client.post(f"/tasks/{task_id}/check?field={field}", data=form, headers=HTMX)


def test_the_page_shows_the_registry_beside_the_papers(app, world, police):
    code = start(world.police, world.resident(born=date(1990, 5, 17), name="Nguyễn Thị Lan"))
    page = police.get(f"/tasks/{task_of(code, 'verify_application').id}").get_data(as_text=True)
    table = page[page.index('<table class="intake-compare"') : page.index("</table>")]
    headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table)
    assert headers == ["", "Dữ liệu dân cư", "Sổ hộ khẩu", "CMND cũ", "Giấy khai sinh"]
    assert "Nguyễn Thị Lan" in table and "17/05/1990" in table
    for name in ("hr_full_name", "old_id_birth_date", "bc_sex", "hr_hometown"):
        assert f'name="{name}"' in table
    assert 'name="birth_certificate"' in page and 'name="eid_request"' in page and 'name="eid_phone"' in page
    assert ticked(page) == [] and proposed(page) == []  # nothing to propose for a clean record


def test_what_the_registry_alone_suggests_comes_ticked_with_its_reason(app, world, police):
    code = start(world.police, world.resident(born=date(1950, 1, 1), precision="year"))
    page = police.get(f"/tasks/{task_of(code, 'verify_application').id}").get_data(as_text=True)
    assert ticked(page) == ["dob_incomplete"] and proposed(page) == ["dob_incomplete"]
    assert "Dữ liệu dân cư chỉ ghi ngày sinh 1950." in page
    assert re.search(r'id="flag-registry_birth_date"[^>]*>Thiếu ngày, tháng<', page)


def test_a_paper_field_refreshes_the_proposal_and_the_highlighted_cell(app, world, police):
    code = start(world.police, world.resident(born=date(1990, 5, 17)))
    task = task_of(code, "verify_application")
    answer = check(police, task.id, "hr_birth_date", {"hr_birth_date": "17/05/1991"}).get_data(as_text=True)
    assert "<html" not in answer
    assert "Khác dữ liệu dân cư" in oob(answer, "flag-hr_birth_date")
    proposal = oob(answer, "intake-proposal")
    assert ticked(proposal) == ["dob_mismatch"] and proposed(proposal) == ["dob_mismatch"]
    assert "Sổ hộ khẩu ghi ngày sinh 17/05/1991, dữ liệu dân cư ghi 17/05/1990." in proposal
    assert ">Khác dữ liệu dân cư<" not in oob(answer, "flag-bc_birth_date")  # the others stay plain
    # the date written back as the register gives it: the proposal withdraws its own tick
    answer = check(
        police,
        task.id,
        "hr_birth_date",
        {"hr_birth_date": "17/05/1990", "proposed": ["dob_mismatch"], "discrepancies": ["dob_mismatch"]},
    ).get_data(as_text=True)
    assert ticked(oob(answer, "intake-proposal")) == [] and proposed(oob(answer, "intake-proposal")) == []


def test_a_refresh_keeps_what_the_officer_ticked_or_unticked_by_hand(app, world, police):
    code = start(world.police, world.resident(born=date(1990, 5, 17), sex="female", name="Nguyễn Thị Lan"))
    task = task_of(code, "verify_application")
    form = {
        "hr_birth_date": "17/05/1991",  # proposed dob_mismatch, which the officer unticked
        "proposed": ["dob_mismatch"],
        "discrepancies": ["sex_mismatch"],  # ticked by hand, never proposed
        "bc_full_name": "Nguyễn Thị Lân",  # just typed: a new proposal
    }
    proposal = oob(check(police, task.id, "bc_full_name", form).get_data(as_text=True), "intake-proposal")
    assert ticked(proposal) == ["name_mismatch", "sex_mismatch"]
    assert proposed(proposal) == ["dob_mismatch", "name_mismatch"]


def test_a_bad_paper_date_is_named_as_the_officer_types(app, world, police):
    code = start(world.police, world.resident())
    task = task_of(code, "verify_application")
    answer = check(police, task.id, "hr_birth_date", {"hr_birth_date": "31/02/1990"}).get_data(as_text=True)
    errors = answer[: answer.index('id="flag-')]
    assert "dd/mm/yyyy, mm/yyyy hoặc yyyy" in errors and 'role="alert"' in errors
    answer = check(police, task.id, "eid_phone", {"eid_request": "true", "eid_phone": "0212345678"})
    assert "bắt đầu bằng 03, 05, 07, 08 hoặc 09" in answer.get_data(as_text=True)
    assert "hx-swap-oob" not in answer.get_data(as_text=True)  # not a paper: no refresh


def test_the_officers_choice_is_submitted_and_the_proposal_recorded(app, world, police):
    pid = world.resident(born=date(1990, 5, 17))
    code = start(world.police, pid)
    task = task_of(code, "verify_application")
    response = police.post(
        f"/tasks/{task.id}",
        data={
            "hr_birth_date": "05/1991",
            "old_id_birth_date": "1990",
            "birth_certificate": "present",
            "discrepancies": [],  # the officer finds the register wrong, not the record
            "eid_request": "true",
            "eid_phone": "0912 345 678",
            "version": case(code).version,
        },
    )
    assert response.status_code == 303
    assert case(code).current_steps == "capture_biometrics"
    detail = db.session.scalar(db.select(CaseEvent.detail).where(CaseEvent.step == "verify_application"))
    assert detail["data"]["hr_birth_date"] == "1991-05" and detail["data"]["old_id_birth_date"] == "1990"
    assert detail["intake"]["proposed"] == ["dob_mismatch", "dob_incomplete"]
    assert detail["intake"]["removed"] == ["dob_mismatch", "dob_incomplete"]
    record = db.session.query(Resident).filter_by(personal_id=pid).one()
    assert (record.eid_state, record.eid_phone) == ("requested", "0912345678")
    # the next steps' history shows the overrides
    page = police.get(f"/tasks/{task_of(code, 'capture_biometrics').id}").get_data(as_text=True)
    assert "Cán bộ bỏ đề xuất" in page and "0912345678" in page


def test_a_bad_phone_is_refused_with_its_rule_and_nothing_changes(app, world, police):
    pid = world.resident()
    code = start(world.police, pid)
    task = task_of(code, "verify_application")
    version = case(code).version
    response = police.post(
        f"/tasks/{task.id}", data={"eid_request": "true", "eid_phone": "12345", "version": version}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Số di động phải có 10 chữ số" in body
    assert 'name="eid_phone"' in body and '<table class="intake-compare"' in body  # the form comes back
    assert case(code).version == version
    assert db.session.query(Resident).filter_by(personal_id=pid).one().eid_state is None


def test_hand_over_asks_about_the_eid_only_when_it_was_requested(app, world, police):
    requested, plain = world.resident(), world.resident()
    codes = {}
    for pid, extra in ((requested, {"eid_request": True, "eid_phone": "0912345678"}), (plain, {})):
        code = start(world.police, pid)
        do(world.police, code, "verify_application", {**CLEAN, **extra})
        do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
        do(world.approval, code, "approve_application", {"decision": "approve"})
        with command():
            commands.record_card_produced(world.production, code, f"C{pid[-6:]}", date(2026, 11, 20))
        do(world.police, code, "receive_card")
        codes[pid] = code
    page = police.get(f"/tasks/{task_of(codes[requested], 'hand_over_card').id}").get_data(as_text=True)
    assert 'name="eid_activated"' in page and "0912345678" in page
    page = police.get(f"/tasks/{task_of(codes[plain], 'hand_over_card').id}").get_data(as_text=True)
    assert 'name="eid_activated"' not in page
    task = task_of(codes[requested], "hand_over_card")
    response = police.post(
        f"/tasks/{task.id}",
        data={"received_by": "self", "version": case(codes[requested]).version, "confirmed": "hand_over"},
    )
    assert response.status_code == 422 and "ghi đã kích hoạt hay chưa" in response.get_data(as_text=True)
    response = police.post(
        f"/tasks/{task.id}",
        data={
            "received_by": "self",
            "eid_activated": "true",
            "version": case(codes[requested]).version,
            "confirmed": "hand_over",
        },
    )
    assert response.status_code == 303
    assert db.session.query(Resident).filter_by(personal_id=requested).one().eid_state == "activated"


def test_the_intake_page_speaks_english_too(app, world, police):
    code = start(world.police, world.resident(born=date(1950, 1, 1), precision="year"))
    police.post("/lang/en")
    page = police.get(f"/tasks/{task_of(code, 'verify_application').id}").get_data(as_text=True)
    table = page[page.index('<table class="intake-compare"') : page.index("</table>")]
    assert re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table) == [
        "",
        "Population registry",
        "Household register",
        "Old ID card",
        "Birth certificate",
    ]
    assert "The registry gives the birth date only as 1950." in page


# --- "Chuyển Tư pháp": the button says where the file goes ---------------------------------------


def outcome_buttons(html: str) -> list[tuple[str, str]]:
    outcomes = html[html.index('class="outcomes"') :]
    outcomes = outcomes[: outcomes.index("</div>")]
    return re.findall(r'<button type="submit" name="outcome" value="(\w+)"[^>]*>([^<]+)</button>', outcomes)


def test_intake_offers_send_on_send_to_justice_and_refuse(app, world, police):
    code = start(world.police, world.resident())
    html = police.get(f"/tasks/{task_of(code, 'verify_application').id}").get_data(as_text=True)
    assert outcome_buttons(html) == [
        ("forward", "Chuyển tiếp"),
        ("to_justice", "Chuyển Tư pháp"),
        ("refuse", "Từ chối hồ sơ"),
    ]


def test_send_to_justice_with_a_discrepancy_goes_to_the_justice_office(app, world, police):
    code = start(world.police, world.resident())
    task = task_of(code, "verify_application")
    response = police.post(
        f"/tasks/{task.id}",
        data={"discrepancies": ["dob_mismatch"], "outcome": "to_justice", "version": case(code).version},
    )
    assert response.status_code == 303
    # One visit: the justice office and the biometrics at once.
    assert case(code).current_steps == "capture_biometrics,triage_correction"


@pytest.mark.parametrize(
    ("outcome", "ticks", "said"),
    [
        ("to_justice", [], "Đánh dấu ít nhất một sai lệch để chuyển Tư pháp."),
        ("forward", ["name_mismatch"], "bấm “Chuyển Tư pháp”, hoặc bỏ đánh dấu sai lệch"),
    ],
)
def test_a_button_that_contradicts_the_ticks_is_refused_under_them(app, world, police, outcome, ticks, said):
    code = start(world.police, world.resident())
    task = task_of(code, "verify_application")
    before = case(code).version
    response = police.post(
        f"/tasks/{task.id}", data={"discrepancies": ticks, "outcome": outcome, "version": before}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html[html.index("error-summary") :]
    assert 'href="#discrepancies-0"' in summary[: summary.index("</ul>")] and said in summary
    assert said in html[html.index('id="discrepancies-0"') :]  # also under the field itself
    assert case(code).version == before and case(code).current_steps == "verify_application"
