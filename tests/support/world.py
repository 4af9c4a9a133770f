"""The test world: a province with two communes, another province, an officer of every role,
and a factory for residents (the `world` fixture)."""

from datetime import date

import pytest

from webapp.services.accounts import units, users
from webapp.services.residents import registry
from webapp.services.residents.personal_id import make_personal_id
from webapp.services.uow import command

PASSWORD = "secret-pass-1"  # every test user's password


class World:
    """A province with two communes and an officer of every role; factories for residents."""

    def __init__(self):
        with command():
            self.province = units.ensure("37", "Ninh Bình", "province", None)
            self.commune_a = units.ensure("13300", "Phường Hoa Lư", "commune", self.province)
            self.commune_b = units.ensure("13301", "Xã Gia Viễn", "commune", self.province)
            self.other_province = units.ensure("01", "Hà Nội", "province", None)
            self.other_commune = units.ensure("00004", "Phường Ba Đình", "commune", self.other_province)
            make = lambda name, role, unit: users.create(name, role, unit.code, PASSWORD, name)  # noqa: E731
            self.police = make("police_a", "police", self.commune_a)
            self.police2 = make("police_a2", "police", self.commune_a)
            self.lead = make("lead_a", "police_lead", self.commune_a)
            self.justice = make("justice_a", "justice", self.commune_a)
            self.police_b = make("police_b", "police", self.commune_b)
            self.justice_b = make("justice_b", "justice", self.commune_b)
            self.approval = make("approval", "approval", self.province)
            self.production = make("production", "production", self.province)
            self.supervisor = make("supervisor", "supervisor", self.province)
            self.admin = make("admin", "admin", self.province)
            self.outsider = make("police_hn", "police", self.other_commune)
        self._serial = 0

    def resident(
        self,
        born=date(1990, 5, 17),
        sex="female",
        unit=None,
        status="alive",
        precision="day",
        province="037",
        name="Nguyễn Thị Lan",
    ) -> str:
        self._serial += 1
        pid = make_personal_id(province, born.year, sex, self._serial)
        with command():
            registry.upsert(
                None,
                pid,
                {
                    "full_name": name,
                    "birth_date": born.isoformat(),
                    "sex": sex,
                    "birth_date_precision": precision,
                    "status": status,
                    "permanent_unit": (unit or self.commune_a).code,
                },
            )
        return pid


@pytest.fixture
def world():
    return World()
