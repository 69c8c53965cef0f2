"""The Celery worker of the compose deployment (JOB_QUEUE=celery, broker and backend REDIS_URL).

Run it with `celery --app webapp.jobs.worker:celery_app worker --loglevel INFO`. At start
it builds the app once, which registers the dashboard's background callbacks (account
imports) as tasks; `import_account_task` runs a job recorded by create_import_job.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import worker_init

from webapp.settings import Settings

_settings = Settings.from_env()
_broker = _settings.redis_url or "redis://127.0.0.1:6379/0"

celery_app = Celery("webapp", broker=_broker, backend=_broker)
celery_app.conf.update(
    task_acks_late=False,  # a killed import is not re-run behind the user's back
    worker_prefetch_multiplier=1,  # imports are long: one at a time per process
    broker_connection_retry_on_startup=True,
    # the scheduler service (celery beat) compacts the statistics now and then; safe to
    # overlap with imports and with another compaction
    beat_schedule={
        "compact-statistics": {"task": "webapp.compact", "schedule": float(_settings.compact_every_s)},
    },
)

_app: Any = None


def worker_app() -> Any:
    """The Flask app of this worker process, built on first use."""
    global _app
    if _app is None:
        from webapp import create_app

        _app = create_app(_settings, dashboard=True)
    return _app


@worker_init.connect
def _register_dashboard_tasks(**_kwargs: Any) -> None:
    worker_app()


@celery_app.task(name="webapp.import_account")
def import_account_task(job_id: int) -> str:
    """Run one recorded account import; returns its final status."""
    from webapp.jobs.imports import run_import_job

    return run_import_job(worker_app(), job_id).status


@celery_app.task(name="webapp.index_players")
def index_players_task(player_ids: list[int]) -> int:
    """Count the stored games of players asked about into their statistics."""
    from webapp.jobs.player_index import run_indexing

    return run_indexing(worker_app(), tuple(player_ids))


@celery_app.task(name="webapp.import_file")
def import_file_task(path: str, collection: str | None, index_plies: int) -> dict[str, Any]:
    """Import one PGN file (a part of a fanned-out import); its report as plain values."""
    from webapp.extensions import db
    from webapp.indexer.pgn import import_pgn_files
    from webapp.jobs.fanout import report_json

    app = worker_app()
    with app.app_context():
        report = import_pgn_files(db.engine, [path], index_plies=index_plies, collection=collection)
    return {**report_json(report), "worker": import_file_task.request.hostname}


@celery_app.task(name="webapp.compact")
def compact_task() -> str:
    """Compact the statistics rows imports appended (webapp.indexer.compact)."""
    from webapp.extensions import db
    from webapp.indexer.compact import compact

    app = worker_app()
    with app.app_context():
        return compact(db.engine).summary()
