"""Residents where they really are, in Chromium: a request to another province's commune and its
answer, a student's walk-in at another province's station counted in the home unit's coverage,
a night shift across midnight, and a file the centre returns and the unit sends again."""

from datetime import date

from sqlalchemy import select

from tests.support.cases import case, do, start, task_of
from tests.support.production import dispatch
from tests.support.stations import make_station
from webapp.models import Case, db
from webapp.services import clock
from webapp.services.accounts import users
from webapp.services.uow import command

BA_DINH = "Phường Ba Đình · Hà Nội (00004)"


def test_a_request_to_another_provinces_commune_and_its_answer(world, live, page_for):
    pid = world.resident(name="Lê Văn Sinh", born=date(2005, 2, 3))
    home = page_for("police_a")
    home.goto(f"{live}/cooperation/new?personal_id={pid}")
    home.select_option("select[name=kind]", "take_application")
    unit = home.locator("input[name=unit]")
    unit.press_sequentially("ba dinh", delay=30)  # the picker suggests units as one types
    home.wait_for_selector(f'#unit-options option[value="{BA_DINH}"]', state="attached")
    unit.fill(BA_DINH)
    home.fill("textarea[name=message]", "Sinh viên đang học tại Hà Nội")
    home.click("#cooperation-new button[type=submit]")
    home.wait_for_selector(".flash-success")
    assert "Phường Ba Đình" in home.inner_text(".flash-success")
    assert "Chờ trả lời" in home.inner_text("main")

    there = page_for("police_hn")
    there.click("nav >> text=Phối hợp")
    there.wait_for_selector(".cooperation-table")
    assert "Lê Văn Sinh" in there.inner_text(".cooperation-table")
    there.click(".cooperation-table tbody tr a")
    there.check("input[name=result][value=done]")
    there.fill("textarea[name=answer]", "Đã thu nhận tại trụ sở phường")
    there.click("#cooperation-answer button[type=submit]")
    there.wait_for_selector(".flash-success")

    home.goto(f"{live}/listing/")
    row = home.inner_text("#results")
    assert (
        "Đã thực hiện" in row and "Đã thu nhận tại trụ sở phường" in row and "Nộp tại: Phường Ba Đình" in row
    )


def test_a_student_walks_in_at_another_provinces_station_and_counts_in_the_home_coverage(
    world, live, page_for
):
    with command():
        lead = users.create("lead_hn", "police_lead", "00004", "secret-pass-1", "Trưởng Công an Ba Đình")
    station = make_station(lead, name="Đại học Bách khoa", kind="school")
    pid = world.resident(name="Trịnh Minh Tú", born=date(2006, 9, 1))
    home = page_for("police_a")
    home.goto(f"{live}/listing/coverage")
    before = home.inner_text(".coverage-figure")
    assert before.startswith("0 / 1")

    desk = page_for("police_hn")
    desk.goto(f"{live}/stations/{station}")
    desk.click(".st-walkin summary")
    desk.fill("#st-people", pid)
    desk.check("#walkin input[name=now]")
    desk.click("#walkin button[type=submit]")
    desk.wait_for_selector("text=Trịnh Minh Tú")

    home.goto(f"{live}/listing/coverage")
    assert home.inner_text(".coverage-figure").startswith("1 / 1")  # once, at home
    home.goto(f"{live}/listing/")
    assert "Nộp tại: Phường Ba Đình" in home.inner_text("#results")


def test_a_night_shift_across_midnight(world, live, page_for):
    station = make_station(world.lead, shifts=[])
    lead = page_for("lead_a")
    lead.goto(f"{live}/stations/{station}/edit")
    weekday = clock.today_local().weekday()
    lead.select_option("select[name=shift-0-weekday]", str(weekday))
    lead.fill("input[name=shift-0-starts]", "18:00")
    lead.fill("input[name=shift-0-ends]", "02:00")
    lead.fill("input[name=shift-0-slot_minutes]", "60")
    lead.fill("input[name=shift-0-capacity]", "20")
    lead.click("main button[type=submit]")
    lead.wait_for_selector(".flash-success")
    lead.goto(f"{live}/stations/{station}")
    slots = lead.inner_text(".st-grid")
    assert slots.index("23:00–00:00") < slots.index("00:00–01:00") < slots.index("01:00–02:00")
    assert "rạng sáng" in slots


def test_a_file_returned_by_the_centre_is_fixed_and_sent_again(world, live, page_for):
    code = start(world.police, world.resident(name="Đỗ Thu Hà"))
    do(world.police, code, "verify_application", {"discrepancies": []})
    do(world.police, code, "capture_biometrics", {"fingerprints": "ok"})
    do(world.approval, code, "approve_application", {"decision": "approve"})
    sent = dispatch(world.lead)

    centre = page_for("production")
    centre.goto(f"{live}/batches/{sent}")
    centre.click(".return-file summary")
    centre.select_option(".return-file select[name=reason]", "photo_quality")
    centre.fill(".return-file input[name=note]", "Ảnh bị lóa")
    centre.click(f"text=Trả hồ sơ {code}")
    centre.wait_for_selector(".flash-success")
    assert case(code).steps == ["capture_biometrics"]

    police = page_for("police_a")
    police.goto(f"{live}/cases/{code}")
    timeline = police.inner_text("main")
    assert "Trung tâm trả hồ sơ" in timeline and "Ảnh bị lóa" in timeline
    police.goto(f"{live}/tasks/{task_of(code, 'capture_biometrics').id}")
    police.select_option("select[name=fingerprints]", "ok")
    police.click("#task-form .outcomes button >> nth=0")
    police.wait_for_selector(".flash-success")
    do(world.approval, code, "approve_application", {"decision": "approve"})
    assert case(code).steps == ["await_card_production"]  # sent again


def test_a_planned_home_visit_ends_in_a_case(world, live, page_for):
    from webapp.services.residents import listing
    from webapp.services.residents.registry import get, upsert

    pid = world.resident(name="Cụ Hoàng Văn Thọ", born=date(1938, 4, 4))
    resident = get(pid)
    with command():
        upsert(
            None,
            pid,
            {
                "full_name": resident.full_name,
                "birth_date": resident.birth_date.isoformat(),
                "sex": resident.sex,
                "permanent_unit": "13300",
                "household_id": "HK-0099",
            },
        )
        listing.set_status(world.police, resident.id, listing.Change(status="home_visit"))
    police = page_for("police_a")
    police.goto(f"{live}/visits/households/HK-0099")
    police.fill("input[name=hamlet]", "Thôn Đông")
    police.fill("input[name=house_number]", "12")
    police.fill("input[name=phone]", "0912345678")
    police.click("main button[type=submit]")
    police.wait_for_selector(".flash-success")

    police.goto(f"{live}/listing/")
    police.click("text=Lập kế hoạch đến nhà")
    police.fill("input[name=team]", "Tổ lưu động số 2")
    assert police.is_checked(f"input[name=resident][value='{resident.id}']")
    police.click("#visit-plan button[type=submit]")
    police.wait_for_selector(".flash-success")
    assert "Thôn Đông" in police.inner_text(".visit-hamlet")
    assert "0912345678" in police.inner_text(".visit-stops")
    police.check(".visit-result input[value=taken]")
    police.click(".visit-result button[type=submit]")
    police.wait_for_selector(".flash-success")
    said = police.inner_text(".flash-success")
    [started] = db.session.scalars(select(Case).where(Case.resident_id == resident.id)).all()
    assert f"Đã tiếp nhận hồ sơ {started.code} tại nhà." in said
    assert started.priority == "home_visit" and started.unit.code == "13300"


def test_a_mobile_teams_day_page_works_on_a_phone(world, live, browser):
    from tests.support.world import PASSWORD

    station = make_station(world.lead, name="Tổ lưu động Đại học", kind="school")
    pid = world.resident(name="Vũ Minh Khang", born=date(2006, 1, 2))
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{live}/login")
        page.fill("input[name=username]", "police_a")
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live}/")
        page.goto(f"{live}/stations/{station}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        code = page.locator("#checkin input[name=code]")
        assert code.is_visible() and code.bounding_box()["height"] >= 44
        assert page.locator("#checkin button[type=submit]").bounding_box()["height"] >= 44
        # The day's list comes before the slots on a phone.
        assert (
            page.locator("#appointments").bounding_box()["y"]
            < page.locator(".st-grid table").first.bounding_box()["y"]
        )
        # The VNeID level 2 form for a chip-card holder at the desk: a large target too.
        assert page.locator(".st-vneid summary").bounding_box()["height"] >= 44
        page.tap(".st-walkin summary")
        assert page.locator("#walkin button[type=submit]").bounding_box()["height"] >= 44
        page.fill("#st-people", pid)
        page.tap("#walkin button[type=submit]")
        page.wait_for_selector("#appointments >> text=Vũ Minh Khang")
    finally:
        context.close()
