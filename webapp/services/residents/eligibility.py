"""Who must apply for a card now, as SQL derived from the decision table bpmn/listing_need.dmn.

The table stays the one source of the rule, but a commune's listing or a province's coverage
cannot evaluate it once per resident. So, once per spec version and law, the table is evaluated
on a grid of ages and card-issue ages, and the answers become date ranges: "age >= 14" is
"born on or before today minus 14 years". The table compares ages with whole-number constants
(<, <=, >, >=, =, "25 <= ? < 40"), so its answer can only change at a constant c or at c + 1;
evaluating at those points (and at 0 and -1) covers every age, however old.
"""

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from flask import current_app
from lxml import etree
from sqlalchemy import and_, case, exists, extract, false, func, or_, select, true

from workflows import SpecBundle

from ...models import Case, Resident, db
from .. import clock, laws, workflow_store

DECISION = "listing_need"
SOURCE = "listing_need.dmn"
CARD_STATES = ("none", "cmnd", "chip")
# Only a chip card's issue date matters (exchange ages); other states are evaluated with -1.
DATED_STATE = "chip"
UNKNOWN_ISSUE = -1
APPLIED_STATUSES = ("open", "error", "issued")
DMN_NS = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}
EXTENSION = "listing_need_rules"


@dataclass(frozen=True)
class Region:
    """Ages age_from..age_to (None: no upper end) of one card state that must apply when the
    card was issued at an age in one of `issued` ([from, to] pairs, to None: any later)."""

    card_state: str
    age_from: int
    age_to: int | None
    issued: tuple[tuple[int, int | None], ...]


@dataclass(frozen=True)
class Rule:
    version: str
    law: str
    regions: tuple[Region, ...]
    # For one resident's reason: card state -> (age starts, per age start (issue-age starts, answers))
    cells: dict

    def decide(self, card_state: str, age: int, issued_age: int) -> dict:
        """The table's answer for one resident, read from the grid (no table evaluation)."""
        if card_state not in self.cells:
            return {}
        starts, rows = self.cells[card_state]
        issued_starts, answers = rows[max(0, bisect_right(starts, age) - 1)]
        return answers[max(0, bisect_right(issued_starts, issued_age) - 1)]


def current_rule() -> Rule:
    """The rule of the version new cases start on, under the configured law (cached)."""
    bundle = workflow_store.engine().current
    return rule_for(bundle, laws.law_on(clock.today_local()))


def rule_for(bundle: SpecBundle, law: str) -> Rule:
    cache = current_app.extensions.setdefault(EXTENSION, {})
    key = (bundle.version, law)
    if key not in cache:
        cache[key] = derive(bundle, law)
    return cache[key]


def derive(bundle: SpecBundle, law: str) -> Rule:
    ages, issued_ages = _breakpoints(bundle.sources[SOURCE])
    regions, cells = [], {}
    for state in CARD_STATES:
        points = issued_ages if state == DATED_STATE else [UNKNOWN_ISSUE]
        rows = []
        for n, age in enumerate(ages):
            age_end = ages[n + 1] - 1 if n + 1 < len(ages) else None
            # An issue age above the age band's end cannot happen; evaluate inside the band.
            starts = [i for i in points if age_end is None or i <= age_end]
            answers = [
                dict(bundle.decide(DECISION, law=law, card_state=state, age=max(age, i), issued_age=i))
                for i in starts
            ]
            rows.append((starts, answers))
        cells[state] = (ages, rows)
        regions += _regions(state, ages, rows)
    return Rule(bundle.version, law, tuple(regions), cells)


def _breakpoints(dmn_xml: str) -> tuple[list[int], list[int]]:
    """Where the answer may change: every constant c of the age columns, and c + 1."""
    tree = etree.fromstring(dmn_xml.encode("utf-8"))
    table = tree.find(".//dmn:decisionTable", DMN_NS)
    columns = [
        i.findtext("dmn:inputExpression/dmn:text", "", DMN_NS).strip()
        for i in table.iterfind("dmn:input", DMN_NS)
    ]
    constants: set[int] = set()
    for rule in table.iterfind("dmn:rule", DMN_NS):
        for column, entry in zip(columns, rule.iterfind("dmn:inputEntry", DMN_NS), strict=False):
            if column in ("age", "issued_age"):
                constants |= {int(c) for c in re.findall(r"-?\d+", entry.findtext("dmn:text", "", DMN_NS))}
    points = {p for c in constants for p in (c, c + 1)}
    ages = sorted({0} | {p for p in points if p > 0})
    issued = sorted({UNKNOWN_ISSUE, 0} | {p for p in points if p > 0})
    return ages, issued


def _regions(state: str, ages: list[int], rows: list) -> list[Region]:
    """Merge neighbouring age bands whose issue-age intervals that must apply are the same."""
    regions: list[Region] = []
    for n, (starts, answers) in enumerate(rows):
        age_end = ages[n + 1] - 1 if n + 1 < len(ages) else None
        issued = []
        for k, answer in enumerate(answers):
            if not answer.get("must_apply"):
                continue
            end = starts[k + 1] - 1 if k + 1 < len(starts) else None
            if end is not None and age_end is not None and end >= age_end:
                end = None  # up to the band's oldest age: the same as "any later"
            if issued and issued[-1][1] is not None and issued[-1][1] + 1 == starts[k]:
                issued[-1] = (issued[-1][0], end)
            else:
                issued.append((starts[k], end))
        if not issued:
            continue
        last = regions[-1] if regions else None
        if last and last.age_to is not None and last.age_to + 1 == ages[n] and last.issued == tuple(issued):
            regions[-1] = Region(state, last.age_from, age_end, last.issued)
        else:
            regions.append(Region(state, ages[n], age_end, tuple(issued)))
    return regions


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _issued_age():
    """Completed years at the card's issue date, in SQL (exact on SQLite and PostgreSQL)."""
    born, issued = Resident.birth_date, Resident.card_issued_on
    before_birthday = extract("month", issued) * 100 + extract("day", issued) < (
        extract("month", born) * 100 + extract("day", born)
    )
    return extract("year", issued) - extract("year", born) - case((before_birthday, 1), else_=0)


def _issued_condition(interval: tuple[int, int | None]):
    low, high = interval
    age = _issued_age()
    known = Resident.card_issued_on.is_not(None)
    if low <= UNKNOWN_ISSUE:
        return true() if high is None else or_(Resident.card_issued_on.is_(None), age <= high)
    if high is None:
        return and_(known, age >= low)
    return and_(known, age >= low, age <= high)


def must_apply(rule: Rule, today: date | None = None):
    """SQL condition on Resident: the table says this resident must apply today."""
    today = today or clock.today_local()
    parts = []
    for region in rule.regions:
        terms = [Resident.card_state == region.card_state]
        if region.age_from > 0:
            terms.append(Resident.birth_date <= years_before(today, region.age_from))
        if region.age_to is not None:
            terms.append(Resident.birth_date > years_before(today, region.age_to + 1))
        if region.card_state == DATED_STATE:
            terms.append(or_(*[_issued_condition(i) for i in region.issued]))
        parts.append(and_(*terms))
    return or_(*parts) if parts else false()


def has_applied():
    """SQL condition on Resident: a case of theirs was taken (open, in error or issued); one
    index probe per resident, right for a commune's rows."""
    return exists(select(Case.id).where(Case.resident_id == Resident.id, Case.status.in_(APPLIED_STATUSES)))


def in_target(rule: Rule, today: date | None = None):
    """The residents the campaign counts: those who must apply, and those who already applied
    (a new card changes their card state, yet they stay in the figure they completed)."""
    return or_(must_apply(rule, today), has_applied())


def counts(rule: Rule, unit_ids: list[int], today: date | None = None) -> dict[int, tuple[int, int]]:
    """Per unit id: (eligible, applied) among living residents, eligible meaning in_target.
    Two plain aggregates instead of a probe per resident, so that a province of a million
    residents is one scan of its residents and one join of its applied cases:
    eligible = must apply + applied - (applied and must apply)."""
    today = today or clock.today_local()
    must = must_apply(rule, today)
    alive = [Resident.permanent_unit_id.in_(unit_ids), Resident.status == "alive"]
    result: dict[int, list[int]] = {}
    for unit_id, n in db.session.execute(
        select(Resident.permanent_unit_id, func.count())
        .where(*alive, must)
        .group_by(Resident.permanent_unit_id)
    ):
        result[unit_id] = [n, 0]
    for unit_id, n, also_must in db.session.execute(
        # EXISTS alone in WHERE: a semi-join, by index for a commune, hashed for a province.
        select(Resident.permanent_unit_id, func.count(), func.sum(case((must, 1), else_=0)))
        .where(*alive, has_applied())
        .group_by(Resident.permanent_unit_id)
    ):
        row = result.setdefault(unit_id, [0, 0])
        row[0] += n - int(also_must or 0)
        row[1] = n
    return {unit_id: (eligible, done) for unit_id, (eligible, done) in result.items()}


def reason(rule: Rule, resident: Resident, today: date | None = None) -> str | None:
    """Why this resident must apply ("new_from_14", "exchange_at_25"...), None if not."""
    today = today or clock.today_local()
    issued = UNKNOWN_ISSUE
    if resident.card_state == DATED_STATE and resident.card_issued_on is not None:
        issued = max(UNKNOWN_ISSUE, age_on(resident.birth_date, resident.card_issued_on))
    answer = rule.decide(resident.card_state, age_on(resident.birth_date, today), issued)
    return answer.get("reason") if answer.get("must_apply") else None
