"""Getting games in from the page: a PGN upload, imported in the background with progress.

`decode_upload` turns dcc.Upload's data URL into text (plain, .gz, .bz2 or .zst);
`import_upload` runs the PGN importer on it, into the collection named (`upload_collection`)
or each game's site's, and reports how far it got.
"""

from __future__ import annotations

import base64
import bz2
import gzip
import io
import time
from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask import Flask

from webapp.dashboard import ids
from webapp.model.collections import CollectionNameError, check_collection_name

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
PROGRESS_EVERY_S = 0.25


class UploadError(ValueError):
    """An upload that cannot be read as PGN; the message says why."""


def decode_upload(contents: str, filename: str | None) -> str:
    """The PGN text inside dcc.Upload's `data:...;base64,...` contents."""
    try:
        _, encoded = contents.split(",", 1)
        raw = base64.b64decode(encoded, validate=False)
    except (ValueError, AttributeError):
        raise UploadError("the upload could not be read; please try again") from None
    name = (filename or "").lower()
    try:
        if name.endswith(".gz") or raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        elif name.endswith(".bz2") or raw[:3] == b"BZh":
            raw = bz2.decompress(raw)
        elif name.endswith(".zst") or raw[:4] == b"\x28\xb5\x2f\xfd":
            import zstandard

            raw = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw)).read()
    except (OSError, EOFError, ValueError) as error:
        raise UploadError(f"{filename} looks compressed but could not be unpacked: {error}") from None
    if b"\x00" in raw[:4096]:
        raise UploadError(f"{filename} is not a text file; upload a .pgn file")
    text = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
    if "[" not in text and "1." not in text:
        raise UploadError(f"{filename} holds no PGN games (no [Event …] headers or moves)")
    return text


def upload_collection(name: str | None) -> str | None:
    """The collection named in the upload's box, checked; None (each game's site) when empty."""
    if not name or not name.strip():
        return None
    try:
        return check_collection_name(name)
    except CollectionNameError as error:
        raise UploadError(f"{str(error)[0].upper()}{str(error)[1:]}") from None


def estimate_games(text: str) -> int:
    """Roughly how many games a PGN holds (for the progress bar)."""
    return max(text.count("[Event "), text.count("[Result "), 1)


def import_upload(
    server: Flask,
    text: str,
    progress: Callable[[int, str], None],
    collection: str | None = None,
) -> list[str]:
    """Import PGN text into the app's database (into `collection`, or each game's site's);
    returns the result as plain lines.

    Runs in a background job (its own process), so it takes a fresh connection pool,
    and bumps the cache generation once the games have landed.
    """
    from webapp.caching import bump_generation
    from webapp.extensions import db
    from webapp.indexer.pgn import import_pgn_stream

    settings = server.extensions["settings"]
    expected = estimate_games(text)
    last = [0.0]

    def report_progress(report) -> None:  # type: ignore[no-untyped-def]
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_S:
            return
        last[0] = now
        done = min(99, round(100 * report.games_read / expected))
        progress(done, f"{report.games_read:,} of about {expected:,} games read")

    with server.app_context():
        db.engine.dispose(close=False)  # never share the parent's connections
        report = import_pgn_stream(
            db.engine, io.StringIO(text), index_plies=settings.index_plies, progress=report_progress,
            collection=collection,
        )
        bump_generation()
    progress(100, f"{report.games_read:,} games read")
    lines = report_lines(report)
    if collection:
        lines[0] += f" Collection: {collection}."
    return lines


def report_lines(report) -> list[str]:  # type: ignore[no-untyped-def]
    """The import's result in plain words: imported, already there, skipped by reason."""
    lines = [
        f"Imported {report.imported:,} of {report.games_read:,} games "
        f"({report.already_present:,} already present, {report.skipped_total:,} skipped)."
    ]
    for reason, count in sorted(report.skipped.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"Skipped {count:,}: {reason}")
    return lines


def build_result(lines: list[str], *, error: bool = False) -> dbc.Alert:
    return dbc.Alert(
        [html.Div(lines[0], className="fw-semibold upload-summary")]
        + [html.Div(line, className="small upload-skip") for line in lines[1:]],
        color="danger" if error else "success",
        className="mt-2 mb-0",
    )


def build_upload_card() -> dbc.Card:
    """Drop zone, progress bar and result of a PGN upload."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.H6("Add games from a PGN file", className="card-title"),
                dbc.InputGroup(
                    [
                        dbc.InputGroupText("Collection"),
                        dbc.Input(
                            id=ids.UPLOAD_COLLECTION,
                            type="text",
                            placeholder="each game's site (lichess, chesscom, otb)",
                            autoComplete="off",
                            maxLength=64,
                        ),
                    ],
                    size="sm",
                    className="mb-2 upload-collection",
                ),
                dcc.Upload(
                    html.Div(["Drop a .pgn file here or ", html.A("choose one", href="#")]),
                    id=ids.UPLOAD,
                    multiple=False,
                    max_size=MAX_UPLOAD_BYTES,
                    accept=".pgn,.txt,.gz,.bz2,.zst",
                    className="upload-zone",
                    className_active="upload-zone active",
                ),
                html.Div(
                    [
                        dbc.Progress(id=ids.UPLOAD_PROGRESS, value=0, striped=True, animated=True,
                                     className="mt-2"),
                        html.Div(id=ids.UPLOAD_STATUS, className="small text-muted mt-1"),
                    ],
                    id=ids.UPLOAD_PROGRESS + "-wrap",
                    style={"display": "none"},
                ),
                html.Div(id=ids.UPLOAD_RESULT),
                html.Div(
                    f"Up to {MAX_UPLOAD_BYTES // 2**20} MB here; re-uploading a file changes nothing. "
                    "Bigger files: python -m webapp import FILE.",
                    className="small text-muted mt-2",
                ),
            ]
        ),
        className="mb-3",
    )
