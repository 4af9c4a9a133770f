"""Sign-in, sign-out and the language switch."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, login_url, login_user, logout_user

from ...forms.auth import LoginForm
from ...i18n import LANGUAGES, local_datetime
from ...services import access, uow
from ...services.accounts import sign_in, users
from ...web import allow, is_htmx, landing, render
from ..errors import session_expired

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None


@login_manager.user_loader
def load_user(user_id: str):
    return users.signed_in(user_id)


@login_manager.unauthorized_handler
def unauthorized():
    """A page asks to sign in first; an htmx request (a form sent after the session expired)
    gets a 401 the page answers with a sign-in dialog, so the typed input is not lost."""
    if is_htmx():
        return session_expired("signin")
    return redirect(login_url("auth.login", request.url))


@bp.route("/login", methods=["GET", "POST"])
@allow(access.PUBLIC)
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        with uow.command():
            result = sign_in.authenticate(form.username.data, form.password.data)
        if result.user is not None:
            session.clear()
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME of inactivity
            login_user(result.user)
            return redirect(_safe_next() or landing(result.user))
        error = _("Sai tên đăng nhập hoặc mật khẩu.")
        if result.locked_until is not None:
            error = _(
                "Đăng nhập sai nhiều lần. Thử lại sau %(time)s.", time=local_datetime(result.locked_until)
            )
    return render("auth/login.html", form=form, error=error, status=200 if error is None else 401)


def _safe_next() -> str | None:
    target = request.args.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else None


@bp.post("/logout")
@allow(access.SIGNED_IN)
def logout():
    logout_user()
    session.clear()
    flash(_("Đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/lang/<code>")
@allow(access.PUBLIC)
def language(code: str):
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    return redirect(_safe_next() or "/")


def init_app(app) -> None:
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(minutes=30))
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    login_manager.init_app(app)
