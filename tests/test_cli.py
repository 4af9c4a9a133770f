"""The `flask` command line, driven through Flask's CLI test runner on the test database."""

import json
import re

import pytest
import time_machine
from sqlalchemy import func, select

from tests.support.cases import CLEAN, DOB, actions, case, do, start, task_of
from webapp.models import (
    Case,
    CaseEvent,
    Resident,
    ResidentCorrection,
    StageCount,
    StepTarget,
    Unit,
    User,
    VneidRequest,
    db,
)
from webapp.services.accounts import passwords, units, users

CODE = re.compile(r"^HS-\d{4}-\d{6}$")


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args):
        result = runner.invoke(args=list(args))
        db.session.expire_all()
        return result

    return invoke


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- units ---------------------------------------------------------------------------------


def test_units_list_roots_children_and_unknown_parent(world, cli):
    roots = cli("units", "list")
    assert roots.exit_code == 0, roots.output
    assert roots.output.splitlines() == ["01\tHà Nội\tprovince", "37\tNinh Bình\tprovince"]

    communes = cli("units", "list", "--parent", "37")
    assert communes.exit_code == 0, communes.output
    assert communes.output.splitlines() == ["13300\tPhường Hoa Lư\tcommune", "13301\tXã Gia Viễn\tcommune"]

    leaf = cli("units", "list", "--parent", "13300")
    assert leaf.exit_code == 0 and leaf.output == ""
    unknown = cli("units", "list", "--parent", "99")
    assert unknown.exit_code == 0 and unknown.output == ""


# --- users ---------------------------------------------------------------------------------


def test_users_create_then_the_user_can_sign_in(world, cli):
    before = count(User)
    result = cli("users", "create", "police_new", "--role", "police", "--unit", "13301")
    assert result.exit_code == 2 and "--password" in result.output  # click: missing option
    options = ["--role", "police", "--unit", "13301", "--password", "long-enough-1"]
    result = cli("users", "create", "police_new", *options, "--full-name", "Trần Văn Nam")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "created police_new (police) at 13301"
    assert count(User) == before + 1
    user = users.by_username("police_new")
    assert (user.role, user.department, user.unit.code) == ("police", "police", "13301")
    assert user.full_name == "Trần Văn Nam"
    assert passwords.check(user.password_hash, "long-enough-1")
    assert not passwords.check(user.password_hash, "wrong-password")


@pytest.mark.parametrize(
    "username, role, unit, password, field",
    [
        ("new_user", "mayor", "13300", "long-enough-1", "role"),
        ("new_user", "police", "99999", "long-enough-1", "unit"),
        ("new_user", "police", "13300", "short", "password"),
        ("police_a", "police", "13300", "long-enough-1", "username"),
        ("x", "police", "13300", "long-enough-1", "username"),
    ],
)
def test_users_create_refuses_bad_input_and_writes_nothing(world, cli, username, role, unit, password, field):
    before = count(User)
    result = cli("users", "create", username, "--role", role, "--unit", unit, "--password", password)
    assert result.exit_code == 1
    assert "The data is not valid." in result.output
    named = re.findall(r"^  (\w+): ", result.output, flags=re.M)
    assert named == [field]
    assert count(User) == before
    if username == "new_user":
        assert users.by_username("new_user") is None


def test_users_create_reports_every_bad_field(world, cli):
    before = count(User)
    result = cli("users", "create", "new_user", "--role", "mayor", "--unit", "nowhere", "--password", "1")
    assert result.exit_code == 1
    assert sorted(re.findall(r"^  (\w+): ", result.output, flags=re.M)) == ["password", "role", "unit"]
    assert count(User) == before


# --- cases ---------------------------------------------------------------------------------


def test_cases_start_prints_the_new_code(world, cli):
    pid = world.resident()
    result = cli("cases", "start", pid, "--as", "police_a")
    assert result.exit_code == 0, result.output
    code, status, steps = result.output.strip().split("\t")
    assert CODE.match(code)
    assert (status, steps) == ("open", "verify_application")
    c = case(code)
    assert c.resident.personal_id == pid and c.created_by_id == world.police.id
    assert task_of(code, "verify_application").assignee_id == world.police.id


def test_cases_start_refuses_unknown_user_and_unknown_resident(world, cli):
    pid = world.resident()
    result = cli("cases", "start", pid, "--as", "nobody")
    assert result.exit_code == 1 and "no user 'nobody'" in result.output
    result = cli("cases", "start", "037190999999", "--as", "police_a")
    assert result.exit_code == 1 and "personal_id: " in result.output
    assert count(Case) == 0


def test_cases_show_prints_json(world, cli):
    pid = world.resident()
    code = start(world.police, pid)
    result = cli("cases", "show", code)
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["code"] == code and info["status"] == "open" and info["kind"] == "new"
    assert info["resident"]["personal_id"] == pid
    assert [(t["step"], t["assignee"]) for t in info["tasks"]] == [("verify_application", "police_a")]
    assert [(e["action"], e["actor"]) for e in info["events"]][0] == ("started", "police_a")

    missing = cli("cases", "show", "HS-2000-000001")
    assert missing.exit_code == 1 and "no case HS-2000-000001" in missing.output


def test_cases_advance_moves_the_case_on(world, cli):
    code = start(world.police, world.resident())
    version = case(code).version
    result = cli("cases", "advance", code, "--as", "police_a", "--data", json.dumps(CLEAN))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{code}\topen\tcapture_biometrics"
    c = case(code)
    assert c.current_steps == "capture_biometrics" and c.version > version
    assert ("completed", "verify_application") in actions(code)


@pytest.mark.parametrize(
    "data, message",
    [
        ("{not json", "--data is not valid JSON"),
        ('{"discrepancies": ["bogus"]}', "  discrepancies: "),
        ('{"colour": "blue"}', "  colour: "),
        ("[1, 2]", "  data: "),
    ],
)
def test_cases_advance_with_bad_data_changes_nothing(world, cli, data, message):
    code = start(world.police, world.resident())
    version = case(code).version
    events = count(CaseEvent)
    result = cli("cases", "advance", code, "--as", "police_a", "--data", data)
    assert result.exit_code == 1
    assert message in result.output
    c = case(code)
    assert (c.status, c.current_steps, c.version) == ("open", "verify_application", version)
    assert count(CaseEvent) == events


def test_cases_advance_by_an_officer_out_of_scope_is_not_found(world, cli):
    code = start(world.police, world.resident())
    version = case(code).version
    result = cli("cases", "advance", code, "--as", "police_hn", "--data", json.dumps(CLEAN))
    assert result.exit_code == 1 and "Case not found." in result.output
    assert case(code).version == version


def test_cases_withdraw(world, cli):
    code = start(world.police, world.resident())
    result = cli("cases", "withdraw", code, "--as", "police_a", "--reason", "Công dân rút hồ sơ")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{code}\twithdrawn"
    c = case(code)
    assert c.status == "withdrawn" and c.current_steps == "" and c.closed_at is not None
    assert ("withdrawn", "case_withdrawn") in actions(code)

    again = cli("cases", "withdraw", code, "--as", "police_a", "--reason", "again")
    assert again.exit_code == 1 and "The case is not waiting for this." in again.output


def test_cases_withdraw_needs_a_reason(world, cli):
    code = start(world.police, world.resident())
    result = cli("cases", "withdraw", code, "--as", "police_a", "--reason", "  ")
    assert result.exit_code == 1 and "reason: " in result.output
    assert case(code).status == "open"


# --- timers --------------------------------------------------------------------------------


def test_timers_run_fires_only_due_timers(world, cli):
    code = start(world.police, world.resident())
    do(world.police, code, "verify_application", DOB)
    c = do(world.justice, code, "triage_correction", {"procedure": "correction", "documents_complete": False})
    due = c.next_timer_at
    assert due is not None

    early = cli("timers", "run")
    assert early.exit_code == 0 and early.output.strip() == "fired timers on 0 case(s)"
    assert ("reminded", "documents_reminder") not in actions(code)

    with time_machine.travel(due.timestamp() + 60, tick=False):
        result = cli("timers", "run")
        assert result.exit_code == 0, result.output
        assert result.output.strip() == "fired timers on 1 case(s)"
        again = cli("timers", "run")
        assert again.output.strip() == "fired timers on 0 case(s)"
    assert ("reminded", "documents_reminder") in actions(code)
    assert case(code).next_timer_at > due
    assert case(code).current_steps == "await_citizen_documents,capture_biometrics"


# --- seed-demo -----------------------------------------------------------------------------


def test_seed_demo_loads_once(cli):  # no `world`: seed-demo creates its own units and users
    result = cli("seed-demo", "--residents", "30", "--cases", "8")
    assert result.exit_code == 0, result.output
    assert "units: Ninh Bình and 6 communes" in result.output
    assert "residents: 30" in result.output
    # Wrong records flagged, a correction at the desk, the units' area classes for the law's limits.
    assert "population records: 1 flagged, 1 corrections at the desk" in result.output
    assert count(ResidentCorrection) == 1
    assert units.by_code("37").area_class == "rural"
    started = int(re.search(r"^cases: (\d+)$", result.output, flags=re.M).group(1))
    assert 1 <= started <= 8
    assert "Demo logins (password demo-cccd-2026):" in result.output
    counts = {m.__name__: count(m) for m in (Unit, User, Resident, Case, CaseEvent)}
    assert counts["Resident"] == 30 and counts["Case"] == started
    assert counts["Unit"] == 7 and counts["User"] == 16
    assert passwords.check(users.by_username("admin").password_hash, "demo-cccd-2026")
    # The supervisors' pages have something to show: targets, a past for the chart, batches.
    assert count(StepTarget) == 4
    assert units.by_code("37").quota == 24  # 80% of the 30 residents
    days = db.session.scalars(select(StageCount.day).where(StageCount.stage == "applied").distinct()).all()
    assert 1 < len(days) <= 21
    assert re.search(r"^production batches sent: \d+$", result.output, flags=re.M)
    # Chip-card holders' VNeID requests, for the desk's list and the progress line.
    made = int(re.search(r"^VNeID level 2 requests: (\d+)$", result.output, flags=re.M).group(1))
    assert made == count(VneidRequest) and made >= 1
    # Their chip cards went through the registry's rules: each has its issue date.
    holders = db.session.scalars(select(Resident).where(Resident.card_state == "chip")).all()
    assert len(holders) >= made and all(r.card_issued_on is not None for r in holders)

    again = cli("seed-demo", "--residents", "30", "--cases", "8")
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[0] == "demo data already present"
    assert "residents:" not in again.output
    assert {m.__name__: count(m) for m in (Unit, User, Resident, Case, CaseEvent)} == counts
