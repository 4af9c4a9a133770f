"""Sign-in, sign-out and the language switch."""

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_url, login_user, logout_user

from ...forms.auth import LoginForm, PasswordChangeForm
from ...i18n import LANGUAGES, message
from ...services import access, clock, uow
from ...services.accounts import sessions, sign_in, users
from ...services.errors import Invalid
from ...web import allow, is_htmx, landing, local_path, render
from ..errors import session_expired
from . import throttle

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None


@login_manager.user_loader
def load_user(cookie_id: str):
    return sessions.signed_in(cookie_id)


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
    error, status = None, 200
    if form.validate_on_submit():
        wait = throttle.wait_seconds(form.username.data)
        if wait:
            error, status = _("Đăng nhập sai nhiều lần. Thử lại sau %(n)s phút.", n=-(-wait // 60)), 429
        else:
            with uow.command():
                result = sign_in.authenticate(form.username.data, form.password.data)
            if result.user is not None:
                _start_session(result.user)
                return redirect(local_path(request.args.get("next")) or landing(result.user))
            throttle.failed(form.username.data)
            error, status = _("Sai tên đăng nhập hoặc mật khẩu."), 401
    response = render("auth/login.html", form=form, error=error, status=status)
    if status == 429:
        response.headers["Retry-After"] = str(wait)
    return response


def _start_session(user) -> None:
    session.clear()
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME of inactivity
    session["since"] = clock.now().timestamp()  # and SESSION_ABSOLUTE_LIFETIME after this
    login_user(user)


@bp.route("/account/password", methods=["GET", "POST"])
@allow(access.SIGNED_IN)
def change_password():
    """Every officer changes their own password here; after an administrator's reset, the
    first page they are sent to."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            with uow.command():
                me = current_user._get_current_object()  # the row, not the request's proxy
                user = users.change_own_password(me, form.current_password.data, form.new_password.data)
        except Invalid as exc:
            for name, problems in exc.fields.items():
                getattr(form, name).errors = [message(p) for p in problems]
        else:
            _start_session(user)  # every other session and token of theirs has ended
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(url_for("inbox.index"))
    status = 422 if form.errors else 200
    return render("auth/password.html", form=form, status=status)


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
    throttle.init_app(app)

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

    # After the lifetime check (registered first): the user is loaded only once the session holds.
    @app.before_request
    def password_change_first():
        """After an administrator's reset, nothing but changing the password (or signing out)."""
        if request.endpoint in ("auth.change_password", "auth.logout", "static", "auth.language"):
            return None
        if request.path.startswith("/api/") or not current_user.is_authenticated:
            return None
        if current_user.must_change_password:
            flash(_("Hãy đặt mật khẩu mới trước khi làm việc."), "info")
            return redirect(url_for("auth.change_password"))
        return None
