"""The correction loop in Chromium, in Vietnamese: a flagged record fixed at the police desk and
confirmed by the lead; the justice office returning a file to the police, who fix the record and
go on; the receipt slip with the statutory return date. Screenshots for the README."""

from datetime import date

from sqlalchemy import select

from tests.support.cases import case, do, start, task_of
from tests.support.paths import SCREENSHOTS as SHOTS
from webapp.models import Resident, db
from webapp.services.residents import registry
from webapp.services.residents.personal_id import make_personal_id
from webapp.services.uow import command


def flash(page) -> str:
    page.wait_for_selector(".flash-success")
    return page.inner_text(".flash-success")


def resident(pid: str) -> Resident:
    db.session.expire_all()
    return db.session.scalar(select(Resident).where(Resident.personal_id == pid))


def test_a_flagged_record_is_fixed_at_the_police_desk(world, live, page_for):
    # Imported as born 1990, but the ID's digits say 1991: stored and flagged.
    pid = make_personal_id("037", 1991, "female", 7001)
    with command():
        registry.upsert(
            None,
            pid,
            {
                "full_name": "Đinh Thị Yến",
                "birth_date": "1990-04-09",
                "sex": "female",
                "permanent_unit": "13300",
            },
        )
    police = page_for("police_a")
    police.goto(f"{live}/listing/?flagged=1")
    police.wait_for_selector("text=Đinh Thị Yến")
    police.click("#results a.badge-flag >> nth=0")
    police.wait_for_selector("text=Lập phiếu cập nhật")
    assert "Sai thông tin dân cư" in police.inner_text("main")
    police.fill("input[name=birth_date]", "09/04/1991")
    police.select_option("select[name=basis_kind]", "birth_certificate")
    police.fill("input[name=basis_number]", "112/2024/TLKS")
    police.fill("input[name=basis_date]", "05/03/2024")
    police.fill("textarea[name=reason]", "Giấy khai sinh ghi năm 1991")
    police.click("form.correction-form button[type=submit]")
    assert "chờ lãnh đạo xác nhận" in flash(police)
    assert "09/04/1990 → 09/04/1991" in police.inner_text(".corrections-history")
    assert resident(pid).birth_date == date(1990, 4, 9)  # not until the lead confirms
    SHOTS.mkdir(parents=True, exist_ok=True)
    police.screenshot(path=str(SHOTS / "correction-desk-vi.png"), full_page=True)

    lead = page_for("lead_a")
    lead.goto(f"{live}/residents/{pid}/corrections")
    lead.click(".corrections-history button[type=submit]")
    assert "đã được cập nhật" in flash(lead)
    assert "Sai thông tin dân cư" not in lead.inner_text(".resident-record")
    fixed = resident(pid)
    assert fixed.birth_date == date(1991, 4, 9) and fixed.id_mismatch is None


def test_justice_returns_the_file_and_the_police_fix_the_record(world, live, page_for):
    code = start(world.police, world.resident(name="Bùi Văn Hải", born=date(1988, 2, 3), sex="male"))
    do(
        world.police,
        code,
        "verify_application",
        {"discrepancies": ["dob_mismatch"], "hr_birth_date": "1988-02-03", "bc_birth_date": "1988-03-02"},
    )
    justice = page_for("justice_a")
    justice.goto(f"{live}/tasks/{task_of(code, 'triage_correction').id}")
    justice.wait_for_selector(".triage-papers")
    papers = justice.inner_text(".triage-papers")
    assert "03/02/1988" in papers and "02/03/1988" in papers and "Cải chính hộ tịch" in papers
    assert justice.input_value("select[name=procedure]") == "correction"  # the table's suggestion
    SHOTS.mkdir(parents=True, exist_ok=True)
    justice.screenshot(path=str(SHOTS / "triage-vi.png"), full_page=True)
    justice.select_option("select[name=procedure]", "return_to_police")
    justice.check("input[name=documents_complete][value=true]")
    justice.fill("textarea[name=reason]", "Giấy khai sinh đúng; dữ liệu dân cư ghi sai ngày sinh")
    justice.click("#task-form .outcomes button >> nth=0")
    assert "Công an" in flash(justice)

    police = page_for("police_a")
    police.goto(f"{live}/tasks/{task_of(code, 'update_population_record').id}")
    assert "Giấy khai sinh đúng" in police.inner_text("main")
    police.click("text=Sửa thông tin dân cư tại bàn tiếp nhận")
    police.wait_for_selector("form.correction-form")
    police.fill("input[name=birth_date]", "02/03/1988")
    police.select_option("select[name=basis_kind]", "birth_certificate")
    police.fill("input[name=basis_number]", "45/TLKS")
    police.fill("input[name=basis_date]", "10/01/2024")
    police.click("form.correction-form button[type=submit]")
    flash(police)
    lead = page_for("lead_a")
    lead.goto(f"{live}/residents/{case(code).resident.personal_id}/corrections")
    lead.click(".corrections-history button[type=submit]")
    flash(lead)
    police.goto(f"{live}/tasks/{task_of(code, 'update_population_record').id}")
    police.check("input[name=confirmed][value=true]")
    police.click("#task-form .outcomes button >> nth=0")
    flash(police)
    assert case(code).current_steps == "capture_biometrics"
    assert case(code).resident.birth_date == date(1988, 3, 2)


def test_the_receipt_slip_gives_the_statutory_return_date(world, live, page_for):
    code = start(world.police, world.resident(name="Vũ Thị Thảo"))
    police = page_for("police_a")
    police.goto(f"{live}/cases/{code}")
    assert "Hạn trả thẻ theo luật" in police.inner_text("main")
    police.click("text=Giấy hẹn trả (CC02)")
    police.wait_for_selector(".case-receipt")
    assert case(code).legal_due_on.strftime("%d/%m/%Y") in police.inner_text(".case-receipt")
    SHOTS.mkdir(parents=True, exist_ok=True)
    police.screenshot(path=str(SHOTS / "receipt-vi.png"), full_page=True)


def submit(page) -> str:
    page.click("#task-form .outcomes button >> nth=0")
    return flash(page)


def test_a_birth_date_correction_takes_one_visit(world, live, page_for):
    """The police send the file to the justice office and take fingerprints at the same visit;
    when the correction comes back the case goes to approval without the citizen."""
    code = start(world.police, world.resident(name="Hà Thị Mai", born=date(1990, 5, 17)))
    police = page_for("police_a")
    police.goto(f"{live}/tasks/{task_of(code, 'verify_application').id}")
    police.check("input[value=dob_mismatch]")
    police.fill("textarea[name=note]", "Giấy khai sinh ghi 17/11/1990")
    police.click("#task-form .outcomes button[value=to_justice]")  # "Chuyển Tư pháp"
    assert "Tư pháp – Hộ tịch" in flash(police)
    police.goto(f"{live}/tasks/{task_of(code, 'capture_biometrics').id}")  # the same visit
    police.select_option("select[name=fingerprints]", "ok")
    submit(police)
    assert case(code).current_steps == "triage_correction"  # the citizen may go home

    justice = page_for("justice_a")
    justice.goto(f"{live}/tasks/{task_of(code, 'triage_correction').id}")
    justice.select_option("select[name=procedure]", "correction")
    justice.check("input[name=documents_complete][value=true]")
    submit(justice)
    justice.goto(f"{live}/tasks/{task_of(code, 'record_correction').id}")
    justice.fill("input[name=decision_number]", "21/TLCC")
    justice.fill("input[name=decision_date]", "01/12/2026")
    justice.fill("input[name=change_birth_date]", "17/11/1990")
    assert "Công an" in submit(justice)

    police.goto(f"{live}/tasks/{task_of(code, 'update_population_record').id}")
    police.check("input[name=confirmed][value=true]")
    submit(police)
    assert case(code).current_steps == "approve_application"  # no second capture, no second visit
    police.goto(f"{live}/cases/{code}")
    police.wait_for_selector("#activity")
    SHOTS.mkdir(parents=True, exist_ok=True)
    police.screenshot(path=str(SHOTS / "one-visit-vi.png"), full_page=True)


def test_a_re_registration_with_its_conditions_and_the_first_places_verification(world, live, page_for):
    code = start(world.police, world.resident(name="Trịnh Văn Lộc", born=date(1975, 8, 2), sex="male"))
    do(
        world.police,
        code,
        "verify_application",
        {"discrepancies": ["no_birth_certificate", "dob_mismatch"], "birth_certificate": "lost"},
    )
    do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
    justice = page_for("justice_a")
    justice.goto(f"{live}/tasks/{task_of(code, 'triage_correction').id}")
    justice.select_option("select[name=procedure]", "birth_reregistration")
    justice.check("input[name=documents_complete][value=true]")
    justice.fill("input[name=original_registration_year]", "2018")
    justice.fill("input[name=original_registration_place]", "Xã Gia Sinh, Ninh Bình")
    justice.check("input[name=register_lost][value=true]")
    justice.check("input[name=certificate_lost][value=false]")
    justice.click("#task-form .outcomes button >> nth=0")
    justice.wait_for_selector(".error-summary")
    errors = justice.inner_text(".error-summary")
    assert "trước ngày 01/01/2016" in errors and "bản chính giấy khai sinh phải đã mất" in errors
    SHOTS.mkdir(parents=True, exist_ok=True)
    justice.screenshot(path=str(SHOTS / "reregistration-conditions-vi.png"), full_page=True)
    assert case(code).current_steps == "triage_correction"
    justice.fill("input[name=original_registration_year]", "1975")
    justice.check("input[name=certificate_lost][value=true]")
    submit(justice)

    justice.goto(f"{live}/tasks/{task_of(code, 'verify_original_commune').id}")
    assert "Đã đăng ký khai sinh năm 1975 tại Xã Gia Sinh, Ninh Bình" in justice.inner_text("main")
    justice.check("input[name=register_kept][value=false]")
    justice.fill("input[name=reply_number]", "12/UBND-TP")
    justice.fill("input[name=reply_date]", "01/12/2026")
    submit(justice)
    justice.goto(f"{live}/tasks/{task_of(code, 'record_correction').id}")
    justice.fill("input[name=decision_number]", "85/2026")
    justice.fill("input[name=decision_date]", "01/12/2026")
    assert "Công an" in submit(justice)
    assert case(code).current_steps == "update_population_record"
    justice.goto(f"{live}/cases/{code}")
    activity = justice.inner_text("#activity")
    assert "Giấy khai sinh mới và trích lục khai sinh (đăng ký lại)" in activity
    assert "Nơi đăng ký trước đây không còn lưu sổ hộ tịch" in activity
