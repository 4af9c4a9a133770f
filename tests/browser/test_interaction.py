"""The interaction layer in Chromium, at 1366×768 and at 390×844 (a mobile team's phone): Enter
never submits a task form, refusing asks in a dialog, the error summary takes the focus, a
conflict and an expired session keep what was typed, "Nhận và xử lý tiếp" after triage."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.support.cases import DOB, case, do, start, task_of
from webapp.models import CaseEvent, db
from webapp.services.cases import tasks
from webapp.services.uow import command

DESK = (1366, 768)
PHONE = (390, 844)
SIZES = pytest.mark.parametrize("size", [DESK, PHONE], ids=["1366", "390"])


def open_task(page, live, code, step):
    page.goto(f"{live}/tasks/{task_of(code, step).id}")
    page.wait_for_selector("#task-form")


def focused(page) -> str:
    """What has the keyboard focus: its id, else its class."""
    return page.evaluate("document.activeElement.id || document.activeElement.className")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@SIZES
def test_enter_in_a_field_does_not_complete_the_step(world, live, page_for, size):
    code = start(world.police, world.resident())
    police = page_for("police_a", size=size)
    open_task(police, live, code, "verify_application")
    # A submit would show as a POST of the form leaving the browser, however slow the server.
    form_url = f"{live}/tasks/{task_of(code, 'verify_application').id}"
    sent = []
    police.on("request", lambda r: sent.append(r.url) if r.method == "POST" and r.url == form_url else None)
    police.fill("input[name=hr_full_name]", "Nguyễn Thị Lan")
    police.press("input[name=hr_full_name]", "Enter")
    police.fill("input[name=eid_phone]", "0912345678")
    police.press("input[name=eid_phone]", "Enter")
    police.wait_for_timeout(700)
    assert sent == []
    assert "/tasks/" in police.url and case(code).current_steps == "verify_application"
    assert no_sideways_scroll(police)


@SIZES
def test_refusing_asks_in_a_dialog_that_names_the_case_and_requires_the_reason(world, live, page_for, size):
    code = start(world.police, world.resident(name="Lê Văn Cường"))
    police = page_for("police_a", size=size)
    open_task(police, live, code, "verify_application")
    police.click("#task-form .outcomes button[value=refuse]")
    dialog = police.locator("#confirm-refuse")
    dialog.wait_for(state="visible")
    assert code in dialog.inner_text() and "Lê Văn Cường" in dialog.inner_text()
    assert "không thể hoàn tác" in dialog.inner_text()
    dialog.locator("button[name=confirmed]").click()  # no reason chosen
    police.wait_for_selector("#confirm-refuse[open] .field-error")
    assert "Bắt buộc" in police.inner_text("#confirm-refuse .field-error")
    assert case(code).status == "open"
    police.select_option("#confirm-refuse select[name=refusal_reason]", "duplicate")
    police.click("#confirm-refuse button[name=confirmed]")
    police.wait_for_selector(".flash-success")
    assert case(code).status == "refused"


def test_going_back_from_the_dialog_changes_nothing(world, live, page_for):
    code = start(world.police, world.resident())
    police = page_for("police_a", size=DESK)
    open_task(police, live, code, "verify_application")
    police.click("#task-form .outcomes button[value=refuse]")
    police.click("#confirm-refuse [data-close]")
    assert not police.locator("#confirm-refuse").is_visible()
    assert case(code).status == "open" and case(code).current_steps == "verify_application"


def to_record_correction(world) -> str:
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", DOB)
    do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": True})
    return code


@SIZES
def test_the_error_summary_takes_the_focus_and_each_error_sits_under_its_field(world, live, page_for, size):
    code = to_record_correction(world)
    justice = page_for("justice_a", size=size)
    open_task(justice, live, code, "record_correction")
    assert justice.locator("select[name=change_sex] option").count() == 3  # —, Nam, Nữ
    assert justice.locator("select[name=change_ethnicity] option").count() == 55  # —, the 54 groups
    assert "Hiện tại: 17/05/1990" in justice.inner_text("#task-form")
    justice.fill("input[name=change_birth_date]", "31/02/1991")
    justice.click("#task-form .outcomes button >> nth=0")
    justice.wait_for_selector("[data-error-summary]")
    # A locator assertion: wait_for_function would poll with eval, which the page's CSP refuses.
    expect(justice.locator("[data-error-summary]")).to_be_focused()
    summary = justice.inner_text("[data-error-summary]")
    assert "Số trích lục" in summary and "Ngày đăng ký" in summary and "Ngày sinh mới" in summary
    assert "dd/mm/yyyy" in justice.inner_text("#change_birth_date-errors")
    assert "YYYY" not in justice.inner_text("#task-form")
    assert justice.inner_text("#change_full_name-errors").strip() == ""
    justice.click("[data-error-summary] a[href='#change_birth_date']")
    assert focused(justice) == "change_birth_date"
    assert no_sideways_scroll(justice)


def test_a_conflict_shows_in_the_form_and_the_reload_keeps_the_typed_input(world, live, page_for):
    code = to_record_correction(world)
    justice = page_for("justice_a", size=DESK)
    open_task(justice, live, code, "record_correction")
    justice.fill("input[name=decision_number]", "15/QĐ-UBND")
    justice.fill("input[name=change_full_name]", "Nguyễn Thị Lan Anh")
    with command():  # someone changes the case meanwhile (here: the task is claimed)
        tasks.claim(world.justice, task_of(code, "record_correction").id)
    justice.click("#task-form .outcomes button >> nth=0")
    justice.wait_for_selector("#task-form .form-conflict")
    assert "Xung đột dữ liệu" in justice.inner_text("#task-form .form-conflict")
    justice.wait_for_function("document.activeElement.closest('.form-conflict') !== null")
    justice.click("#task-form .form-conflict [data-reload-keep]")
    justice.wait_for_load_state()
    justice.wait_for_function("document.querySelector('input[name=decision_number]').value !== ''")
    assert justice.input_value("input[name=decision_number]") == "15/QĐ-UBND"
    assert justice.input_value("input[name=change_full_name]") == "Nguyễn Thị Lan Anh"
    justice.fill("input[name=decision_date]", "20/11/2026")
    justice.click("#task-form .outcomes button >> nth=0")
    justice.wait_for_selector(".flash-success")
    assert case(code).current_steps == "capture_biometrics,update_population_record"  # one visit


@SIZES
def test_an_expired_session_signs_in_again_in_a_dialog_and_sends_the_form(world, live, page_for, size):
    from tests.support.world import PASSWORD

    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", {})
    police = page_for("police_a", size=size)
    open_task(police, live, code, "capture_biometrics")
    police.select_option("select[name=fingerprints]", "exception")
    police.fill("textarea[name=note]", "Ngón trỏ phải bị thương")
    # Choosing the fingerprints sent an inline check (htmx, with the live cookie); its answer
    # refreshes the session cookie. On a loaded machine (the whole suite) it came back after the
    # cookies were cleared, signed the browser in again, and the "expired" form was simply sent
    # (the page went to the inbox). The session expires once nothing is in flight.
    expect(police.locator(".htmx-request")).to_have_count(0)
    police.context.clear_cookies()  # the session expires while the officer types
    police.click("#task-form .outcomes button >> nth=0")
    police.wait_for_selector("#signin-dialog[open]")
    police.fill("#signin-dialog input[name=password]", "wrong-pass")
    police.click("#signin-dialog button[type=submit]")
    police.wait_for_selector("#signin-dialog .signin-error:not([hidden])")
    police.fill("#signin-dialog input[name=password]", PASSWORD)
    police.click("#signin-dialog button[type=submit]")
    police.wait_for_selector(".flash-success")
    assert case(code).current_steps == "approve_application"
    # What was typed before the session ran out is what was recorded.
    recorded = db.session.scalars(
        select(CaseEvent.detail).where(
            CaseEvent.case_id == case(code).id,
            CaseEvent.action == "completed",
            CaseEvent.step == "capture_biometrics",
        )
    ).all()
    assert [d["data"].get("note") for d in recorded] == ["Ngón trỏ phải bị thương"]


@SIZES
def test_after_triage_the_officer_claims_and_continues_in_one_click(world, live, page_for, size):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", DOB)
    justice = page_for("justice_a", size=size)
    open_task(justice, live, code, "triage_correction")
    justice.select_option("select[name=procedure]", "correction")
    justice.check("input[name=documents_complete][value=true]")
    justice.click("#task-form .outcomes button >> nth=0")
    justice.click("text=Nhận và xử lý tiếp")
    justice.wait_for_selector("#task-form")
    assert "Ghi quyết định" in justice.inner_text("h1")
    assert task_of(code, "record_correction").assignee_id == world.justice.id


def test_a_required_choice_is_never_made_silently_for_the_officer(world, live, page_for):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", DOB)
    justice = page_for("justice_a", size=DESK)
    open_task(justice, live, code, "triage_correction")
    # Issue 14: the decision table's suggestion is preselected, never silently: the page says
    # which procedure the table proposes, and the officer can change it.
    chosen = justice.input_value("select[name=procedure]")
    suggested = justice.inner_text(".triage-suggested")
    assert chosen == "correction" and "Cải chính" in suggested
    assert "*" in justice.inner_text("label[for=procedure]")
    assert justice.locator("input[name=documents_complete]:checked").count() == 0


@SIZES
def test_bulk_reassign_keeps_the_choices_on_error_and_names_each_failure_by_case(world, live, page_for, size):
    from tests.support.stuck import MONDAY, at

    with at(MONDAY):
        a1 = start(world.police, world.resident(name="Nguyễn Thị Lan"))
        a2 = start(world.police, world.resident(name="Hoàng Văn Nam"))
    page = page_for("supervisor", size=size)
    page.goto(f"{live}/stuck/?unit=13300&step=verify_application")
    # Only officers who can work these tasks are offered: police of the unit's line, no justice.
    offered = page.locator(".stuck-bulk select[name=assignee] option").all_inner_texts()
    assert any("police_a2" in o for o in offered) and not any("justice_a" in o for o in offered)
    page.check("input[data-select-all]")
    assert page.locator("input[name=task]:checked").count() == 2
    page.select_option(".stuck-bulk select[name=assignee]", "police_a2")
    page.click(".stuck-bulk button[type=submit]")  # no reason
    page.wait_for_selector("#bulk-result .error")
    assert page.locator("input[name=task]:checked").count() == 2
    assert page.input_value(".stuck-bulk select[name=assignee]") == "police_a2"
    do(world.police, a1, "verify_application", {})  # meanwhile one of them is done
    page.fill(".stuck-bulk input[name=reason]", "Cán bộ nghỉ ốm")
    page.click(".stuck-bulk button[type=submit]")
    page.wait_for_selector("#bulk-result .flash")
    result = page.inner_text("#bulk-result")
    assert "1 không giao được" in result and a1 in result
    # The focus moves to the result once htmx has settled the swap, a moment after it shows: a
    # locator assertion waits for it (wait_for_function's eval is refused by the page's CSP).
    expect(page.locator("#bulk-result:focus-within")).to_have_count(1)
    assert task_of(a2, "verify_application").assignee_id == world.police2.id
    assert no_sideways_scroll(page)
