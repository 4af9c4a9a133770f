"""Filters and pages of a list: read from a query string (anything unknown falls back to the
default, so a hand-edited address never fails) and written back into the links that keep them.

A list's `Filters` is a dataclass deriving from `QueryFilters`; its `from_args` reads each value
with `choice`, `trimmed` and `number`, and `args()` gives the query string of a link, leaving out
what equals its default. A page of results derives from `Paged` for its number of pages.
"""

from dataclasses import fields

PER_PAGE = 50


def choice(raw, allowed, default=None):
    """`raw` when it is one of `allowed`, else the default."""
    return raw if raw in allowed else default


def trimmed(raw, max_length: int) -> str:
    """Free text, trimmed and cut to a length the list's query can use."""
    return (raw or "").strip()[:max_length]


def number(raw, low: int, high: int) -> int:
    """A whole number kept between `low` and `high`; `low` when missing or not a number."""
    try:
        return max(low, min(int(raw), high))
    except (TypeError, ValueError):
        return low


def flag(raw) -> bool:
    return raw in ("1", "true", "on")


class QueryFilters:
    """Mixin of a filters dataclass: its query string, for links that keep the filters."""

    KEEP: tuple[str, ...] = ()  # written even when they hold their default

    def args(self, **changes) -> dict:
        values = {}
        for f in fields(self):
            value = changes.pop(f.name) if f.name in changes else getattr(self, f.name)
            if value is True:
                value = "1"
            if f.name not in self.KEEP and (value in (None, "", False) or value == f.default):
                continue
            values[f.name] = value
        values.update({k: v for k, v in changes.items() if v not in (None, "")})
        return values


class Paged:
    """Mixin of a page of results with `total` rows, `per_page` to a page."""

    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))
