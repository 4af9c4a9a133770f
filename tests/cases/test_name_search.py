"""The search box by name, without diacritics, by a short key and by a personal ID prefix: the
inbox (its counts per step too), the case list and the door-to-door listing find the same rows
on SQLite and on PostgreSQL (where names longer than two letters may read a trigram index)."""

import pytest
from sqlalchemy import text

from tests.support.cases import case, start
from webapp.models import db
from webapp.services.cases import inbox, search
from webapp.services.residents import listing

NAMES = ["Nguyễn Văn Ánh", "Lê Thị Hoa", "Trần Anh", "Đặng Văn Đức", "Phan_Thị%Mai"]


@pytest.fixture
def found(world):
    """Each name's case code, all started by the same officer (one queue, one step)."""
    codes = {name: start(world.police, world.resident(name=name)) for name in NAMES}

    def find(q: str) -> dict[str, set[str]]:
        names = {code: name for name, code in codes.items()}
        page = inbox.search(world.police, inbox.Filters(scope="queue", q=q))
        everything = list(inbox.all_rows(world.police, inbox.Filters(scope="queue", q=q)))
        listed, total = search.search(world.police, q=q)
        people = listing.search(world.police, listing.Filters(q=q))
        result = {
            "inbox": {names[r.case.code] for r in page.rows},
            "inbox_all": {names[r.case.code] for r in everything},
            "cases": {names[c.code] for c in listed},
            "listing": {r.resident.full_name for r in people.rows},
        }
        assert page.total == sum(page.counts.values()) == len(page.rows) == len(everything)
        assert total == len(listed) and people.total == len(people.rows)
        return result

    find.codes = codes
    return find


def same(names: list[str]) -> dict[str, set[str]]:
    return dict.fromkeys(("inbox", "inbox_all", "cases", "listing"), set(names))


@pytest.mark.parametrize(
    "q, names",
    [
        ("van anh", ["Nguyễn Văn Ánh"]),  # a name key of three letters or more
        ("Văn Ánh", ["Nguyễn Văn Ánh"]),  # typed with its diacritics
        ("NGUYEN  VAN", ["Nguyễn Văn Ánh"]),  # case and doubled spaces do not matter
        ("an", ["Nguyễn Văn Ánh", "Trần Anh", "Đặng Văn Đức", "Phan_Thị%Mai"]),  # no trigram
        ("đ", ["Đặng Văn Đức"]),  # one letter, "đ" as "d"
        ("d", ["Đặng Văn Đức"]),
        ("h", ["Nguyễn Văn Ánh", "Lê Thị Hoa", "Trần Anh", "Phan_Thị%Mai"]),
        ("n_t", ["Phan_Thị%Mai"]),  # LIKE's wildcards are plain characters
        ("%", ["Phan_Thị%Mai"]),
        ("khong co ai", []),
    ],
)
def test_a_name_finds_the_same_cases_whatever_its_length(found, q, names):
    assert found(q) == same(names)


def test_a_personal_id_prefix_and_a_case_code_find_their_case(found):
    code = found.codes["Nguyễn Văn Ánh"]
    pid = case(code).resident.personal_id
    assert found(pid) == same(["Nguyễn Văn Ánh"])
    everyone = found(pid[:6])  # the province and birth-year digits: every resident here
    assert everyone == same(NAMES)
    by_code = found(code.lower())
    assert by_code["inbox"] == by_code["cases"] == {"Nguyễn Văn Ánh"}


def test_counts_per_step_and_pages_match_the_filtered_list(found, world):
    found("a")
    for q in ("", "a", "van"):
        page = inbox.search(world.police, inbox.Filters(scope="queue", q=q, step="verify_application"))
        assert page.counts == {"verify_application": page.total} and len(page.rows) == page.total
        later = inbox.search(world.police, inbox.Filters(scope="queue", q=q, page=2))
        assert later.rows == [] and later.total == page.total
        other = inbox.search(world.police, inbox.Filters(scope="queue", q=q, step="approve_application"))
        assert other.rows == [] and other.total == 0 and other.counts == page.counts


def test_postgresql_keeps_name_keys_in_a_trigram_index(postgres_only):
    indexdef = db.session.scalar(
        text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_residents_name_key'")
    )
    assert "USING gin (name_key gin_trgm_ops)" in indexdef
