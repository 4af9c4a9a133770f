"""The administrator's user management pages, through the HTTP client."""

import re

import pytest
from sqlalchemy import func, select

from tests.support.web import HTMX, login
from tests.support.world import PASSWORD
from webapp.models import User, db
from webapp.services.accounts import passwords, users
from webapp.services.uow import command

NEW_PASSWORD = "another-pass-2"


def can_login(app, username: str, password: str = PASSWORD) -> bool:
    response = app.test_client().post("/login", data={"username": username, "password": password})
    assert response.status_code in (302, 401), response.status_code
    return response.status_code == 302


def fresh(username: str) -> User:
    db.session.expire_all()
    return users.by_username(username)


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


@pytest.fixture
def admin(app, world):
    return login(app.test_client(), "admin")


def admin_urls(world) -> list[tuple[str, str]]:
    target = world.police.id
    return [
        ("get", "/admin/users"),
        ("get", "/admin/users?q=police"),
        ("get", "/admin/users?format=csv"),
        ("get", "/admin/units?unit=gia"),
        ("post", "/admin/users"),
        ("get", f"/admin/users/{target}"),
        ("post", f"/admin/users/{target}"),
        ("post", f"/admin/users/{target}/password"),
        ("post", f"/admin/users/{target}/active"),
    ]


# --- who may come in ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["police", "lead", "justice", "approval", "production", "supervisor"])
def test_every_other_role_is_forbidden_on_every_admin_url(app, world, who):
    client = login(app.test_client(), getattr(world, who).username)
    form = {"username": "sneaky", "role": "admin", "unit": "37", "password": NEW_PASSWORD, "active": "0"}
    for method, url in admin_urls(world):
        response = getattr(client, method)(url, data=form if method == "post" else None)
        assert response.status_code == 403, (method, url)
    assert users.by_username("sneaky") is None
    police = fresh("police_a")
    assert police.active and police.role == "police" and passwords.check(police.password_hash, PASSWORD)


def test_anonymous_visitors_are_sent_to_the_login_page(app, world):
    client = app.test_client()
    for method, url in admin_urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login"), (method, url)


def test_a_deactivated_admin_loses_the_page_at_once(app, world, admin):
    with command():
        world.admin.active = False
    assert admin.get("/admin/users").status_code == 302


# --- the list -------------------------------------------------------------------------------


def test_admin_sees_every_user_with_role_unit_and_dates(admin, world):
    response = admin.get("/admin/users")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<html" in page
    for name in ("admin", "approval", "justice_b", "police_a", "supervisor"):
        assert f">{name}</a>" in page
    assert ">police_hn</a>" not in page  # Hà Nội's accounts are not this administrator's (issue 12)
    assert "Công an cấp xã" in page and "Phường Hoa Lư" in page
    assert world.admin.created_at.strftime("%Y") in page
    assert page.index(">admin</a>") < page.index(">justice_a</a>") < page.index(">police_a</a>")
    assert "Tạo người dùng" in page and 'name="password"' in page


def test_search_matches_username_or_full_name_ignoring_case(admin, world):
    with command():
        users.create("ttlan", "justice", "13301", PASSWORD, "Trần Thị Lan")
    page = admin.get("/admin/users?q=POLICE").get_data(as_text=True)
    for name in ("police_a", "police_a2", "police_b"):
        assert f">{name}</a>" in page
    assert ">police_hn</a>" not in page
    assert ">justice_a</a>" not in page and ">admin</a>" not in page
    page = admin.get("/admin/users?q=thị lan").get_data(as_text=True)
    assert ">ttlan</a>" in page and ">police_a</a>" not in page
    # LIKE wildcards are taken literally.
    assert "Không có người dùng nào khớp" in admin.get("/admin/users?q=%25").get_data(as_text=True)


def test_htmx_search_returns_only_the_table(admin, world):
    response = admin.get("/admin/users?q=police_b", headers=HTMX)
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and "<table" in fragment and 'type="search"' not in fragment
    assert ">police_b</a>" in fragment and ">police_a</a>" not in fragment
    assert "HX-Request" in response.headers["Vary"]


def test_a_history_restore_gets_the_whole_page(admin, world):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    page = admin.get("/admin/users?q=police", headers=headers).get_data(as_text=True)
    assert "<html" in page and 'type="search"' in page


def test_search_without_matches_shows_the_empty_state(admin, world):
    response = admin.get("/admin/users?q=nobody-like-this", headers=HTMX)
    fragment = response.get_data(as_text=True)
    assert "<table" not in fragment
    assert "Không có người dùng nào khớp với “nobody-like-this”" in fragment


def test_the_list_has_pages_of_fifty(admin, world):
    with command():
        for n in range(45):
            users.create(f"zz{n:02d}", "police", "13300", PASSWORD)
    first = admin.get("/admin/users").get_data(as_text=True)  # 11 + 45 = 56 users
    assert first.count("/admin/users/") >= 50 and ">zz44</a>" not in first and "trang 1/2" in first
    assert "page=2" in first
    second = admin.get("/admin/users?page=2").get_data(as_text=True)
    assert ">zz44</a>" in second and ">admin</a>" not in second and "trang 2/2" in second


# --- create ---------------------------------------------------------------------------------


def test_admin_creates_a_user_who_can_then_log_in(app, admin, world):
    form = {
        "username": "tuphap_c",
        "full_name": "Lê Văn Cường",
        "role": "justice",
        "unit": "13301",
        "password": NEW_PASSWORD,
    }
    response = admin.post("/admin/users", data=form)
    assert response.status_code == 303
    created = fresh("tuphap_c")
    assert response.headers["Location"] == f"/admin/users/{created.id}"
    assert (created.role, created.department, created.unit.code) == ("justice", "justice", "13301")
    assert created.full_name == "Lê Văn Cường"
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã tạo người dùng tuphap_c." in page and "Lê Văn Cường" in page
    assert can_login(app, "tuphap_c", NEW_PASSWORD)


def test_an_htmx_create_navigates_to_the_new_user(admin, world):
    form = {"username": "newbie", "role": "police", "unit": "13300", "password": NEW_PASSWORD}
    response = admin.post("/admin/users", data=form, headers=HTMX)
    assert response.status_code == 204  # no body: htmx navigates (one see_other for every page)
    assert response.headers["HX-Redirect"] == f"/admin/users/{fresh('newbie').id}"


GOOD = {
    "username": "moi",
    "full_name": "Người Mới",
    "role": "police",
    "unit": "13300",
    "password": NEW_PASSWORD,
}


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        ({"password": "short"}, "password", "Mật khẩu ít nhất 10 ký tự."),
        ({"unit": "99999"}, "unit", "Không tìm thấy đơn vị này"),
        ({"username": "police_a"}, "username", "Tên đăng nhập đã có."),
        ({"username": "có dấu"}, "username", "Tên đăng nhập 3–80 ký tự"),
        ({"role": "emperor"}, "role", "Vai trò phải là một trong: police"),
        ({"full_name": "x" * 201}, "full_name", "Họ tên tối đa 200 ký tự."),
    ],
)
def test_bad_input_shows_the_rule_beside_the_field_and_creates_nothing(admin, world, change, field, error):
    before = user_count()
    response = admin.post("/admin/users", data={**GOOD, **change})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-help">{error}' in page
    assert f'id="{field}"' in page.split(f'id="{field}-help"')[0].rsplit("<label", 1)[1]
    assert "autofocus" in page.split(f'id="{field}-help"')[0].rsplit("<label", 1)[1]
    assert user_count() == before
    fragment = admin.post("/admin/users", data={**GOOD, **change}, headers=HTMX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True) and error in fragment.get_data(as_text=True)
    assert user_count() == before


def test_errors_follow_the_page_language(admin, world):
    admin.post("/lang/en")
    page = admin.post("/admin/users", data={**GOOD, "unit": "99999"}).get_data(as_text=True)
    assert "No such unit" in page


# --- one user -------------------------------------------------------------------------------


def test_the_user_page_shows_the_forms_filled_in(admin, world):
    page = admin.get(f"/admin/users/{world.police_b.id}").get_data(as_text=True)
    assert 'value="Xã Gia Viễn · Ninh Bình (13301)"' in page and '<option selected value="police">' in page
    assert "autofocus" in re.search(r'<input[^>]*id="full_name"[^>]*>', page).group()
    assert "Khóa tài khoản" in page


def test_an_unknown_user_is_not_found(admin, world):
    assert admin.get("/admin/users/999999").status_code == 404
    assert admin.post("/admin/users/999999/password", data={"password": NEW_PASSWORD}).status_code == 404


def test_admin_changes_role_unit_and_name(app, admin, world):
    form = {"role": "justice", "unit": "13301", "full_name": "Phạm Thị Hoa"}
    response = admin.post(f"/admin/users/{world.police.id}", data=form)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/users/{world.police.id}"
    police = fresh("police_a")
    assert (police.role, police.department, police.unit.code) == ("justice", "justice", "13301")
    assert police.full_name == "Phạm Thị Hoa"
    assert "Đã lưu thay đổi của police_a." in admin.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"role": "justice", "unit": "nowhere", "full_name": "X"}, "Không tìm thấy đơn vị này"),
        ({"role": "king", "unit": "13301", "full_name": "X"}, "Vai trò phải là một trong"),
    ],
)
def test_an_invalid_edit_changes_nothing(admin, world, form, error):
    response = admin.post(f"/admin/users/{world.police.id}", data=form)
    assert response.status_code == 422 and error in response.get_data(as_text=True)
    police = fresh("police_a")
    assert (police.role, police.unit.code, police.full_name) == ("police", "13300", "police_a")
    fragment = admin.post(f"/admin/users/{world.police.id}", data=form, headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)


def test_admin_cannot_take_away_their_own_admin_role(admin, world):
    response = admin.post(f"/admin/users/{world.admin.id}", data={"role": "police", "unit": "37"})
    assert response.status_code == 422
    assert "Không thể tự đổi vai trò của mình." in response.get_data(as_text=True)
    assert fresh("admin").role == "admin"


def test_a_password_reset_replaces_the_old_password(app, admin, world):
    response = admin.post(f"/admin/users/{world.police.id}/password", data={"password": NEW_PASSWORD})
    assert response.status_code == 303
    assert "Đã đặt lại mật khẩu của police_a." in admin.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert not can_login(app, "police_a", PASSWORD)
    assert can_login(app, "police_a", NEW_PASSWORD)


def test_after_a_reset_the_owner_signs_in_with_the_new_password(app, admin, world):
    for _ in range(5):
        assert not can_login(app, "police_a", "wrong-password")
    admin.post(f"/admin/users/{world.police.id}/password", data={"password": NEW_PASSWORD})
    owner = app.test_client().post(
        "/login",
        data={"username": "police_a", "password": NEW_PASSWORD},
        environ_base={"REMOTE_ADDR": "127.0.0.2"},  # not the client that was failing
    )
    assert owner.status_code == 302


def test_a_short_new_password_is_refused(app, admin, world):
    response = admin.post(f"/admin/users/{world.police.id}/password", data={"password": "123456789"})
    assert response.status_code == 422
    assert 'id="password-help">Mật khẩu ít nhất 10 ký tự.' in response.get_data(as_text=True)
    assert can_login(app, "police_a", PASSWORD)


def test_a_deactivated_user_can_no_longer_log_in_and_can_be_let_back(app, admin, world):
    officer = login(app.test_client(), "police_a")
    response = admin.post(f"/admin/users/{world.police.id}/active", data={"active": "0"})
    assert response.status_code == 303
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã khóa tài khoản police_a." in page and "Mở lại tài khoản" in page
    assert not fresh("police_a").active
    assert not can_login(app, "police_a")
    assert officer.get("/").status_code == 302  # the open session ends too
    assert admin.post(f"/admin/users/{world.police.id}/active", data={"active": "1"}).status_code == 303
    assert can_login(app, "police_a")


def test_admin_cannot_deactivate_themselves(app, admin, world):
    response = admin.post(f"/admin/users/{world.admin.id}/active", data={"active": "0"})
    assert response.status_code == 422
    assert "Không thể tự khóa tài khoản của mình." in response.get_data(as_text=True)
    fragment = admin.post(f"/admin/users/{world.admin.id}/active", data={"active": "0"}, headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert fresh("admin").active
    assert admin.get("/admin/users").status_code == 200


def test_the_services_refuse_an_actor_who_is_not_an_administrator(world):
    from webapp.services.errors import Forbidden

    with pytest.raises(Forbidden):
        users.set_active(world.supervisor, world.police.id, False)
    with pytest.raises(Forbidden):
        users.reset_password(world.lead, world.police.id, NEW_PASSWORD)


def test_the_user_list_downloads_as_csv_and_xlsx(app, world, admin):
    import csv
    import io

    from openpyxl import load_workbook

    response = admin.get("/admin/users?q=police_&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Tên đăng nhập", "Họ tên", "Vai trò"]
    assert [r[0] for r in rows[1:]] == ["police_a", "police_a2", "police_b"]  # Ninh Bình's only
    assert rows[1][3] == "Phường Hoa Lư (13300)" and rows[1][4] == "Đang hoạt động"
    response = admin.get("/admin/users?format=xlsx")
    data = response.get_data()
    response.close()
    assert load_workbook(io.BytesIO(data)).active.max_row == 1 + user_count() - 1  # not police_hn


# --- the unit picked by name, the form above the list --------------------------------------------


def options(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]+)"></option>', html)


def test_the_unit_picker_offers_the_administrators_units_by_name(admin, world):
    assert options(admin.get("/admin/units?unit=gia vien").get_data(as_text=True)) == [
        "Xã Gia Viễn · Ninh Bình (13301)"
    ]
    assert options(admin.get("/admin/units?unit=ba dinh").get_data(as_text=True)) == []  # another province
    first = options(admin.get("/admin/units?unit=").get_data(as_text=True))
    assert "Phường Hoa Lư · Ninh Bình (13300)" in first and not any("Ba Đình" in o for o in first)


def test_a_commune_administrator_is_offered_their_commune_only(app, world):
    with command():
        users.create("admin_a", "admin", "13300", NEW_PASSWORD, "Quản trị xã", actor=world.admin)
    client = login(app.test_client(), "admin_a", NEW_PASSWORD)
    assert options(client.get("/admin/units?unit=").get_data(as_text=True)) == [
        "Phường Hoa Lư · Ninh Bình (13300)"
    ]
    assert options(client.get("/admin/units?unit=gia").get_data(as_text=True)) == []


@pytest.mark.parametrize("picked", ["Xã Gia Viễn · Ninh Bình (13301)", "Xã Gia Viễn", "xa gia vien", "13301"])
def test_a_user_is_created_at_the_unit_picked_by_name_or_code(admin, world, picked):
    response = admin.post("/admin/users", data={**GOOD, "unit": picked})
    assert response.status_code == 303
    assert fresh("moi").unit.code == "13301"


def test_a_unit_outside_the_administrators_subtree_is_refused_by_name_too(admin, world):
    response = admin.post("/admin/users", data={**GOOD, "unit": "Phường Ba Đình · Hà Nội (00004)"})
    assert response.status_code == 422 and "ngoài phạm vi quản trị" in response.get_data(as_text=True)


def test_the_create_form_is_above_the_list_with_the_units_to_pick(admin, world):
    page = admin.get("/admin/users").get_data(as_text=True)
    form = page.index('action="/admin/users"')
    assert form < page.index("<table")  # not below the whole list
    unit = re.search(r'<input[^>]*id="unit"[^>]*>', page).group()
    assert 'list="unit-choices"' in unit and 'data-hx-get="/admin/units"' in unit
    assert 'inputmode="numeric"' not in unit  # a name, not a typed code
    assert "Xã Gia Viễn · Ninh Bình (13301)" in options(page[page.index('id="unit-choices"') :])
    failed = admin.post("/admin/users", data={**GOOD, "unit": "99999"}).get_data(as_text=True)
    assert '<details class="create-user" id="create-user" open>' in failed  # open while it has errors
