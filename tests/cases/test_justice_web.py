"""The justice officer's triage page: what the registry and each paper say side by side, the
discrepancy, and the decision table's suggested procedure preselected; return and refuse."""

from datetime import date

from tests.support.cases import case, do, start, task_of
from tests.support.web import login
from webapp.services import workflow_store
from workflows import Engine, load_bundle


def at_triage(world) -> str:
    code = start(world.police, world.resident(born=date(1990, 5, 17)))
    do(
        world.police,
        code,
        "verify_application",
        {"discrepancies": ["dob_mismatch"], "hr_birth_date": "1991-05-17", "bc_birth_date": "1990-05"},
    )
    return code


def test_the_triage_page_shows_the_papers_and_preselects_the_suggestion(app, world):
    code = at_triage(world)
    justice = login(app.test_client(), "justice_a")
    page = justice.get(f"/tasks/{task_of(code, 'triage_correction').id}").get_data(as_text=True)
    assert "Thông tin trên các giấy tờ" in page
    assert "17/05/1990" in page and "17/05/1991" in page and "05/1990" in page  # dd/mm/yyyy, never ISO
    assert "1991-05-17" not in page
    assert "Thủ tục bảng quyết định đề xuất" in page and "<strong>Cải chính hộ tịch</strong>" in page
    assert '<option selected value="correction">' in page or 'value="correction" selected' in page


def test_the_suggestion_follows_the_decision_table(app, world):
    """Change the table's row for a birth-date mismatch and the page preselects the new answer."""
    original = app.extensions[workflow_store.EXTENSION]
    sources = dict(original.current.sources)
    table = sources["discrepancy_procedure.dmn"]
    row = table.index('<rule id="discrepancy_procedure_r1">')
    sources["discrepancy_procedure.dmn"] = table[:row] + table[row:].replace(
        '"correction"', '"supplement"', 1
    )
    app.extensions[workflow_store.EXTENSION] = Engine(load_bundle(sources))
    try:
        code = at_triage(world)
        page = login(app.test_client(), "justice_a").get(f"/tasks/{task_of(code, 'triage_correction').id}")
    finally:
        app.extensions[workflow_store.EXTENSION] = original
    assert "<strong>Bổ sung thông tin hộ tịch</strong>" in page.get_data(as_text=True)


def test_justice_returns_the_file_from_the_page_with_a_reason(app, world):
    code = at_triage(world)
    justice = login(app.test_client(), "justice_a")
    task = task_of(code, "triage_correction")
    form = {"procedure": "return_to_police", "documents_complete": "true", "version": case(code).version}
    missing = justice.post(f"/tasks/{task.id}", data=form)
    assert missing.status_code == 422 and "phải ghi lý do" in missing.get_data(as_text=True)
    done = justice.post(f"/tasks/{task.id}", data={**form, "reason": "Dữ liệu dân cư ghi sai"})
    assert done.status_code == 303
    assert case(code).current_steps == "capture_biometrics,update_population_record"
    police = login(app.test_client(), "police_a")
    page = police.get(f"/tasks/{task_of(code, 'update_population_record').id}").get_data(as_text=True)
    assert "Sửa thông tin dân cư tại bàn tiếp nhận" in page and "Dữ liệu dân cư ghi sai" in page
