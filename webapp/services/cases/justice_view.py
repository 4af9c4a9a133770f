"""What the justice officer sees beside the triage form: what the registry and each paper say (as
police read them at intake), the discrepancies, and the procedure the decision table suggests
(bpmn/discrepancy_procedure.dmn), which the form preselects. Read from the audit trail and the
case's spec version, never from the workflow state."""

from dataclasses import dataclass, field

from sqlalchemy import select

from ...models import Case, CaseEvent, db
from .. import workflow_store
from .step_fields import PAPER_FACTS, PAPERS, paper_field


@dataclass
class Triage:
    registry: dict[str, str | None]  # fact -> the registry's value (ISO dates)
    papers: dict[str, dict[str, str | None]]  # paper -> fact -> what it says
    discrepancies: list[str] = field(default_factory=list)
    birth_certificate: str | None = None
    suggested: str | None = None  # a PROCEDURES code, or None when the table has no row


def _intake(case: Case) -> dict:
    """The data of the case's latest intake."""
    event = db.session.scalar(
        select(CaseEvent)
        .where(
            CaseEvent.case_id == case.id,
            CaseEvent.action == "completed",
            CaseEvent.step == "verify_application",
        )
        .order_by(CaseEvent.id.desc())
        .limit(1)
    )
    return (event.detail or {}).get("data", {}) if event else {}


def triage(case: Case) -> Triage:
    data = _intake(case)
    resident = case.resident
    registry = {
        "full_name": resident.full_name,
        "birth_date": resident.birth_date.isoformat(),
        "sex": resident.sex,
        "hometown": resident.hometown,
    }
    papers = {paper: {fact: data.get(paper_field(paper, fact)) for fact in PAPER_FACTS} for paper in PAPERS}
    codes = list(data.get("discrepancies") or [])
    suggested = None
    if codes:
        bundle = workflow_store.bundle_for(case.spec_version)
        suggested = bundle.decide("discrepancy_procedure", discrepancies=codes).get("suggested_procedure")
    return Triage(registry, papers, codes, data.get("birth_certificate"), suggested)
