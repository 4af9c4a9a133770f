"""Home visits: households' address and phone, a team's plan, the route list by hamlet, and each
visit's result ("application taken" starts the case with the intake done at home)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.support.cases import actions, case
from tests.support.web import login
from webapp.models import Case, VisitPlan, db
from webapp.services import clock
from webapp.services.errors import Conflict, Forbidden, Invalid
from webapp.services.residents import listing
from webapp.services.residents.registry import get, upsert
from webapp.services.uow import command
from webapp.services.visits import households, plans


def elderly(world, household: str, name: str, born=date(1940, 1, 1)):
    pid = world.resident(name=name, born=born)
    with command():
        upsert(None, pid, {"household_id": household, **_same(pid)})
        listing.set_status(world.police, get(pid).id, listing.Change(status="home_visit"))
    return get(pid)


def _same(pid):
    r = get(pid)
    return {
        "full_name": r.full_name,
        "birth_date": r.birth_date.isoformat(),
        "sex": r.sex,
        "permanent_unit": r.permanent_unit.code,
    }


def address(world, household, hamlet, street="", number="", phone=""):
    with command():
        households.save(world.police, household, households.Address(hamlet, street, number, phone))


def plan_for(world, people, day=None):
    with command():
        return plans.create(
            world.police, None, [p.id for p in people], "Tổ lưu động số 2", day or clock.today_local()
        ).id


def test_the_route_list_goes_by_hamlet_then_street_and_house(world):
    a = elderly(world, "HK-A", "Cụ Nguyễn Văn A")
    b = elderly(world, "HK-B", "Cụ Trần Thị B")
    c = elderly(world, "HK-C", "Cụ Lê Văn C")
    address(world, "HK-A", "Thôn Đông", "Ngõ 3", "12", "0912345678")
    address(world, "HK-B", "Thôn Bắc", "Ngõ 1", "5")
    plan_id = plan_for(world, [a, b, c])
    route = plans.route(world.police, plan_id)
    assert [name for name, _stops in route.hamlets] == ["Thôn Bắc", "Thôn Đông", "—"]
    assert [s.stop.resident.full_name for _n, stops in route.hamlets for s in stops] == [
        "Cụ Trần Thị B",
        "Cụ Nguyễn Văn A",
        "Cụ Lê Văn C",
    ]
    assert route.done == 0
    # Planned residents are not offered again for another plan.
    _unit, left = plans.candidates(world.police, None)
    assert left == []


def test_application_taken_at_home_starts_the_case_with_the_home_visit_priority(world):
    a = elderly(world, "HK-A", "Cụ Nguyễn Văn A")
    plan_id = plan_for(world, [a])
    stop = db.session.get(VisitPlan, plan_id).stops[0]
    with command():
        plans.record(world.police, plan_id, stop.id, "taken")
    started = db.session.scalar(select(Case))
    assert started.priority == "home_visit" and started.unit.code == "13300" and started.resident_id == a.id
    assert ("commented", None) in actions(started.code)
    with pytest.raises(Conflict):
        plans.record(world.police, plan_id, stop.id, "not_home")
    assert plans.route(world.police, plan_id).done == 1


def test_deceased_needs_the_reference_and_marks_the_record(world):
    a = elderly(world, "HK-A", "Cụ Nguyễn Văn A")
    plan_id = plan_for(world, [a])
    stop_id = db.session.get(VisitPlan, plan_id).stops[0].id
    with pytest.raises(Invalid) as caught, command():
        plans.record(world.police, plan_id, stop_id, "deceased")
    assert "reference" in caught.value.fields
    with command():
        plans.record(world.police, plan_id, stop_id, "deceased", reference="TLKT 45/2026")
    resident = get(a.personal_id)
    assert resident.status == "deceased" and resident.listing_status == "deceased"
    assert "TLKT 45/2026" in resident.listing_note


@pytest.mark.parametrize(
    ("team", "day", "field"),
    [
        ("", date(2030, 1, 1), "team"),
        ("Tổ 1", date(2020, 1, 1), "day"),
        ("Tổ 1", None, "day"),
        ("x" * 121, date(2030, 1, 1), "team"),
    ],
)
def test_a_bad_plan_names_the_field_and_writes_nothing(world, team, day, field):
    a = elderly(world, "HK-A", "Cụ A")
    with pytest.raises(Invalid) as caught, command():
        plans.create(world.police, None, [a.id], team, day)
    assert field in caught.value.fields
    assert db.session.scalars(select(VisitPlan)).all() == []


def test_refused_needs_a_reason_and_others_cannot_see_the_plan(world):
    a = elderly(world, "HK-A", "Cụ A")
    plan_id = plan_for(world, [a], clock.today_local() + timedelta(days=1))
    stop_id = db.session.get(VisitPlan, plan_id).stops[0].id
    with pytest.raises(Invalid):
        plans.record(world.police, plan_id, stop_id, "refused", note=" ")
    with pytest.raises(Exception) as caught:
        plans.route(world.police_b, plan_id)
    assert caught.value.status == 404
    with pytest.raises(Forbidden):
        plans.route(world.justice, plan_id)


@pytest.mark.parametrize("phone", ["12345", "0912 345 67a", "+8412"])
def test_a_bad_phone_is_refused(world, phone):
    elderly(world, "HK-A", "Cụ A")
    with pytest.raises(Invalid) as caught, command():
        households.save(world.police, "HK-A", households.Address("Thôn 1", phone=phone))
    assert "phone" in caught.value.fields
    assert households.get("HK-A") is None


def test_a_household_outside_the_scope_is_not_found(world):
    elderly(world, "HK-A", "Cụ A")
    with pytest.raises(Exception) as caught:
        households.save(world.police_b, "HK-A", households.Address("Thôn 1"))
    assert caught.value.status == 404


def test_the_pages_plan_print_and_record(app, world):
    a = elderly(world, "HK-A", "Cụ Nguyễn Văn A")
    client = login(app.test_client(), "police_a")
    assert (
        client.post(
            "/visits/households/HK-A", data={"hamlet": "Thôn Đông", "phone": "0912345678"}
        ).status_code
        == 303
    )
    new = client.get("/visits/new").get_data(as_text=True)
    assert "Cụ Nguyễn Văn A" in new and "Thôn Đông" in new
    bad = client.post("/visits/new", data={"unit": "13300", "team": "", "day": "", "resident": [str(a.id)]})
    assert bad.status_code == 422 and "Hãy ghi tổ công tác." in bad.get_data(as_text=True)
    made = client.post(
        "/visits/new",
        data={
            "unit": "13300",
            "team": "Tổ 2",
            "day": clock.today_local().isoformat(),
            "resident": [str(a.id)],
        },
    )
    assert made.status_code == 303
    plan = db.session.scalar(select(VisitPlan))
    page = client.get(f"/visits/{plan.id}").get_data(as_text=True)
    assert "Thôn Đông" in page and "0912345678" in page and "In danh sách" in page
    stop = plan.stops[0]
    done = client.post(f"/visits/{plan.id}/stops/{stop.id}", data={"result": "taken"})
    assert done.status_code == 303
    code = db.session.scalar(select(Case.code))
    assert case(code).priority == "home_visit"
    assert code in client.get(f"/visits/{plan.id}").get_data(as_text=True)
