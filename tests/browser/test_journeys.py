"""Journeys through the real UI in Chromium, asserting what the officer sees."""

from datetime import date

import pytest

from tests.support.cases import case, start, task_of
from tests.support.paths import SCREENSHOTS as SHOTS
from webapp.services.cases import commands
from webapp.services.uow import command

JUSTICE_EN = "Justice office (civil status)"


def open_task(page, live, code, step):
    page.goto(f"{live}/tasks/{task_of(code, step).id}")
    page.wait_for_selector("#task-form")


def submit(page, outcome=None):
    """The form's first outcome button (or the one named); a step that ends the case confirms in
    its dialog."""
    button = f"button[value={outcome}]" if outcome else "button >> nth=0"
    page.click(f"#task-form .outcomes {button}")
    dialog = page.locator("#task-form dialog[open]")
    if dialog.count():
        dialog.locator("button[name=confirmed]").click()
    try:
        page.wait_for_selector(".flash-success")
    except Exception:
        page.screenshot(path="/tmp/submit-failed.png", full_page=True)
        raise
    return page.inner_text(".flash-success")


def test_birth_date_mismatch_goes_to_justice_and_back_to_an_issued_card(world, live, page_for):
    code = start(world.police, world.resident(name="Phạm Thị Hồng"))
    police = page_for("police_a")
    assert code in police.inner_text("#results")

    open_task(police, live, code, "verify_application")
    police.check("input[value=dob_mismatch]")
    police.fill("textarea[name=note]", "Sổ hộ khẩu ghi 1990, giấy khai sinh ghi 1991")
    said = submit(police, "to_justice")  # "Chuyển Tư pháp": a discrepancy is ticked
    assert "Tư pháp – Hộ tịch" in said and world.commune_a.name in said

    justice = page_for("justice_a")
    justice.click("text=Việc của bộ phận")
    justice.wait_for_selector(f"text={code}")
    open_task(justice, live, code, "triage_correction")
    justice.select_option("select[name=procedure]", "correction")
    justice.check("input[name=documents_complete][value=true]")
    submit(justice)
    open_task(justice, live, code, "record_correction")
    justice.fill("input[name=decision_number]", "15/QĐ-UBND")
    justice.fill("input[name=decision_date]", "20/11/2026")
    justice.fill("input[name=change_birth_date]", "17/11/1990")  # the same year: the ID stays right
    said = submit(justice)
    assert "Công an" in said

    for step, fill in (
        ("update_population_record", lambda p: p.check("input[name=confirmed][value=true]")),
        ("capture_biometrics", lambda p: p.select_option("select[name=fingerprints]", "ok")),
    ):
        open_task(police, live, code, step)
        fill(police)
        submit(police)

    approval = page_for("approval")
    open_task(approval, live, code, "approve_application")
    assert "Chờ sản xuất thẻ" in submit(approval)

    with command():  # the national centre's callback
        commands.record_card_produced(world.production, code, "C000123456", date(2026, 11, 25))
    for step, fill in (
        ("receive_card", lambda p: None),
        ("hand_over_card", lambda p: p.select_option("select[name=received_by]", "self")),
    ):
        open_task(police, live, code, step)
        fill(police)
        said = submit(police)
    assert "Đã trả thẻ" in said
    police.goto(f"{live}/cases/{code}")
    assert "Đã trả thẻ" in police.inner_text("main")
    assert case(code).status == "issued"


def test_an_officer_of_another_commune_cannot_reach_the_case(world, live, page_for):
    code = start(world.police, world.resident())
    other = page_for("police_b")
    other.goto(f"{live}/?scope=queue")
    assert code not in other.inner_text("main")
    response = other.goto(f"{live}/cases/{code}")
    assert response.status == 404
    response = other.goto(f"{live}/tasks/{task_of(code, 'verify_application').id}")
    assert response.status == 404


def test_claim_without_reload_keeps_filters_in_the_url(world, live, page_for):
    code = start(world.police2, world.resident(name="Hoàng Văn Nam"))
    with command():
        from webapp.services.cases import tasks

        tasks.release(world.police2, task_of(code, "verify_application").id)
    police = page_for("police_a")
    police.click("text=Việc của bộ phận")
    police.fill("input[name=q]", "hoang van nam")
    police.wait_for_url("**q=hoang*")
    row = f"#task-{task_of(code, 'verify_application').id}"
    police.click(f"{row} button")
    try:
        police.wait_for_selector(f"{row} >> text=Xử lý")
    except Exception:
        police.screenshot(path="/tmp/claim-failed.png", full_page=True)
        raise
    police.reload()
    assert police.input_value("input[name=q]") == "hoang van nam" and code in police.inner_text("#results")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_screenshots(world, live, page_for, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    codes = [
        start(world.police, world.resident(name=n)) for n in ("Nguyễn Thị Lan", "Trần Văn Bình", "Lê Thị Hoa")
    ]
    page = page_for("police_a", lang)
    page.goto(f"{live}/?scope=queue")
    page.screenshot(path=str(SHOTS / f"inbox-{lang}.png"), full_page=True)
    open_task(page, live, codes[0], "verify_application")
    page.screenshot(path=str(SHOTS / f"task-{lang}.png"), full_page=True)
    page.goto(f"{live}/cases/{codes[0]}")
    page.wait_for_selector(".diagram svg")
    # Lanes carry department codes in the BPMN; the viewer shows the names people read.
    lane = page.locator(".diagram [data-element-id=Lane_justice] text").first.text_content()
    assert lane == {"vi": "Tư pháp – Hộ tịch", "en": JUSTICE_EN}[lang]
    page.screenshot(path=str(SHOTS / f"case-{lang}.png"), full_page=True)
    assert (SHOTS / f"case-{lang}.png").stat().st_size > 10_000
    # A mobile team's phone (390 px): the inbox as cards, the intake page in one column.
    phone = page_for("police_a", lang, size=(390, 844))
    phone.goto(f"{live}/?scope=queue")
    phone.screenshot(path=str(SHOTS / f"inbox-390-{lang}.png"), full_page=False)
    open_task(phone, live, codes[1], "verify_application")
    # The comparison, one paper at a time with the buttons choosing it, at the top of the screen.
    phone.locator(".paper-tabs").evaluate("el => el.scrollIntoView({block: 'start'})")
    phone.screenshot(path=str(SHOTS / f"task-390-{lang}.png"), full_page=False)
    phone.evaluate("() => window.scrollTo(0, 0)")
    phone.click("#task-form .outcomes button[value=refuse]")
    phone.screenshot(path=str(SHOTS / f"refuse-390-{lang}.png"), full_page=False)
    for name in ("inbox-390", "task-390", "refuse-390"):
        assert (SHOTS / f"{name}-{lang}.png").stat().st_size > 5_000


def test_a_lead_assigns_from_the_queue_without_the_filters_reloading_the_list(world, live, page_for):
    code = start(world.police, world.resident(name="Đỗ Văn Tâm"))
    with command():
        from webapp.services.cases import tasks

        tasks.release(world.police, task_of(code, "verify_application").id)
    lead = page_for("lead_a")
    lead.goto(f"{live}/?scope=queue")
    row = f"#task-{task_of(code, 'verify_application').id}"
    # Choosing an officer in the row must not count as a change of the list's filters.
    lead.select_option(f"{row} select[name=assignee]", "police_a2")
    lead.wait_for_timeout(500)
    assert lead.input_value(f"{row} select[name=assignee]") == "police_a2"
    lead.click(f"{row} form.assign button")
    lead.wait_for_selector(f"{row} >> text=police_a2")
    assert task_of(code, "verify_application").assignee_id == world.police2.id
