"""Gunicorn settings for the container (`gunicorn --config deploy/gunicorn.conf.py webapp:server`).

Sized from the environment so operators tune it without rebuilding: WEB_CONCURRENCY worker
processes, each with GUNICORN_THREADS threads (gthread). Every thread may hold one database
connection, so one web replica uses at most WEB_CONCURRENCY x GUNICORN_THREADS of them.
No preload: each worker builds its own app and connection pool after the fork.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
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
# string with a JSON 400 (webapp.security); only lines past 8190 bytes get gunicorn's 414.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190



def on_starting(server) -> None:  # type: ignore[no-untyped-def]
    """Refuse to start without a real SECRET_KEY (it signs the dashboard's background-job
    handles), before any worker forks; the message says how to make one."""
    from webapp.secret_key import MissingSecretKey, require_secret_key

    try:
        require_secret_key(os.environ.get("SECRET_KEY"))
    except MissingSecretKey as error:
        raise SystemExit(str(error)) from None
