"""Administrative units: the tree, loading it from the `vietnam-provinces` package, and the
crosswalk that lets codes from before the 1 July 2025 merger still resolve."""

import csv
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select, update
from vietnam_provinces import Province, Ward

from ...config import ROOT
from ...models import Unit, UnitCrosswalk, User, db
from ..errors import Msg
from ..scope import subtree

log = logging.getLogger(__name__)

# 63 pre-2025 province codes -> today's 34 provinces (see docs/listing.md for what it covers).
CROSSWALK_FILE = ROOT / "data" / "unit_crosswalk.csv"
CROSSWALK_COLUMNS = ("old_code", "old_name", "old_level", "new_code")
OLD_LEVELS = ("province", "district", "commune")


def children(parent_code: str | None) -> list[Unit]:
    query = select(Unit).order_by(Unit.code)
    if parent_code is None:
        query = query.where(Unit.parent_id.is_(None))
    else:
        parent = by_code(parent_code)
        if parent is None:
            return []
        query = query.where(Unit.parent_id == parent.id)
    return list(db.session.scalars(query))


def by_code(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))


# Who receives a case at a unit: its police (they accept a transfer and work the case's steps).
RECEIVERS = ("police", "police_lead")
NOT_A_COMMUNE = Msg(
    "Chỉ chuyển hồ sơ cho đơn vị cấp xã, phường (nơi tiếp nhận hồ sơ), không chuyển cho cấp tỉnh.",
    "A case goes only to a commune or ward (where applications are taken), never to a province.",
)
NOBODY_THERE = Msg(
    "Đơn vị này không có cán bộ công an đang hoạt động để nhận hồ sơ.",
    "This unit has no active police officer to receive the case.",
)


def case_target_problem(unit: Unit) -> Msg | None:
    """Why `unit` cannot take a case handed to it, or None. Cases live at communes (a province's
    officers supervise: no commune would see a case parked there), and a unit takes one only
    while someone there can: units carry no status of their own, so an active unit is one with an
    active police officer or lead."""
    if unit.level != "commune":
        return NOT_A_COMMUNE
    someone = db.session.scalar(
        select(User.id)
        .where(User.unit_id == unit.id, User.active.is_(True), User.role.in_(RECEIVERS))
        .limit(1)
    )
    return NOBODY_THERE if someone is None else None


def subtree_ids(unit: Unit) -> list[int]:
    """Ids of the unit and every unit below it (a province: itself and its communes)."""
    return list(db.session.scalars(select(Unit.id).where(subtree(Unit.path, unit.path))))


def resolve(code: str) -> Unit | None:
    """Today's unit for a code: today's own codes first, then a pre-2025 code (crosswalk)."""
    code = (code or "").strip()
    if not code:
        return None
    unit = by_code(code)
    if unit is not None:
        return unit
    return db.session.scalar(
        select(Unit)
        .join(UnitCrosswalk, UnitCrosswalk.unit_id == Unit.id)
        .where(UnitCrosswalk.old_code == code)
    )


def code_map() -> dict[str, int]:
    """Every code an input file may use -> unit id, for importers that resolve many rows.
    Today's codes win over an old code that happens to be spelled the same."""
    mapping = dict(db.session.execute(select(UnitCrosswalk.old_code, UnitCrosswalk.unit_id)).all())
    mapping.update(db.session.execute(select(Unit.code, Unit.id)).all())
    return mapping


def ensure(code: str, name: str, level: str, parent: Unit | None) -> Unit:
    """Create the unit or update its name; idempotent."""
    unit = by_code(code)
    path = f"{parent.path if parent else '/'}{code}/"
    if unit is None:
        unit = Unit(code=code, name=name, level=level, parent_id=parent.id if parent else None, path=path)
        db.session.add(unit)
        db.session.flush()
    else:
        unit.name = name
    return unit


def load_province(province_code: int, ward_limit: int | None = None) -> tuple[Unit, list[Unit]]:
    """A province of today's 34 and its communes/wards (codes as the package gives them)."""
    province = Province.from_code(province_code)
    root = ensure(_province_code(province), province.name, "province", None)
    wards = sorted(
        (w for w in Ward.iter_all() if int(w.province_code) == int(province.code)), key=lambda w: int(w.code)
    )
    if ward_limit is not None:
        wards = wards[:ward_limit]
    return root, [ensure(_ward_code(w), w.name, "commune", root) for w in wards]


@dataclass
class LoadCounts:
    provinces: int = 0
    communes: int = 0
    created: int = 0
    renamed: int = 0


def load_all(province_code: str | int | None = None) -> LoadCounts:
    """Today's 34 provinces and 3,321 communes/wards (or one province), in bulk: one INSERT for
    the missing units and one UPDATE for renamed ones per level. Idempotent: a unit that exists
    keeps its id, parent and path (cases and users point at it); only its name follows the package."""
    provinces = sorted(Province.iter_all(), key=lambda p: int(p.code))
    if province_code is not None:
        try:
            wanted = int(province_code)
        except ValueError:
            raise ValueError(f"no province {province_code!r} in vietnam-provinces") from None
        provinces = [p for p in provinces if int(p.code) == wanted]
        if not provinces:
            raise ValueError(f"no province {province_code!r} in vietnam-provinces")
    codes = {int(p.code) for p in provinces}
    wards = sorted((w for w in Ward.iter_all() if int(w.province_code) in codes), key=lambda w: int(w.code))
    counts = LoadCounts(provinces=len(provinces), communes=len(wards))
    existing = _existing()
    _upsert(
        [(_province_code(p), p.name, "province", None) for p in provinces],
        existing,
        counts,
    )
    existing = _existing()
    _upsert(
        [(_ward_code(w), w.name, "commune", _province_code_of(w)) for w in wards],
        existing,
        counts,
    )
    log.info("units loaded: %s", counts)
    return counts


def _province_code(province) -> str:
    return f"{int(province.code):02d}"


def _province_code_of(ward) -> str:
    return f"{int(ward.province_code):02d}"


def _ward_code(ward) -> str:
    return f"{int(ward.code):05d}"


def _existing() -> dict[str, tuple[int, str, str]]:
    """code -> (id, name, path) of every unit; the table is small (thousands of rows)."""
    rows = db.session.execute(select(Unit.code, Unit.id, Unit.name, Unit.path))
    return {code: (uid, name, path) for code, uid, name, path in rows}


def _upsert(rows: list[tuple[str, str, str, str | None]], existing: dict, counts: LoadCounts) -> None:
    new, renamed = [], []
    for code, name, level, parent_code in rows:
        if code in existing:
            uid, old_name, _path = existing[code]
            if old_name != name:
                renamed.append({"id": uid, "name": name})
            continue
        parent_id, parent_path = None, "/"
        if parent_code is not None:
            parent_id, _name, parent_path = existing[parent_code]
        new.append(
            {
                "code": code,
                "name": name,
                "level": level,
                "parent_id": parent_id,
                "path": f"{parent_path}{code}/",
            }
        )
    if new:
        db.session.execute(insert(Unit), new)
    if renamed:
        db.session.execute(update(Unit), renamed)
    counts.created += len(new)
    counts.renamed += len(renamed)


@dataclass
class CrosswalkCounts:
    loaded: int = 0
    created: int = 0
    updated: int = 0
    # (line number, reason) of every malformed row
    skipped: list[tuple[int, str]] = field(default_factory=list)
    # (line number, reason) of rows whose unit of today is not loaded (expected after
    # `units load --province`, a typo otherwise)
    unloaded: list[tuple[int, str]] = field(default_factory=list)


def load_crosswalk(path: str | Path = CROSSWALK_FILE) -> CrosswalkCounts:
    """Old codes -> today's units from a CSV file (old_code,old_name,old_level,new_code).
    Rows whose new unit is not loaded, or that are malformed, are skipped and reported."""
    counts = CrosswalkCounts()
    units = dict(db.session.execute(select(Unit.code, Unit.id)).all())
    current = {
        old: (unit_id, name, level)
        for old, unit_id, name, level in db.session.execute(
            select(
                UnitCrosswalk.old_code, UnitCrosswalk.unit_id, UnitCrosswalk.old_name, UnitCrosswalk.old_level
            )
        )
    }
    seen: set[str] = set()
    new, changed = [], []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CROSSWALK_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            old, name = (row["old_code"] or "").strip(), (row["old_name"] or "").strip()
            level, new_code = (row["old_level"] or "").strip(), (row["new_code"] or "").strip()
            problem = _crosswalk_problem(old, name, level, new_code, seen)
            if problem:
                counts.skipped.append((line, problem))
                continue
            if new_code not in units:
                counts.unloaded.append((line, f"old_code {old}: new unit {new_code!r} is not loaded"))
                continue
            seen.add(old)
            counts.loaded += 1
            value = (units[new_code], name[:200], level)
            if old not in current:
                new.append({"old_code": old, "unit_id": value[0], "old_name": value[1], "old_level": level})
            elif current[old] != value:
                changed.append(
                    {"old_code": old, "unit_id": value[0], "old_name": value[1], "old_level": level}
                )
    if new:
        db.session.execute(insert(UnitCrosswalk), new)
    if changed:
        db.session.execute(update(UnitCrosswalk), changed)
    counts.created, counts.updated = len(new), len(changed)
    log.info("crosswalk loaded from %s: %s", path, counts)
    return counts


def _crosswalk_problem(old, name, level, new_code, seen) -> str | None:
    if not old or len(old) > 20 or not old.isascii() or not old.isdigit():
        return f"old_code {old!r}: expected 1-20 ASCII digits"
    if old in seen:
        return f"old_code {old}: appears twice in the file"
    if not name:
        return f"old_code {old}: old_name is empty"
    if level not in OLD_LEVELS:
        return f"old_code {old}: old_level {level!r} is not one of {', '.join(OLD_LEVELS)}"
    if not new_code:
        return f"old_code {old}: new_code is empty"
    return None
