"""Account imports as jobs: a row in import_jobs records each one before it is enqueued.

`create_import_job` commits the row and only then returns its id, so whatever enqueues the
work (a Dash background callback, a Celery task) does so after the commit and the worker
always finds the row. `run_import_job` runs one, keeping the row's progress current and
stopping between months or pages when the row is marked cancelled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import Engine, select, update

from webapp.db.tables import import_jobs
from webapp.indexer.sources.accounts import (
    ACCOUNT_SOURCES,
    AccountImportReport,
    ImportCancelled,
    import_account,
    normalise_username,
)
from webapp.indexer.sources.errors import AccountImportError
from webapp.indexer.sources.state import force_release, utcnow

FINISHED = ("done", "failed", "cancelled")


@dataclass(frozen=True)
class JobStatus:
    id: int
    source: str
    name: str
    status: str  # queued | running | done | failed | cancelled
    done: int
    total: int
    unit: str
    games_added: int
    message: str | None


def create_import_job(engine: Engine, source: str, username: str) -> int:
    """Record a queued import of source:username; committed when this returns."""
    if source not in ACCOUNT_SOURCES:
        raise AccountImportError(f"unknown source {source!r}; use lichess or chesscom")
    name = normalise_username(username)
    with engine.begin() as connection:
        return connection.execute(
            import_jobs.insert().values(source=source, name=name, status="queued")
            .returning(import_jobs.c.id)
        ).scalar_one()


def job_status(engine: Engine, job_id: int) -> JobStatus | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(import_jobs.c.id, import_jobs.c.source, import_jobs.c.name, import_jobs.c.status,
                   import_jobs.c.done, import_jobs.c.total, import_jobs.c.unit,
                   import_jobs.c.games_added, import_jobs.c.message)
            .where(import_jobs.c.id == job_id)
        ).first()
    return JobStatus(*row) if row else None


def _update(engine: Engine, job_id: int, **values: object) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(import_jobs).where(import_jobs.c.id == job_id).values(updated_at=utcnow(), **values)
        )


def cancel_import_job(engine: Engine, job_id: int) -> None:
    """Mark the job cancelled and free its account (a killed worker's transaction rolled back)."""
    status = job_status(engine, job_id)
    if status is None or status.status in FINISHED:
        return
    _update(engine, job_id, status="cancelled", message="cancelled")
    force_release(engine, status.source, status.name, "cancelled")


def run_import_job(
    app: Flask, job_id: int, set_progress: Callable[[AccountImportReport], None] | None = None
) -> JobStatus:
    """Run a recorded job to the end; its row says how it went (never raises for import errors)."""
    from webapp.extensions import db

    with app.app_context():
        engine = db.engine
        job = job_status(engine, job_id)
        if job is None:
            raise LookupError(f"import job {job_id} does not exist")
        if job.status != "queued":
            return job
        _update(engine, job_id, status="running")

        def progress(report: AccountImportReport) -> None:
            _update(engine, job_id, done=report.done, total=report.total, unit=report.unit,
                    games_added=report.imported)
            if set_progress is not None:
                set_progress(report)

        def cancelled() -> bool:
            current = job_status(engine, job_id)
            return current is not None and current.status == "cancelled"

        try:
            report = import_account(app, job.source, job.name, progress, cancelled=cancelled)
        except ImportCancelled as error:
            _update(engine, job_id, status="cancelled", message=str(error))
        except AccountImportError as error:
            landed = error.report.imported if error.report is not None else 0
            _update(engine, job_id, status="failed", message=str(error), games_added=landed)
        else:
            _update(engine, job_id, status="done", done=report.done, total=report.total,
                    games_added=report.imported, message=describe(report))
        final = job_status(engine, job_id)
        assert final is not None
        return final


def describe(report: AccountImportReport) -> str:
    """One line for the page: what was imported and skipped."""
    skipped = ", ".join(f"{count} {reason}" for reason, count in sorted(report.skipped.items()))
    text = (
        f"{report.source}:{report.username}: {report.imported} new games imported, "
        f"{report.already_present} already there"
    )
    return text + (f"; skipped {skipped}" if skipped else "") + "."
