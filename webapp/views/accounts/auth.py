"""Sign-in, sign-out and the language switch."""

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_user, logout_user

from ...forms.auth import LoginForm
from ...i18n import LANGUAGES, local_datetime
from ...services import access, clock, uow
from ...services.accounts import sessions, sign_in
from ...web import allow, local_path, render

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None


@login_manager.user_loader
def load_user(cookie_id: str):
    return sessions.signed_in(cookie_id)


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
            session["since"] = clock.now().timestamp()  # and SESSION_ABSOLUTE_LIFETIME after this
            login_user(result.user)
            return redirect(local_path(request.args.get("next")) or url_for("inbox.index"))
        error = _("Sai tên đăng nhập hoặc mật khẩu.")
        if result.locked_until is not None:
            error = _(
                "Đăng nhập sai nhiều lần. Thử lại sau %(time)s.", time=local_datetime(result.locked_until)
            )
    return render("auth/login.html", form=form, error=error, status=200 if error is None else 401)


@bp.post("/logout")
@allow(access.SIGNED_IN)
def logout():
    with uow.command():
        sessions.sign_out(current_user)  # a copy of the cookie no longer works either
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
    return redirect(local_path(request.args.get("next")) or "/")


def init_app(app) -> None:
    login_manager.init_app(app)

    @app.before_request
    def end_sessions_past_their_lifetime():
        """However active, a session ends SESSION_ABSOLUTE_LIFETIME after signing in (the idle
        limit is the signed cookie's own age, PERMANENT_SESSION_LIFETIME)."""
        if "_user_id" not in session:
            return
        since = session.get("since")
        limit = app.config["SESSION_ABSOLUTE_LIFETIME"].total_seconds()
        if not isinstance(since, (int, float)) or clock.now().timestamp() - since > limit:
            session.clear()
