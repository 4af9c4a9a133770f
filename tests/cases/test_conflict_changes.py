"""A conflict in a task form says what the other officer changed since the form was opened
(which step, which fields, who, when) beside the reload that keeps the typed input."""

import re

import pytest

from tests.support.cases import do, start, task_of
from tests.support.web import HTMX, login
from webapp.services.cases import tasks
from webapp.services.uow import command


@pytest.fixture
def police(app, world):
    return login(app.test_client(), "police_a")


def opened(client, task_id: str) -> dict:
    """The hidden inputs of the task form as the officer's page holds them."""
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    return {name: re.search(rf'name="{name}" value="(\d+)"', page).group(1) for name in ("version", "seen")}


def test_a_step_done_meanwhile_is_named_with_who_and_what_they_recorded(world, police):
    code = start(world.police, world.resident())
    task = task_of(code, "verify_application")
    task_id = task.id
    form = opened(police, task_id)  # opening it, police_a holds it
    with command():  # the lead hands it to a colleague, who completes it
        tasks.assign(world.lead, task_id, "police_a2")
    do(world.police2, code, "verify_application", {"discrepancies": [], "note": "Đã đối chiếu giấy tờ"})
    response = police.post(f"/tasks/{task_id}", data={**form, "note": "của tôi"}, headers=HTMX)
    assert response.status_code == 409
    box = response.get_data(as_text=True)
    changes = box[box.index('class="conflict-changes"') :]
    assert "Hoàn thành bước" in changes and "Tiếp nhận, đối chiếu hồ sơ" in changes
    assert "police_a2" in changes and world.commune_a.name in changes  # who, and where
    assert "Ghi chú" in changes and "Đã đối chiếu giấy tờ" in changes  # what they recorded
    assert "Tạo hồ sơ" not in changes  # only what happened after the form was opened
    assert "data-reload-keep" in box  # beside the reload that keeps the input


def test_an_assignment_meanwhile_names_the_lead_and_the_officer(world, police):
    code = start(world.police, world.resident())
    task = task_of(code, "verify_application")
    task_id = task.id
    form = opened(police, task_id)
    with command():
        tasks.assign(world.lead, task_id, "police_a2")
    response = police.post(f"/tasks/{task_id}", data=form, headers=HTMX)
    assert response.status_code == 409
    changes = response.get_data(as_text=True)
    changes = changes[changes.index('class="conflict-changes"') :]
    assert "Giao việc" in changes and "lead_a" in changes and "→ police_a2" in changes


def test_without_script_the_error_page_lists_the_changes_too(world, police):
    code = start(world.police, world.resident())
    task = task_of(code, "verify_application")
    task_id = task.id
    form = opened(police, task_id)
    with command():
        tasks.assign(world.lead, task_id, "police_a2")
    response = police.post(f"/tasks/{task_id}", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "<html" in page
    assert "Giao việc" in page[page.index('class="conflict-changes"') :] and "police_a2" in page


def test_the_changes_are_in_the_page_language(world, police):
    code = start(world.police, world.resident())
    task = task_of(code, "verify_application")
    task_id = task.id
    form = opened(police, task_id)
    police.post("/lang/en")
    with command():
        tasks.assign(world.lead, task_id, "police_a2")
    do(world.police2, code, "verify_application", {"discrepancies": [], "note": "ok"})
    box = police.post(f"/tasks/{task_id}", data=form, headers=HTMX).get_data(as_text=True)
    assert "Changed since you opened the page" in box and "Note" in box
