"""Import a player's games by username, incrementally, from chess.com or lichess.

`import_account(app, source, username)` fetches only what is new since the last import
(chess.com: the months after the last complete one; lichess: games since the last one
that landed), loads each month or page as a whole through `webapp.indexer.load.import_games`
and records how far it got only after that has committed, so a failure leaves whole games
and an honest resume point. One import per account at a time (a lock row).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import Engine

from webapp.indexer.compact import compact
from webapp.indexer.games import GameRecord
from webapp.indexer.reindex import track_account
from webapp.indexer.report import ImportReport
from webapp.indexer.sources import chesscom, lichess, state
from webapp.indexer.sources.errors import (
    AccountImportError,
    ImportAlreadyRunning,
    UserNotFound,
)
from webapp.indexer.sources.http import SiteClient
from webapp.indexer.sources.throttle import site_slot

ACCOUNT_SOURCES = ("lichess", "chesscom")
LICHESS_PAGE = 500  # games loaded per transaction from the lichess stream


class ImportCancelled(AccountImportError):
    """The job was cancelled between two months or pages; what landed stays."""


@dataclass
class AccountImportReport(ImportReport):
    """An ImportReport with the account's progress: `done` of `total` months or games."""

    source: str = ""
    username: str = ""
    unit: str = "months"
    done: int = 0
    total: int = 0
    step: str = ""

    def progress_line(self) -> str:
        of = f" of {self.total:,}" if self.total else ""
        return f"{self.source}:{self.username}: {self.done:,}{of} {self.unit}; " + super().progress_line()


Progress = Callable[[AccountImportReport], None]


def normalise_username(username: str) -> str:
    name = username.strip()
    if not name or len(name) > 60 or not all(c.isalnum() or c in "_-" for c in name):
        raise AccountImportError(
            f"{username!r} is not a username: use 1 to 60 letters, digits, _ and -"
        )
    return name.lower()


def import_account(
    app: Flask,
    source: str,
    username: str,
    progress: Progress | None = None,
    *,
    cancelled: Callable[[], bool] | None = None,
    perf_type: str | None = None,
    max_games: int | None = None,
    sleep: Callable[[float], None] | None = None,
) -> AccountImportReport:
    """Import what is new for `source:username`; raise AccountImportError saying what failed.

    The error's `report` holds the counts of what landed before it.
    """
    from webapp.extensions import db

    if source not in ACCOUNT_SOURCES:
        raise AccountImportError(f"unknown source {source!r}; use lichess or chesscom")
    name = normalise_username(username)
    settings = app.extensions["settings"]
    report = AccountImportReport(source=source, username=name)
    with app.app_context():
        engine = db.engine
        token = uuid.uuid4().hex
        if not state.acquire_lock(engine, source, name, token):
            raise ImportAlreadyRunning(
                f"an import of {source}:{name} is already running; its games will appear "
                "when it finishes",
                report,
            )
        error_text: str | None = None
        run = _Run(app, engine, source, name, token, report, progress, cancelled,
                   settings.index_plies)
        base = settings.chesscom_api_url if source == "chesscom" else settings.lichess_api_url
        client = SiteClient(base, **({"sleep": sleep} if sleep else {}))
        try:
            site = "chess.com" if source == "chesscom" else "lichess"
            track_account(engine, source, name, index_plies=settings.index_plies)
            with site_slot(settings.jobs_dir, source,
                           waiting=lambda: run.tell(f"waiting for another {site} import")):
                if source == "chesscom":
                    _import_chesscom(run, client)
                else:
                    _import_lichess(run, client, perf_type=perf_type, max_games=max_games)
        except UserNotFound as error:
            error_text = str(error)
            _remember_requested(engine, f"{source}:{name}")
            error.report = report.finish()
            raise
        except AccountImportError as error:
            error_text = str(error)
            error.report = report.finish()
            raise
        except Exception as error:
            error_text = f"{source}:{name}: unexpected {type(error).__name__}: {error}"
            raise AccountImportError(error_text, report.finish()) from error
        finally:
            client.close()
            state.release_lock(engine, source, name, token, error_text)
            if report.imported:
                from webapp.caching import bump_generation

                compact(engine)
                bump_generation()
        if report.games_read or report.imported:
            _forget_requested(engine, source, name)
        return report.finish()


@dataclass
class _Run:
    app: Flask
    engine: Engine
    source: str
    name: str
    token: str
    report: AccountImportReport
    progress: Progress | None
    cancelled: Callable[[], bool] | None
    index_plies: int

    def tell(self, step: str) -> None:
        self.report.step = step
        if self.progress is not None:
            self.progress(self.report)

    def check_cancelled(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise ImportCancelled(
                f"import of {self.source}:{self.name} cancelled after {self.report.done} "
                f"{self.report.unit}; {self.report.imported} games imported",
                self.report,
            )

    def load(self, records: list[GameRecord], skipped: dict[str, int]) -> int:
        """Load one month or page in one go; returns the non-standard games skipped."""
        from webapp.indexer.load import import_games

        # one transaction for the whole month or page: it lands whole or not at all
        loaded = import_games(self.engine, records, index_plies=self.index_plies,
                              batch_size=max(len(records), 1))
        self.report.merge(loaded)
        variants = 0
        for reason, count in skipped.items():
            self.report.skip(reason, count)
            self.report.games_read += count
            if reason.startswith("non-standard"):
                variants += count
        return variants


def _import_chesscom(run: _Run, client: SiteClient) -> None:
    run.report.unit = "months"
    run.tell("listing months")
    months = chesscom.archive_months(client, run.name)
    known = state.load_state(run.engine, run.source, run.name)
    todo = [m for m in months if m > known.last_complete_month]
    run.report.total = len(todo)
    current = _current_month()
    run.tell(f"{len(todo)} months to fetch")
    for month in todo:
        run.check_cancelled()
        run.tell(f"fetching {chesscom.month_label(month)}")
        games = chesscom.fetch_month(client, run.name, month)
        records, skipped = chesscom.records_from_month(games)
        before = run.report.imported
        variants = run.load(records, skipped)
        state.record_progress(
            run.engine, run.source, run.name, run.token,
            games=run.report.imported - before,
            skipped_variants=variants,
            last_complete_month=month if month < current else None,
        )
        run.report.done += 1
        run.tell(f"{chesscom.month_label(month)} done")


def _import_lichess(
    run: _Run, client: SiteClient, *, perf_type: str | None, max_games: int | None
) -> None:
    run.report.unit = "games"
    run.tell("looking up the account")
    known = state.load_state(run.engine, run.source, run.name)
    count = lichess.user_game_count(client, run.name)
    if count is not None:
        remaining = max(count - known.games_imported - known.skipped_variants, 0)
        run.report.total = min(remaining, max_games) if max_games else remaining
    since = known.last_game_ms + 1 if known.last_game_ms else None
    stream = lichess.stream_games(
        client, run.name, since_ms=since, perf_type=perf_type, max_games=max_games
    )
    page: list[dict[str, Any]] = []
    try:
        for game in stream:
            page.append(game)
            if len(page) >= LICHESS_PAGE:
                batch, page = page, []
                _load_lichess_page(run, batch)
                run.check_cancelled()
    finally:
        # the whole games that arrived before a failure still land
        if page:
            batch, page = page, []
            _load_lichess_page(run, batch)


def _load_lichess_page(run: _Run, page: Iterable[dict[str, Any]]) -> None:
    records: list[GameRecord] = []
    skipped: dict[str, int] = {}
    newest = 0
    for game in page:
        created = game.get("createdAt")
        if isinstance(created, int):
            newest = max(newest, created)
        outcome = lichess.record_from_game(game)
        if isinstance(outcome, str):
            skipped[outcome] = skipped.get(outcome, 0) + 1
        else:
            records.append(outcome)
    before = run.report.imported
    variants = run.load(records, skipped)
    state.record_progress(
        run.engine, run.source, run.name, run.token,
        games=run.report.imported - before,
        skipped_variants=variants,
        last_game_ms=newest or None,
    )
    run.report.done += len(records) + sum(skipped.values())
    run.report.total = max(run.report.total, run.report.done)
    run.tell(f"{run.report.done:,} games")


def _current_month() -> int:
    today = datetime.now(UTC)
    return today.year * 100 + today.month


def _remember_requested(engine: Engine, player: str) -> None:
    from webapp.db.players import record_requested_player

    with engine.begin() as connection:
        record_requested_player(connection, player)


def _forget_requested(engine: Engine, source: str, name: str) -> None:
    from webapp.db.players import forget_requested_player

    with engine.begin() as connection:
        forget_requested_player(connection, source, name)
