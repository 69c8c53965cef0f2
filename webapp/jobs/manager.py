"""The Dash background-callback manager: diskcache in the embedded mode, Celery in compose."""

from __future__ import annotations

from pathlib import Path

from webapp.settings import Settings


def background_manager(settings: Settings):  # type: ignore[no-untyped-def]
    """A DiskcacheManager (no services needed), or a CeleryManager when JOB_QUEUE=celery."""
    from dash import CeleryManager, DiskcacheManager

    if settings.job_queue == "celery":
        from webapp.jobs.worker import celery_app

        return CeleryManager(celery_app)
    import diskcache

    Path(settings.jobs_dir).mkdir(parents=True, exist_ok=True)
    return DiskcacheManager(diskcache.Cache(settings.jobs_dir))
