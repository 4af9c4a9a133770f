"""No raw record keys or ISO dates on a Vietnamese page: the population-update step, the step
history and the outbox name each field and write dates dd/mm/yyyy."""

import re
from datetime import date

import pytest

from tests.support.cases import DOB, do, start, task_of
from tests.support.web import login

DECIDED = {
    "decision_number": "15/TL-UBND",
    "decision_date": "2026-11-20",
    "changes": {"birth_date": "1953-11-17"},  # the same year: the ID stays consistent
}
ISO = re.compile(r"\b(19|20)\d\d-\d\d-\d\d\b")


@pytest.fixture(autouse=True)
def settings(app, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_FAIL", "")


def visible(html: str) -> str:
    """The page's text as a reader sees it (no markup, no attribute values such as datetime=)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def assert_readable(html: str) -> None:
    text = visible(html)
    for key in ("birth_date", "decision_date", "decision_number", "personal_id", "changes", "previous"):
        assert key not in text, key
    assert not ISO.search(text), ISO.search(text).group(0)


def at_population_update(world) -> str:
    code = start(world.police, world.resident(born=date(1953, 2, 1)))
    do(world.police, code, "verify_application", DOB)
    do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": True})
    do(world.justice, code, "record_correction", DECIDED)
    return code


def test_the_population_update_step_and_its_history_read_as_words(app, world):
    code = at_population_update(world)
    police = login(app.test_client(), "police_a")
    page = police.get(f"/tasks/{task_of(code, 'update_population_record').id}").get_data(as_text=True)
    assert "Ngày sinh: 01/02/1953 → 17/11/1953" in visible(page)
    assert "15/TL-UBND" in page and "20/11/2026" in page
    assert_readable(page)
    do(world.police, code, "update_population_record", {"confirmed": True})
    case_page = police.get(f"/cases/{code}").get_data(as_text=True)
    assert "01/02/1953" in visible(case_page) and "17/11/1953" in visible(case_page)
    assert_readable(case_page)


def test_the_outbox_shows_the_hand_off_by_field_names(app, world):
    at_population_update(world)
    page = login(app.test_client(), "supervisor").get("/outbox/").get_data(as_text=True)
    text = visible(page)
    assert "Ngày sinh" in text and "01/02/1953 → 17/11/1953" in text
    assert "Số định danh" in text and "Ngày đăng ký" in text and "20/11/2026" in text
    assert_readable(page)
