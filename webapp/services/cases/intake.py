"""Intake: the registry record beside what the citizen's papers say, the discrepancy codes that
suggests, and the electronic identity (VNeID level 2) requested at intake and activated at
hand-over.

The officer reads each paper (household register, old ID card, birth certificate) into the
verify_application form; `compare` proposes the codes of step_fields.DISCREPANCIES with a reason
for each, and marks the cells that differ. The officer confirms or changes the codes; the
completion records the proposal and the choice side by side, so overrides can be seen later.
"""

import unicodedata
from dataclasses import dataclass, field

from ...models import Case, Resident, User
from .. import clock
from ..errors import Invalid, Msg
from ..residents import personal_id
from ..text import local_day, parse_date_or_timestamp
from . import engine
from .step_fields import DISCREPANCIES, PAPER_FACTS, PAPERS, SEXES, paper_field
from .step_rules import parse_partial_date

PartialDate = tuple[int, int | None, int | None]  # (year, month, day); month/day None if unknown
DIFFERS = Msg("Khác dữ liệu dân cư", "Differs from the registry")
ONLY_YEAR = Msg("Thiếu ngày, tháng", "Day and month missing")
ONLY_MONTH = Msg("Thiếu ngày", "Day missing")


@dataclass(frozen=True)
class Proposal:
    code: str
    reasons: tuple[Msg, ...]


@dataclass
class Comparison:
    """The proposal, in the order of DISCREPANCIES, and why each highlighted cell is highlighted:
    keys are step field names (`hr_birth_date`) or `registry_<fact>` for the registry column."""

    proposals: list[Proposal] = field(default_factory=list)
    cells: dict[str, Msg] = field(default_factory=dict)
    notes: list[Msg] = field(default_factory=list)  # worth a look, but no code (hometown...)

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.proposals]


def papers_of(data: dict) -> dict:
    """Step data (`hr_full_name`, ..., `birth_certificate`) → {"hr": {fact: value}, ...,
    "birth_certificate": ...}; values left empty are left out."""
    out: dict = {
        paper: {
            fact: data[paper_field(paper, fact)]
            for fact in PAPER_FACTS
            if data.get(paper_field(paper, fact)) not in (None, "")
        }
        for paper in PAPERS
    }
    out["birth_certificate"] = data.get("birth_certificate")
    return out


def propose(resident: Resident, papers: dict) -> list[Proposal]:
    """The discrepancy codes the papers suggest for this resident, each with its reasons."""
    return compare(resident, papers).proposals


def compare(resident: Resident, papers: dict) -> Comparison:
    """Registry against papers, and papers against each other. Values a paper gives that are
    not valid (a date that is no date) are left out: the form reports them on their own."""
    found: dict[str, list[Msg]] = {}
    out = Comparison()
    read = {paper: papers.get(paper) or {} for paper in PAPERS}

    _names(resident, read, found, out)
    _birth_dates(resident, read, found, out)
    _sexes(resident, read, found, out)
    _personal_id(resident, found, out)
    _hometowns(read, out)
    if papers.get("birth_certificate") == "lost":
        found.setdefault("no_birth_certificate", []).append(
            Msg("Công dân khai đã mất giấy khai sinh.", "The citizen says the birth certificate is lost.")
        )
    elif papers.get("birth_certificate") == "not_brought":
        out.notes.append(
            Msg(
                "Công dân chưa mang giấy khai sinh: hẹn bổ sung nếu cần đối chiếu.",
                "The citizen has not brought the birth certificate: ask for it if needed.",
            )
        )
    out.proposals = [Proposal(code, tuple(found[code])) for code in DISCREPANCIES if code in found]
    return out


def name_form(value: str) -> str:
    """A name as compared: Unicode NFC, single spaces, case folded. Diacritics count (Lan and
    Lân are two names); case does not, as old ID cards print names in capitals."""
    spaced = " ".join(unicodedata.normalize("NFC", value).split())
    return unicodedata.normalize("NFC", spaced.casefold())


def _names(resident: Resident, read: dict, found: dict, out: Comparison) -> None:
    registry = name_form(resident.full_name)
    for paper, values in read.items():
        value = values.get("full_name")
        if isinstance(value, str) and value.strip() and name_form(value) != registry:
            out.cells[paper_field(paper, "full_name")] = DIFFERS
            found.setdefault("name_mismatch", []).append(
                Msg(
                    f"{PAPERS[paper].vi} ghi họ tên “{value.strip()}”, "
                    f"dữ liệu dân cư ghi “{resident.full_name}”.",
                    f"The {PAPERS[paper].en.lower()} gives the name “{value.strip()}”, "
                    f"the registry “{resident.full_name}”.",
                )
            )


def registry_birth_date(resident: Resident) -> PartialDate:
    born, precision = resident.birth_date, resident.birth_date_precision
    if precision == "year":
        return born.year, None, None
    if precision == "month":
        return born.year, born.month, None
    return born.year, born.month, born.day


def show_date(value: PartialDate) -> str:
    """dd/mm/yyyy, mm/yyyy or yyyy, as people write it."""
    year, month, day = value
    if day is not None:
        return f"{day:02d}/{month:02d}/{year}"
    if month is not None:
        return f"{month:02d}/{year}"
    return str(year)


def _agree(a: PartialDate, b: PartialDate) -> bool:
    """Two dates agree on what both of them give."""
    return all(x is None or y is None or x == y for x, y in zip(a, b, strict=True))


def _birth_dates(resident: Resident, read: dict, found: dict, out: Comparison) -> None:
    registry = registry_birth_date(resident)
    if registry[2] is None:
        out.cells["registry_birth_date"] = ONLY_YEAR if registry[1] is None else ONLY_MONTH
        found.setdefault("dob_incomplete", []).append(
            Msg(
                f"Dữ liệu dân cư chỉ ghi ngày sinh {show_date(registry)}.",
                f"The registry gives the birth date only as {show_date(registry)}.",
            )
        )
    given = {}
    for paper, values in read.items():
        parsed = parse_partial_date(values.get("birth_date"))
        if parsed is not None:
            given[paper] = parsed
    for paper, value in given.items():
        name = paper_field(paper, "birth_date")
        if value[2] is None:
            out.cells[name] = ONLY_YEAR if value[1] is None else ONLY_MONTH
            found.setdefault("dob_incomplete", []).append(
                Msg(
                    f"{PAPERS[paper].vi} chỉ ghi ngày sinh {show_date(value)}.",
                    f"The {PAPERS[paper].en.lower()} gives the birth date only as {show_date(value)}.",
                )
            )
        if not _agree(value, registry):
            out.cells[name] = DIFFERS
            found.setdefault("dob_mismatch", []).append(
                Msg(
                    f"{PAPERS[paper].vi} ghi ngày sinh {show_date(value)}, "
                    f"dữ liệu dân cư ghi {show_date(registry)}.",
                    f"The {PAPERS[paper].en.lower()} gives {show_date(value)}, "
                    f"the registry {show_date(registry)}.",
                )
            )
    papers = list(given)
    for i, first in enumerate(papers):
        for second in papers[i + 1 :]:
            if not _agree(given[first], given[second]):
                for paper, other in ((first, second), (second, first)):
                    out.cells.setdefault(
                        paper_field(paper, "birth_date"),
                        Msg(
                            f"Khác {PAPERS[other].vi.lower()}", f"Differs from the {PAPERS[other].en.lower()}"
                        ),
                    )
                found.setdefault("dob_mismatch", []).append(
                    Msg(
                        f"{PAPERS[first].vi} ghi {show_date(given[first])}, {PAPERS[second].vi.lower()} ghi "
                        f"{show_date(given[second])}.",
                        f"The {PAPERS[first].en.lower()} gives {show_date(given[first])}, the "
                        f"{PAPERS[second].en.lower()} {show_date(given[second])}.",
                    )
                )


def _sexes(resident: Resident, read: dict, found: dict, out: Comparison) -> None:
    for paper, values in read.items():
        value = values.get("sex")
        if value in SEXES and value != resident.sex:
            out.cells[paper_field(paper, "sex")] = DIFFERS
            found.setdefault("sex_mismatch", []).append(
                Msg(
                    f"{PAPERS[paper].vi} ghi giới tính {SEXES[value].vi.lower()}, dữ liệu dân cư ghi "
                    f"{SEXES[resident.sex].vi.lower()}.",
                    f"The {PAPERS[paper].en.lower()} says {SEXES[value].en.lower()}, the registry "
                    f"{SEXES[resident.sex].en.lower()}.",
                )
            )


def _personal_id(resident: Resident, found: dict, out: Comparison) -> None:
    """The ID's century/sex digit and year digits against the registry's birth year and sex."""
    problems = personal_id.problems(resident.personal_id, resident.birth_date.year, resident.sex)
    if problems:
        out.cells["registry_personal_id"] = Msg(
            "Không khớp năm sinh/giới tính", "Disagrees with birth year/sex"
        )
        found["id_inconsistent"] = [Msg(p.message_vi, p.message_en) for p in problems]


def _hometowns(read: dict, out: Comparison) -> None:
    """The registry mirror keeps no hometown: papers are only compared with each other."""
    given = {
        paper: values["hometown"]
        for paper, values in read.items()
        if isinstance(values.get("hometown"), str) and values["hometown"].strip()
    }
    if len({name_form(v) for v in given.values()}) > 1:
        for paper in given:
            out.cells[paper_field(paper, "hometown")] = Msg("Khác giấy tờ khác", "Differs between papers")
        out.notes.append(
            Msg(
                "Quê quán khác nhau giữa các giấy tờ: "
                + "; ".join(f"{PAPERS[p].vi}: {v.strip()}" for p, v in given.items())
                + ".",
                "The papers give different hometowns: "
                + "; ".join(f"{PAPERS[p].en}: {v.strip()}" for p, v in given.items())
                + ".",
            )
        )


def _as_json(msg: Msg) -> dict:
    return {"vi": msg.vi, "en": msg.en}


# --- what completing a step does to the resident record (hooks of cases/tasks.py) -----------

ALREADY_ACTIVE = Msg(
    "Công dân đã có tài khoản định danh điện tử mức 2 được kích hoạt.",
    "The citizen's level-2 electronic identity is already activated.",
)
NOT_REQUESTED = Msg(
    "Công dân không đăng ký định danh điện tử khi tiếp nhận: để trống.",
    "No electronic identity was requested at intake: leave this empty.",
)


def after_verify(case: Case, user: User, clean: dict) -> dict:
    """Record the proposal beside the officer's choice; an electronic identity request goes on
    the resident record. Returns what the completion's audit row adds."""
    resident = case.resident
    comparison = compare(resident, papers_of(clean))
    proposed, chosen = comparison.codes, clean["discrepancies"]
    if clean["eid_request"]:
        if resident.eid_state == "activated":
            raise Invalid({"eid_request": [ALREADY_ACTIVE]})
        resident.eid_state, resident.eid_phone = "requested", clean["eid_phone"]
    return {
        "intake": {
            "proposed": proposed,
            "chosen": chosen,
            "added": [c for c in chosen if c not in proposed],  # ticked by the officer alone
            "removed": [c for c in proposed if c not in chosen],  # proposed, unticked by the officer
            "reasons": {p.code: [_as_json(r) for r in p.reasons] for p in comparison.proposals},
            "notes": [_as_json(n) for n in comparison.notes],
        }
    }


def after_hand_over(case: Case, user: User, clean: dict) -> dict:
    """The resident now holds a chip card issued on its production day (so the listing and the
    exchange ages count from it), and whether the requested electronic identity was activated
    when the card was handed over."""
    resident, activated = case.resident, clean["eid_activated"]
    produced = engine.last_message(case, "card_produced") or {}
    resident.card_state = "chip"
    # The centre sends a date or a timestamp with its offset: the card is issued on its local day.
    produced_at = parse_date_or_timestamp(produced.get("produced_at"))
    resident.card_issued_on = local_day(produced_at) if produced_at else clock.today_local()
    card = {"card_issued_on": resident.card_issued_on.isoformat()}
    if resident.eid_state != "requested":
        if activated is not None:
            raise Invalid({"eid_activated": [NOT_REQUESTED]})
        return card
    if activated is None:
        raise Invalid(
            {
                "eid_activated": [
                    Msg(
                        "Công dân đã đăng ký định danh điện tử: ghi đã kích hoạt hay chưa.",
                        "The citizen requested an electronic identity: say whether it was activated.",
                    )
                ]
            }
        )
    resident.eid_state = "activated" if activated else "not_activated"
    return {**card, "eid_state": resident.eid_state}
