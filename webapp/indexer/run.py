"""`python -m webapp import FILE... [--plies N] [--lichess USER] [--chesscom USER]`.

Prints a progress line on stderr about once a second on a terminal (every 5 s into a log):
games read, imported, already present, skipped, games/s; and at the end a summary with
the skips by reason. Exit codes: 0 done; 1 a file could not be read, is not PGN, or is a
compressed file cut short (its games before the cut are imported), or account import is
unavailable; 2 bad arguments; 130 interrupted (batches already committed stay; run the
same command again to finish — nothing is counted twice).
"""

from __future__ import annotations

import argparse
import importlib
import io
import sys
import time
from pathlib import Path
from typing import TextIO

from flask import Flask

from webapp.indexer.compact import compact
from webapp.indexer.pgn import import_pgn_files
from webapp.indexer.report import ImportReport
from webapp.indexer.streams import TruncatedFile, UnreadableFile
from webapp.model.collections import CollectionNameError, check_collection_name


class _StatusLine:
    """One status line on `stream`: rewritten in place on a terminal, a new line each time
    into a log."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last = 0.0  # when a line was last written (0: none yet)

    def write(self, line: str, now: float) -> None:
        self.last = now
        self.stream.write("\r\x1b[K" + line if self.tty else line + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty and self.last:
            self.stream.write("\n")
            self.stream.flush()


class ProgressPrinter(_StatusLine):
    """A progress callback writing one line at most every `interval` seconds, and one at
    once when the import's stage changes (ImportReport.stage)."""

    def __init__(self, stream: TextIO = sys.stderr, interval: float = 1.0) -> None:
        super().__init__(stream)
        self.interval = interval if self.tty else max(interval, 5.0)
        self.stage = ""

    def __call__(self, report: ImportReport) -> None:
        now = time.monotonic()
        if now - self.last < self.interval and report.stage == self.stage:
            return
        self.stage = report.stage
        self.write(report.progress_line(), now)


class CompactionPrinter(_StatusLine):
    """A compaction's progress callback (webapp.indexer.compact): on a terminal one line
    rewritten as each key range is done, into a log a line every `interval` seconds and
    at the last range."""

    def __init__(self, stream: TextIO = sys.stderr, interval: float = 5.0) -> None:
        super().__init__(stream)
        self.interval = 0.0 if self.tty else interval
        self.started = time.monotonic()
        self.ranges = "no key range yet"

    def __call__(self, done: int, ranges: int) -> None:
        now = time.monotonic()
        if now - self.last < self.interval and done < ranges:
            return
        self.ranges = f"{done} of {ranges} key ranges"
        self.write(f"compacting the statistics: {self.ranges}, {now - self.started:.0f} s", now)

    def step(self, step: str) -> None:
        """A step before or after the key ranges (compact's `steps`), written at once: it
        may take a while (the busiest positions' summaries, merging large runs of one-game
        rows)."""
        now = time.monotonic()
        self.write(f"compacting the statistics: {self.ranges}, {now - self.started:.0f} s; {step}…", now)


def _check_files(files: list[str]) -> str | None:
    for name in files:
        path = Path(name)
        if not path.is_file():
            return f"cannot read {name}: no such file"
        try:
            with path.open("rb"):
                pass
        except OSError as error:
            return f"cannot read {name}: {error.strerror or error}"
    return None


def _import_accounts(app: Flask, args: argparse.Namespace, progress: ProgressPrinter) -> int:
    wanted = [("lichess", name) for name in args.lichess] + [
        ("chesscom", name) for name in args.chesscom
    ]
    if not wanted:
        return 0
    try:
        accounts = importlib.import_module("webapp.indexer.sources.accounts")
        errors = importlib.import_module("webapp.indexer.sources.errors")
    except ImportError:
        print("Account import is not available in this version.", file=sys.stderr)
        return 1
    status = 0
    for source, name in wanted:
        try:
            report = accounts.import_account(app, source, name, progress)
        except errors.AccountImportError as error:
            progress.done()
            print(f"{source} {name}: {error}", file=sys.stderr)
            status = 1
            continue
        progress.done()
        summary = report.summary() if hasattr(report, "summary") else str(report)
        print(f"{source} {name}: {summary}")
    return status


def _fan_out(app: Flask, args: argparse.Namespace, collection: str | None, progress: ProgressPrinter) -> ImportReport | None:
    """The files over the Celery workers, each cut into --fan-out parts at game boundaries."""
    import tempfile

    from webapp.jobs.fanout import FanOutFailed, fan_out_import, split_pgn

    settings = app.extensions["settings"]
    if settings.job_queue != "celery":
        print("--fan-out needs the Celery workers: set JOB_QUEUE=celery and REDIS_URL.", file=sys.stderr)
        return None
    Path(settings.jobs_dir).mkdir(parents=True, exist_ok=True)
    # the parts go to JOBS_DIR, which the workers share (a volume in compose), so the
    # input files need only be readable here
    with tempfile.TemporaryDirectory(dir=settings.jobs_dir, prefix="fan-out-") as folder:
        paths: list[str] = []
        for number, name in enumerate(args.files):
            target = Path(folder) / str(number)
            paths += [str(p) for p in split_pgn(name, max(1, args.fan_out), target)]
        try:
            return fan_out_import(app, paths, collection=collection, progress=progress)
        except FanOutFailed as error:
            progress.done()
            print(f"{error}. What the other parts imported stays; run it again to finish.", file=sys.stderr)
            print(error.report.summary())
            raise SystemExit(1) from None


def run_import_command(app: Flask, args: argparse.Namespace) -> int:
    """Run the import subcommand inside the app's context; returns the exit code."""
    from webapp.extensions import db

    settings = app.extensions["settings"]
    plies = settings.index_plies if args.plies is None else args.plies
    if plies < 1:
        print("--plies must be at least 1", file=sys.stderr)
        return 2
    if not args.files and not args.lichess and not args.chesscom:
        print("Nothing to import: give PGN files, --lichess USER or --chesscom USER.", file=sys.stderr)
        return 2
    problem = _check_files(args.files)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    collection = None
    if getattr(args, "collection", None):
        try:
            collection = check_collection_name(args.collection)
        except CollectionNameError as error:
            print(f"--collection: {error}", file=sys.stderr)
            return 2
    progress = ProgressPrinter(io.StringIO() if args.quiet else sys.stderr)
    try:
        if args.files and getattr(args, "fan_out", 0):
            report = _fan_out(app, args, collection, progress)
            if report is None:
                return 2
            progress.done()
            print(report.summary())
        elif args.files:
            report = import_pgn_files(
                db.engine,
                args.files,
                index_plies=plies,
                progress=progress,
                compact_every=settings.compact_every_games,
                summarize_every=settings.summarize_every_games,
                collection=collection,
            )
            progress.done()
            print(report.summary())
        status = _import_accounts(app, args, progress)
        compacting = None if args.quiet else CompactionPrinter()
        try:
            print(compact(db.engine, progress=compacting, steps=compacting and compacting.step).summary())
        finally:
            if compacting is not None:
                compacting.done()
        return status
    except UnreadableFile as error:
        progress.done()
        report = getattr(error, "report", None)
        if report is not None and report.games_read:
            print(report.summary())
        if isinstance(error, TruncatedFile):
            print(f"{error}. The games before the cut are imported.", file=sys.stderr)
        else:  # the games before it (earlier files, that file up to the fault) are in
            landed = f" The {report.imported:,} games imported before it stay." if report and report.imported else ""
            print(f"{error}.{landed}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        progress.done()
        print(
            "Interrupted. Batches already committed stay; run the same command again to "
            "finish (nothing is counted twice).",
            file=sys.stderr,
        )
        return 130
