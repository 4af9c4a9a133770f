"""WTForms' own messages never reach a Vietnamese page in English ("This field is required.",
"Not a valid date value."...): every message WTForms can produce has its Vietnamese
(forms/base.py); English pages keep WTForms' English."""

from pathlib import Path

import pytest
import wtforms
from babel.messages.pofile import read_po
from wtforms import DateField, IntegerField, SelectField

from tests.support.web import login
from webapp.forms.base import VIETNAMESE, Form

ENGLISH = ("This field is required.", "Field cannot be longer", "Not a valid", "CSRF token", "Invalid ")


@pytest.mark.no_db
def test_every_wtforms_message_has_its_vietnamese():
    pot = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
    with pot.open("rb") as f:
        catalog = read_po(f)
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id}
    assert ids and not ids - set(VIETNAMESE)


def test_an_empty_sign_in_names_each_field_in_vietnamese(app):
    page = app.test_client().post("/login", data={"username": "", "password": ""}).get_data(as_text=True)
    assert page.count("Mục này là bắt buộc.") == 2
    assert 'aria-invalid="true"' in page
    assert not any(english in page for english in ENGLISH)


def test_an_english_page_keeps_wtforms_english(app):
    client = app.test_client()
    client.post("/lang/en")
    page = client.post("/login", data={"username": "", "password": ""}).get_data(as_text=True)
    assert page.count("This field is required.") == 2 and "Mục này là bắt buộc." not in page


def test_a_too_long_new_password_is_refused_in_vietnamese(app, world):
    client = login(app.test_client(), "police_a")
    response = client.post("/account/password", data={"current_password": "x", "new_password": "x" * 201})
    page = response.get_data(as_text=True)
    assert "Tối đa 200 ký tự." in page
    assert not any(english in page for english in ENGLISH)


class Sample(Form):
    day = DateField("day")
    count = IntegerField("count")
    kind = SelectField("kind", choices=[("a", "A")])


@pytest.mark.parametrize("language", ["vi", "en"])
def test_date_number_and_choice_messages_follow_the_page_language(app, language):
    from flask import session

    with app.test_request_context("/", method="POST", data={"day": "31/02/2026", "count": "x", "kind": "z"}):
        session["lang"] = language
        form = Sample()
        assert not form.validate()
        said = " ".join(e for errors in form.errors.values() for e in errors)
    if language == "vi":
        assert "Ngày không hợp lệ" in said and "số nguyên" in said and "Lựa chọn không hợp lệ" in said
        assert not any(english in said for english in ENGLISH)
    else:
        assert "Not a valid date value." in said and "Not a valid choice." in said
