"""Demo cases walked along the paths officers take: a random distance towards the hand-over,
some through the justice office's correction, some returned to the police, some re-registering a
lost birth. Each step is completed by its officer through the services, as real work is."""

import random
from datetime import date

from sqlalchemy import select

from ...models import Case, CaseTask, User, db
from .. import clock
from ..cases import commands, tasks
from ..errors import ServiceError
from ..production import delivery
from ..uow import command


def _new_birth_date(code: str, rng: random.Random) -> str:
    """What the birth certificate says: the same year as the record (and so as the ID), another
    day and month."""
    case = db.session.scalar(select(Case).where(Case.code == code))
    year = case.resident.birth_date.year
    return date(year, rng.randint(1, 12), rng.randint(1, 28)).isoformat()


def _reregister(code: str, ward: int, rng: random.Random) -> None:
    """A re-registration walked to a random step: triage with its conditions, the first place's
    verification, the new birth certificate."""
    born = db.session.scalar(select(Case).where(Case.code == code)).resident.birth_date
    triage = {"procedure": "birth_reregistration", "documents_complete": True, "register_lost": True}
    triage |= {"certificate_lost": True, "original_registration_year": str(min(born.year, 2015))}
    triage["original_registration_place"] = rng.choice(["Xã Gia Sinh, Ninh Bình", "Xã Yên Mạc, Ninh Bình"])
    today = clock.today_local().isoformat()
    path = [
        (
            "verify_application",
            f"congan{ward}",
            {"discrepancies": ["no_birth_certificate"], "birth_certificate": "lost"},
        ),
        ("triage_correction", f"tuphap{ward}", triage),
        ("verify_original_commune", f"tuphap{ward}", {"register_kept": False, "reply_date": today}),
        (
            "record_correction",
            f"tuphap{ward}",
            {"decision_number": f"{rng.randrange(1, 90)}/2026", "decision_date": today},
        ),
    ]
    for step, username, data in path[: rng.randint(1, 4)]:
        _do(code, step, username, data)


def advance(code: str, ward: int, rng: random.Random) -> None:
    """Walk the case a random distance along a plausible path."""
    wrong = rng.random() < 0.3
    if wrong and rng.random() < 0.15:  # the certificate is right, the record wrong: back to police
        path = [
            ("verify_application", f"congan{ward}", {"discrepancies": ["dob_mismatch"]}),
            (
                "triage_correction",
                f"tuphap{ward}",
                {
                    "procedure": "return_to_police",
                    "documents_complete": True,
                    "reason": "Giấy khai sinh đúng; dữ liệu dân cư ghi sai ngày sinh",
                },
            ),
        ]
        for step, username, data in path[: rng.randint(1, 2)]:
            _do(code, step, username, data)
        return
    if wrong and rng.random() < 0.1:  # register and certificate lost: re-registration of the birth
        _reregister(code, ward, rng)
        return
    path = [("verify_application", f"congan{ward}", {"discrepancies": ["dob_mismatch"] if wrong else []})]
    if wrong:
        complete = rng.random() < 0.6
        path += [
            (
                "triage_correction",
                f"tuphap{ward}",
                {"procedure": "correction", "documents_complete": complete},
            )
        ]
        if not complete:
            path += [("await_citizen_documents", f"tuphap{ward}", {"documents_received": True})]
        path += [
            (
                "record_correction",
                f"tuphap{ward}",
                {
                    "decision_number": f"{rng.randrange(1, 300)}/QĐ-UBND",
                    "decision_date": clock.today_local().isoformat(),
                    "changes": {"birth_date": _new_birth_date(code, rng)},
                },
            ),
            ("update_population_record", f"congan{ward}", {"confirmed": True}),
        ]
    path += [
        ("capture_biometrics", f"congan{ward}", {"fingerprints": "ok"}),
        ("approve_application", "pheduyet", {"decision": "approve"}),
        ("card", "sanxuat", {}),
        ("receive_card", f"congan{ward}", {}),
        ("hand_over_card", f"congan{ward}", {"received_by": "self"}),
    ]
    for step, username, data in path[: rng.randint(0, len(path))]:
        try:
            if not _do(code, step, username, data):
                return
        except ServiceError:  # e.g. approval waits for the lead's decision on a flagged ID
            return


def _do(code: str, step: str, username: str, data: dict) -> bool:
    """One step of a demo case, as its officer would do it; False when the case is not there."""
    with command():
        user = db.session.scalar(select(User).where(User.username == username))
        case = db.session.scalar(select(Case).where(Case.code == code))
        if step == "card":  # the card joins its commune's parcel of the day
            number = f"C{case.id:09d}"
            case, changed = commands.record_card_produced(user, code, number, clock.today_local())
            if changed:
                delivery.on_card_produced(case, number, user)
            return True
        task = db.session.scalar(select(CaseTask).where(CaseTask.case_id == case.id, CaseTask.step == step))
        if task is None:
            return False
        tasks.complete(user, task.id, data)
        return True
