"""Administrative units: the tree, and loading it from the `vietnam-provinces` package."""

from sqlalchemy import select
from vietnam_provinces import Province, Ward

from ..models import Unit, db


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
    root = ensure(f"{int(province.code):02d}", province.name, "province", None)
    wards = sorted(
        (w for w in Ward.iter_all() if int(w.province_code) == int(province.code)), key=lambda w: int(w.code)
    )
    if ward_limit is not None:
        wards = wards[:ward_limit]
    return root, [ensure(f"{int(w.code):05d}", w.name, "commune", root) for w in wards]
