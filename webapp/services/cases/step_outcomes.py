"""How a user task is finished: the buttons of its form (one per outcome) and what the workflow
keeps of a completion.

The fields the buttons set, ask or check are declared in step_fields.py. forms/tasks.py applies
the chosen button to the form's data, templates/tasks/_fields.html draws them, and tasks.py hands
the engine only `routing_data` of a completion.
"""

from dataclasses import dataclass

from ..errors import Msg
from .step_fields import PAPER_FACTS, PAPERS, paper_field

# Fields kept in the audit trail and the resident record, not in the workflow: no gateway reads
# them, and workflow data stays small (routing facts only).
NOT_ROUTING = {
    "verify_application": {
        "birth_certificate",
        *(paper_field(p, f) for p in PAPERS for f in PAPER_FACTS),
        "eid_request",
        "eid_phone",
    },
    "hand_over_card": {"eid_activated"},
    "triage_correction": {
        "reason",
        "original_registration_year",
        "original_registration_place",
        "register_lost",
        "certificate_lost",
        "subject_consent",
    },
}


@dataclass(frozen=True)
class Outcome:
    """One way to finish a step, one button on its form. `sets` are the field values the button
    gives (the officer does not choose them again in a select); `asks` are fields asked in its
    confirmation dialog and required there; `needs` and `excludes` tie it to the form's own
    fields (intake's "Chuyển Tư pháp" needs a ticked discrepancy, "Chuyển tiếp" none); with a
    `consequence` the button asks for confirmation, naming the case and what will happen."""

    name: str
    label: Msg
    sets: tuple[tuple[str, object], ...] = ()
    asks: tuple[str, ...] = ()
    consequence: Msg | None = None
    # Fields of the form itself that must be filled (`needs`) or left empty (`excludes`) for
    # this button, each with the message shown under the field when they are not.
    needs: tuple[tuple[str, Msg], ...] = ()
    excludes: tuple[tuple[str, Msg], ...] = ()


COMPLETE = Outcome("complete", Msg("Hoàn thành bước này", "Complete this step"))
OUTCOMES: dict[str, tuple[Outcome, ...]] = {
    # Where the file goes is the button: on (biometrics) with no discrepancy, to the justice
    # office with one (the diagram's gw_needs_justice: every discrepancy has a procedure in
    # discrepancy_procedure.dmn). A button that contradicts the ticks is refused, naming them.
    "verify_application": (
        Outcome(
            "forward",
            Msg("Chuyển tiếp", "Send on"),
            excludes=(
                (
                    "discrepancies",
                    Msg(
                        "Đã đánh dấu sai lệch nên hồ sơ phải chuyển Tư pháp: bấm “Chuyển Tư pháp”, "
                        "hoặc bỏ đánh dấu sai lệch để chuyển tiếp.",
                        "Discrepancies are ticked, so the file goes to the justice office: press "
                        "“Send to the justice office”, or untick them to send it on.",
                    ),
                ),
            ),
        ),
        Outcome(
            "to_justice",
            Msg("Chuyển Tư pháp", "Send to the justice office"),
            needs=(
                (
                    "discrepancies",
                    Msg(
                        "Đánh dấu ít nhất một sai lệch để chuyển Tư pháp.",
                        "Tick at least one discrepancy to send the file to the justice office.",
                    ),
                ),
            ),
        ),
        Outcome(
            "refuse",
            Msg("Từ chối hồ sơ", "Refuse the application"),
            asks=("refusal_reason",),
            consequence=Msg(
                "Hồ sơ sẽ kết thúc ở trạng thái “Từ chối”; không thể hoàn tác.",
                "The case will end as “Refused”; this cannot be undone.",
            ),
        ),
    ),
    "approve_application": (
        Outcome("approve", Msg("Phê duyệt", "Approve"), sets=(("decision", "approve"),)),
        Outcome(
            "return",
            Msg("Trả lại hồ sơ", "Return the file"),
            sets=(("decision", "return"),),
            asks=("reason",),
            consequence=Msg(
                "Hồ sơ sẽ trả về Công an xã/phường để làm lại từ bước tiếp nhận.",
                "The file goes back to the commune police, to intake again.",
            ),
        ),
    ),
    "hand_over_card": (
        Outcome(
            "hand_over",
            Msg("Xác nhận đã trả thẻ", "Confirm the card was handed over"),
            consequence=Msg(
                "Hồ sơ sẽ kết thúc ở trạng thái “Đã trả thẻ”; không thể hoàn tác.",
                "The case will end as “Card issued”; this cannot be undone.",
            ),
        ),
    ),
}


def outcomes(step: str) -> tuple[Outcome, ...]:
    """The buttons of a step's form, the usual one first."""
    return OUTCOMES.get(step, (COMPLETE,))


def routing_data(step: str, clean: dict) -> dict:
    """What the workflow keeps of a completion: everything but the fields of NOT_ROUTING."""
    drop = NOT_ROUTING.get(step, set())
    return {name: value for name, value in clean.items() if name not in drop}
