"""Small helpers every view uses: htmx detection, page-or-fragment rendering, security headers."""

from flask import Flask, Response, make_response, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from jinja2_fragments.flask import render_block

csrf = CSRFProtect()

# No inline scripts or styles; nothing from another host (deployments sit on closed networks).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def is_htmx() -> bool:
    """An htmx request that wants a fragment (a history restore after "back" wants the page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


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


def init_app(app: Flask) -> None:
    csrf.init_app(app)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if current_user.is_authenticated and not request.path.startswith("/static/"):
            # Pages with personal data are never kept by the browser or a proxy.
            response.headers["Cache-Control"] = "no-store"
        return response
