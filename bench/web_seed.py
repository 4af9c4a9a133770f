"""Bulk seeding for the web benchmark: a province, officers, residents and N cases with their
task projection rows and audit trail, inserted in batches (see bench/web.py)."""

import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import insert, text, update

PROVINCE = 37  # Ninh Bình
COMMUNES = 20
PASSWORD = "bench-pass-1"
BATCH = 5000
WARMUP = 20
TARGET_MS = 50.0
PG_DATABASE = "bench_web"
SEARCH = "nguyen van"
PAGES = ("inbox", "search", "case")

# Surnames and middle names roughly as common as in the population, so that a search for a
# common name ("nguyen van") matches as many rows as it would in a real commune.
SURNAMES = {
    "Nguyễn": 38,
    "Trần": 11,
    "Lê": 9.5,
    "Phạm": 7,
    "Hoàng": 5,
    "Huỳnh": 4,
    "Phan": 4.5,
    "Vũ": 4,
    "Võ": 4,
    "Đặng": 2,
    "Bùi": 2,
    "Đỗ": 1.5,
    "Hồ": 1.3,
    "Ngô": 1.3,
    "Dương": 1,
    "Đinh": 1,
    "Lương": 0.6,
    "Đoàn": 0.6,
}
MIDDLE = {
    "male": {"Văn": 45, "Đức": 10, "Minh": 10, "Quốc": 8, "Hữu": 8, "Công": 7, "Xuân": 6, "Thanh": 6},
    "female": {"Thị": 50, "Ngọc": 12, "Thu": 9, "Thanh": 9, "Minh": 6, "Phương": 7, "Hồng": 7},
}
GIVEN = {
    "male": "An Bình Cường Dũng Hải Hùng Khánh Long Nam Phong Quân Sơn Thắng Tuấn Việt Đạt Hiếu Trung",
    "female": "Anh Chi Dung Giang Hà Hằng Hoa Hương Lan Linh Mai Ngân Nhung Oanh Phượng Thảo Trang Yến",
}
BIRTH_PROVINCES = ["037"] * 5 + ["035", "036", "036"]  # old Ninh Bình, Hà Nam, Nam Định

# Where open cases stand (weights). await_card_production is a message wait, not a user task:
# such a case has no row in the task projection, as in the running system. Each user task's
# department is its lane in the diagram (README, docs/engine.md).
OPEN_AT = {
    "verify_application": 20,
    "triage_correction": 5,
    "await_citizen_documents": 3,
    "record_correction": 4,
    "update_population_record": 3,
    "capture_biometrics": 15,
    "approve_application": 15,
    "await_card_production": 15,
    "receive_card": 8,
    "hand_over_card": 12,
}
WAITING = "await_card_production"
JUSTICE = ["triage_correction", "await_citizen_documents", "record_correction", "update_population_record"]
TAIL = [
    "capture_biometrics",
    "approve_application",
    WAITING,
    "receive_card",
    "hand_over_card",
]
OPEN_SHARE = 0.6  # the rest is issued
JUSTICE_SHARE = 0.3  # cases that went through the civil-status correction


def _weighted(table: dict) -> tuple[list, list]:
    return list(table), list(table.values())


@dataclass
class World:
    """What the seeding made that the measurement needs."""

    commune_path: str
    officer: str
    case_codes: list[str]
    queue_size: int
    overdue: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


# --- seeding -------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _due(ready_day: date, days: int) -> datetime:
    from vntime import LOCAL_TZ, add_working_days

    return add_working_days(
        datetime.combine(ready_day, datetime.min.time(), LOCAL_TZ) + timedelta(hours=9), days
    )


def _due_at(ready_at: datetime, days: int | None) -> datetime | None:
    from vntime import LOCAL_TZ

    return None if days is None else _due(ready_at.astimezone(LOCAL_TZ).date(), days)


def _name(rng: random.Random, sex: str) -> str:
    surname = rng.choices(*_weighted(SURNAMES))[0]
    middle = rng.choices(*_weighted(MIDDLE[sex]))[0]
    return f"{surname} {middle} {rng.choice(GIVEN[sex].split())}"


def _step_data(step: str, rng: random.Random, day: date, documents_complete: bool) -> dict:
    """What the step's form records, as tasks.complete() stores it in the audit trail."""
    if step == "verify_application":
        return {"discrepancies": [], "note": None, "refusal_reason": None}
    if step == "triage_correction":
        return {"procedure": "correction", "documents_complete": documents_complete, "note": None}
    if step == "await_citizen_documents":
        return {"documents_received": True, "note": None}
    if step == "record_correction":
        return {
            "decision_number": f"{rng.randrange(1, 300)}/QĐ-UBND",
            "decision_date": day.isoformat(),
            "changes": {"birth_date": "1990-05-17"},
            "note": None,
        }
    if step == "update_population_record":
        return {"confirmed": True, "note": None}
    if step == "capture_biometrics":
        return {"fingerprints": "ok", "note": None}
    if step == "approve_application":
        return {"decision": "approve", "reason": None}
    if step == "hand_over_card":
        return {"received_by": "self", "note": rng.choice([None, None, "Trả tại nhà"])}
    return {"note": None}


class Seeder:
    """Bulk rows for N cases, written with Core inserts in batches (executemany)."""

    def __init__(self, n: int, rng: random.Random):
        self.n, self.rng = n, rng
        self.now = datetime.now(UTC)

    def run(self) -> World:
        from webapp.models import Case, CaseCounter, CaseEvent, CaseTask, Resident, db
        from webapp.services import workflow_store
        from webapp.services.accounts import units, users
        from webapp.services.cases import commands
        from webapp.services.residents import registry
        from webapp.services.residents.personal_id import make_personal_id
        from webapp.services.uow import command

        started = time.perf_counter()
        rng = self.rng
        with command():
            root, wards = units.load_province(PROVINCE, ward_limit=COMMUNES)
            self.wards = [(w.id, w.code, w.path) for w in wards]
            staff: dict[tuple[str, int], list[int]] = {}
            for i, ward in enumerate(wards):
                for username, role in (
                    (f"congan{i}a", "police"),
                    (f"congan{i}b", "police"),
                    (f"truongca{i}", "police_lead"),
                    (f"tuphap{i}", "justice"),
                ):
                    user = users.create(username, role, ward.code, PASSWORD, f"Cán bộ {username}")
                    staff.setdefault((user.department, i), []).append(user.id)
            approver = users.create("pheduyet", "approval", root.code, PASSWORD, "Lãnh đạo PC06")
            users.create("sanxuat", "production", root.code, PASSWORD, "Trung tâm C06")
            for i in range(len(wards)):
                staff[("approval", i)] = [approver.id]
        self.staff = staff
        # One real case through the services: its packed state stands in for every bulk case's.
        with command():
            officer = users.by_username("congan0a")
            pid = make_personal_id("037", 1990, "male", 0)  # serial 0: no bulk resident has it
            registry.upsert(
                None,
                pid,
                {
                    "full_name": "Nguyễn Văn An",
                    "birth_date": "1990-05-17",
                    "sex": "male",
                    "permanent_unit": wards[0].code,
                },
            )
            real = commands.start_case(officer, pid, "new")
            self.state, self.spec_version = real.state, real.spec_version
            self.year = real.created_at.year
            first_resident, first_case = real.resident_id, real.id
        self.bundle = workflow_store.bundle_for(self.spec_version)
        self.lane = {step.id: step.lane for step in self.bundle.steps.values()}
        unknown = set(OPEN_AT) - set(self.lane) - {WAITING}
        assert not unknown, f"steps not in the diagram: {unknown}"
        # Communes of different sizes, as in a real province; the benchmark uses the busiest.
        self.ward_weights = [1 + 2 * rng.random() for _ in self.wards]
        busiest = max(range(len(self.wards)), key=lambda i: self.ward_weights[i])

        resident_rows, case_rows, task_rows, event_rows = [], [], [], []
        resident_id, case_id = first_resident, first_case
        residents_n = self.n + self.n // 5  # some residents have no case
        conn = db.session.connection()
        counts = {"residents": 1, "cases": 1, "case_tasks": 1, "case_events": 2}
        codes_busiest = []
        queue_size = overdue = 0

        batches = (
            (Resident.__table__, resident_rows, "residents"),
            (Case.__table__, case_rows, "cases"),
            (CaseTask.__table__, task_rows, "case_tasks"),
            (CaseEvent.__table__, event_rows, "case_events"),
        )

        def flush(force=False):
            """Write what has gathered, parents first (the foreign keys are checked)."""
            if not force and len(resident_rows) < BATCH:
                return
            for table, rows, name in batches:
                if rows:
                    conn.execute(insert(table), rows)
                    counts[name] += len(rows)
                    rows.clear()

        for i in range(1, residents_n + 1):
            resident_id += 1
            ward_index = rng.choices(range(len(self.wards)), weights=self.ward_weights)[0]
            resident_rows.append(self._resident(resident_id, i, ward_index))
            flush()
            if i > self.n - 1:
                continue
            case_id += 1
            code = f"HS-{self.year}-{case_id:06d}"
            case, tasks, events = self._case(case_id, code, resident_id, ward_index)
            case_rows.append(case)
            task_rows += tasks
            event_rows += events
            if ward_index == busiest:
                codes_busiest.append(code)
                queue = [t for t in tasks if t["department"] == "police"]
                queue_size += len(queue)
                overdue += sum(t["due_at"] is not None and t["due_at"] < self.now for t in queue)
        flush(force=True)
        conn.execute(update(CaseCounter).where(CaseCounter.year == self.year).values(last=case_id))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            for table in ("residents", "cases"):
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                db.session.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))"))
            db.session.commit()
            # What autovacuum does shortly after a bulk load: statistics and the visibility map.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
        rng.shuffle(codes_busiest)
        ward_path = self.wards[busiest][2]
        return World(
            ward_path,
            f"congan{busiest}a",
            codes_busiest,
            queue_size,
            overdue,
            time.perf_counter() - started,
            counts,
        )

    def _resident(self, rid: int, serial: int, ward_index: int) -> dict:
        from webapp.services.residents.personal_id import make_personal_id
        from webapp.services.text import name_key

        rng = self.rng
        sex = rng.choice(("male", "female"))
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 26_600))  # up to 2012
        precision = rng.choices(("day", "month", "year"), weights=(94, 2, 4))[0]
        if precision != "day":
            born = born.replace(day=1, month=1 if precision == "year" else born.month)
        name = _name(rng, sex)
        ward_code = self.wards[ward_index][1]
        return {
            "id": rid,
            "personal_id": make_personal_id(rng.choice(BIRTH_PROVINCES), born.year, sex, serial),
            "full_name": name,
            "name_key": name_key(name),
            "birth_date": born,
            "birth_date_precision": precision,
            "sex": sex,
            "old_id_number": f"{rng.randrange(10**8, 10**9)}" if born.year < 2000 else None,
            "ethnicity": "Kinh",
            "household_id": f"HK{ward_code}{serial // 4:06d}",
            "permanent_unit_id": self.wards[ward_index][0],
            "temporary_unit_id": None,
            "status": "alive",
            "created_at": self.now - timedelta(days=400),
            "updated_at": self.now - timedelta(days=400),
        }

    def _case(self, cid: int, code: str, rid: int, ward_index: int) -> tuple[dict, list, list]:
        rng, now = self.rng, self.now
        ward_id, _, ward_path = self.wards[ward_index]
        is_open = rng.random() < OPEN_SHARE
        at = rng.choices(*_weighted(OPEN_AT))[0] if is_open else None
        path = ["verify_application"]
        if at in JUSTICE or rng.random() < JUSTICE_SHARE:
            # Documents missing at triage: the case waits for the citizen before the correction.
            documents = at == "await_citizen_documents" or rng.random() < 0.4
            path += [s for s in JUSTICE if documents or s != "await_citizen_documents"]
        path += TAIL
        done = path[: path.index(at)] if at else path
        # Open cases: the current step became ready a little while ago (some are now overdue).
        ready_at = now - timedelta(days=min(rng.expovariate(1 / 1.5), 25)) if at else None
        end = ready_at or now - timedelta(days=rng.uniform(1, 120))
        span = timedelta(days=rng.uniform(0.2, 2.5) * max(len(done), 1))
        created = end - span
        step_gap = span / (len(done) + 1)
        priority = rng.choices((None, "home_visit", "student", "official"), weights=(80, 6, 8, 6))[0]
        starter = rng.choice(self.staff[("police", ward_index)])

        kind = rng.choices(("new", "exchange", "reissue"), weights=(6, 3, 1))[0]
        unit_code = self.wards[ward_index][1]
        started = {"kind": kind, "priority": priority, "unit": unit_code}
        events = [self._event(cid, created, starter, "started", None, started)]
        moment = created
        for step in done:
            moment += step_gap
            if step == WAITING:
                payload = {"card_number": f"C{cid:09d}", "produced_at": moment.date().isoformat()}
                events.append(
                    self._event(
                        cid,
                        moment,
                        None,
                        "message_received",
                        "card_produced",
                        {"message": "card_produced", **payload},
                    )
                )
                continue
            actor = rng.choice(self.staff[(self.lane[step], ward_index)])
            task_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            if rng.random() < 0.5:
                events.append(self._event(cid, moment, actor, "claimed", step, {}, task_id))
            complete = "await_citizen_documents" not in path
            detail = {"data": _step_data(step, rng, moment.date(), complete)}
            if step == "record_correction":
                detail["changes"] = {"birth_date": {"old": "1990-05-18", "new": "1990-05-17"}}
            if step == "update_population_record":
                detail["resident_updated"] = {"birth_date": {"old": "1990-05-18", "new": "1990-05-17"}}
            events.append(self._event(cid, moment, actor, "completed", step, detail, task_id))
        if rng.random() < 0.1:
            actor = rng.choice(self.staff[("police", ward_index)])
            events.append(
                self._event(
                    cid,
                    moment,
                    actor,
                    "commented",
                    None,
                    {"text": "Công dân hẹn bổ sung ảnh.", "department": "police", "unit": unit_code},
                )
            )

        tasks, next_timer = [], None
        if at == WAITING:
            next_timer = _due_at(ready_at, self.bundle.time_limit(WAITING))
        elif at:
            assignee = rng.choice(self.staff[(self.lane[at], ward_index)]) if rng.random() < 0.4 else None
            tasks.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "case_id": cid,
                    "step": at,
                    "department": self.lane[at],
                    "unit_id": ward_id,
                    "unit_path": ward_path,
                    "assignee_id": assignee,
                    "priority": priority,
                    "ready_at": ready_at,
                    "due_at": _due_at(ready_at, self.bundle.time_limit(at)),
                }
            )
            if at == "await_citizen_documents":
                next_timer = _due_at(ready_at, self.bundle.time_limit("documents_reminder"))
        case = {
            "id": cid,
            "code": code,
            "resident_id": rid,
            "kind": kind,
            "priority": priority,
            "unit_id": ward_id,
            "unit_path": ward_path,
            "status": "open" if at else "issued",
            "current_steps": at or "",
            "version": len(events),
            "state": self.state,
            "spec_version": self.spec_version,
            "next_timer_at": next_timer,
            "error_step": None,
            "error_message": None,
            "error_line": None,
            "created_by_id": starter,
            "created_at": created,
            "updated_at": moment if not at else ready_at,
            "closed_at": None if at else moment,
        }
        return case, tasks, events

    @staticmethod
    def _event(cid, at, actor, action, step, detail, task_id=None) -> dict:
        return {
            "case_id": cid,
            "at": at,
            "actor_id": actor,
            "action": action,
            "step": step,
            "detail": detail,
            "task_id": task_id,
        }


# --- measuring -----------------------------------------------------------------------------
