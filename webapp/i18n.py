"""Languages: Vietnamese first (the source strings), English second. Dates dd/mm/yyyy in
Asia/Ho_Chi_Minh; everything is stored in UTC."""

from datetime import date, datetime

from flask import Flask, g, has_app_context, session
from flask_babel import Babel, format_decimal, get_locale, get_translations

from vntime import LOCAL_TZ

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
babel = Babel()


def select_locale() -> str:
    lang = session.get("lang")
    return lang if lang in LANGUAGES else "vi"


def lang() -> str:
    return str(get_locale() or "vi")


def local_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    return value.strftime("%d/%m/%Y")


def local_datetime(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def message(value) -> str:
    """A service message (Vietnamese and English) in the page's language."""
    return value.get(lang()) if hasattr(value, "get") and hasattr(value, "vi") else str(value)


def translations():
    """The request's translations, looked up once per request (or app context) instead of on
    every string: a page of 50 inbox rows asks for a few hundred."""
    if not has_app_context():
        return get_translations()
    found = g.get("_translations")
    if found is None:
        found = g._translations = get_translations()
    return found


def gettext(text: str) -> str:
    return translations().ugettext(text)


def number(value) -> str:
    """A count written the page's way: 1.012 in Vietnamese, 1,012 in English."""
    return "" if value is None else format_decimal(value)


def today() -> date:
    """Today in Vietnam, for pages comparing a date with it (a statutory due date)."""
    return datetime.now(LOCAL_TZ).date()


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "vi")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")
    babel.init_app(app, locale_selector=select_locale)
    # The same callables as Flask-Babel's, reading the request's translations once.
    app.jinja_env.install_gettext_callables(
        gettext=gettext,
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.filters.update(d=local_date, dt=local_datetime, msg=message, num=number)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, lang=lang, local_today=today)
