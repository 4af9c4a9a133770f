"""Every error page a person can meet is in the site's layout, titled and explained in the page's
language (views/errors.py), with nothing of the framework's English."""

import pytest

from tests.support.web import login
from tests.support.world import PASSWORD

PAGES = {
    400: ("Yêu cầu không hợp lệ", "Invalid request"),
    403: ("Không có quyền", "Access denied"),
    404: ("Không tìm thấy", "Not found"),
    413: ("Dữ liệu quá lớn", "Too much data"),
    # A throttled sign-in stays on the sign-in form, which says why and for how long.
    429: ("Đăng nhập sai nhiều lần. Thử lại sau", "Too many failed sign-ins. Try again in"),
    500: ("Lỗi hệ thống", "System error"),
}


def _boom(app, monkeypatch):
    """The inbox fails as a bug would; the app answers as in production (not testing)."""
    view = app.view_functions["inbox.index"]

    def broken():
        raise RuntimeError("a bug")

    broken.access_rule = view.access_rule
    monkeypatch.setitem(app.view_functions, "inbox.index", broken)
    monkeypatch.setitem(app.config, "TESTING", False)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


def _meet(app, client, status, monkeypatch, lang):
    if status == 400:
        return client.get("/?q=a%00b")
    if status == 403:
        return client.get("/admin/users")
    if status == 404:
        return client.get("/cases/HS-2026-999999")
    if status == 413:
        return client.post("/cases/HS-2026-999999/comments", data={"text": "x" * (1024 * 1024 + 10)})
    if status == 429:
        stranger = app.test_client()  # a visitor, not signed in, who chose a language
        stranger.post(f"/lang/{lang}")
        for _ in range(6):
            response = stranger.post("/login", data={"username": "police_a", "password": "wrong-pass-1"})
        return response
    _boom(app, monkeypatch)
    return client.get("/")


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("status", list(PAGES))
def test_each_error_page_speaks_the_pages_language_in_the_sites_layout(app, world, monkeypatch, status, lang):
    client = login(app.test_client(), "police_a", PASSWORD)
    if lang == "en":
        client.post("/lang/en")
    response = _meet(app, client, status, monkeypatch, lang)
    page = response.get_data(as_text=True)
    assert response.status_code == status, page[:300]
    title = PAGES[status][0 if lang == "vi" else 1]
    assert title in page
    assert ("Hồ sơ CCCD" if lang == "vi" else "ID card cases") in page  # the site's header
    leaks = ("Not Found", "Forbidden", "Internal Server Error", "Request Entity Too Large", "Bad Request")
    assert not [leak for leak in leaks if leak in page]
