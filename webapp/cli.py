"""The command line interface: database migrations and imports, with plain-language errors."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m webapp", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    db_parser = commands.add_parser("db", help="database schema migrations")
    db_commands = db_parser.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="bring the database to the current schema")
    db_commands.add_parser("current", help="print the database's schema revision")
    downgrade = db_commands.add_parser("downgrade", help="step the schema back")
    downgrade.add_argument("revision", nargs="?", default="-1")
    db_commands.add_parser(
        "compact", help="merge the statistics rows imports appended (runs after imports too)"
    )

    importer = commands.add_parser("import", help="import games from PGN files or accounts")
    importer.add_argument("files", nargs="*", help=".pgn, .pgn.gz, .pgn.bz2 or .pgn.zst files")
    importer.add_argument("--plies", type=int, default=None, help="plies to index per game")
    importer.add_argument("--lichess", metavar="USER", action="append", default=[])
    importer.add_argument("--chesscom", metavar="USER", action="append", default=[])
    importer.add_argument("--quiet", action="store_true", help="no progress line")
    importer.add_argument(
        "--collection",
        metavar="NAME",
        help="the collection the games go to (default: their site: lichess, chesscom, otb)",
    )
    importer.add_argument(
        "--fan-out",
        type=int,
        default=0,
        metavar="N",
        help="spread the import over the Celery workers (JOB_QUEUE=celery): each file a "
        "task, one file cut into N parts at game boundaries",
    )
    importer.add_argument(
        "--verbose", action="store_true", help="also log the schema check (alembic's INFO lines)"
    )
    commands.add_parser("collections", help="list the collections with their game counts")

    person = commands.add_parser("player", help="people: named sets of accounts")
    person_commands = person.add_subparsers(dest="player_command", required=True)
    for verb, text in (("link", "add accounts to a person"), ("unlink", "remove accounts")):
        parser_ = person_commands.add_parser(verb, help=text)
        parser_.add_argument("name", help="the person's name, used as player=NAME")
        parser_.add_argument("accounts", nargs="+", metavar="SOURCE:USER")
    person_commands.add_parser("list", help="every person and their accounts")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command != "db" and not getattr(args, "verbose", False):
        # the schema check configures an alembic context, which logs two INFO lines
        logging.getLogger("alembic").setLevel(logging.WARNING)
    from webapp import create_app
    from webapp.db.schema import SchemaOutdated, check_schema
    from webapp.extensions import db

    app = create_app(dashboard=False)
    with app.app_context():
        if args.command == "db":
            return _db(args)
        try:
            check_schema(db.engine)
        except SchemaOutdated as error:
            print(error, file=sys.stderr)
            return 2
        if args.command == "import":
            return _import(app, args)
        if args.command == "collections":
            from webapp.db.collections import list_collections

            with db.engine.connect() as connection:
                for name, count in list_collections(connection):
                    print(f"{name}\t{count:,} games")
            return 0
        if args.command == "player":
            from webapp.indexer.sources.people_command import run_player_command

            return run_player_command(app, args)
    return 1


def _db(args: argparse.Namespace) -> int:
    import flask_migrate

    from webapp.db.schema import current_revision
    from webapp.extensions import db

    if args.db_command == "compact":
        from webapp.indexer.compact import compact
        from webapp.indexer.run import CompactionPrinter

        progress = CompactionPrinter()
        try:
            report = compact(db.engine, progress=progress, steps=progress.step)
        except KeyboardInterrupt:
            progress.done()
            print(
                "Interrupted. The key ranges already compacted stay; run `db compact` again to finish.",
                file=sys.stderr,
            )
            return 130
        progress.done()
        print(report.summary())
        return 0
    if args.db_command == "upgrade":
        from webapp.indexer.compact import compact

        flask_migrate.upgrade()
        # a migration that rebuilt the statistics appended them; no players' band-less sums
        # yet: the previous release's workers may still be importing without adding to them
        report = compact(db.engine, player_pairs=False)
        if report.merged_rows or report.hot_added or report.bandless_added:
            print(report.summary())
    elif args.db_command == "downgrade":
        flask_migrate.downgrade(revision=args.revision)
    print(f"schema revision: {current_revision(db.engine)}")
    return 0


def _import(app, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from webapp.indexer.run import run_import_command

    return run_import_command(app, args)
