"""What htmx redraws after an officer's action is heard (WCAG 2.2, 4.1.3 status messages): on
every page, each region an htmx request swaps is a live region (aria-live, role=status or
alert) or holds the control that sent it, so that the swap takes the focus into what it drew
(static/js/app.js); then, in Chromium, the swaps themselves: the inbox's filter, a redrawn row,
a field's check and a failed task form, an htmx error in the flash, the station's check-in."""

from datetime import date

from playwright.sync_api import expect

from tests.browser.test_every_page import pages  # noqa: F401  (the fixture: every page, with content)
from tests.browser.test_interaction import to_record_correction
from tests.support.cases import start, task_of
from tests.support.stations import make_station
from webapp.services.cases import tasks
from webapp.services.residents.registry import get
from webapp.services.uow import command

# For each element that sends an htmx request: the region its answer goes to (hx-target and
# hx-swap as htmx reads them, inherited from an ancestor too) and how a screen reader hears it.
#   live         the region, or what holds it, is a live region
#   focus        the region holds the control that sent the request: the swap takes that control
#                away and app.js gives the focus to what replaced the region
#   suggestions  a <datalist>: its options show through the field being typed in
#   oob          hx-swap="none": the answer redraws regions by their ids (tested below)
#   silent       none of these: nothing tells a screen reader what changed
SWEEP = """() => {
  const LIVE = '[aria-live]:not([aria-live=off]), [role=status], [role=alert], [role=log]';
  const inherited = (el, name) => {
    const holder = el.closest('[' + name + ']');
    return holder ? [holder, holder.getAttribute(name)] : [null, null];
  };
  const named = n => !n ? 'nothing' : n.tagName.toLowerCase() + (n.id ? '#' + n.id : '')
    + (n.className ? '.' + String(n.className).trim().split(/\\s+/).join('.') : '');
  return [...document.querySelectorAll('[hx-get], [hx-post]')].map(el => {
    const [holder, spec] = inherited(el, 'hx-target');
    let target = el;
    if (spec === 'this') target = holder;
    else if (spec && spec.startsWith('closest ')) target = el.closest(spec.slice(8));
    else if (spec && spec.startsWith('find ')) target = el.querySelector(spec.slice(5));
    else if (spec) target = document.querySelector(spec);
    const swap = (inherited(el, 'hx-swap')[1] || 'innerHTML').split(' ')[0];
    let heard = 'silent';
    if (!target) heard = 'no target';
    else if (target.tagName === 'DATALIST') heard = 'suggestions';
    else if (swap === 'none') heard = 'oob';
    else if (target.closest(LIVE)) heard = 'live';
    else if (target.contains(el)) heard = 'focus';
    return {sender: named(el), target: named(target), heard: heard};
  });
}"""


def test_every_htmx_region_is_a_live_region_or_takes_the_focus(world, live, page_for, pages):  # noqa: F811
    found, opened = [], {}
    for user, path, endpoint in pages:
        if user is None:  # the sign-in page sends nothing by htmx
            continue
        if user not in opened:
            opened[user] = page_for(user)
        page = opened[user]
        page.goto(f"{live}{path}")
        page.wait_for_load_state("networkidle")
        found += [{"page": endpoint, **region} for region in page.evaluate(SWEEP)]
    silent = {f"{r['page']}: {r['sender']} -> {r['target']} ({r['heard']})" for r in found}
    silent = sorted(s for s in silent if s.endswith(("(silent)", "(no target)")))
    assert silent == [], "\n".join(silent)
    # hx-swap="none" only where the answer's regions are checked below (the station's day)
    assert {r["page"] for r in found if r["heard"] == "oob"} == {"stations.day"}
    heard = {r["heard"] for r in found}
    assert {"live", "focus", "suggestions"} <= heard  # the sweep did find each kind


def test_the_inbox_filter_is_announced_and_the_focus_stays_in_the_search_box(world, live, page_for):
    code = start(world.police, world.resident(name="Nguyễn Thị Lan"))
    start(world.police, world.resident(name="Trần Văn Bình"))
    police = page_for("police_a")
    police.goto(f"{live}/?scope=queue")
    results = police.locator("#results")
    expect(results).to_contain_text("Tổng: 2 việc")
    search = police.locator("#filters input[name=q]")
    search.press_sequentially(code)
    expect(results).to_contain_text("Tổng: 1 việc")
    expect(results).to_have_attribute("aria-live", "polite")
    expect(search).to_be_focused()  # typing goes on where it was


def test_a_redrawn_row_takes_the_focus_and_an_htmx_error_lands_in_the_flash(world, live, page_for):
    code = start(world.police, world.resident())
    task_id = task_of(code, "verify_application").id
    police = page_for("police_a")
    police.goto(f"{live}/?scope=queue")
    row = police.locator(f"#task-{task_id}")
    row.get_by_role("button", name="Trả việc").focus()
    police.keyboard.press("Enter")
    claim = row.get_by_role("button", name="Nhận việc")
    expect(claim).to_be_visible()
    expect(row).to_be_focused()
    with command():  # meanwhile a colleague takes the task
        tasks.claim(world.police2, task_id)
    claim.focus()
    police.keyboard.press("Enter")
    flash = police.locator("#flash")
    expect(flash.locator(".flash-error")).to_contain_text("police_a2")
    expect(flash).to_have_attribute("aria-live", "polite")
    expect(police.locator("#flash:focus-within")).to_have_count(1)


def test_the_listings_row_and_its_editor_take_the_focus_where_they_are(world, live, page_for):
    ids = [get(world.resident(name=f"Nguyễn Văn {n}", born=date(2004, 4, 4))).id for n in range(12)]
    police = page_for("police_a", size=(1366, 500))
    police.goto(f"{live}/listing/")
    last = ids[-1]
    police.locator(f"#resident-{last}").get_by_role("button", name="Cập nhật").focus()
    police.keyboard.press("Enter")
    editor = police.locator(f"#resident-{last}-edit")
    # The editor has another id than the row it replaces: the focus went to <body> and the
    # page to its top, before app.js looked for what htmx drew.
    expect(editor).to_be_focused()
    expect(editor).to_be_in_viewport()
    police.keyboard.press("Tab")
    expect(editor.locator("select[name=status]")).to_be_focused()
    editor.get_by_role("button", name="Hủy").focus()
    police.keyboard.press("Enter")
    expect(police.locator(f"#resident-{last}")).to_be_focused()


def test_a_field_check_and_a_failed_task_form_are_announced(world, live, page_for):
    code = start(world.police, world.resident())
    police = page_for("police_a")
    police.goto(f"{live}/tasks/{task_of(code, 'verify_application').id}")
    # A paper's field at intake, checked as it is left: its errors region is a live region.
    police.fill("input[name=old_id_birth_date]", "31/02/1990")
    police.keyboard.press("Tab")
    errors = police.locator("td:has(> input[name=old_id_birth_date]) .errors")
    expect(errors.locator(".field-error")).to_have_count(1)
    expect(errors).to_have_attribute("aria-live", "polite")
    # The form sent with that error: its summary is an alert and takes the focus.
    police.click("#task-form .outcomes button[value=forward]")
    summary = police.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    # Any other step's field: the same (record_correction's decision date).
    code = to_record_correction(world)
    justice = page_for("justice_a")
    justice.goto(f"{live}/tasks/{task_of(code, 'record_correction').id}")
    justice.fill("input[name=decision_date]", "31/02/2026")
    justice.keyboard.press("Tab")
    expect(justice.locator("#decision_date-errors")).to_contain_text("dd/mm/yyyy")
    expect(justice.locator("#decision_date-errors")).to_have_attribute("aria-live", "polite")


def test_the_station_check_in_is_sent_by_enter_and_its_answers_are_heard(world, live, page_for):
    station = make_station(world.lead, name="Tổ lưu động Đại học", kind="school")
    pid = world.resident(name="Vũ Minh Khang", born=date(2006, 1, 2))
    police = page_for("police_a")
    police.goto(f"{live}/stations/{station}")
    scan = police.locator("#st-code")
    expect(scan).to_be_focused()
    # A scanner types the code and Enter: the code is sent, though the form has two fields.
    police.keyboard.type("KHONG-CO-MA")
    police.keyboard.press("Enter")
    expect(police.locator("#st-code-error")).to_have_attribute("role", "alert")
    expect(scan).to_be_focused()  # ready for the next scan (static/js/stations.js)
    police.click(".st-walkin summary")
    police.fill("#st-people", pid)
    police.click("#walkin button[type=submit]")
    result = police.locator("#checkin .st-result")
    expect(result).to_contain_text("Vũ Minh Khang")
    expect(result).to_have_attribute("role", "status")
    expect(scan).to_be_focused()
