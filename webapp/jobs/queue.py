"""Enqueue an account import after the row that records it has committed."""

from __future__ import annotations

from flask import Flask

from webapp.jobs.imports import create_import_job


def enqueue_import(app: Flask, source: str, username: str) -> int:
    """Record the job (committed), then hand it to the worker: Celery, or a thread here.

    The order matters: the worker reads the job row, so it must exist before the worker
    can possibly start.
    """
    from webapp.extensions import db

    with app.app_context():
        job_id = create_import_job(db.engine, source, username)  # committed on return
    settings = app.extensions["settings"]
    if settings.job_queue == "celery":
        from webapp.jobs.worker import import_account_task

        import_account_task.delay(job_id)
    else:
        import threading

        from webapp.jobs.imports import run_import_job

        threading.Thread(target=run_import_job, args=(app, job_id), daemon=True).start()
    return job_id
