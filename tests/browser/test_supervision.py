"""The supervisors' pages in Chromium: progress with drill-down and the diagram's counts, the
stuck-cases list with its filters in the URL and actions on a case, production batches for a
police lead; and their screenshots in both languages."""

import re

import pytest

from tests.support.cases import CLEAN, DOB, approved, do, finish_from_biometrics, start, task_of
from tests.support.paths import SCREENSHOTS as SHOTS
from tests.support.stuck import MONDAY, at
from webapp.services.production import batches
from webapp.services.supervision import progress
from webapp.services.uow import command


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def campaign(w) -> dict[str, str]:
    """Commune A: a card handed over and a file at the justice office; commune B: two files at
    intake. The province's quota is 8."""
    issued = start(w.police, w.resident(name="Phạm Thị Hồng"))
    do(w.police, issued, "verify_application", CLEAN)
    finish_from_biometrics(w, issued)
    at_justice = start(w.police, w.resident(name="Trần Văn Bình"))
    do(w.police, at_justice, "verify_application", DOB)
    do(w.police, at_justice, "capture_biometrics", {"fingerprints": "ok"})  # at the same visit
    b1 = start(w.police_b, w.resident(unit=w.commune_b, name="Lê Thị Hoa"))
    b2 = start(w.police_b, w.resident(unit=w.commune_b, name="Đỗ Văn Nam"))
    with command():
        progress.set_quota(w.supervisor, "37", "8")
    return {"issued": issued, "justice": at_justice, "b1": b1, "b2": b2}


def overdue(w) -> dict[str, str]:
    """Started on Monday 5 October 2026, long overdue by now: two files at intake in commune A,
    one at the justice office of commune A, one at intake in commune B."""
    with at(MONDAY):
        a1 = start(w.police, w.resident(name="Nguyễn Thị Lan"))
        a2 = start(w.police, w.resident(name="Hoàng Văn Nam"))
        justice = start(w.police, w.resident(name="Trần Văn Bình"))
        do(w.police, justice, "verify_application", DOB)
        do(w.police, justice, "capture_biometrics", {"fingerprints": "ok"})  # at the same visit
        b = start(w.police_b, w.resident(unit=w.commune_b, name="Lê Thị Hoa"))
    return {"a1": a1, "a2": a2, "justice": justice, "b": b}


def rows_of(page, selector: str) -> list[list[str]]:
    return [
        [flat(c) for c in row.locator("th, td").all_inner_texts()] for row in page.locator(selector).all()
    ]


# -- progress ---------------------------------------------------------------------------------------
def test_progress_shows_figures_drills_down_and_counts_on_the_diagram(world, live, page_for):
    campaign(world)
    page = page_for("supervisor")
    with page.expect_navigation():  # the new page loaded: htmx has bound its triggers
        page.click("header.topbar >> text=Tiến độ")
    page.wait_for_selector("h1:has-text('Tiến độ: Ninh Bình')")
    assert page.locator(".coverage-trail").count() == 0  # the top of the scope: no trail to show
    cards = flat(page.inner_text(".pg-cards"))
    assert "4 / 8 = 50,0%" in cards  # applied / quota
    assert "4 / 4 = 100,0%" in cards  # applied / must apply (every test resident must)
    a, b = rows_of(page, ".pg-table tbody tr")
    assert a[0] == "Phường Hoa Lư 13300" and a[1:3] == ["2", "2 100,0%"] and a[3] == "1 50,0%"
    assert a[6] == "1 50,0%"  # one card handed over
    assert b[0] == "Xã Gia Viễn 13301" and b[2] == "2 100,0%" and b[6] == "0 0,0%"
    total = rows_of(page, ".pg-table tfoot tr")[0]
    assert total[0] == "Tổng Ninh Bình" and total[2] == "4 100,0%" and total[-1] == "4 / 8 = 50,0%"

    backlog = rows_of(page, ".pg-backlog table:has(caption:has-text('Theo bước')) tbody tr")
    assert [r[:3] for r in backlog] == [
        ["Tiếp nhận, đối chiếu hồ sơ", "Công an xã/phường", "2"],
        ["Xác định thủ tục hộ tịch", "Tư pháp – Hộ tịch", "1"],
    ]
    # The diagram: bpmn-js draws it, a badge sits on each step with cases waiting.
    page.wait_for_selector(".pg-diagram .diagram svg")
    page.wait_for_selector(".pg-diagram .pg-badge")
    main, justice = page.locator(".pg-diagram .diagram").all()
    assert sorted(main.locator(".pg-badge").all_inner_texts()) == ["1", "2"]
    assert justice.locator(".pg-badge").all_inner_texts() == ["1"]
    assert main.locator("[data-element-id=verify_application].pg-waiting").count() == 1

    # Drill down to commune B by clicking its name.
    with page.expect_navigation():  # the new page loaded: htmx has bound its triggers
        page.click(".pg-table tbody >> text=Xã Gia Viễn")
    page.wait_for_url("**/progress/?unit=13301")
    assert flat(page.inner_text("h1")) == "Tiến độ: Xã Gia Viễn"
    assert page.locator(".coverage-trail li").all_inner_texts() == ["Ninh Bình", "Xã Gia Viễn"]
    assert page.inner_text(".coverage-trail [aria-current=page]") == "Xã Gia Viễn"
    assert "2 / 2 = 100,0%" in flat(page.inner_text(".pg-cards"))
    assert "Chưa đặt chỉ tiêu cho đơn vị này." in page.inner_text(".pg-cards")
    backlog = rows_of(page, ".pg-backlog table:has(caption:has-text('Theo bước')) tbody tr")
    assert [r[:3] for r in backlog] == [["Tiếp nhận, đối chiếu hồ sơ", "Công an xã/phường", "2"]]
    page.wait_for_selector(".pg-diagram .pg-badge")
    assert page.locator(".pg-diagram .pg-badge").all_inner_texts() == ["2"]
    # Back up through the breadcrumb.
    with page.expect_navigation():  # the new page loaded: htmx has bound its triggers
        page.click(".coverage-trail >> text=Ninh Bình")
    page.wait_for_url("**/progress/?unit=37")
    assert "4 / 8 = 50,0%" in flat(page.inner_text(".pg-cards"))


def test_a_supervisor_sets_a_quota_and_sees_the_new_ratio(world, live, page_for):
    campaign(world)
    page = page_for("supervisor")
    page.goto(f"{live}/progress/?unit=13300")
    assert "Chưa đặt chỉ tiêu cho đơn vị này." in page.inner_text(".pg-cards")
    page.fill("#quota", "1.000")
    page.click(".pg-quota button[type=submit]")
    page.wait_for_selector(".pg-cards >> text=2 / 1.000 = 0,2%")
    page.fill("#quota", "-5")
    page.click(".pg-quota button[type=submit]")
    assert "Chỉ tiêu phải là số nguyên" in page.inner_text("#quota-error")
    page.goto(f"{live}/progress/?unit=13300")
    assert "2 / 1.000 = 0,2%" in flat(page.inner_text(".pg-cards"))


def test_on_a_phone_the_supervisors_tables_stay_readable(world, live, page_for):
    """The figures never wrap, so the name column used to shrink to a letter a line at 390 px;
    the name keeps its width and the table scrolls sideways in its box, the page does not."""
    campaign(world)
    page = page_for("supervisor", size=(390, 844))
    for url in ("/progress/", "/progress/report"):
        page.goto(f"{live}{url}")
        for width in page.locator(
            ".pg-table tbody tr td:first-child, .pg-table tbody tr th:first-child"
        ).evaluate_all("cells => cells.map(c => c.getBoundingClientRect().width)"):
            assert width >= 140, (url, width)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    # The step targets' tables keep their words whole and scroll in their own box.
    page.goto(f"{live}/stuck/targets")
    widths = page.locator(".overflow-auto > table").evaluate_all("ts => ts.map(t => t.offsetWidth)")
    assert len(widths) == 3 and min(widths) >= 600, widths
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


# -- stuck cases ------------------------------------------------------------------------------------
def test_stuck_filters_live_in_the_url_and_survive_a_reload(world, live, page_for):
    codes = overdue(world)
    page = page_for("supervisor")
    with page.expect_navigation():  # the new page loaded: htmx has bound its triggers
        page.click("header.topbar >> text=Hồ sơ tồn đọng")
    page.wait_for_selector("#results table")
    listed = page.inner_text("#results table")
    assert all(code in listed for code in codes.values())
    assert "Quá hạn: 4" in flat(page.inner_text("#results .counts"))

    page.select_option("#stuck-filters select[name=step]", "triage_correction")
    page.wait_for_url("**step=triage_correction*")
    page.wait_for_function("document.querySelectorAll('#results tbody tr').length === 1")
    (row,) = rows_of(page, "#results tbody tr")
    assert row[1] == codes["justice"] and row[2].startswith("Trần Văn Bình") and row[3] == "Phường Hoa Lư"
    assert row[4] == "Xác định thủ tục hộ tịch Tư pháp – Hộ tịch" and "Quá hạn" in row[7]

    page.select_option("#stuck-filters select[name=step]", "")
    page.select_option("#stuck-filters select[name=unit]", "13301")
    page.wait_for_url("**unit=13301*")
    page.wait_for_function("document.querySelectorAll('#results tbody tr').length === 1")
    page.reload()
    assert page.input_value("#stuck-filters select[name=unit]") == "13301"
    assert [r[1] for r in rows_of(page, "#results tbody tr")] == [codes["b"]]
    assert "Xã Gia Viễn" in page.inner_text("#results .counts")

    page.select_option("#stuck-filters select[name=reason]", "error")
    page.wait_for_url("**reason=error*")
    page.wait_for_selector("#results .empty")
    assert "Không có hồ sơ tồn đọng nào khớp bộ lọc" in page.inner_text("#results .empty")
    page.reload()
    assert page.input_value("#stuck-filters select[name=reason]") == "error"
    assert page.locator("#results tbody tr").count() == 0


def test_bulk_reassign_from_the_stuck_list(world, live, page_for):
    codes = overdue(world)
    page = page_for("supervisor")
    page.goto(f"{live}/stuck/?unit=13300&step=verify_application")
    assert sorted(r[1] for r in rows_of(page, "#results tbody tr")) == sorted([codes["a1"], codes["a2"]])
    page.check(f"input[aria-label='Chọn {codes['a1']}']")
    page.check(f"input[aria-label='Chọn {codes['a2']}']")
    page.select_option(".stuck-bulk select[name=assignee]", "police_a2")
    page.fill(".stuck-bulk input[name=reason]", "Cán bộ nghỉ ốm")
    page.click(".stuck-bulk button[type=submit]")
    try:
        page.wait_for_selector("#results .flash-success")
    except Exception:
        page.screenshot(path="/tmp/bulk-failed.png", full_page=True)
        print(page.inner_text("main"))
        raise
    assert "Đã giao lại 2 công việc" in page.inner_text("#results .flash-success")
    assignees = {r[1]: r[5] for r in rows_of(page, "#results tbody tr")}
    assert assignees == {codes["a1"]: "police_a2", codes["a2"]: "police_a2"}
    assert task_of(codes["a1"], "verify_application").assignee_id == world.police2.id


def test_reassign_and_comment_on_one_stuck_case(world, live, page_for):
    codes = overdue(world)
    page = page_for("supervisor")
    page.goto(f"{live}/stuck/?unit=13300&step=verify_application&sort=oldest")
    with page.expect_navigation():  # the new page loaded: htmx has bound its triggers
        page.click(f"#results tr:has-text('{codes['a1']}') >> text=Xử lý")
    page.wait_for_selector("#stuck-panel")
    assert f"Giám sát hồ sơ {codes['a1']}" in page.inner_text("#stuck-panel h2")
    form = page.locator("#stuck-panel form.stuck-action").first
    assert "Người xử lý: police_a" in flat(form.inner_text())
    form.locator("button[type=submit]").click()  # no officer, no reason: both named
    page.wait_for_selector("#stuck-panel .field-error")
    assert "Ghi lý do." in page.inner_text("#stuck-panel")
    form = page.locator("#stuck-panel form.stuck-action").first
    form.locator("select[name=assignee]").select_option("police_a2")
    form.locator("input[name=reason]").fill("Quá hạn 5 tuần")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#stuck-panel .flash-success")
    assert page.inner_text("#stuck-panel .flash-success") == "Đã giao lại công việc."
    assert "Người xử lý: police_a2" in flat(page.inner_text("#stuck-panel form.stuck-action"))

    page.fill("#stuck-panel textarea[name=text]", "Đề nghị hoàn thành trong hôm nay")
    page.click("#stuck-panel article:has-text('Ý kiến') button[type=submit]")
    page.wait_for_selector("#stuck-panel .flash-success >> text=Đã gửi ý kiến.")
    page.goto(f"{live}/cases/{codes['a1']}")
    timeline = page.inner_text("main")
    assert "Đề nghị hoàn thành trong hôm nay" in timeline and "Quá hạn 5 tuần" in timeline


# -- production batches -----------------------------------------------------------------------------
def test_a_lead_makes_a_dispatch_batch_sends_it_and_sees_it_listed(world, live, page_for):
    codes = sorted(approved(world) for _ in range(2))
    page = page_for("lead_a")
    with page.expect_navigation():  # the new page loaded: htmx has bound its triggers
        page.click("header.topbar >> text=Lô thẻ")
    page.wait_for_selector(".batches-ready")
    assert rows_of(page, ".batches-ready tbody tr") == [["Phường Hoa Lư 13300", "2", "Lập lô gửi sản xuất"]]
    assert "Chưa có lô gửi sản xuất nào." in page.inner_text("#batch-results")
    page.click(".batches-ready button[type=submit]")
    page.wait_for_url("**/batches/SX-13300-0001")
    assert "Đã lập lô SX-13300-0001" in page.inner_text("#flash")
    detail = page.inner_text("main")
    assert all(code in detail for code in codes) and "Chờ sản xuất: 2" in flat(detail)
    page.click("text=Gửi lô đi sản xuất")
    page.wait_for_selector("#flash >> text=Đã gửi lô SX-13300-0001 đi sản xuất.")
    page.goto(f"{live}/batches/?kind=dispatch")
    assert page.locator(".batches-ready").count() == 0
    (row,) = rows_of(page, "#batch-results tbody tr")
    assert row[0] == "SX-13300-0001" and row[1] == "Phường Hoa Lư 13300" and row[2] == "Đã gửi sản xuất"
    assert row[4:] == ["2", "0 / 2"]
    assert "Số lô: 1" in page.inner_text("#batch-results .counts")
    page.select_option("#batch-filters select[name=status]", "open")
    page.wait_for_url("**status=open*")
    page.wait_for_selector("#batch-results .empty")
    page.reload()
    assert page.input_value("#batch-filters select[name=status]") == "open"
    assert "Không có lô nào khớp bộ lọc" in page.inner_text("#batch-results")


# -- screenshots ------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_screenshots(world, live, page_for, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    campaign(world)
    overdue(world)
    for _ in range(2):
        approved(world)
    with command():
        batches.create_dispatch(world.lead, "13300", send=True)
    approved(world)
    with command():
        progress.set_quota(world.supervisor, "37", "40")

    page = page_for("supervisor", lang)
    page.goto(f"{live}/progress/?unit=37")
    page.wait_for_selector(".pg-diagram .pg-badge")
    page.screenshot(path=str(SHOTS / f"progress-{lang}.png"), full_page=True)
    page.goto(f"{live}/stuck/")
    page.wait_for_selector("#results table")
    page.screenshot(path=str(SHOTS / f"stuck-{lang}.png"), full_page=True)

    lead = page_for("lead_a", lang)
    lead.goto(f"{live}/batches/?kind=dispatch")
    lead.wait_for_selector("#batch-results table")
    lead.screenshot(path=str(SHOTS / f"batches-{lang}.png"), full_page=True)
    header = flat(lead.inner_text("#batch-results thead"))
    counts = flat(lead.inner_text("#batch-results .counts"))
    if lang == "en":
        assert header.endswith("Cases Cards produced") and counts.startswith("Batches: 1")
    else:
        assert header.endswith("Số hồ sơ Đã có thẻ") and counts.startswith("Số lô: 1")
    for name in ("progress", "stuck", "batches"):
        assert (SHOTS / f"{name}-{lang}.png").stat().st_size > 10_000
