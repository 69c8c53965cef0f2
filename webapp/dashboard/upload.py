"""Getting games in from the page: a PGN upload, imported in the background with progress.

The work is webapp.jobs.uploads (spooled to a file, read like the CLI reads files, within
the upload limits, into the collection named or each game's site's); this module checks
the collection's name, words the result for the page and builds the upload card.
"""

from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask import Flask, current_app, has_app_context

from webapp.dashboard import ids
from webapp.jobs.uploads import UploadError, megabytes, run_upload
from webapp.model.collections import CollectionNameError, check_collection_name
from webapp.settings import Settings

MAX_UPLOAD_BYTES = Settings().upload_max_bytes

__all__ = ["UploadError", "import_upload", "upload_collection", "report_lines", "build_result",
           "build_upload_card"]


def upload_collection(name: str | None) -> str | None:
    """The collection named in the upload's box, checked; None (each game's site) when empty."""
    if not name or not name.strip():
        return None
    try:
        return check_collection_name(name)
    except CollectionNameError as error:
        raise UploadError(f"{str(error)[0].upper()}{str(error)[1:]}") from None


def import_upload(
    server: Flask,
    contents: str,
    filename: str | None,
    progress: Callable[[int, str], None],
    collection: str | None = None,
) -> tuple[list[str], bool]:
    """(lines for the page, is it an error) for one upload into `collection` (None: each
    game's site's), run to the end in this job."""
    name = filename or "the upload"
    try:
        report = run_upload(server, contents, filename, progress, collection=collection)
    except UploadError as error:
        lines = [f"{name}: {error}"]
        if error.report is not None:
            lines += report_lines(error.report)
        return lines, True
    except Exception as error:  # noqa: BLE001 - the user sees a sentence, the log the details
        server.logger.exception("upload import failed")
        return [f"{name} could not be imported: {type(error).__name__}"], True
    lines = report_lines(report)
    lines[0] = f"{name}: {lines[0]}"
    if collection:
        lines[0] += f" Collection: {collection}."
    return lines, False


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


def _upload_limit() -> int:
    if has_app_context() and "settings" in current_app.extensions:
        return int(current_app.extensions["settings"].upload_max_bytes)
    return MAX_UPLOAD_BYTES


def build_upload_card() -> dbc.Card:
    """Drop zone, progress bar and result of a PGN upload."""
    limit = _upload_limit()
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
                    max_size=limit,
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
                # filled by assets/upload_limit.js when the browser refuses a file as too big
                html.Div(id=ids.UPLOAD_TOO_LARGE, className="text-danger small mt-2",
                         **{"data-limit": str(limit)}),
                html.Div(
                    f"Up to {megabytes(limit)} here; re-uploading a file changes nothing. "
                    "Bigger files: python -m webapp import FILE.",
                    className="small text-muted mt-2",
                ),
            ]
        ),
        className="mb-3",
    )
