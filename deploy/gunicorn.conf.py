"""Gunicorn settings for the container (`gunicorn --config deploy/gunicorn.conf.py webapp:server`).

Sized from the environment so operators tune it without rebuilding: WEB_CONCURRENCY worker
processes, each with GUNICORN_THREADS threads (gthread). Every thread may hold one database
connection, so one web replica uses at most WEB_CONCURRENCY x GUNICORN_THREADS of them.
No preload: each worker builds its own app and connection pool after the fork.
"""

import os

from gunicorn.http.errors import LimitRequestLine
from gunicorn.util import write_nonblock
from gunicorn.workers.gthread import ThreadWorker

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Heartbeat files in memory: a container's overlay /tmp can stall them.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# Behind the compose proxy: trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
# No control socket: it would sit in $HOME (not writable for the container's user) and be
# shared by every gunicorn of that user on a host; `docker compose` signals do the job.
control_socket_disable = True

# Request lines up to gunicorn's maximum reach the app, which answers an over-long query
# string with a JSON 400 (webapp.security); a longer line gets the same kind of answer
# from the worker below instead of gunicorn's HTML 414.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190


class JsonErrorWorker(ThreadWorker):
    """gthread, answering a request line over limit_request_line with a JSON 400."""

    def handle_error(self, req, client, addr, exc):  # type: ignore[no-untyped-def]
        if not isinstance(exc, LimitRequestLine):
            return super().handle_error(req, client, addr, exc)
        self.log.warning("request line too long from %s: %s", (addr or ("?",))[0], str(exc)[:200])
        body = (
            b'{"error": "the request line is over 8190 bytes; send a shorter query string", '
            b'"status": 400}\n'
        )
        head = (
            b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
        )
        try:
            write_nonblock(client, head + body)
        except OSError:
            self.log.debug("Failed to send error message.")
        return None


worker_class = JsonErrorWorker  # gthread: GUNICORN_THREADS threads per worker


def on_starting(server) -> None:  # type: ignore[no-untyped-def]
    """Refuse to start without a real SECRET_KEY (it signs the dashboard's background-job
    handles), before any worker forks; the message says how to make one."""
    from webapp.secret_key import (
        MissingSecretKey,
        require_operator_token_set_or_real,
        require_secret_key,
    )

    try:
        require_secret_key(os.environ.get("SECRET_KEY"))
        require_operator_token_set_or_real(os.environ.get("OPERATOR_TOKEN"))
    except MissingSecretKey as error:
        raise SystemExit(str(error)) from None
