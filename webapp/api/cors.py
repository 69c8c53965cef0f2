"""CORS on the read endpoints, so a browser tool on another origin can call them.

`CORS_ORIGINS` (Settings.cors_origins) lists the origins allowed; `*` (the default)
allows any. Only GET read endpoints carry the headers, and their preflight OPTIONS
requests are answered; nothing here allows credentials.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

#: the read endpoints that answer other origins (lichess's paths, their old names, our explorer)
CORS_PATHS = frozenset(
    {"/lichess", "/lichess/history", "/masters", "/master", "/player", "/personal", "/api/explorer"}
)
PREFLIGHT_MAX_AGE_S = 86400


def allowed_origin(origin: str | None, allowed: tuple[str, ...]) -> str | None:
    """The Access-Control-Allow-Origin value for a request from `origin`, or None.

    >>> allowed_origin("https://a.example", ("*",)), allowed_origin("https://a.example", ("https://b.example",))
    ('*', None)
    """
    if "*" in allowed:
        return "*"
    if origin and origin in allowed:
        return origin
    return None


def add_cors_headers(response: Response) -> Response:
    """Add the CORS headers to a read endpoint's response (also its errors and preflights)."""
    if request.path not in CORS_PATHS:
        return response
    allowed = current_app.extensions["settings"].cors_origins
    if "*" not in allowed:
        response.vary.add("Origin")
    value = allowed_origin(request.headers.get("Origin"), allowed)
    if value is None:
        return response
    response.headers["Access-Control-Allow-Origin"] = value
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
        asked = request.headers.get("Access-Control-Request-Headers")
        if asked:
            response.headers["Access-Control-Allow-Headers"] = asked
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE_S)
    return response


def register_cors(server: Flask) -> None:
    server.after_request(add_cors_headers)
