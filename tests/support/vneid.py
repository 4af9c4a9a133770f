"""VNeID level-2 requests for the tests: a chip-card holder, a request taken, a step completed,
and a unit's requests in every status (tests/vneid, the progress file and the daily report)."""

from datetime import date

from webapp.models import VneidRequest
from webapp.services import uow
from webapp.services.residents.registry import get
from webapp.services.vneid import requests as vneid

MATCH = {"result": "match", "method": "face"}
PHONE = {"phone": "0912345678", "own_subscription": True}
# What in_every_status() leaves, as the progress line counts it.
EVERY_STATUS = {"requested": 6, "activated": 1, "refused": 2, "open": 3}
NONE = {"requested": 0, "activated": 0, "refused": 0, "open": 0}


def chip_holder(world, **kw) -> str:
    pid = world.resident(**kw)
    with uow.command():
        resident = get(pid)
        resident.card_state, resident.card_issued_on = "chip", date(2022, 3, 1)
    return pid


def start(world, pid, user=None, presented=False) -> int:
    with uow.command():
        return vneid.start(user or world.police, pid, presented=presented).id


def step(world, request_id, name, data, user=None) -> VneidRequest:
    with uow.command():
        return vneid.complete(user or world.police, request_id, name, data)


def in_every_status(world) -> None:
    """Commune A takes six requests (EVERY_STATUS, each figure a different number): one
    activated, one refused at the identity check and one at the activation, one waiting at each
    step, of which one for a commune-B resident who showed the card at A's desk (counted for A,
    which took it). Hà Nội takes one, which Ninh Bình never counts."""
    done = start(world, chip_holder(world))
    step(world, done, "identity_check", MATCH)
    step(world, done, "phone", PHONE)
    step(world, done, "activation", {"result": "activated"})
    mismatch = start(world, chip_holder(world))
    step(world, mismatch, "identity_check", {"result": "mismatch", "reason": "Ảnh không khớp"})
    failed = start(world, chip_holder(world))
    step(world, failed, "identity_check", MATCH)
    step(world, failed, "phone", PHONE)
    step(world, failed, "activation", {"result": "failed", "reason": "Lỗi kết nối"})
    start(world, chip_holder(world, unit=world.commune_b), presented=True)  # at identity_check
    step(world, start(world, chip_holder(world)), "identity_check", MATCH)  # at phone
    at_activation = start(world, chip_holder(world))
    step(world, at_activation, "identity_check", MATCH)
    step(world, at_activation, "phone", PHONE)
    start(world, chip_holder(world), user=world.outsider, presented=True)
