"""Administrators are scoped like everyone else (issue 12): they manage the accounts of their own
subtree only, give only the roles they may give there, never change their own role or unit; what
they do is recorded in the database and shown on the account's page. A lead assigns only their
department's tasks to officers inside their subtree; an account whose role, unit or status
changes hands its tasks back to the queue in the same transaction."""

import pytest
from sqlalchemy import select

from tests.support.api import snapshot
from tests.support.cases import CLEAN, actions, do, start, task_of
from tests.support.web import login
from tests.support.world import PASSWORD
from webapp.models import AdminEvent, CaseTask, User, db
from webapp.services.accounts import users
from webapp.services.cases import tasks
from webapp.services.errors import Forbidden, Invalid, NotFound
from webapp.services.uow import command

NEW_PASSWORD = "another-pass-2"


@pytest.fixture
def admin(app, world):
    return login(app.test_client(), "admin")


def fresh(username: str) -> User:
    db.session.expire_all()
    return users.by_username(username)


# --- another province's accounts: not found, and nothing changes ------------------------------


def test_another_provinces_accounts_are_out_of_reach(app, api, world, admin):
    target = world.outsider.id  # police_hn, of Hà Nội; the administrator is Ninh Bình's
    api.token(world.admin)
    before = snapshot()
    assert admin.get(f"/admin/users/{target}").status_code == 404
    assert admin.post(f"/admin/users/{target}", data={"role": "admin", "unit": "37"}).status_code == 404
    assert admin.post(f"/admin/users/{target}/password", data={"password": NEW_PASSWORD}).status_code == 404
    assert admin.post(f"/admin/users/{target}/active", data={"active": "0"}).status_code == 404
    assert api.delete("/users/police_hn/tokens", world.admin).status_code == 404
    page = admin.get("/admin/users?q=police").get_data(as_text=True)
    assert ">police_hn</a>" not in page
    assert snapshot() == before
    with pytest.raises(NotFound), command():
        users.reset_password(world.admin, target, NEW_PASSWORD)  # the takeover the issue shows


def test_an_administrator_cannot_move_anyone_out_of_their_subtree(admin, world):
    response = admin.post(f"/admin/users/{world.police.id}", data={"role": "police", "unit": "00004"})
    assert response.status_code == 422
    assert "Đơn vị này nằm ngoài phạm vi quản trị của bạn." in response.get_data(as_text=True)
    assert fresh("police_a").unit.code == "13300"


def test_an_administrator_cannot_change_their_own_role_or_unit(admin, world):
    for form, error in (
        ({"role": "supervisor", "unit": "37"}, "Không thể tự đổi vai trò của mình."),
        ({"role": "admin", "unit": "13300"}, "Không thể tự đổi đơn vị của mình."),
    ):
        response = admin.post(f"/admin/users/{world.admin.id}", data=form)
        assert response.status_code == 422 and error in response.get_data(as_text=True)
    me = fresh("admin")
    assert (me.role, me.unit.code) == ("admin", "37")
    response = admin.post(
        f"/admin/users/{world.admin.id}", data={"role": "admin", "unit": "37", "full_name": "Bà A"}
    )
    assert response.status_code == 303 and fresh("admin").full_name == "Bà A"  # the name is theirs


@pytest.fixture
def commune_admin(world):
    with command():
        return users.create("admin_a", "admin", "13300", PASSWORD, "Quản trị xã")


@pytest.mark.parametrize(
    ("role", "unit", "field"),
    [
        ("supervisor", "37", "unit"),  # a province supervisor: above them
        ("admin", "37", "unit"),  # an administrator above them
        ("admin", "13300", "role"),  # another administrator beside them
        ("police", "13301", "unit"),  # the neighbouring commune
    ],
)
def test_a_commune_administrator_gives_only_what_they_may(world, commune_admin, role, unit, field):
    before = snapshot()
    with pytest.raises(Invalid) as refused, command():
        users.create("newcomer", role, unit, NEW_PASSWORD, actor=commune_admin)
    assert set(refused.value.fields) == {field}
    assert snapshot() == before


def test_a_commune_administrator_manages_their_commune_only(world, commune_admin):
    with command():
        made = users.create("newcomer", "police", "13300", NEW_PASSWORD, actor=commune_admin)
    assert made.unit.code == "13300"
    with pytest.raises(NotFound), command():
        users.get(commune_admin, world.supervisor.id)  # the province's supervisor
    with pytest.raises(NotFound), command():
        users.get(commune_admin, world.admin.id)  # the administrator above them
    with pytest.raises(NotFound), command():
        users.update(commune_admin, world.police_b.id, "police", "13300", "")  # the neighbour's officer
    with pytest.raises(Invalid), command():
        users.update(commune_admin, world.police.id, "supervisor", "37", "")  # promoted out of reach
    assert fresh("police_a").role == "police"


def test_the_province_administrator_manages_a_commune_administrator(world, commune_admin):
    with command():
        users.update(world.admin, commune_admin.id, "admin", "13301", "")
    assert fresh("admin_a").unit.code == "13301"
    with pytest.raises(NotFound), command():
        users.get(commune_admin, world.admin.id)


def test_only_administrators_use_the_services(world):
    with pytest.raises(Forbidden):
        users.list_users(world.supervisor)
    with pytest.raises(Forbidden):
        users.reset_password(world.lead, world.police.id, NEW_PASSWORD)


# --- the audit of administrators' actions --------------------------------------------------------


def events(user) -> list[tuple[str, dict]]:
    rows = db.session.scalars(
        select(AdminEvent).where(AdminEvent.target_id == user.id).order_by(AdminEvent.id)
    )
    return [(e.action, e.changes) for e in rows]


def test_admin_actions_are_stored_without_the_password_and_shown(app, api, world, admin):
    response = admin.post(
        "/admin/users",
        data={
            "username": "moi",
            "role": "police",
            "unit": "13300",
            "password": NEW_PASSWORD,
            "full_name": "Mới",
        },
    )
    assert response.status_code == 303
    new = fresh("moi")
    admin.post(f"/admin/users/{new.id}", data={"role": "justice", "unit": "13301", "full_name": "Mới"})
    admin.post(f"/admin/users/{new.id}/password", data={"password": "third-pass-333"})
    admin.post(f"/admin/users/{new.id}/active", data={"active": "0"})
    admin.post(f"/admin/users/{new.id}/active", data={"active": "1"})
    assert api.delete("/users/moi/tokens", world.admin).status_code == 200
    logged = events(new)
    assert [a for a, _ in logged] == [
        "created",
        "changed",
        "password_reset",
        "deactivated",
        "reactivated",
        "tokens_revoked",
    ]
    assert logged[1][1] == {"role": ["police", "justice"], "unit": ["13300", "13301"]}
    stored = repr(db.session.scalars(select(AdminEvent.changes)).all())
    assert NEW_PASSWORD not in stored and "third-pass-333" not in stored
    assert all(
        e.actor_id == world.admin.id
        for e in db.session.scalars(select(AdminEvent).where(AdminEvent.target_id == new.id))
    )
    page = admin.get(f"/admin/users/{new.id}").get_data(as_text=True)
    assert "Lịch sử quản trị tài khoản" in page
    for text in (
        "Tạo tài khoản",
        "Đổi thông tin",
        "Đặt lại mật khẩu",
        "Khóa tài khoản",
        "Thu hồi mã truy cập API",
    ):
        assert text in page
    # Codes are stored; names are shown.
    assert "Vai trò: Công an cấp xã → Tư pháp – Hộ tịch" in page
    assert "Phường Hoa Lư → Xã Gia Viễn" in page


# --- leads' assignments, and tasks handed back -----------------------------------------------------


def test_a_lead_assigns_only_their_departments_tasks(world):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", {**CLEAN, "discrepancies": ["dob_mismatch"]})
    justice_task = task_of(code, "triage_correction").id
    with pytest.raises(Forbidden), command():
        tasks.assign(world.lead, justice_task, "justice_a")
    assert task_of(code, "triage_correction").assignee_id is None


def test_a_lead_assigns_only_to_officers_inside_their_subtree(world):
    with command():
        provincial = users.create("police_37", "police", "37", PASSWORD)
    code = start(world.police, world.resident())
    task = task_of(code, "verify_application").id
    with pytest.raises(Invalid), command():
        tasks.assign(world.lead, task, provincial.username)  # can work it, but above the lead
    with command():
        tasks.assign(world.lead, task, "police_a2")
    assert task_of(code, "verify_application").assignee_id == world.police2.id


def test_a_lead_never_assigns_to_a_deactivated_officer(world):
    code = start(world.police, world.resident())
    task = task_of(code, "verify_application").id
    with command():
        tasks.release(world.police, task)
        users.set_active(world.admin, world.police2.id, False)
    with pytest.raises(Invalid) as refused, command():
        tasks.assign(world.lead, task, "police_a2")
    assert list(refused.value.fields) == ["assignee"]
    assert task_of(code, "verify_application").assignee_id is None


@pytest.mark.parametrize(
    "change",
    [
        lambda w: users.update(w.admin, w.police.id, "police", "13301", "police_a"),
        lambda w: users.update(w.admin, w.police.id, "justice", "13300", "police_a"),
        lambda w: users.set_active(w.admin, w.police.id, False),
    ],
    ids=["unit", "role", "deactivated"],
)
def test_tasks_go_back_to_the_queue_when_an_officer_can_no_longer_work_them(app, world, change):
    code = start(world.police, world.resident())  # its first task is police_a's
    assert task_of(code, "verify_application").assignee_id == world.police.id
    with command():
        change(world)
    assert task_of(code, "verify_application").assignee_id is None
    assert actions(code)[-1] == ("released", "verify_application")
    assert [a for a, _ in events(world.police)][-1] == "tasks_released"
    queue = login(app.test_client(), "lead_a").get("/?scope=queue").get_data(as_text=True)
    assert code in queue


def test_my_tasks_shows_only_tasks_the_officer_may_still_work(app, world):
    code = start(world.police, world.resident())
    with command():  # moved by hand (not through the service): the task is still held
        world.police.unit_id = world.commune_b.id
    db.session.expire_all()
    assert db.session.scalar(select(CaseTask.assignee_id).where(CaseTask.case_id != None)) == world.police.id  # noqa: E711
    page = login(app.test_client(), "police_a").get("/?scope=mine").get_data(as_text=True)
    assert code not in page
