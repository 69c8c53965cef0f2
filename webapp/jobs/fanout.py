"""One import spread over the Celery workers: files (or one big file cut at game
boundaries) go one task each, each worker appending its own rows with no lock waits
between them (the write path only appends); one compaction follows when all are in."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from flask import Flask

from webapp.indexer.report import ImportReport
from webapp.indexer.streams import OVERSIZED, binary_blocks, game_texts, open_pgn


def split_pgn(path: str | Path, parts: int, out_dir: Path) -> list[Path]:
    """The games of `path` (any compression) in `parts` plain PGN files of about equal
    size, each game whole (each to the part with the fewest bytes so far); never more
    than one game held in memory."""
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = [out_dir / f"{Path(path).name.split('.')[0]}.part{n + 1}.pgn" for n in range(parts)]
    handles = [target.open("wb") for target in outputs]
    sizes = [0] * parts
    try:
        with open_pgn(path) as stream:
            for text, _last in game_texts(binary_blocks(stream)):
                if text == OVERSIZED:
                    continue
                part = sizes.index(min(sizes))
                data = text.rstrip(b"\r\n") + b"\n\n"
                handles[part].write(data)
                sizes[part] += len(data)
    finally:
        for handle in handles:
            handle.close()
    return [target for target in outputs if target.stat().st_size]


def report_json(report: ImportReport) -> dict[str, Any]:
    """An import report as plain values (a Celery task's result)."""
    return {
        "games_read": report.games_read,
        "imported": report.imported,
        "already_present": report.already_present,
        "moved": report.moved,
        "rows_written": report.rows_written,
        "skipped": dict(report.skipped),
        "notes": dict(report.notes),
    }


def report_from_json(data: dict[str, Any]) -> ImportReport:
    report = ImportReport(
        games_read=data["games_read"],
        imported=data["imported"],
        already_present=data["already_present"],
        moved=data.get("moved", 0),
        rows_written=data["rows_written"],
    )
    report.skipped = Counter(data["skipped"])
    report.notes = Counter(data["notes"])
    return report


def fan_out_import(
    app: Flask,
    paths: Sequence[str | Path],
    *,
    collection: str | None = None,
    progress: Callable[[ImportReport], None] | None = None,
    timeout_s: float = 24 * 3600,
) -> ImportReport:
    """Import the files on the Celery workers, one task a file; the combined report.

    Waits for every task; a task that fails raises its error here once the others have
    ended (what they imported stays: re-running the same import counts nothing twice).
    """
    from webapp.jobs.worker import import_file_task

    settings = app.extensions["settings"]
    started = time.monotonic()
    tasks = [
        import_file_task.delay(str(Path(path).resolve()), collection, settings.index_plies)
        for path in paths
    ]
    combined = ImportReport()
    combined_workers: set[str] = set()
    failures: list[str] = []
    pending = list(tasks)
    while pending and time.monotonic() - started < timeout_s:
        for task in list(pending):
            if not task.ready():
                continue
            pending.remove(task)
            try:
                result = task.get(propagate=True)
                combined_workers.add(str(result.get("worker", "")))
                combined.merge(report_from_json(result))
            except Exception as error:  # noqa: BLE001 - reported together below
                failures.append(f"{type(error).__name__}: {error}")
            if progress is not None:
                progress(combined)
        time.sleep(0.2)
    if pending:
        failures.append(f"{len(pending)} of {len(tasks)} parts did not finish in time")
    combined.finish()
    combined.workers = sorted(combined_workers)  # type: ignore[attr-defined]
    if failures:
        raise FanOutFailed("; ".join(failures), combined)
    return combined


class FanOutFailed(RuntimeError):
    """Some parts of a fanned-out import failed; `report` holds what the others did."""

    def __init__(self, message: str, report: ImportReport) -> None:
        super().__init__(message)
        self.report = report
