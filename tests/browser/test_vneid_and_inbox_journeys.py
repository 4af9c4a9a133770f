"""In Chromium: a request from another province waits in the receiving unit's inbox and is
answered from there; VNeID level 2 for a chip-card holder walked from a station's desk through
its three steps to the progress line."""

from datetime import date

from tests.support.stations import make_station
from webapp.services import uow
from webapp.services.cooperation import requests
from webapp.services.residents.registry import get

BA_DINH = "Phường Ba Đình · Hà Nội (00004)"


def test_a_request_waits_in_the_receiving_inbox_and_is_answered_from_there(world, live, page_for):
    pid = world.resident(name="Lê Văn Sinh", born=date(2005, 2, 3))
    with uow.command():
        request_id = requests.send(world.police, "verify", pid, BA_DINH, "Xác minh nơi ở hiện tại").id
    there = page_for("police_hn")
    there.goto(f"{live}/")
    row = there.locator(f"#inbox-request-{request_id}")
    assert "Lê Văn Sinh" in row.inner_text() and "Phường Hoa Lư" in row.inner_text()
    row.get_by_role("button", name="Mở và trả lời").click()  # a link styled as a button
    there.check("input[name=result][value=done]")
    there.fill("textarea[name=answer]", "Đang ở tại số 5 Đội Cấn")
    there.click("#cooperation-answer button[type=submit]")
    there.wait_for_selector(".flash-success")
    there.goto(f"{live}/")
    assert there.locator(f"#inbox-request-{request_id}").count() == 0


def test_vneid_level_2_for_a_chip_card_holder_from_the_desk_to_the_progress(world, live, page_for):
    pid = world.resident(name="Hoàng Văn Chip")
    with uow.command():
        person = get(pid)
        person.card_state, person.card_issued_on = "chip", date(2022, 3, 1)
    station = make_station(world.lead)
    desk = page_for("police_a")
    desk.goto(f"{live}/stations/{station}")
    desk.click(".st-vneid summary")
    desk.fill("#st-vneid-pid", pid)
    desk.click(".st-vneid button[type=submit]")
    desk.wait_for_selector(".flash-success")
    assert "Chờ đối chiếu nhân thân" in desk.inner_text("#vneid-status")

    desk.check("input[name=result][value=match]")
    desk.click("#vneid-step button[type=submit]")  # no method chosen: named under its field
    desk.wait_for_selector("#vneid-step .field-error")
    assert "Hãy chọn cách đối chiếu." in desk.inner_text("#vneid-step")
    desk.select_option("select[name=method]", "fingerprint")
    desk.click("#vneid-step button[type=submit]")
    desk.wait_for_selector("text=Chờ ghi số điện thoại")
    desk.fill("input[name=phone]", "0912 345 678")
    desk.check("input[name=own_subscription]")
    desk.click("#vneid-step button[type=submit]")
    desk.wait_for_selector("text=Chờ kích hoạt")
    desk.check("input[name=result][value=activated]")
    desk.click("#vneid-step button[type=submit]")
    # Not the flash: the previous step's stays on the page until the next one has loaded.
    desk.wait_for_selector("#vneid-status >> text=Đã kích hoạt mức 2")
    assert "0912345678" in desk.inner_text("main")

    lead = page_for("lead_a")
    lead.goto(f"{live}/progress/?unit=13300")
    line = lead.inner_text("#pg-vneid")
    assert "1 / 1" in line


def test_the_listings_away_mark_asks_in_one_step_and_the_answer_updates_the_listing(world, live, page_for):
    pid = world.resident(name="Đặng Thu Hà", born=date(2004, 4, 4))
    resident_id = get(pid).id
    home = page_for("police_a")
    home.goto(f"{live}/listing/")
    home.locator(f"#resident-{resident_id}").get_by_role("button", name="Cập nhật").click()
    editor = home.locator(f"#resident-{resident_id}-edit")
    editor.locator("select[name=status]").select_option("away")
    editor.locator("input[name=away_unit]").fill(BA_DINH)
    editor.locator("input[name=ask]").check()
    editor.get_by_role("button", name="Lưu").click()
    note = home.locator(f"#resident-{resident_id} .cooperation-note")
    note.wait_for()
    assert "Phường Ba Đình" in note.inner_text() and "Chờ trả lời" in note.inner_text()

    there = page_for("police_hn")
    there.goto(f"{live}/")
    there.locator("#cooperation-waiting").get_by_role("button", name="Mở và trả lời").click()
    there.check("input[name=result][value=done]")
    there.fill("textarea[name=answer]", "Đã thu nhận tại trường")
    there.click("#cooperation-answer button[type=submit]")
    there.wait_for_selector(".flash-success")

    home.goto(f"{live}/listing/")
    row = home.inner_text(f"#resident-{resident_id}")
    assert "Đã thực hiện" in row and "Đã thu nhận tại trường" in row and "Nộp tại: Phường Ba Đình" in row
