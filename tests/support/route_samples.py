"""Sample arguments for every route with path arguments, for the role x route matrix
(tests/test_route_permissions.py): something inside the officers' scope (commune A of province 37)
and something outside it (a commune of another province). A new route with path arguments adds
its sample here; the matrix test fails until it has one.

Each sample is built only when a test asks for it (a case, a task, a station... costs commands)."""

import io
from datetime import timedelta
from functools import cached_property

from PIL import Image
from sqlalchemy import select

from tests.support.cases import CLEAN, do, start, task_of
from tests.support.stations import make_station, slot_id
from webapp.models import Resident, db
from webapp.services import clock
from webapp.services.accounts import units, users
from webapp.services.cases import portraits
from webapp.services.cooperation import requests as cooperation
from webapp.services.messaging import outbox
from webapp.services.production import batches
from webapp.services.residents import corrections, import_jobs
from webapp.services.stations import appointments
from webapp.services.uow import command
from webapp.services.visits import plans as visit_plans
from webapp.services.vneid import requests as vneid

IN, OUT = "in", "out"


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 400), (200, 170, 150)).save(out, format="JPEG")
    return out.getvalue()


JPEG = _jpeg()

# The department's step that a role works, for the task a role opens in its own scope.
STEP_OF_ROLE = {"justice": "triage_correction", "approval": "approve_application"}


class Samples:
    """Objects of commune A (in scope) and of Hà Nội's commune (out of scope), made on demand."""

    def __init__(self, world):
        self.w = world

    # --- cases and tasks -------------------------------------------------------------------
    @cached_property
    def case_in(self) -> str:
        return start(self.w.police, self.w.resident())

    @cached_property
    def case_out(self) -> str:
        return start(self.w.outsider, self.w.resident(unit=self.w.other_commune, province="001"))

    def case(self, scope: str) -> str:
        return self.case_in if scope == IN else self.case_out

    def task(self, scope: str, role: str) -> str:
        """A ready task of the role's department (police's first step for the others)."""
        if scope == OUT:
            return task_of(self.case_out, "verify_application").id
        step = STEP_OF_ROLE.get(role)
        if step is None:
            return task_of(self.case_in, "verify_application").id
        code = start(self.w.police, self.w.resident())
        if step == "triage_correction":
            do(self.w.police, code, "verify_application", {**CLEAN, "discrepancies": ["dob_mismatch"]})
        else:
            do(self.w.police, code, "verify_application", CLEAN)
            do(self.w.police, code, "capture_biometrics", {"fingerprints": "ok"})
        return task_of(code, step).id

    # --- people and records ----------------------------------------------------------------
    def user_id(self, scope: str) -> int:
        return (self.w.police2 if scope == IN else self.w.outsider).id

    def username(self, scope: str) -> str:
        return (self.w.police2 if scope == IN else self.w.outsider).username

    def personal_id(self, scope: str) -> str:
        if scope == IN:
            return self.w.resident()
        return self.w.resident(unit=self.w.other_commune, province="001")

    def resident_id(self, scope: str) -> int:
        pid = self.personal_id(scope)
        return db.session.scalar(select(Resident.id).where(Resident.personal_id == pid))

    # --- other things with an id -----------------------------------------------------------
    def _make(self, name: str, role: str):
        with command():
            return users.create(name, role, self.w.other_commune.code, "secret-pass-1", name)

    @cached_property
    def outsider_lead(self):
        return self._make("lead_hn", "police_lead")

    def _lead(self, scope: str):
        return self.w.lead if scope == IN else self.outsider_lead

    def approved_case(self, scope: str) -> str:
        """A case approved and waiting for production in the scope's commune."""
        if scope == IN:
            police, approval, unit, province = self.w.police, self.w.approval, self.w.commune_a, "037"
        else:
            police, approval = self.w.outsider, self._make("approval_hn", "approval")
            unit, province = self.w.other_commune, "001"
        code = start(police, self.w.resident(unit=unit, province=province))
        do(police, code, "verify_application", CLEAN)
        do(police, code, "capture_biometrics", {"fingerprints": "ok"})
        do(approval, code, "approve_application", {"decision": "approve"})
        return code

    def portrait_case(self, scope: str) -> str:
        """A case at biometrics capture with a portrait."""
        code = self.case(scope)
        police = self.w.police if scope == IN else self.w.outsider
        do(police, code, "verify_application", CLEAN)
        with command():
            portraits.upload(police, db.session.scalar(select_case(code)), JPEG)
        return code

    def message_id(self, scope: str) -> int:
        with command():
            case = db.session.scalar(select_case(self.case(scope)))
            message = outbox.enqueue("reminder", "log", "police_a", "Nhắc việc", {}, case)
            message.status = "failed"
        return message.id

    def batch_code(self, scope: str) -> str:
        """A dispatch batch of the scope's commune, sent to the centre."""
        self.approved_case(scope)
        lead = self._lead(scope)
        with command():
            code = batches.create_dispatch(lead, lead.unit.code).code
        with command():
            batches.send(lead, code)
        return code

    def job_id(self, scope: str) -> int:
        """An import job with its report of rejected rows."""
        with command():
            job = import_jobs.create_job(self._lead(scope), "residents.csv", 10)
        path = import_jobs.report_path(job)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("personal_id,problem\n")
        return job.id

    def station_id(self, scope: str) -> int:
        lead = self._lead(scope)
        return make_station(lead, name=f"Trụ sở {lead.unit.name}")

    # --- cooperation and home visits (issue 16) ----------------------------------------------
    @cached_property
    def hn_commune(self):
        """A second commune of Hà Nội: requests between it and Ba Đình are outside province 37."""
        with command():
            return units.ensure("00007", "Phường Hoàn Kiếm", "commune", self.w.other_province)

    def request_id(self, scope: str) -> int:
        """IN: a request from commune B to commune A (commune A's officers answer it); OUT: one
        between two communes of Hà Nội."""
        if scope == IN:
            pid = self.w.resident(unit=self.w.commune_b)
            sender, kind, to = self.w.police_b, "take_application", self.w.commune_a.code
        else:
            pid = self.w.resident(unit=self.w.other_commune, province="001")
            sender, kind, to = self.w.outsider, "verify", self.hn_commune.code
        with command():
            return cooperation.send(sender, kind, pid, to, "Đề nghị phối hợp").id

    def plan_stop(self, scope: str) -> dict:
        """A home-visit plan of the scope's commune with one stop."""
        police = self.w.police if scope == IN else self.w.outsider
        resident_id = self.resident_id(scope)
        with command():
            plan = visit_plans.create(police, None, [resident_id], "Tổ 1", clock.today_local())
            return {"plan_id": plan.id, "stop_id": plan.stops[0].id}

    def household(self, scope: str) -> str:
        resident_id = self.resident_id(scope)
        with command():
            resident = db.session.get(Resident, resident_id)
            resident.household_id = f"HK-{scope}-{resident_id}"
            return resident.household_id

    def appointment_code(self, scope: str) -> str:
        station = self.station_id(scope)
        slot = slot_id(station, clock.today_local() + timedelta(days=2))
        with command():
            return appointments.book(self._lead(scope), slot, [self.personal_id(scope)]).code

    def cooperation_id(self, scope: str) -> int:
        """A request from commune A to Hà Nội (in scope), or between two communes of Hà Nội."""
        if scope == IN:
            sender, personal_id, to = self.w.police, self.personal_id(IN), self.w.other_commune.code
        else:
            with command():
                to = units.ensure("00008", "Phường Phúc Xá", "commune", self.w.other_province).code
            sender, personal_id = self.w.outsider, self.personal_id(OUT)
        with command():
            return cooperation.send(sender, "take_application", personal_id, to, "Nhận hồ sơ giúp").id

    def cooperation_received_id(self, scope: str) -> int:
        """In scope: a request Hà Nội sent to commune A, which commune A answers."""
        if scope == OUT:
            return self.cooperation_id(OUT)
        with command():
            return cooperation.send(
                self.w.outsider, "take_application", self.personal_id(OUT), self.w.commune_a.code, "Nhờ nhận"
            ).id

    def vneid_id(self, scope: str) -> int:
        """A VNeID level 2 request taken by the scope's commune for a chip-card holder."""
        police = self.w.police if scope == IN else self.w.outsider
        pid = self.personal_id(scope)
        with command():
            resident = db.session.scalar(select(Resident).where(Resident.personal_id == pid))
            resident.card_state = "chip"
            return vneid.start(police, pid).id

    def correction(self, scope: str) -> dict:
        """A name change proposed at the desk, waiting for a lead's confirmation."""
        police, pid = (
            (self.w.police, self.personal_id(IN)) if scope == IN else (self.w.outsider, self.personal_id(OUT))
        )
        basis = {"kind": "birth_certificate", "number": "12/2024/TLKS", "date": "2024-03-05"}
        with command():
            changes = {"full_name": "Nguyễn Văn Sửa"}
            made = corrections.propose(police, pid, changes, basis, "Theo giấy khai sinh")
        return {"personal_id": pid, "correction_id": made.id}


def select_case(code: str):
    from webapp.models import Case

    return select(Case).where(Case.code == code)


# endpoint -> (samples, scope, role) -> the path arguments; None for "no out-of-scope object".
ARGS = {
    "static": lambda s, scope, role: {"filename": "vendor/htmx.min.js"} if scope == IN else None,
    "auth.language": lambda s, scope, role: {"code": "en"} if scope == IN else None,
    "imports.sample": lambda s, scope, role: {"ext": "csv"} if scope == IN else None,
    "admin.user": lambda s, scope, role: {"user_id": s.user_id(scope)},
    "admin.update": lambda s, scope, role: {"user_id": s.user_id(scope)},
    "admin.set_active": lambda s, scope, role: {"user_id": s.user_id(scope)},
    "admin.reset_password": lambda s, scope, role: {"user_id": s.user_id(scope)},
    "api.accounts.revoke": lambda s, scope, role: {"username": s.username(scope)},
    "api.residents.resident_get": lambda s, scope, role: {"personal_id": s.personal_id(scope)},
    # creates or updates by personal ID; who may write which record: tests/residents
    "api.residents.resident_put": lambda s, scope, role: (
        {"personal_id": s.personal_id(scope)} if scope == IN else None
    ),
    "progress.backlog": lambda s, scope, role: {"format": "csv"} if scope == IN else None,
    "tasks.portrait": lambda s, scope, role: {"code": s.portrait_case(scope)},
    "api.portraits.portrait_put": lambda s, scope, role: {"code": s.case(scope)},
    "api.production.production_batch": lambda s, scope, role: {"code": s.batch_code(scope)},
    "api.production.production_batch_cards": lambda s, scope, role: {"code": s.batch_code(scope)},
    "batches.detail": lambda s, scope, role: {"code": s.batch_code(scope)},
    "batches.send": lambda s, scope, role: {"code": s.batch_code(scope)},
    "batches.receive": lambda s, scope, role: {"code": s.batch_code(scope)},
    "outbox.retry": lambda s, scope, role: {"message_id": s.message_id(scope)},
    "imports.detail": lambda s, scope, role: {"job_id": s.job_id(scope)},
    "imports.report": lambda s, scope, role: {"job_id": s.job_id(scope)},
    "listing.row": lambda s, scope, role: {"resident_id": s.resident_id(scope)},
    "listing.edit": lambda s, scope, role: {"resident_id": s.resident_id(scope)},
    "listing.set_status": lambda s, scope, role: {"resident_id": s.resident_id(scope)},
}
for _endpoint in ("corrections.index", "corrections.propose", "api.residents.correction_post"):
    ARGS[_endpoint] = lambda s, scope, role: {"personal_id": s.personal_id(scope)}
for _endpoint in ("corrections.confirm", "api.residents.correction_confirm"):
    ARGS[_endpoint] = lambda s, scope, role: s.correction(scope)
for _endpoint in ("cases.id_decision", "cases.receipt"):
    ARGS[_endpoint] = lambda s, scope, role: {"code": s.case(scope)}
ARGS["cooperation.answer"] = lambda s, scope, role: {"request_id": s.cooperation_received_id(scope)}
for _endpoint in ("detail", "cancel"):
    ARGS[f"cooperation.{_endpoint}"] = lambda s, scope, role: {"request_id": s.cooperation_id(scope)}
for _endpoint in ("cases.detail", "cases.diagram", "cases.comment", "cases.transfer"):
    ARGS[_endpoint] = lambda s, scope, role: {"code": s.case(scope)}
for _endpoint in ("api.cases.case_get", *(f"stuck.{a}" for a in ("case", "comment", "escalate", "move"))):
    ARGS[_endpoint] = lambda s, scope, role: {"code": s.case(scope)}
for _endpoint in ("stuck.reassign", "stuck.retry"):
    ARGS[_endpoint] = lambda s, scope, role: {"code": s.case(scope)}
for _endpoint in ("show", "check", "complete", "claim", "release", "assign", "upload_portrait"):
    ARGS[f"tasks.{_endpoint}"] = lambda s, scope, role: {"task_id": s.task(scope, role)}
for _endpoint in ("task_get", "task_claim", "task_complete", "task_release"):
    ARGS[f"api.tasks.{_endpoint}"] = lambda s, scope, role: {"task_id": s.task(scope, role)}
for _endpoint in ("day", "check_in", "no_shows", "walk_in", "edit", "update"):
    ARGS[f"stations.{_endpoint}"] = lambda s, scope, role: {"station_id": s.station_id(scope)}
for _endpoint in ("book_form", "book"):
    ARGS[f"bookings.{_endpoint}"] = lambda s, scope, role: {"station_id": s.station_id(scope)}
for _endpoint in ("slip", "reschedule_form", "reschedule", "cancel"):
    ARGS[f"bookings.{_endpoint}"] = lambda s, scope, role: {"code": s.appointment_code(scope)}
for _endpoint in (
    "cooperation.detail",
    "cooperation.answer",
    "cooperation.cancel",
    "api.cooperation.cooperation_get",
    "api.cooperation.cooperation_answer",
    "api.cooperation.cooperation_cancel",
):
    ARGS[_endpoint] = lambda s, scope, role: {"request_id": s.request_id(scope)}
ARGS["api.cooperation.case_transfer"] = lambda s, scope, role: {"code": s.case(scope)}
ARGS["visits.plan"] = lambda s, scope, role: {"plan_id": s.plan_stop(scope)["plan_id"]}
ARGS["visits.record"] = lambda s, scope, role: s.plan_stop(scope)
for _endpoint in ("visits.household", "visits.save_household"):
    ARGS[_endpoint] = lambda s, scope, role: {"household_id": s.household(scope)}
# 1 January 2030, a public holiday still to come: closing it again (no bookings) is a redirect.
ARGS["stations.holiday"] = lambda s, scope, role: {"station_id": s.station_id(scope), "day": "2030-01-01"}
ARGS["batches.return_file"] = lambda s, scope, role: {"code": s.batch_code(scope)}
for _endpoint in ("vneid.detail", "vneid.complete", "api.vneid.vneid_get", "api.vneid.vneid_step"):
    ARGS[_endpoint] = lambda s, scope, role: {"request_id": s.vneid_id(scope)}

# JSON bodies of API calls that read one before looking up their object: well-formed, so that the
# out-of-scope call reaches the lookup (its 404) instead of stopping at a 400.
BODIES = {
    "api.residents.correction_post": {
        "changes": {"full_name": "Nguyễn Văn Sửa"},
        "basis": {"kind": "birth_certificate", "number": "12/2024/TLKS", "date": "2024-03-05"},
    },
    "api.cooperation.cooperation_answer": {"result": "not_done", "note": "Không gặp công dân"},
    "api.vneid.vneid_step": {"step": "identity_check", "data": {"result": "match", "method": "face"}},
    "api.cooperation.case_transfer": {"unit": "13301", "reason": "Tạm trú tại Gia Viễn"},
    "api.production.production_batch_cards": {
        "cards": [{"case_code": "HS0000000001", "card_number": "C000000001", "produced_at": "2026-11-20"}]
    },
}
