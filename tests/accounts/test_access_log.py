"""Reads of personal data are recorded (case page, resident record, portrait, every file), in the
request that showed them, in a log nobody can rewrite; supervisors and administrators read it for
their unit subtree, on a page and through GET /api/v1/access-log."""

import io
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, event, select, text, update

from tests.support.api import BASE
from tests.support.cases import CLEAN, do, start, task_of
from tests.support.route_samples import JPEG, select_case
from tests.support.web import HTMX, login
from tests.support.world import PASSWORD
from webapp.models import AccessLogEntry, Resident, db
from webapp.services import clock
from webapp.services.accounts import access_log, users
from webapp.services.cases import portraits
from webapp.services.uow import command


def entries() -> list[tuple]:
    db.session.rollback()
    rows = db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id))
    return [(e.action, e.case_code, e.personal_id, e.rows, e.what, e.unit_path) for e in rows]


@pytest.fixture
def case(world):
    """A case of commune A at biometrics capture, with a portrait."""
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", CLEAN)
    with command():
        portraits.upload(world.police, db.session.scalar(select_case(code)), JPEG)
    return code


@pytest.fixture
def hanoi_supervisor(world):
    with command():
        return users.create("supervisor_hn", "supervisor", world.other_province.code, PASSWORD, "Giám sát HN")


def _pid(code: str) -> str:
    return db.session.scalar(select_case(code)).resident.personal_id


def test_each_read_of_personal_data_writes_one_row(app, world, case):
    pid = _pid(case)
    path = world.commune_a.path
    client = login(app.test_client(), "police_a")
    assert client.get(f"/cases/{case}").status_code == 200
    assert entries() == [("case_viewed", case, pid, None, None, path)]
    assert client.get(f"/cases/{case}/portrait").status_code == 200
    assert entries()[-1] == ("portrait_viewed", case, pid, None, None, path)
    # the task page shows the resident's record beside the papers
    assert client.get(f"/tasks/{task_of(case, 'capture_biometrics').id}").status_code == 200
    assert entries()[-1] == ("case_viewed", case, pid, None, None, path)
    resident_id = db.session.scalar(select(Resident.id).where(Resident.personal_id == pid))
    assert client.get(f"/listing/residents/{resident_id}/edit").status_code == 200
    assert entries()[-1] == ("resident_viewed", None, pid, None, None, path)
    lead = login(app.test_client(), "lead_a")
    assert lead.get(f"/residents/{pid}/corrections").status_code == 200
    assert entries()[-1] == ("resident_viewed", None, pid, None, None, path)
    assert len(entries()) == 5
    # what the page did not show is not recorded: another province's case is a 404, no row
    other = start(world.outsider, world.resident(unit=world.other_commune, province="001"))
    db.session.rollback()
    assert client.get(f"/cases/{other}").status_code == 404
    assert len(entries()) == 5


def test_the_api_reads_are_recorded_too(app, world, case):
    pid = _pid(case)
    client = app.test_client()
    token = client.post(f"{BASE}/auth/token", json={"username": "police_a", "password": PASSWORD}).json[
        "token"
    ]
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{BASE}/cases/{case}", headers=auth).status_code == 200
    assert client.get(f"{BASE}/residents/{pid}", headers=auth).status_code == 200
    assert [e[:3] for e in entries()] == [("case_viewed", case, pid), ("resident_viewed", None, pid)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_file_is_recorded_with_its_rows(app, world, fmt):
    for _ in range(3):
        start(world.police, world.resident())
    client = login(app.test_client(), "police_a")
    response = client.get(f"/?format={fmt}")
    assert response.status_code == 200
    response.get_data()  # a CSV streams: the row is written once the last row has left
    response.close()
    assert entries() == [("exported", None, None, 3, "hop-cong-viec", world.commune_a.path)]


def test_the_log_is_append_only_for_the_application(world, case):
    with command():
        access_log.case_read(world.police, db.session.scalar(select_case(case)))
    entry = db.session.scalar(select(AccessLogEntry))
    entry.rows = 5
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(AccessLogEntry)))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_the_database_refuses_to_change_or_delete_a_row(postgres_only, app, world, case):
    client = login(app.test_client(), "police_a")
    client.get(f"/cases/{case}")
    for statement in (update(AccessLogEntry).values(rows=1), delete(AccessLogEntry)):
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(statement)
        db.session.rollback()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("DELETE FROM access_log"))
    db.session.rollback()
    assert len(entries()) == 1


def test_supervisors_read_their_subtree_only(app, world, case, hanoi_supervisor):
    login(app.test_client(), "police_a").get(f"/cases/{case}")
    mine = login(app.test_client(), "supervisor").get("/access-log/")
    assert mine.status_code == 200 and case in mine.get_data(as_text=True)
    theirs = login(app.test_client(), "supervisor_hn").get("/access-log/")
    body = theirs.get_data(as_text=True)
    assert theirs.status_code == 200 and case not in body and "police_a" not in body
    assert "Chưa có lượt truy cập nào" in body
    token = app.test_client().post(
        f"{BASE}/auth/token", json={"username": "supervisor_hn", "password": PASSWORD}
    )
    api = app.test_client().get(
        f"{BASE}/access-log", headers={"Authorization": f"Bearer {token.json['token']}"}
    )
    assert api.status_code == 200 and api.json["items"] == [] and api.json["total"] == 0


@pytest.mark.parametrize("username", ["police_a", "lead_a", "justice_a", "production"])
def test_other_roles_are_refused(app, world, username):
    client = login(app.test_client(), username)
    assert client.get("/access-log/").status_code == 403
    assert client.get("/access-log/?format=csv").status_code == 403
    token = client.post(f"{BASE}/auth/token", json={"username": username, "password": PASSWORD}).json["token"]
    response = client.get(f"{BASE}/access-log", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"


def _reads(app, world, monkeypatch):
    """police_a read case one yesterday; police_b (commune B) reads case two today."""
    one = start(world.police, world.resident())
    two = start(world.police_b, world.resident(unit=world.commune_b))
    yesterday = clock.now() - timedelta(days=1)
    monkeypatch.setattr(access_log, "clock", SimpleNamespace(now=lambda: yesterday))
    login(app.test_client(), "police_a").get(f"/cases/{one}")
    monkeypatch.setattr(access_log, "clock", clock)
    login(app.test_client(), "police_b").get(f"/cases/{two}")
    return one, two


def test_the_page_filters_pages_and_downloads(app, world, monkeypatch):
    one, two = _reads(app, world, monkeypatch)
    admin = login(app.test_client(), "admin")
    body = admin.get("/access-log/").get_data(as_text=True)
    assert one in body and two in body
    body = admin.get("/access-log/?user=police_b", headers=HTMX).get_data(as_text=True)
    assert two in body and one not in body and "<html" not in body
    body = admin.get(f"/access-log/?case={one}").get_data(as_text=True)
    assert one in body and two not in body
    body = admin.get(f"/access-log/?personal_id={_pid(two)}").get_data(as_text=True)
    assert two in body and one not in body
    body = admin.get("/access-log/?user=nobody").get_data(as_text=True)
    assert "Không có lượt truy cập nào khớp bộ lọc" in body
    today = clock.today_local()
    body = admin.get(f"/access-log/?since={today}").get_data(as_text=True)
    assert two in body and one not in body
    body = admin.get(f"/access-log/?until={today - timedelta(days=1)}").get_data(as_text=True)
    assert one in body and two not in body
    xlsx = admin.get(f"/access-log/?format=xlsx&case={one}")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    xlsx.close()
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 2 and values[1][1] == "police_a" and values[1][3] == one
    csv = admin.get("/access-log/?format=csv").get_data(as_text=True)
    assert one in csv and two in csv


def test_the_page_speaks_english_and_says_when_nothing_was_read(app, world):
    admin = login(app.test_client(), "admin")
    admin.post("/lang/en")
    body = admin.get("/access-log/").get_data(as_text=True)
    assert "Personal data access log" in body and "No reads yet." in body
    body = admin.get("/access-log/?user=nobody").get_data(as_text=True)
    assert "No reads match the filters." in body


def test_the_api_answers_as_the_guide_says(app, world, monkeypatch):
    one, two = _reads(app, world, monkeypatch)
    login(app.test_client(), "police_a").get("/?format=csv").get_data()
    client = app.test_client()
    token = client.post(f"{BASE}/auth/token", json={"username": "supervisor", "password": PASSWORD}).json[
        "token"
    ]
    auth = {"Authorization": f"Bearer {token}"}
    answer = client.get(f"{BASE}/access-log", headers=auth).json
    assert set(answer) == {"items", "page", "per_page", "total"} and answer["total"] == 3
    export, second, first = answer["items"]  # newest first
    assert set(export) == {"at", "user", "action", "rows"} and export["action"] == "exported"
    assert first == {
        "at": first["at"],
        "user": "police_a",
        "action": "case_viewed",
        "case_code": one,
        "personal_id": _pid(one),
    }
    assert datetime.fromisoformat(first["at"]).tzinfo is not None
    assert second["case_code"] == two
    by = lambda **q: client.get(f"{BASE}/access-log", headers=auth, query_string=q)  # noqa: E731
    assert [i["case_code"] for i in by(user="police_b").json["items"]] == [two]
    assert [i["user"] for i in by(case_code=one).json["items"]] == ["police_a"]
    assert [i["case_code"] for i in by(personal_id=_pid(two)).json["items"]] == [two]
    assert by(per_page=1, page=2).json["items"] == [second]
    assert by(since="2999-01-01").json["total"] == 0
    assert by(since="2000-01-01T00:00:00+07:00").json["total"] == 3
    for name, value in (("since", "yesterday"), ("since", "2026-01-01T00:00:00"), ("personal_id", "12")):
        bad = by(**{name: value})
        assert bad.status_code == 422 and list(bad.json["error"]["fields"]) == [name]


def test_a_read_costs_one_insert_and_the_inbox_none(app, world, case):
    """The case page stays as fast as it was: its only write is one INSERT into access_log (no
    UPDATE, no index of the hot tables touched); the inbox, a list, writes nothing."""
    client = login(app.test_client(), "police_a")
    written = []

    def collect(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SELECT", "PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE")):
            written.append(statement.split("(")[0].strip())

    event.listen(db.engine, "before_cursor_execute", collect)
    try:
        assert client.get(f"/cases/{case}").status_code == 200
        page = list(written)
        written.clear()
        assert client.get("/").status_code == 200
        inbox = list(written)
    finally:
        event.remove(db.engine, "before_cursor_execute", collect)
    assert page == ["INSERT INTO access_log"] and inbox == []
