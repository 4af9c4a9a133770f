"""Picking a unit anywhere in the country by its name ("gia vien" finds "Xã Gia Viễn"), as an
officer does when the resident lives in another commune.

Units carry no folded-name column: the whole tree is about 3,400 rows (34 provinces and 3,321
communes), so matching reads the names with their province's and folds them here, a few
milliseconds, instead of a column and an index to keep in step with every import of the tree."""

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ...models import Unit, db
from ..scope import subtree
from ..text import name_key
from . import units

LIMIT = 20
# "Xã Gia Viễn · Ninh Bình (13301)": what an option of the picker shows and sends back.
TRAILING_CODE = re.compile(r"\((\d{1,20})\)\s*$")


@dataclass(frozen=True)
class Choice:
    code: str
    name: str
    level: str
    parent_name: str | None

    @property
    def label(self) -> str:
        where = f" · {self.parent_name}" if self.parent_name else ""
        return f"{self.name}{where} ({self.code})"


def search(q: str, limit: int = LIMIT, within: str | None = None) -> list[Choice]:
    """Units whose name (or name and province) holds every word typed, without diacritics;
    communes first, then by name. An exact code is found too. `within` (a unit path) keeps to
    that subtree, and then nothing typed lists the subtree's first units (an administrator's
    picker shows its choices before a word is typed)."""
    words = name_key(q or "").split()
    if not words and within is None:
        return []
    parent = aliased(Unit)
    query = select(Unit.code, Unit.name, Unit.level, parent.name)
    query = query.outerjoin(parent, parent.id == Unit.parent_id)
    if within is not None:
        query = query.where(subtree(Unit.path, within))
    rows = db.session.execute(query).all()
    found = []
    for code, name, level, parent_name in rows:
        text = name_key(f"{name} {parent_name or ''} {code}")
        if all(w in text for w in words):
            found.append(Choice(code, name, level, parent_name))
    found.sort(key=lambda c: (c.level != "commune", name_key(c.name), c.code))
    return found[:limit]


def label(unit: Unit) -> str:
    """What the picker shows and sends back for `unit`: "Xã Gia Viễn · Ninh Bình (13301)"."""
    return Choice(unit.code, unit.name, unit.level, unit.parent.name if unit.parent else None).label


def pick(text: str) -> Unit | None:
    """The unit an officer chose: a code (today's or a pre-2025 one), an option of the picker
    ending in "(code)", or a name that matches exactly one unit."""
    text = (text or "").strip()
    if not text:
        return None
    trailing = TRAILING_CODE.search(text)
    if trailing:
        return units.by_code(trailing.group(1))
    if text.isascii() and text.isdigit():
        return units.resolve(text)
    key = name_key(text)
    exact = [c for c in search(text, limit=LIMIT) if name_key(c.name) == key]
    return units.by_code(exact[0].code) if len(exact) == 1 else None
