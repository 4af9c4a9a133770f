"""Bulk seeding for the dashboard benchmark (bench/dashboard.py).

One province (Ninh Bình, all 129 communes of today's map) with officers and a supervisor,
quotas, step targets, residents (one per case and a fifth more who have not applied), N cases
spread over the communes and the campaign's last 60 days, their task projection rows, a short
audit trail (started; claimed for tasks someone holds) and the daily stage counts that match.

Where cases stand follows the picture supervisors fought in April 2021 (Hà Nội had captured
3.49 million files, sent 65% on, and had cards back for 20%): about 65% approved or further,
20% with a card produced, 12% issued; the rest at intake, the justice office, biometrics and a
long queue at approval. Open tasks became ready a while ago at a rate per step, so a good share
is past its time limit (working days, Vietnamese holidays excluded).

Rows are generated in chunks and written with COPY on PostgreSQL and executemany on SQLite. One
case is started through the services; its stored workflow state stands in for every bulk case
(no page measured reads it)."""

import random
import time
import uuid
from bisect import bisect
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate

from sqlalchemy import func, select, text, update

from .dashboard_rows import Writer

PROVINCE = 37  # Ninh Bình: 129 communes since 1 July 2025
PASSWORD = "bench-pass-1"
SUPERVISOR = "giamsat"
CHUNK = 20_000  # cases generated and written at a time
DAYS = 60  # the campaign so far; stage counts cover it
NOT_APPLIED = 0.2  # residents without a case, per case
BIRTH_PROVINCES = ("037", "036", "035")  # per block of a million residents: unique personal IDs
WAITING = "await_card_production"
JUSTICE = ("triage_correction", "await_citizen_documents", "record_correction", "update_population_record")
# Where a case stands (status, step) and its weight in percent.
WHERE = {
    ("open", "verify_application"): 7.0,
    ("open", "triage_correction"): 1.5,
    ("open", "await_citizen_documents"): 1.5,
    ("open", "record_correction"): 1.0,
    ("open", "update_population_record"): 1.0,
    ("open", "capture_biometrics"): 8.0,
    ("open", "approve_application"): 14.0,
    ("open", WAITING): 45.0,
    ("open", "receive_card"): 3.0,
    ("open", "hand_over_card"): 5.0,
    ("issued", None): 12.0,
    ("error", "approve_application"): 0.3,
    ("withdrawn", None): 0.4,
    ("refused", None): 0.3,
}
# The main path's order; justice steps sit between verification and biometrics.
ORDER = ("verify_application", *JUSTICE, "capture_biometrics", "approve_application", WAITING, "receive_card",
         "hand_over_card")  # fmt: skip
# Mean days a case has waited at its current step (queues are long at approval and production).
MEAN_WAIT = {
    "verify_application": 2.0,
    "triage_correction": 2.5,
    "await_citizen_documents": 10.0,
    "record_correction": 4.0,
    "update_population_record": 2.0,
    "capture_biometrics": 3.0,
    "approve_application": 6.0,
    WAITING: 8.0,
    "receive_card": 3.0,
    "hand_over_card": 7.0,
}
PRIORITIES, PRIORITY_CUMULATIVE = (None, "home_visit", "student", "official"), (85, 90, 96, 100)
KINDS, KIND_CUMULATIVE = ("new", "exchange", "reissue"), (6, 9, 10)
# Per step: (target days, idle days), so the stuck list's target and idle parts both have work.
STEP_TARGETS = {
    "verify_application": (2, None),
    "capture_biometrics": (3, 2),
    "approve_application": (4, 3),
    "hand_over_card": (None, 5),
}
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Đinh")
SURNAME_WEIGHTS = (38, 11, 9.5, 7, 5, 4.5, 4, 2, 2, 1.5, 1.3, 1)
MIDDLE = {"male": ("Văn", "Đức", "Minh", "Quốc", "Hữu"), "female": ("Thị", "Ngọc", "Thu", "Thanh", "Hồng")}
GIVEN = {
    "male": ("An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phong", "Quân", "Sơn"),
    "female": ("Anh", "Chi", "Dung", "Giang", "Hà", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân"),
}


@dataclass
class World:
    """What the seeding made that the measurement needs."""

    province: str
    commune: str  # the busiest commune: the drill-down measured
    supervisor: str
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    where: Counter = field(default_factory=Counter)
    overdue_tasks: int = 0


# --- generating ------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _due(ready_day: date, days: int) -> datetime:
    from vntime import LOCAL_TZ, add_working_days

    start = datetime.combine(ready_day, datetime.min.time(), LOCAL_TZ) + timedelta(hours=9)
    return add_working_days(start, days).astimezone(UTC)


class Seeder:
    def __init__(self, n: int, rng: random.Random):
        self.n, self.rng = n, rng
        self.now = datetime.now(UTC)

    def run(self) -> World:
        from webapp.models import (
            Case,
            CaseCounter,
            CaseEvent,
            CaseTask,
            Resident,
            StageCount,
            StepTarget,
            Unit,
            db,
        )
        from webapp.services import workflow_store
        from webapp.services.accounts import units, users
        from webapp.services.cases import commands
        from webapp.services.residents import registry
        from webapp.services.residents.personal_id import make_personal_id
        from webapp.services.uow import command

        started = time.perf_counter()
        rng = self.rng
        with command():
            root, wards = units.load_province(PROVINCE)
            self.wards = [(w.id, w.code, w.path) for w in wards]
            self.staff = self._staff(root, wards)
            for step, (target, idle) in STEP_TARGETS.items():
                db.session.add(StepTarget(step=step, target_days=target, idle_days=idle, updated_at=self.now))
        with command():
            officer = users.by_username("congan0a")
            pid = make_personal_id(BIRTH_PROVINCES[0], 1990, "male", 0)  # serial 0: no bulk resident has it
            record = {"full_name": "Nguyễn Văn An", "birth_date": "1990-05-17", "sex": "male",
                      "permanent_unit": wards[0].code}  # fmt: skip
            registry.upsert(None, pid, record)
            real = commands.start_case(officer, pid, "new")
            self.state, self.spec_version = real.state, real.spec_version
            year, resident_id, case_id = real.created_at.year, real.resident_id, real.id
        self.event_id = db.session.scalar(select(func.max(CaseEvent.id)))
        bundle = workflow_store.bundle_for(self.spec_version)
        self.lane = {step.id: step.lane for step in bundle.steps.values()}
        self.limit = {step: bundle.time_limit(step) for step in ORDER}
        self.names = self._name_pool(4000)
        # Communes of different sizes; the busiest is the drill-down measured.
        weights = [0.5 + 2 * rng.random() for _ in self.wards]
        busiest = max(range(len(self.wards)), key=lambda i: weights[i])
        cumulative = list(accumulate(weights))
        where_keys, where_cumulative = list(WHERE), list(accumulate(WHERE.values()))

        tables = {t: t.__table__ for t in (Resident, Case, CaseTask, CaseEvent)}
        counts = Counter({"residents": 1, "cases": 1, "case_tasks": 1, "case_events": 2})
        stage = Counter()
        where = Counter()
        overdue = 0
        total_residents = self.n + int(self.n * NOT_APPLIED)
        serial = 0
        done_cases = 0
        while done_cases < self.n or serial < total_residents:
            rows = {"residents": [], "cases": [], "case_tasks": [], "case_events": []}
            for _ in range(CHUNK):
                if serial >= total_residents:
                    break
                serial += 1
                resident_id += 1
                ward = bisect(cumulative, rng.random() * cumulative[-1])
                applies = serial <= self.n
                if applies:
                    done_cases += 1
                    case_id += 1
                    status, step = where_keys[bisect(where_cumulative, rng.random() * where_cumulative[-1])]
                    where[status if step is None else step] += 1
                    case, tasks, events, marks, resident_extra = self._case(
                        case_id, f"HS-{year}-{case_id:06d}", resident_id, ward, status, step
                    )
                    rows["cases"].append(case)
                    rows["case_tasks"] += tasks
                    rows["case_events"] += events
                    overdue += sum(1 for t in tasks if t[9] is not None and t[9] < self.now)
                    for name, moment in marks:
                        stage[(_local_day(moment), self.wards[ward][0], name)] += 1
                else:
                    resident_extra = {}
                rows["residents"].append(self._resident(resident_id, serial, ward, applies, resident_extra))
            # One transaction per chunk: counters kept by triggers on `cases` (case_counts) are
            # updated once per row, and one huge transaction would pile up their row versions.
            writer = _writer(db)
            for model in (Resident, Case, CaseTask, CaseEvent):
                table = tables[model]
                writer.write(table, tuple(c.name for c in table.columns), rows[table.name])
                counts[table.name] += len(rows[table.name])
            db.session.commit()
        writer = _writer(db)
        conn = db.session.connection()
        conn.execute(update(CaseCounter).where(CaseCounter.year == year).values(last=case_id))
        # The real case's count joins the bulk ones, written again in one go.
        for day, unit_id, name, n in conn.execute(select(*StageCount.__table__.c)):
            stage[(day, unit_id, name)] += n
        conn.execute(StageCount.__table__.delete())
        rows = [(day, unit_id, name, n) for (day, unit_id, name), n in sorted(stage.items())]
        writer.write(StageCount.__table__, ("day", "unit_id", "stage", "count"), rows)
        counts["stage_counts"] = len(rows)
        for i, (unit_id, _code, _path) in enumerate(self.wards):  # quotas: what each commune expects
            conn.execute(
                update(Unit)
                .where(Unit.id == unit_id)
                .values(quota=int(self.n * 1.3 * weights[i] / cumulative[-1]))
            )
        conn.execute(update(Unit).where(Unit.id == root.id).values(quota=int(self.n * 1.3)))
        db.session.commit()
        _after_load(db)
        return World(
            province=root.code,
            commune=self.wards[busiest][1],
            supervisor=SUPERVISOR,
            seconds=time.perf_counter() - started,
            counts=dict(counts),
            where=where,
            overdue_tasks=overdue,
        )

    def _staff(self, root, wards) -> dict[tuple[str, int], list[int]]:
        """Two police officers and a justice officer per commune, an approver, the centre and the
        supervisor. A few through the service; the rest share their password hash (bulk)."""
        from webapp.models import User, db
        from webapp.services.access import DEPARTMENT
        from webapp.services.accounts import users

        approver = users.create("pheduyet", "approval", root.code, PASSWORD, "Lãnh đạo PC06")
        users.create("sanxuat", "production", root.code, PASSWORD, "Trung tâm C06")
        users.create(SUPERVISOR, "supervisor", root.code, PASSWORD, "Ban chỉ đạo tỉnh")
        first = users.create("congan0a", "police", wards[0].code, PASSWORD, "Cán bộ congan0a")
        people = []
        for i, ward in enumerate(wards):
            for username, role in (
                (f"congan{i}a", "police"),
                (f"congan{i}b", "police"),
                (f"tuphap{i}", "justice"),
            ):
                if username != first.username:
                    people.append(
                        User(username=username, role=role, department=DEPARTMENT[role], unit_id=ward.id,
                             full_name=f"Cán bộ {username}", password_hash=first.password_hash, active=True)
                    )  # fmt: skip
        db.session.add_all(people)
        db.session.flush()
        staff: dict[tuple[str, int], list[int]] = {("police", 0): [first.id]}
        by_unit = {ward.id: i for i, ward in enumerate(wards)}
        for user in people:
            staff.setdefault((user.department, by_unit[user.unit_id]), []).append(user.id)
        for i in range(len(wards)):
            staff[("approval", i)] = [approver.id]
        return staff

    def _name_pool(self, size: int) -> list[tuple[str, str, str]]:
        from webapp.services.text import name_key

        rng, pool = self.rng, []
        for _ in range(size):
            sex = rng.choice(("male", "female"))
            surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
            name = f"{surname} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
            pool.append((name, name_key(name), sex))
        return pool

    def _resident(self, rid: int, serial: int, ward: int, applied: bool, extra: dict) -> tuple:
        from webapp.services.residents.personal_id import make_personal_id

        rng = self.rng
        name, key, sex = rng.choice(self.names)
        # Applicants are 14 and over; the others include children and people who have not come.
        oldest, youngest = (80, 14) if applied else (85, 5)
        age_days = rng.randrange(youngest * 366, oldest * 365)
        born = self.now.date() - timedelta(days=age_days)
        block, number = divmod(serial, 1_000_000)
        ward_id, ward_code, _ = self.wards[ward]
        card_state = extra.get("card_state") or (
            "cmnd" if born.year < 2008 and rng.random() < 0.8 else "none"
        )
        created = self.now - timedelta(days=400)
        return (
            rid,
            make_personal_id(BIRTH_PROVINCES[block], born.year, sex, number),
            name,
            key,
            born,
            "day",
            sex,
            f"{rng.randrange(10**8, 10**9)}" if card_state == "cmnd" else None,
            "Kinh",
            f"HK{ward_code}{serial // 4:07d}",
            ward_id,
            None,
            "alive",
            card_state,
            extra.get("card_issued_on"),
            "booked" if applied else rng.choice(("not_visited", "not_visited", "home_visit")),
            None,
            None,
            None,
            None,
            extra.get("eid_state"),
            None,
            created,
            created,
        )

    def _case(self, cid: int, code: str, rid: int, ward: int, status: str, step: str | None):
        rng, now = self.rng, self.now
        ward_id, ward_code, ward_path = self.wards[ward]
        justice = (
            step in JUSTICE
            or (step is None or ORDER.index(step) > ORDER.index(JUSTICE[-1]))
            and rng.random() < 0.25
        )
        if step is not None:
            wait = min(rng.expovariate(1 / MEAN_WAIT[step]), DAYS - 5)
            end = now - timedelta(days=wait)  # when it became ready at its step
            position = ORDER.index(step)
        else:
            end = now - timedelta(days=rng.uniform(0.5, DAYS - 20))  # when it closed
            position = len(ORDER)
        span = timedelta(days=rng.uniform(0.5, 1.5) * (1 + min(position, 7)))
        created = max(end - span, now - timedelta(days=DAYS))
        marks = [("applied", created)]
        passed = []
        if justice and (step is None or position > ORDER.index("verify_application")):
            passed.append("justice")
        if (
            status in ("open", "error")
            and position > ORDER.index("approve_application")
            or status == "issued"
        ):
            passed.append("approved")
        if status == "open" and position > ORDER.index(WAITING) or status == "issued":
            passed.append("produced")
        if status == "issued":
            passed.append("issued")
        for k, name in enumerate(passed, 1):
            marks.append((name, created + (end - created) * k / len(passed)))
        extra = {}
        if status == "issued":
            extra = {"card_state": "chip", "card_issued_on": _local_day(end)}
            if rng.random() < 0.6:
                extra["eid_state"] = "activated"
                marks.append(("eid_activated", end))
        elif rng.random() < 0.2:
            extra = {"eid_state": "requested"}
        priority = PRIORITIES[bisect(PRIORITY_CUMULATIVE, rng.random() * 100)]
        kind = KINDS[bisect(KIND_CUMULATIVE, rng.random() * 10)]
        starter = rng.choice(self.staff[("police", ward)])
        events = [
            self._event(
                cid,
                created,
                starter,
                "started",
                None,
                {"kind": kind, "priority": priority, "unit": ward_code},
            )
        ]
        tasks, next_timer = [], None
        if status == "open" and step == WAITING:
            next_timer = _due(_local_day(end), self.limit[WAITING])
        elif status == "open":
            task_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            holder = rng.choice(self.staff[(self.lane[step], ward)]) if rng.random() < 0.4 else None
            limit = self.limit[step]
            tasks.append(
                (task_id, cid, step, self.lane[step], ward_id, ward_path, holder, priority, end,
                 None if limit is None else _due(_local_day(end), limit))
            )  # fmt: skip
            if holder is not None:
                claimed = end + timedelta(minutes=rng.randrange(1, 240))
                events.append(self._event(cid, min(claimed, now), holder, "claimed", step, {}, task_id))
        closed = status in ("issued", "withdrawn", "refused")
        case = (
            cid,
            code,
            rid,
            kind,
            priority,
            ward_id,
            ward_path,
            status,
            step or "",
            len(events) + 2 * len(passed),
            self.state,
            self.spec_version,
            next_timer,
            step if status == "error" else None,
            "Biểu thức không hợp lệ: decision" if status == "error" else None,
            1 if status == "error" else None,
            starter,
            created,
            end,
            end if closed else None,
        )
        return case, tasks, events, marks, extra

    def _event(self, cid, at, actor, action, step, detail, task_id=None) -> tuple:
        self.event_id += 1
        return (self.event_id, cid, at, actor, action, step, task_id, detail)


def _writer(db) -> Writer:
    conn = db.session.connection()
    if conn.dialect.name == "sqlite":  # a bulk load: a big page cache, no fsync per commit
        conn.exec_driver_sql("PRAGMA cache_size = -262144")
        conn.exec_driver_sql("PRAGMA synchronous = OFF")
    return Writer(conn)


def _local_day(moment: datetime) -> date:
    from vntime import LOCAL_TZ

    return moment.astimezone(LOCAL_TZ).date()


def _after_load(db) -> None:
    """Sequences past the bulk ids, then what autovacuum and ANALYZE do after a load."""
    if db.engine.dialect.name == "postgresql":
        for table in ("residents", "cases", "case_events"):
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            db.session.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))"))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
