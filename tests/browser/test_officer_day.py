"""Issue 13's last pieces in Chromium, at 1366×768 and 390×844: the administrator's user form
above the list with its unit picked by name; the intake comparison one paper at a time on a
phone; a conflict that says what the other officer changed."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_every_page import serious_violations
from webapp.models import User, db

DESK = (1366, 768)
PHONE = (390, 844)
SIZES = pytest.mark.parametrize("size", [DESK, PHONE], ids=["1366", "390"])


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@SIZES
def test_the_administrator_creates_a_user_at_a_unit_picked_by_name(world, live, page_for, size):
    admin = page_for("admin", size=size)
    admin.goto(f"{live}/admin/users")
    toggle = admin.locator("#create-user summary")
    box = toggle.bounding_box()
    assert box is not None and box["y"] + box["height"] <= size[1]  # in the first screen, not below the list
    toggle.click()
    admin.fill("#create-user input[name=username]", "tran_nam")
    admin.fill("#create-user input[name=full_name]", "Trần Văn Nam")
    admin.select_option("#create-user select[name=role]", "police")
    unit = admin.locator("#create-user input[name=unit]")
    unit.fill("gia vien")  # no diacritics: the datalist is refilled with the matches
    expect(admin.locator("#unit-choices option")).to_have_count(1)
    picked = admin.locator("#unit-choices option").first.get_attribute("value")
    assert picked == "Xã Gia Viễn · Ninh Bình (13301)"
    assert serious_violations(admin) == []  # the form open, its datalist filled
    unit.fill(picked)  # what choosing the suggestion puts in the box
    admin.fill("#create-user input[name=password]", "Gia-Vien-ngay-17")
    admin.click("#create-user button[type=submit]")
    admin.wait_for_selector(".flash-success")
    assert no_sideways_scroll(admin)
    db.session.expire_all()
    created = db.session.query(User).filter_by(username="tran_nam").one()
    assert created.unit.code == "13301"
