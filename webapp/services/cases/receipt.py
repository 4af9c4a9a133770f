"""The receipt slip (giấy hẹn trả, CC02 style): the case code, the applicant, what was received,
and the return date, which is the statutory due date (legal_due.py), with a QR code of the case
code that the desk scans at hand-over like the appointment slip's."""

from dataclasses import dataclass

import segno

from ...models import Case, User
from . import commands


@dataclass(frozen=True)
class Receipt:
    case: Case
    qr: str  # the QR code as an SVG data: URI (the CSP allows data: images)


def receipt(user: User, code: str) -> Receipt:
    case = commands.get_case(user, code)
    qr = segno.make(case.code, error="m", micro=False).svg_data_uri(scale=5, border=2)
    return Receipt(case, qr)
