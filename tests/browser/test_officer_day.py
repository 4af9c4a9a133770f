"""Issue 13's last pieces in Chromium, at 1366×768 and 390×844: the administrator's user form
above the list with its unit picked by name; the intake comparison one paper at a time on a
phone; a conflict that says what the other officer changed."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_every_page import serious_violations
from tests.support.cases import case, start, task_of
from webapp.models import User, db
from webapp.services.cases import tasks
from webapp.services.uow import command

DESK = (1366, 768)
PHONE = (390, 844)
SIZES = pytest.mark.parametrize("size", [DESK, PHONE], ids=["1366", "390"])


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@SIZES
def test_the_administrator_creates_a_user_at_a_unit_picked_by_name(world, live, page_for, size):
    admin = page_for("admin", size=size)
    admin.goto(f"{live}/admin/users")
    toggle = admin.locator("#create-user summary")
    box = toggle.bounding_box()
    assert box is not None and box["y"] + box["height"] <= size[1]  # in the first screen, not below the list
    toggle.click()
    admin.fill("#create-user input[name=username]", "tran_nam")
    admin.fill("#create-user input[name=full_name]", "Trần Văn Nam")
    admin.select_option("#create-user select[name=role]", "police")
    unit = admin.locator("#create-user input[name=unit]")
    unit.fill("gia vien")  # no diacritics: the datalist is refilled with the matches
    expect(admin.locator("#unit-choices option")).to_have_count(1)
    picked = admin.locator("#unit-choices option").first.get_attribute("value")
    assert picked == "Xã Gia Viễn · Ninh Bình (13301)"
    assert serious_violations(admin) == []  # the form open, its datalist filled
    unit.fill(picked)  # what choosing the suggestion puts in the box
    admin.fill("#create-user input[name=password]", "Gia-Vien-ngay-17")
    admin.click("#create-user button[type=submit]")
    admin.wait_for_selector(".flash-success")
    assert no_sideways_scroll(admin)
    db.session.expire_all()
    created = db.session.query(User).filter_by(username="tran_nam").one()
    assert created.unit.code == "13301"


def open_task(page, live, code, step):
    page.goto(f"{live}/tasks/{task_of(code, step).id}")
    page.wait_for_selector("#task-form")


def paper_inputs_visible(page) -> dict[str, bool]:
    return {p: page.locator(f"input[name={p}_full_name]").is_visible() for p in ("hr", "old_id", "bc")}


def test_on_a_phone_the_intake_compares_one_paper_at_a_time(world, live, page_for):
    code = start(world.police, world.resident(name="Nguyễn Thị Lan"))
    police = page_for("police_a", size=PHONE)
    open_task(police, live, code, "verify_application")
    buttons = police.locator(".paper-tabs button")
    expect(buttons).to_have_count(3)
    assert buttons.all_inner_texts() == ["Sổ hộ khẩu", "CMND cũ", "Giấy khai sinh"]
    assert paper_inputs_visible(police) == {"hr": True, "old_id": False, "bc": False}
    expect(buttons.nth(0)).to_have_attribute("aria-pressed", "true")
    # stacked: the registry's value above the paper's box, both the screen's width
    registry = police.locator("#intake-compare tbody tr").nth(1).locator("td.registry").bounding_box()
    paper = police.locator("input[name=hr_full_name]").bounding_box()
    assert paper["y"] > registry["y"] + registry["height"] - 1 and paper["width"] > PHONE[0] * 0.7
    buttons.nth(2).click()
    assert paper_inputs_visible(police) == {"hr": False, "old_id": False, "bc": True}
    expect(buttons.nth(2)).to_have_attribute("aria-pressed", "true")
    expect(buttons.nth(0)).to_have_attribute("aria-pressed", "false")
    # by keyboard: the buttons are in the tab order and Space presses them
    buttons.nth(1).focus()
    police.keyboard.press("Space")
    assert paper_inputs_visible(police) == {"hr": False, "old_id": True, "bc": False}
    police.fill("input[name=old_id_birth_date]", "31/02/1990")
    buttons.nth(0).click()
    assert no_sideways_scroll(police)
    # an error in a paper not shown: the page comes back showing that paper
    police.click("#task-form .outcomes button[value=forward]")
    police.wait_for_selector("[data-error-summary]")
    expect(police.locator(".paper-tabs button").nth(1)).to_have_attribute("aria-pressed", "true")
    assert police.locator("input[name=old_id_birth_date]").is_visible()
    assert no_sideways_scroll(police)
    assert serious_violations(police) == []


def test_at_a_desk_every_paper_shows_side_by_side(world, live, page_for):
    code = start(world.police, world.resident())
    police = page_for("police_a", size=DESK)
    open_task(police, live, code, "verify_application")
    assert not police.locator(".paper-tabs").is_visible()
    assert paper_inputs_visible(police) == {"hr": True, "old_id": True, "bc": True}
    boxes = [police.locator(f"input[name={p}_full_name]").bounding_box() for p in ("hr", "old_id", "bc")]
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"] and abs(boxes[0]["y"] - boxes[2]["y"]) < 2


@SIZES
def test_a_conflict_says_who_changed_what_beside_the_reload_that_keeps_the_input(world, live, page_for, size):
    code = start(world.police, world.resident())
    task_id = task_of(code, "verify_application").id
    police = page_for("police_a", size=size)
    open_task(police, live, code, "verify_application")
    police.fill("textarea[name=note]", "Giấy khai sinh bản sao")
    with command():  # meanwhile the lead hands the task to a colleague, then back
        tasks.assign(world.lead, task_id, "police_a2")
        tasks.assign(world.lead, task_id, "police_a")
    police.click("#task-form .outcomes button[value=forward]")
    box = police.locator("#task-form .form-conflict")
    expect(box).to_be_visible()
    said = box.inner_text()
    assert "Đã thay đổi kể từ khi bạn mở trang" in said
    assert "Giao việc" in said and "lead_a" in said and "→ police_a2" in said and "→ police_a" in said
    assert box.locator("[data-reload-keep]").is_visible()  # beside what changed
    assert no_sideways_scroll(police)
    box.locator("[data-reload-keep]").click()
    police.wait_for_load_state()
    expect(police.locator("textarea[name=note]")).to_have_value("Giấy khai sinh bản sao")
    police.click("#task-form .outcomes button[value=forward]")
    police.wait_for_selector(".flash-success")
    assert case(code).current_steps == "capture_biometrics"
