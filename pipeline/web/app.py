"""``ctsync serve``: the queue, each trial's page facts beside its changes, and the review form.

Safety, because trial text comes from a public registry and editors' browsers are logged in elsewhere:

- every template autoescapes; a ``Content-Security-Policy`` allows no script at all, inline or not;
- a POST carries a CSRF token that must equal the signed cookie the page set (403 otherwise, nothing
  recorded); a GET only reads;
- reads use the published copy; a review goes through the one writer path (``sync.review``, with the
  writer lock and ``--wait``) and holds the working database only for that write.

The app has no login of its own: it binds 127.0.0.1 and is meant to sit behind the team's reverse
proxy (README, "Editors in the browser").
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline import __version__, sync
from pipeline.errors import CtsyncError, DatabaseBusy, UsageError
from pipeline.fetch import NCT_ID
from pipeline.policy import CATEGORIES, SEVERITY_ORDER, Severity
from pipeline.settings import Settings
from pipeline.web import views

HERE = Path(__file__).parent
CSRF_COOKIE = "ctsync_csrf"
CSRF_FIELD = "csrf_token"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none';"
        " frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def templates() -> Environment:
    """The page templates; autoescape on for every file, so registry text is always text."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(severities=SEVERITY_ORDER, categories=CATEGORIES, version=__version__)
    return env


class Urls:
    """Links between pages: routes when served, relative file names in a static report."""

    def __init__(self, *, static: bool, depth: int = 0) -> None:
        self.static = static
        self.up = "../" * depth

    def queue(self, **query: str) -> str:
        if self.static:
            return f"{self.up}index.html"
        shown = {k: v for k, v in query.items() if v}
        return "/" + (f"?{urlencode(shown)}" if shown else "")

    def trial(self, nct_id: str) -> str:
        return f"{self.up}trials/{nct_id}.html" if self.static else f"/trials/{nct_id}"

    def css(self) -> str:
        return f"{self.up}static/style.css" if self.static else "/static/style.css"


class _SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def create_app(settings: Settings, secret: bytes | None = None) -> Starlette:
    """The editors' app over ``settings`` (the working database and its published copy)."""
    web = _Web(settings, secret or secrets.token_bytes(32))
    return Starlette(
        routes=[
            Route("/", web.queue),
            Route("/trials/{nct_id}", web.trial),
            Route("/trials/{nct_id}/review", web.review, methods=["POST"]),
            Route("/healthz", web.healthz),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[Middleware(_SecurityHeaders)],
        exception_handlers={404: web.not_found},
    )


class _Web:
    def __init__(self, settings: Settings, secret: bytes) -> None:
        self.settings = settings
        self.secret = secret
        self.env = templates()
        self.urls = Urls(static=False)

    # --- pages ----------------------------------------------------------------------------------

    def queue(self, request: Request) -> Response:
        params = request.query_params
        severity = _severity(params.get("severity", "minor"))
        category = params.get("category") or None
        if category not in (None, *CATEGORIES):
            category = None
        search = params.get("q", "")[:100]
        try:
            rows = views.queue_rows(self.settings, severity, category, search)
        except CtsyncError as exc:
            return self._problem(request, 503, "The database cannot be read", str(exc))
        reviewed = params.get("reviewed", "")
        return self._page(
            request,
            "queue.html",
            rows=rows,
            severity=severity,
            category=category or "",
            search=search,
            reviewed=reviewed if NCT_ID.fullmatch(reviewed) else "",
            reviewed_version=params.get("v", "") if params.get("v", "").isdigit() else "",
        )

    def trial(self, request: Request) -> Response:
        nct_id = request.path_params["nct_id"]
        if not NCT_ID.fullmatch(nct_id):
            return self._not_found_page(request, nct_id)
        return self._trial_page(request, nct_id)

    def _trial_page(self, request: Request, nct_id: str, status: int = 200, **extra: Any) -> Response:
        try:
            page = views.trial_page(self.settings, nct_id)
        except CtsyncError as exc:
            return self._problem(request, 503, "The database cannot be read", str(exc))
        if page is None:
            return self._not_found_page(request, nct_id)
        return self._page(request, "trial.html", status=status, page=page, **extra)

    async def review(self, request: Request) -> Response:
        nct_id = request.path_params["nct_id"]
        form = await request.form()
        token = str(form.get(CSRF_FIELD, ""))
        if not self._csrf_ok(token, request.cookies.get(CSRF_COOKIE, "")) or not _same_origin(request):
            return self._problem(
                request,
                403,
                "Review not recorded",
                "This form has expired or did not come from this site. Open the trial page again and"
                " resubmit.",
            )
        if not NCT_ID.fullmatch(nct_id):
            return self._not_found_page(request, nct_id)
        by = str(form.get("reviewed_by", "")).strip()[:200]
        note = str(form.get("note", "")).strip()[:2000] or None
        version_text = str(form.get("version", ""))
        if not version_text.isdigit():
            return self._problem(request, 400, "Review not recorded", "The form lost its version; reload it.")
        version = int(version_text)
        if not by:
            return self._trial_page(
                request, nct_id, 400, form_error="Enter your name: a review says who did it.", note=note or ""
            )
        return self._record_review(request, nct_id, by, note, version)

    def _record_review(
        self, request: Request, nct_id: str, by: str, note: str | None, version: int
    ) -> Response:
        try:
            sync.review(self.settings, [nct_id], by, note, version)
        except DatabaseBusy:
            return self._problem(
                request,
                503,
                "Database busy, review not recorded",
                "Another job (usually the nightly sync) is writing. Nothing was recorded: go back and submit"
                " again in a minute.",
            )
        except UsageError as exc:
            page = views.trial_page(self.settings, nct_id)
            if page is None:
                return self._not_found_page(request, nct_id)
            if page.version != version:
                return self._page(
                    request,
                    "trial.html",
                    status=409,
                    page=page,
                    race=version,
                    reviewed_by_value=by,
                    note=note or "",
                )
            return self._problem(request, 400, "Review not recorded", str(exc))
        target = self.urls.queue(reviewed=nct_id, v=str(version))
        return RedirectResponse(target, status_code=303)

    def healthz(self, request: Request) -> Response:
        try:
            message, fresh = views.freshness(self.settings)
        except CtsyncError as exc:
            return JSONResponse({"status": "error", "error": str(exc), "version": __version__}, 503)
        return JSONResponse(
            {"status": "ok", "fresh": fresh, "sync": message, "version": __version__},
        )

    async def not_found(self, request: Request, exc: Exception) -> Response:
        return self._problem(request, 404, "Page not found", "There is no page at this address.")

    # --- helpers --------------------------------------------------------------------------------

    def _not_found_page(self, request: Request, nct_id: str) -> Response:
        return self._problem(
            request,
            404,
            "Trial not found",
            f"{nct_id} is not in the database. `ctsync track add {nct_id}` and the next sync bring it in.",
        )

    def _problem(self, request: Request, status: int, title: str, message: str) -> Response:
        return self._page(request, "problem.html", status=status, title=title, message=message)

    def _page(self, request: Request, template: str, status: int = 200, **context: Any) -> Response:
        token = request.cookies.get(CSRF_COOKIE, "")
        new_cookie = not self._csrf_ok(token, token)
        if new_cookie:
            token = self._new_csrf()
        try:
            banner, fresh = views.freshness(self.settings)
        except CtsyncError:
            banner, fresh = "", True
        html = self.env.get_template(template).render(
            urls=self.urls,
            static=False,
            csrf_token=token,
            stale=None if fresh else banner,
            **context,
        )
        response = HTMLResponse(html, status_code=status)
        if new_cookie:
            response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
        return response

    def _new_csrf(self) -> str:
        nonce = secrets.token_urlsafe(24)
        return f"{nonce}.{self._sign(nonce)}"

    def _sign(self, nonce: str) -> str:
        return hmac.new(self.secret, nonce.encode(), hashlib.sha256).hexdigest()

    def _csrf_ok(self, token: str, cookie: str) -> bool:
        """The form's token equals the cookie, and the cookie was signed by this server."""
        nonce, _, signature = cookie.partition(".")
        return bool(
            token
            and nonce
            and hmac.compare_digest(token, cookie)
            and hmac.compare_digest(signature, self._sign(nonce))
        )


def _same_origin(request: Request) -> bool:
    """A browser's Origin header, when sent, names this host or the proxy's (a second line behind the
    token, which alone decides when no Origin is sent)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    hosts = {request.headers.get("host", ""), request.headers.get("x-forwarded-host", "")} - {""}
    return origin.split("://", 1)[-1] in hosts


def _severity(name: str) -> Severity:
    for severity in SEVERITY_ORDER:
        if severity == name:
            return severity
    return "minor"
