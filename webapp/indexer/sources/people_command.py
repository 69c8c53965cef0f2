"""`python -m webapp player link|unlink|list`: people as named sets of accounts."""

from __future__ import annotations

import argparse
import sys

from flask import Flask


def run_player_command(app: Flask, args: argparse.Namespace) -> int:
    """Link or unlink accounts, or list people; plain-language errors, exit status 2."""
    from webapp.caching import bump_generation
    from webapp.db.people import AccountSpecError, link_accounts, list_people, unlink_accounts
    from webapp.extensions import db

    with app.app_context():
        try:
            with db.engine.begin() as connection:
                if args.player_command == "list":
                    for person, accounts in list_people(connection).items():
                        print(f"{person}: {' '.join(accounts) or '(no accounts)'}")
                    return 0
                change = link_accounts if args.player_command == "link" else unlink_accounts
                accounts = change(connection, args.name, args.accounts)
        except AccountSpecError as error:
            print(error, file=sys.stderr)
            return 2
        bump_generation()
    print(f"{args.name}: {' '.join(accounts) or '(no accounts)'}")
    return 0
