"""Every string the UI shows exists in English too: the catalog covers what the code says today."""

import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from tests.support.paths import ROOT

pytestmark = pytest.mark.no_db


def test_the_english_catalog_translates_every_string(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with (ROOT / "webapp/translations/en/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = {m.id: m.string for m in read_po(f) if m.id}
    missing = sorted(str(i) for i in wanted if not catalog.get(i))
    assert missing == [], f"untranslated (run pybabel update and translate): {missing[:10]}"


def test_gettext_answers_in_english_when_the_session_asks(app):
    from flask import session
    from flask_babel import gettext, refresh

    with app.test_request_context():
        session["lang"] = "en"
        refresh()
        assert gettext("Hộp công việc") == "Inbox"
        assert gettext("Đăng nhập") == "Log in"
