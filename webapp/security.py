"""Hardening at the edge: security headers, bad requests answered 400, capped logs, rate limits.

- Every response carries a Content-Security-Policy that fits Dash (scripts from this
  server plus the hashes of Dash's own inline scripts; inline styles, which Plotly and
  React use; images from data: URIs, which the board is), X-Content-Type-Options and
  frame protection.
- Requests that cannot be meant are answered 400 before any work (JSON on the API and
  on Dash's callback endpoint): a query string over MAX_QUERY_STRING, a path with a `..`
  segment, a callback body that is not the object the Dash renderer sends.
- A callback that fails on a value it was sent (a tampered store, a click on no square)
  is answered 400, with the failure in the log as a warning; the log caps every message.
- The write endpoints are rate limited per client (Flask-Limiter: Redis when REDIS_URL
  is set, else memory).
"""

from __future__ import annotations

import functools
import logging
from typing import Any
from urllib.parse import unquote

from flask import Flask, Response, current_app, request
from flask_limiter.util import get_remote_address

from webapp.settings import Settings

log = logging.getLogger(__name__)

MAX_QUERY_STRING = 6000
MAX_LOGGED_CHARS = 2000
MAX_LOGGED_TRACEBACK = 8000
DASH_UPDATE = "/_dash-update-component"


def capped(text: str, limit: int = MAX_LOGGED_CHARS) -> str:
    """At most `limit` characters: the head and the tail of a longer text, and the count."""
    if len(text) <= limit:
        return text
    keep = max(limit // 2 - 40, 10)
    return f"{text[:keep]} …[{len(text) - 2 * keep:,} characters cut]… {text[-keep:]}"


class CappedLogRecords(logging.Filter):
    """A handler filter that cuts over-long messages and tracebacks (values sent by clients)."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if len(message) > MAX_LOGGED_CHARS:
            record.msg, record.args = capped(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = capped(
                self._formatter.formatException(record.exc_info), MAX_LOGGED_TRACEBACK
            )
        elif record.exc_text:
            record.exc_text = capped(record.exc_text, MAX_LOGGED_TRACEBACK)
        return True


def cap_logs() -> None:
    """Cap what every handler of the root logger writes (idempotent)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, CappedLogRecords) for f in handler.filters):
            handler.addFilter(CappedLogRecords())


class BadCallbackInput(ValueError):
    """A dashboard callback failed on the values it was sent: a client error, answered 400."""


#: what a callback raises when a value it was sent is not one the page could have sent
INPUT_ERRORS = (TypeError, ValueError, KeyError, IndexError, AttributeError, AssertionError)


def guard_callbacks(dash_app: Any) -> None:
    """Make every registered callback answer 400 (not 500) when its inputs make it fail."""
    for output, entry in list(dash_app.callback_map.items()):
        original = entry.get("callback")
        if original is None or getattr(original, "_guarded", False):
            continue

        @functools.wraps(original)
        def guarded(*args: Any, _original: Any = original, _output: str = output, **kwargs: Any) -> Any:
            try:
                return _original(*args, **kwargs)
            except INPUT_ERRORS as error:
                if isinstance(error, BadCallbackInput):
                    raise
                log.warning("callback %s failed on the values it was sent: %r",
                            capped(_output, 200), error, exc_info=True)
                raise BadCallbackInput("the callback could not use the values it was sent") from None

        guarded._guarded = True  # type: ignore[attr-defined]
        entry["callback"] = guarded


def _callback_body_problem(body: Any, callback_map: dict[str, Any]) -> str | None:
    """Why a body is not one the Dash renderer sends, or None."""
    if not isinstance(body, dict):
        return "the callback request must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or "callback" not in callback_map.get(output, {}):
        return "the callback request names no server callback"  # unknown, or clientside
    for name in ("inputs", "state", "changedPropIds"):
        if name in body and not isinstance(body[name], list):
            return f"the callback request's {name} must be a list"
    if not isinstance(body.get("inputs"), list):
        return "the callback request has no inputs"
    entry = callback_map[output]
    for name in ("inputs", "state"):
        if len(body.get(name, [])) != len(entry.get(name, [])):
            return f"the callback request's {name} do not match the callback's"
    for item in [*body["inputs"], *body.get("state", [])]:
        entries = item if isinstance(item, list) else [item]
        for entry in entries:
            if not isinstance(entry, dict) or "id" not in entry or "property" not in entry:
                return "the callback request's inputs must be {id, property, value} objects"
    if not all(isinstance(p, str) for p in body.get("changedPropIds", [])):
        return "the callback request's changedPropIds must be strings"
    if "outputs" in body and not isinstance(body["outputs"], list | dict):
        return "the callback request's outputs must be a list or an object"
    return None


def _json_error(status: int, message: str) -> Response:
    from webapp.api.errors import error_response

    return error_response(status, message)  # type: ignore[no-any-return]


def _reject_bad_requests() -> Response | None:
    """400 for requests no page or script of ours sends (before any work is done)."""
    if len(request.query_string) > MAX_QUERY_STRING:
        name, value = max(request.args.items(multi=True), key=lambda item: len(item[1]),
                          default=("", ""))
        longest = f" ({capped(name, 40)} is {len(value):,} characters long)" if value else ""
        return _json_error(
            400, f"the query string is {len(request.query_string):,} bytes; at most "
                 f"{MAX_QUERY_STRING:,} are accepted{longest}"
        )
    path = unquote(request.path)
    if ".." in path.replace("\\", "/").split("/") or "\x00" in path:
        return _json_error(400, "paths may not contain '..' segments")
    if request.path == DASH_UPDATE and request.method == "POST":
        body = request.get_json(silent=True)
        dash_app = current_app.extensions.get("dash_app")
        problem = _callback_body_problem(body, dash_app.callback_map if dash_app else {})
        if problem is not None:
            return _json_error(400, problem)
        guard_callbacks(dash_app)  # Dash adds some callbacks at its first request
    return None


def content_security_policy(script_hashes: list[str]) -> str:
    """The CSP: what Dash needs and nothing else (no inline scripts but Dash's own)."""
    scripts = " ".join(["'self'", *script_hashes])  # Dash quotes its hashes
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",  # Plotly and React set styles inline
            "img-src 'self' data:",  # the board is a data: URI
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def register_security(server: Flask, settings: Settings) -> None:
    """Headers, early 400s, capped logs and the write endpoints' rate limit on `server`."""
    from dash.exceptions import DependencyException

    from webapp.extensions import limiter

    server.config.update(
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        RATELIMIT_SWALLOW_ERRORS=True,  # the cache server down: serve, unlimited, not 500
        RATELIMIT_HEADERS_ENABLED=True,
    )
    limiter.init_app(server)
    server.before_request(_reject_bad_requests)
    policy: dict[str, str] = {}

    @server.after_request
    def _headers(response: Response) -> Response:
        if "csp" not in policy:
            dash_app = server.extensions.get("dash_app")
            policy["csp"] = content_security_policy(list(dash_app.csp_hashes()) if dash_app else [])
        response.headers.setdefault("Content-Security-Policy", policy["csp"])
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @server.errorhandler(BadCallbackInput)
    def _bad_input(error: BadCallbackInput) -> Response:
        return _json_error(400, str(error))

    @server.errorhandler(DependencyException)
    def _no_such_script(_error: DependencyException) -> Response:
        return _json_error(404, "no such file")

    cap_logs()


def client_address() -> str:
    """The client a rate limit counts against (the proxy's X-Forwarded-For when trusted)."""
    return get_remote_address() or "unknown"


def export_rate_limit() -> str:
    """The configured limit on the PGN export, per client."""
    return str(current_app.extensions["settings"].export_rate_limit)


def write_rate_limit() -> str:
    """The configured limit on the write endpoints, per client."""
    return str(current_app.extensions["settings"].write_rate_limit)
