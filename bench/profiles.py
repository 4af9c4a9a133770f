"""What the benchmarks' seeder makes (bench/seed.py): the province, where cases stand under each
benchmark's profile, the names residents get, and what each step records in the audit trail."""

import random
from dataclasses import dataclass
from datetime import date

PROVINCE = 37  # Ninh Bình: 129 communes since 1 July 2025
PASSWORD = "bench-pass-1"
SUPERVISOR = "giamsat"
CHUNK = 20_000  # cases generated and written at a time
BIRTH_PROVINCES = ("037", "036", "035")  # per block of a million residents: unique personal IDs
WAITING = "await_card_production"
JUSTICE = ("triage_correction", "await_citizen_documents", "record_correction", "update_population_record")
# The main path's order; justice steps sit between verification and biometrics.
ORDER = ("verify_application", *JUSTICE, "capture_biometrics", "approve_application", WAITING, "receive_card",
         "hand_over_card")  # fmt: skip


@dataclass(frozen=True)
class Profile:
    communes: int | None  # None: every commune of the province
    where: dict[tuple[str, str | None], float]  # (status, step) -> weight
    mean_wait: dict[str, float]  # mean days a case has waited at its current step
    max_wait: float  # days
    justice_share: float  # of the cases past the justice steps, those that went through them
    history: bool  # every step's audit row (the case page's timeline); else started and claimed
    days: int  # the campaign so far: cases started within it, stage counts cover it
    not_applied: float = 0.2  # residents without a case, per case


DASHBOARD = Profile(
    communes=None,
    where={
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
    },
    # Queues are long at approval and production.
    mean_wait={
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
    },
    max_wait=55,
    justice_share=0.25,
    history=False,
    days=60,
)
# Open cases spread over the steps (60%), the rest issued; 30% through the justice office.
_WEB_OPEN = {
    "verify_application": 20,
    "triage_correction": 5,
    "await_citizen_documents": 3,
    "record_correction": 4,
    "update_population_record": 3,
    "capture_biometrics": 15,
    "approve_application": 15,
    WAITING: 15,
    "receive_card": 8,
    "hand_over_card": 12,
}
WEB = Profile(
    communes=20,
    where={**{("open", step): 0.6 * w for step, w in _WEB_OPEN.items()}, ("issued", None): 40.0},
    mean_wait=dict.fromkeys(ORDER, 1.5),
    max_wait=25,
    justice_share=0.3,
    history=True,
    days=120,
)
# Per step: (target days, idle days), so the stuck list's target and idle parts both have work.
STEP_TARGETS = {
    "verify_application": (2, None),
    "capture_biometrics": (3, 2),
    "approve_application": (4, 3),
    "hand_over_card": (None, 5),
}
# Surnames and middle names roughly as common as in the population, so that a search for a
# common name ("nguyen van") matches as many rows as it would in a real commune.
SURNAMES = {"Nguyễn": 38, "Trần": 11, "Lê": 9.5, "Phạm": 7, "Hoàng": 5, "Huỳnh": 4, "Phan": 4.5, "Vũ": 4,
            "Võ": 4, "Đặng": 2, "Bùi": 2, "Đỗ": 1.5, "Hồ": 1.3, "Ngô": 1.3, "Dương": 1, "Đinh": 1,
            "Lương": 0.6, "Đoàn": 0.6}  # fmt: skip
MIDDLE = {
    "male": {"Văn": 45, "Đức": 10, "Minh": 10, "Quốc": 8, "Hữu": 8, "Công": 7, "Xuân": 6, "Thanh": 6},
    "female": {"Thị": 50, "Ngọc": 12, "Thu": 9, "Thanh": 9, "Minh": 6, "Phương": 7, "Hồng": 7},
}
GIVEN = {
    "male": "An Bình Cường Dũng Hải Hùng Khánh Long Nam Phong Quân Sơn Thắng Tuấn Việt Đạt Hiếu Trung",
    "female": "Anh Chi Dung Giang Hà Hằng Hoa Hương Lan Linh Mai Ngân Nhung Oanh Phượng Thảo Trang Yến",
}


def step_data(step: str, rng: random.Random, day: date, documents_complete: bool) -> dict:
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


def weighted(table: dict) -> tuple[list, list]:
    """The choices of a weight table and their weights, for random.choices."""
    return list(table), list(table.values())
