"""Errors as JSON with the right HTTP status: a clear message, never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from webapp.api.heavy import ServerBusy
from webapp.db.errors import timed_out
from webapp.db.players import PlayerIndexing
from webapp.model.deadline import WorkTooLong
from webapp.model.query import QueryError

#: seconds a client should wait before asking again about a player being indexed
INDEXING_RETRY_AFTER = 2
#: ... and after a request stopped at its time budget
BUSY_RETRY_AFTER = 30
#: ... and after finding every slot for long requests taken (webapp.api.heavy)
BUSY_RETRY_SOON = 5

log = logging.getLogger(__name__)
#: besides /api/...: answered in JSON (Dash's renderer reads its callback errors as JSON)
JSON_PATHS = ("/health", "/_dash-update-component")


#: an error message echoes what the client sent: at most this much of it
MAX_MESSAGE_CHARS = 500


def error_response(status: int, message: str):  # type: ignore[no-untyped-def]
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[: MAX_MESSAGE_CHARS - 1] + "…"
    response = jsonify({"error": message, "status": status})
    response.status_code = status
    return response


def _busy(message: str, *, retry_after: int = BUSY_RETRY_AFTER):  # type: ignore[no-untyped-def]
    """503 with Retry-After: the request was stopped at its time budget (or found no slot), not broken."""
    response = error_response(503, message)
    response.headers["Retry-After"] = str(retry_after)
    return response



def register_error_handlers(server: Flask) -> None:
    @server.errorhandler(QueryError)
    def _bad_query(error: QueryError):  # type: ignore[no-untyped-def]
        return error_response(400, str(error))

    @server.errorhandler(PlayerIndexing)
    def _indexing(error: PlayerIndexing):  # type: ignore[no-untyped-def]
        response = jsonify(
            {"indexing": {"player": error.player, "done": error.done, "total": error.total}}
        )
        response.status_code = 202
        response.headers["Retry-After"] = str(INDEXING_RETRY_AFTER)
        return response

    @server.errorhandler(ServerBusy)
    def _server_busy(error: ServerBusy):  # type: ignore[no-untyped-def]
        return _busy(str(error), retry_after=BUSY_RETRY_SOON)

    @server.errorhandler(WorkTooLong)
    def _too_long(error: WorkTooLong):  # type: ignore[no-untyped-def]
        return _busy(str(error))

    @server.errorhandler(OperationalError)
    def _database(error: OperationalError):  # type: ignore[no-untyped-def]
        if timed_out(error):
            seconds = server.extensions["settings"].statement_timeout_ms / 1000
            return _busy(f"the database took longer than this server allows ({seconds:g} s); "
                         "narrow the filters or try again later")
        return _unexpected(error)

    @server.errorhandler(HTTPException)
    def _http(error: HTTPException):  # type: ignore[no-untyped-def]
        if not request.path.startswith("/api/") and request.path not in JSON_PATHS:
            return error
        return error_response(error.code or 500, error.description or error.name)

    @server.errorhandler(Exception)
    def _unexpected(error: Exception):  # type: ignore[no-untyped-def]
        if isinstance(error, HTTPException):
            return _http(error)
        log.exception("unhandled error on %s", request.path[:200])
        return error_response(500, "internal error; the server log has the details")
