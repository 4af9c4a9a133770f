"""The rows the benchmarks' seeder writes (bench/seed.py): a resident, a case standing at a step
with its task, its audit trail (short, or every step's rows when the profile asks), the stages it
passed for the daily counts."""

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from .profiles import (
    BIRTH_PROVINCES,
    GIVEN,
    JUSTICE,
    MIDDLE,
    ORDER,
    SURNAMES,
    WAITING,
    step_data,
    weighted,
)


@lru_cache(maxsize=8192)
def _due(ready_day: date, days: int) -> datetime:
    from vntime import LOCAL_TZ, add_working_days

    start = datetime.combine(ready_day, datetime.min.time(), LOCAL_TZ) + timedelta(hours=9)
    return add_working_days(start, days).astimezone(UTC)


def local_day(moment: datetime) -> date:
    from vntime import LOCAL_TZ

    return moment.astimezone(LOCAL_TZ).date()


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class Rows:
    """Row makers of the Seeder: they read its rng, profile, now, wards, staff, lanes, limits,
    the state of the real case and the next event id."""

    def _name_pool(self, size: int) -> list[tuple[str, str, str]]:
        from webapp.services.text import name_key

        rng, pool = self.rng, []
        for _ in range(size):
            sex = rng.choice(("male", "female"))
            surname = rng.choices(*weighted(SURNAMES))[0]
            middle = rng.choices(*weighted(MIDDLE[sex]))[0]
            name = f"{surname} {middle} {rng.choice(GIVEN[sex].split())}"
            pool.append((name, name_key(name), sex))
        return pool

    def _resident(self, rid: int, serial: int, ward: int, applied: bool, extra: dict) -> dict:
        from webapp.services.residents.personal_id import make_personal_id

        rng = self.rng
        name, key, sex = rng.choice(self.names)
        # Applicants are 14 and over; the others include children and people who have not come.
        oldest, youngest = (80, 14) if applied else (85, 5)
        born = self.now.date() - timedelta(days=rng.randrange(youngest * 366, oldest * 365))
        block, number = divmod(serial, 1_000_000)
        ward_id, ward_code, _ = self.wards[ward]
        card_state = extra.get("card_state") or (
            "cmnd" if born.year < 2008 and rng.random() < 0.8 else "none"
        )
        created = self.now - timedelta(days=400)
        return {
            "id": rid,
            "personal_id": make_personal_id(BIRTH_PROVINCES[block], born.year, sex, number),
            "full_name": name,
            "name_key": key,
            "birth_date": born,
            "birth_date_precision": "day",
            "sex": sex,
            "old_id_number": f"{rng.randrange(10**8, 10**9)}" if card_state == "cmnd" else None,
            "ethnicity": "Kinh",
            "household_id": f"HK{ward_code}{serial // 4:07d}",
            "permanent_unit_id": ward_id,
            "status": "alive",
            "card_state": card_state,
            "card_issued_on": extra.get("card_issued_on"),
            "listing_status": "booked"
            if applied
            else rng.choice(("not_visited", "not_visited", "home_visit")),
            "eid_state": extra.get("eid_state"),
            "created_at": created,
            "updated_at": created,
        }

    def _case(self, cid: int, code: str, rid: int, ward: int, status: str, step: str | None):
        rng, now, profile = self.rng, self.now, self.profile
        ward_id, ward_code, ward_path = self.wards[ward]
        justice = step in JUSTICE or (
            (step is None or ORDER.index(step) > ORDER.index(JUSTICE[-1]))
            and rng.random() < profile.justice_share
        )
        if step is not None:
            wait = min(rng.expovariate(1 / profile.mean_wait[step]), profile.max_wait)
            end = now - timedelta(days=wait)  # when it became ready at its step
            position = ORDER.index(step)
        else:
            end = now - timedelta(days=rng.uniform(0.5, profile.days - 20))  # when it closed
            position = len(ORDER)
        span = timedelta(days=rng.uniform(0.5, 1.5) * (1 + min(position, 7)))
        created = max(end - span, now - timedelta(days=profile.days))
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
            extra = {"card_state": "chip", "card_issued_on": local_day(end)}
            if rng.random() < 0.6:
                extra["eid_state"] = "activated"
                marks.append(("eid_activated", end))
        elif rng.random() < 0.2:
            extra = {"eid_state": "requested"}
        priority = rng.choices((None, "home_visit", "student", "official"), weights=(85, 5, 6, 4))[0]
        kind = rng.choices(("new", "exchange", "reissue"), weights=(6, 3, 1))[0]
        starter = rng.choice(self.staff[("police", ward)])
        started = {"kind": kind, "priority": priority, "unit": ward_code}
        events = [self._event(cid, created, starter, "started", None, started)]
        if profile.history and status in ("open", "issued"):
            events += self._history(cid, ward, justice, step, created, end)
        tasks, next_timer = [], None
        if status == "open" and step == WAITING:
            next_timer = _due(local_day(end), self.limit[WAITING])
        elif status == "open":
            task_id = _uuid(rng)
            holder = rng.choice(self.staff[(self.lane[step], ward)]) if rng.random() < 0.4 else None
            limit = self.limit[step]
            tasks.append(
                {
                    "id": task_id,
                    "case_id": cid,
                    "step": step,
                    "department": self.lane[step],
                    "unit_id": ward_id,
                    "unit_path": ward_path,
                    "assignee_id": holder,
                    "priority": priority,
                    "ready_at": end,
                    "due_at": None if limit is None else _due(local_day(end), limit),
                }
            )
            if holder is not None:
                claimed = min(end + timedelta(minutes=rng.randrange(1, 240)), now)
                events.append(self._event(cid, claimed, holder, "claimed", step, {}, task_id))
            if step == "await_citizen_documents":
                next_timer = _due(local_day(end), self.limit["documents_reminder"])
        closed = status in ("issued", "withdrawn", "refused")
        case = {
            "id": cid,
            "code": code,
            "resident_id": rid,
            "kind": kind,
            "priority": priority,
            "unit_id": ward_id,
            "unit_path": ward_path,
            "status": status,
            "current_steps": step or "",
            "version": len(events) + 2 * len(passed),
            "state": self.state,
            "spec_version": self.spec_version,
            "next_timer_at": next_timer,
            "error_step": step if status == "error" else None,
            "error_message": "Biểu thức không hợp lệ: decision" if status == "error" else None,
            "error_line": 1 if status == "error" else None,
            "created_by_id": starter,
            "created_at": created,
            "updated_at": end,
            "closed_at": end if closed else None,
        }
        return case, tasks, events, marks, extra

    def _history(self, cid, ward, justice, step, created, end) -> list[dict]:
        """The audit rows of the steps done before `step` (all of them for an issued case), as
        the services write them: claimed (half the time), completed with the step's data, the
        production centre's message; sometimes a comment."""
        rng = self.rng
        documents = step == "await_citizen_documents" or rng.random() < 0.4
        path = [
            s
            for s in ORDER
            if s not in JUSTICE or (justice and (documents or s != "await_citizen_documents"))
        ]
        done = path[: path.index(step)] if step else path
        gap = (end - created) / (len(done) + 1)
        moment, events = created, []
        for name in done:
            moment += gap
            if name == WAITING:
                payload = {"card_number": f"C{cid:09d}", "produced_at": moment.date().isoformat()}
                events.append(
                    self._event(cid, moment, None, "message_received", "card_produced",
                                {"message": "card_produced", **payload})
                )  # fmt: skip
                continue
            actor = rng.choice(self.staff[(self.lane[name], ward)])
            task_id = _uuid(rng)
            if rng.random() < 0.5:
                events.append(self._event(cid, moment, actor, "claimed", name, {}, task_id))
            detail = {"data": step_data(name, rng, moment.date(), documents_complete=not documents)}
            if name == "record_correction":
                detail["changes"] = {"birth_date": {"old": "1990-05-18", "new": "1990-05-17"}}
            if name == "update_population_record":
                detail["resident_updated"] = {"birth_date": {"old": "1990-05-18", "new": "1990-05-17"}}
            events.append(self._event(cid, moment, actor, "completed", name, detail, task_id))
        if rng.random() < 0.1:
            actor = rng.choice(self.staff[("police", ward)])
            comment = {
                "text": "Công dân hẹn bổ sung ảnh.",
                "department": "police",
                "unit": self.wards[ward][1],
            }
            events.append(self._event(cid, moment, actor, "commented", None, comment))
        return events

    def _event(self, cid, at, actor, action, step, detail, task_id=None) -> dict:
        self.event_id += 1
        return {
            "id": self.event_id,
            "case_id": cid,
            "at": at,
            "actor_id": actor,
            "action": action,
            "step": step,
            "task_id": task_id,
            "detail": detail,
        }
