"""Small helpers every view uses: htmx detection, page-or-fragment rendering, the answer after a
change or to invalid input, files of a list, security headers."""

from collections.abc import Iterable
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from jinja2_fragments.flask import render_block

from .i18n import lang, message
from .services import access, clock, exports, uow
from .services.accounts import access_log
from .services.errors import ServiceError

csrf = CSRFProtect()

# No inline scripts or styles; nothing from another host (deployments sit on closed networks).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def allow(rule: access.Rule):
    """Declare a page's permission (services/access.py): a signed-out visitor goes to the sign-in
    page, a role outside the rule gets 403, before the view runs. Every route must have one."""

    def decorate(view):
        @wraps(view)
        def gate(*args, **kwargs):
            if not rule.public:
                if not current_user.is_authenticated:
                    return current_app.login_manager.unauthorized()
                if not rule.admits(current_user):
                    abort(403)
            return view(*args, **kwargs)

        gate.access_rule = rule
        return gate

    return decorate


def local_path(target: str | None) -> str | None:
    """`target` when it is a path on this host, else None: every redirect built from what a
    client sent (`next=`, a referrer) goes through here. A control character, whitespace or a
    backslash (browsers drop or turn them into "/", making "/\t/evil" a host), a scheme or a
    host, or a path that does not start with one "/" is refused."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def back_path() -> str | None:
    """The page the request came from, as a path on this host (`local_path`'s rules), or None."""
    referrer, host = request.referrer or "", request.host_url
    return local_path("/" + referrer[len(host) :]) if referrer.startswith(host) else None


def is_htmx() -> bool:
    """An htmx request that wants a fragment (a history restore after "back" wants the page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


# Where each role's work is: a supervisor watches progress, an administrator manages users,
# the production desk works its batches; everyone else starts from the inbox.
LANDING = {"supervisor": "progress.index", "admin": "admin.users", "production": "batches.index"}


def landing(user) -> str:
    return url_for(LANDING.get(getattr(user, "role", ""), "inbox.index"))


def form_version() -> int | None:
    """The case version a form was drawn from (hidden field `version`), or None: ASCII digits
    only ("²" is a digit to str.isdigit) and short enough to be a version."""
    value = request.form.get("version", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def render(template: str, block: str | None = None, status: int = 200, **context) -> Response:
    """The whole page, or for an htmx request the named block of the same template."""
    if block is not None and is_htmx():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.headers["Vary"] = "HX-Request"
    return response


def see_other(url: str) -> Response:
    """The answer after a change: 303 to the next page for a plain post; for htmx a full
    navigation there (HX-Redirect on a 204: a 3xx would be followed inside the request and htmx
    would never see it), so the flashed message shows on the page it leads to."""
    if is_htmx():
        return Response(status=204, headers={"HX-Redirect": url, "Vary": "HX-Request"})
    response = redirect(url, code=303)
    response.headers["Vary"] = "HX-Request"
    return response


def invalid_status() -> int:
    """The status of a form drawn again with its errors: htmx swaps only 2xx answers, a plain
    post gets the page back with 422."""
    return 200 if is_htmx() else 422


def field_errors(exc: ServiceError) -> dict[str, list[str]]:
    """A service's field errors in the page's language, by field name."""
    return {name: [message(p) for p in problems] for name, problems in exc.fields.items()}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_table(name: str, fmt: str, columns: list[exports.Column], rows: Iterable) -> Response:
    """A list as a file: `csv` streams, `xlsx` builds a workbook first; another format is a 404.
    Every file is recorded in the access log (who, which list, how many rows) in this request."""
    if fmt not in exports.FORMATS:
        abort(404)
    filename = f"{name}-{clock.today_local():%Y%m%d}.{fmt}"
    counted = _Counted(rows)
    if fmt == "csv":
        # The rows come from the database while the response streams: keep the request (and its
        # session) alive until the last chunk, then record how many left.
        decimal = "," if lang() == "vi" else "."
        response = Response(
            stream_with_context(_recorded(exports.csv_chunks(columns, counted, decimal), name, counted)),
            mimetype="text/csv",
        )
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    book = exports.xlsx_file(columns, counted)
    with uow.command():
        access_log.exported(current_user, name, counted.n)
    return send_file(book, mimetype=XLSX, as_attachment=True, download_name=filename)


class _Counted:
    """The rows of a file, counted as they are written."""

    def __init__(self, rows: Iterable):
        self.rows, self.n = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.n += 1
            yield row


def _recorded(chunks, name: str, counted: _Counted):
    """A streamed file's chunks; once the stream ends (or the client goes away part way), the
    access log holds how many rows were written, stamped with when the file started."""
    started = clock.now()
    try:
        yield from chunks
    finally:
        with uow.command():
            access_log.exported(current_user, name, counted.n, at=started)


class NavigationKeepsSession(SecureCookieSessionInterface):
    """Only what changes the session, or a page the browser navigates to, writes the cookie.
    Flask re-sends a permanent session's cookie with every response; a stylesheet, an icon or an
    htmx field check asked for before a form was sent and answered after it would put back the
    cookie as it was, without what the form's answer added (its "done" message). Pages and form
    posts keep the idle time running."""

    def should_set_cookie(self, app: Flask, session) -> bool:
        if session.modified:
            return True
        if request.endpoint == "static" or request.headers.get("HX-Request") == "true":
            return False
        return super().should_set_cookie(app, session)


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.session_interface = NavigationKeepsSession()
    app.jinja_env.globals["landing"] = landing

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"]:  # served over HTTPS only: browsers remember it
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if current_user.is_authenticated and not request.path.startswith("/static/"):
            # Pages with personal data are never kept by the browser or a proxy.
            response.headers["Cache-Control"] = "no-store"
        return response
