"""Why a card is asked for: the kind of case (new, exchange, reissue) and, for an exchange or a
reissue, its reason, as the officer chooses it at check-in and walk-in; by default what the
resident's record suggests.

The default, person by person:
- no card yet: a new card;
- the old CMND: an exchange, "from CMND" (the 2021 campaign's switch);
- a chip card reported lost (`card_state` "lost"): a reissue;
- a chip card: an exchange, for the age milestone when listing_need.dmn says the resident has
  reached one (25, 40, 60; 14 under the 2023 law), for changed data when an identity correction
  was applied to the record after the card was issued, else for a damaged card (the one reason
  left that the record cannot show).
"""

from datetime import date

from sqlalchemy import select

from ...models import Resident, ResidentCorrection, db
from ..errors import Msg
from ..residents import eligibility

# reason -> (kind, label). "new" is the kind itself, without a reason.
REASONS = {
    "from_cmnd": ("exchange", Msg("Đổi từ CMND sang thẻ căn cước", "Exchange of the old CMND")),
    "age_milestone": (
        "exchange",
        Msg("Đổi thẻ khi đến tuổi (14, 25, 40, 60)", "Exchange at an age milestone"),
    ),
    "damaged": ("exchange", Msg("Đổi thẻ bị hư hỏng", "Exchange of a damaged card")),
    "changed_data": ("exchange", Msg("Đổi thẻ do thay đổi thông tin", "Exchange after changed data")),
    "lost": ("reissue", Msg("Cấp lại do mất thẻ", "Reissue of a lost card")),
}
NEW = "new"
# What the check-in and walk-in forms offer, besides AUTO: the record's default, person by person.
CHOICES = (NEW, *REASONS)
AUTO = "auto"
IDENTITY_FIELDS = ("full_name", "birth_date", "birth_date_precision", "sex")


def default_for(resident: Resident, today: date | None = None) -> str:
    """The choice the record suggests: NEW or a key of REASONS."""
    if resident.card_state == "none":
        return NEW
    if resident.card_state == "cmnd":
        return "from_cmnd"
    if resident.card_state == "lost":
        return "lost"
    why = eligibility.reason(eligibility.current_rule(), resident, today)
    if why and why.startswith("exchange_at_"):
        return "age_milestone"
    if _changed_since_issue(resident):
        return "changed_data"
    return "damaged"


def kind_of(choice: str) -> str:
    return NEW if choice == NEW else REASONS[choice][0]


def _changed_since_issue(resident: Resident) -> bool:
    """An identity correction applied to the record after the card was issued (the card now
    says something else)."""
    rows = db.session.scalars(
        select(ResidentCorrection).where(
            ResidentCorrection.resident_id == resident.id, ResidentCorrection.status == "applied"
        )
    )
    issued = resident.card_issued_on
    return any(
        set(row.changes) & set(IDENTITY_FIELDS)
        and (issued is None or (row.confirmed_at or row.at).date() >= issued)
        for row in rows
    )
