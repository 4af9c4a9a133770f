"""Every page of the web app, as the role that works on it, in both languages: at 390×844 (a
mobile team's phone) nothing scrolls sideways, and axe-core (npm, injected by the test only: the
app never serves it) finds no serious or critical accessibility violation at either size.
A page added to the app without being listed here fails `test_every_page_is_checked`."""

from datetime import timedelta

import pytest

from tests.support.cases import DOB, approved, do, start, task_of
from tests.support.imports import csv_bytes, person
from tests.support.paths import ROOT
from tests.support.production import dispatch
from tests.support.stations import make_station, slot_id
from webapp.models import Resident, User, db
from webapp.services import clock
from webapp.services.cooperation import requests
from webapp.services.residents import import_jobs, listing
from webapp.services.residents.registry import get, upsert
from webapp.services.stations import appointments
from webapp.services.uow import command
from webapp.services.visits import households, plans
from webapp.services.vneid import requests as vneid

AXE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text()
SIZES = {"1366": (1366, 768), "390": (390, 844)}
# Routes that are not pages: files, a diagram's XML, the health check, htmx fragments of a page
# checked here (the unit picker's options, the listing's row).
NOT_PAGES = {
    "cases.diagram",
    "progress.diagram",
    "tasks.portrait",
    "health.check",
    "imports.report",
    "imports.sample",
    "progress.backlog",
    "cooperation.units",
    "admin.units",
    "listing.row",
}


def _working_day(days_ahead: int):
    day = clock.today_local() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def pages(world, tmp_path):
    """(user, path, endpoint) of every page, over a world where each page has something to show."""
    intake = start(world.police, world.resident(name="Nguyễn Thị Lan"))
    justice = start(world.police, world.resident(name="Trần Văn Bình"))
    do(world.police, justice, "verify_application", DOB)
    do(world.justice, justice, "triage_correction", {"procedure": "correction", "documents_complete": True})
    approve = start(world.police, world.resident(name="Lê Thị Hoa"))
    do(world.police, approve, "verify_application", {})
    do(world.police, approve, "capture_biometrics", {"fingerprints": "ok"})
    approved(world)
    batch = dispatch(world.lead)
    station = make_station(world.lead)
    slot = slot_id(station, day=_working_day(7))
    guest = world.resident(name="Phạm Văn Khoa")
    with command():
        booking = appointments.book(world.police, slot, [guest]).code
    content = csv_bytes([person()])
    path = tmp_path / "residents.csv"
    path.write_bytes(content)
    with command():
        job = import_jobs.create_job(world.lead, "residents.csv", len(content)).id
    import_jobs.run(job, path)
    away = world.resident(name="Đỗ Thị Mai")
    with command():
        request = requests.send(
            world.police, "take_application", away, "Phường Ba Đình · Hà Nội (00004)", "Sinh viên"
        ).id
    resident_id = db.session.query(Resident.id).filter_by(personal_id=away).scalar()
    police2 = db.session.query(User.id).filter_by(username="police_a2").scalar()
    elder = get(world.resident(name="Cụ Vũ Văn Tư"))
    with command():
        upsert(
            None,
            elder.personal_id,
            {
                "household_id": "HK-1",
                "full_name": elder.full_name,
                "birth_date": elder.birth_date.isoformat(),
                "sex": elder.sex,
                "permanent_unit": elder.permanent_unit.code,
            },
        )
        listing.set_status(world.police, elder.id, listing.Change(status="home_visit"))
        households.save(world.police, "HK-1", households.Address("Thôn Đông", "Ngõ 3", "12", "0912345678"))
    with command():
        plan = plans.create(world.police, None, [elder.id], "Tổ lưu động số 2", clock.today_local()).id
    holder = world.resident(name="Hoàng Văn Chip")
    with command():
        chip = get(holder)
        chip.card_state, chip.card_issued_on = "chip", clock.today_local() - timedelta(days=400)
        eid = vneid.start(world.police, holder).id
    return [
        (None, "/login", "auth.login"),
        ("police_a", "/?scope=queue", "inbox.index"),
        ("police_hn", "/", "inbox.index"),  # a request from another province waits there
        ("police_a", f"/tasks/{task_of(intake, 'verify_application').id}", "tasks.show"),
        ("police_a", f"/cases/{justice}", "cases.detail"),
        ("police_a", "/listing/", "listing.index"),
        ("police_a", "/listing/coverage", "listing.coverage"),
        ("police_a", f"/listing/residents/{resident_id}/edit", "listing.edit"),
        ("police_a", "/stations/", "stations.index"),
        ("police_a", f"/stations/{station}", "stations.day"),
        ("police_a", f"/stations/{station}/book", "bookings.book_form"),
        ("police_a", f"/stations/appointments/{booking}", "bookings.slip"),
        ("police_a", f"/stations/appointments/{booking}/reschedule", "bookings.reschedule_form"),
        ("police_a", "/cooperation/?box=outgoing", "cooperation.index"),
        ("police_a", f"/cooperation/{request}", "cooperation.detail"),
        ("police_a", "/cooperation/new", "cooperation.new"),
        ("police_a", "/khong-co-trang-nay", "404"),
        ("police_a", "/account/password", "auth.change_password"),
        ("police_a", f"/cases/{justice}/receipt", "cases.receipt"),
        ("police_a", f"/residents/{away}/corrections", "corrections.index"),
        ("police_a", "/visits/", "visits.index"),
        ("police_a", "/visits/new", "visits.new"),
        ("police_a", f"/visits/{plan}", "visits.plan"),
        ("police_a", "/visits/households/HK-1", "visits.household"),
        ("police_a", "/vneid/", "vneid.index"),
        ("police_a", "/vneid/new", "vneid.new"),
        ("police_a", f"/vneid/{eid}", "vneid.detail"),
        ("lead_a", "/batches/?kind=dispatch", "batches.index"),
        ("lead_a", f"/batches/{batch}", "batches.detail"),
        ("lead_a", "/residents/imports/", "imports.index"),
        ("lead_a", f"/residents/imports/{job}", "imports.detail"),
        ("lead_a", "/stations/new", "stations.new"),
        ("lead_a", f"/stations/{station}/edit", "stations.edit"),
        ("justice_a", f"/tasks/{task_of(justice, 'record_correction').id}", "tasks.show"),
        ("approval", f"/tasks/{task_of(approve, 'approve_application').id}", "tasks.show"),
        ("supervisor", "/progress/?unit=37", "progress.index"),
        ("supervisor", "/progress/report", "progress.report"),
        ("supervisor", "/stuck/", "stuck.index"),
        ("supervisor", f"/stuck/cases/{justice}", "stuck.case"),
        ("supervisor", "/stuck/targets", "stuck.targets"),
        ("supervisor", "/outbox/", "outbox.index"),
        ("supervisor", "/access-log/", "access_log.index"),
        ("admin", "/admin/users", "admin.users"),
        ("admin", f"/admin/users/{police2}", "admin.user"),
    ]


def test_every_page_is_checked(app, pages):
    listed = {endpoint for _, _, endpoint in pages}
    routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.rule.startswith(("/api", "/static"))
    }
    assert routes - NOT_PAGES - listed == set()


def serious_violations(page) -> list[str]:
    page.evaluate(AXE)
    found = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ["violations"]});
          return r.violations.filter(v => ["serious", "critical"].includes(v.impact))
            .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
        }"""
    )
    return found


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_fits_a_phone_and_passes_axe(world, live, page_for, browser, pages, lang):
    problems, opened, contexts = [], {}, []
    for size_name, size in SIZES.items():
        for user, path, endpoint in pages:
            key = (user, size_name)
            if key not in opened:
                if user is None:
                    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
                    contexts.append(context)
                    opened[key] = context.new_page()
                    if lang == "en":
                        opened[key].goto(f"{live}/login")
                        opened[key].click("button[lang=en]")
                else:
                    opened[key] = page_for(user, lang, size=size)
            page = opened[key]
            response = page.goto(f"{live}{path}")
            page.wait_for_load_state("networkidle")
            status = response.status if response else 0
            if (status >= 400) != (endpoint == "404"):
                problems.append(f"{size_name} {path}: HTTP {status}")
            if size[0] < 700 and not page.evaluate(
                "document.documentElement.scrollWidth <= window.innerWidth"
            ):
                wide = page.evaluate(
                    """() => [...document.querySelectorAll('body *')]
                      .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                      .slice(0, 3).map(e => e.tagName + '.' + e.className)"""
                )
                problems.append(f"{size_name} {path}: scrolls sideways ({wide})")
            for violation in serious_violations(page):
                problems.append(f"{size_name} {path}: {violation}")
    for context in contexts:
        context.close()
    assert problems == [], "\n".join(problems)
