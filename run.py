"""Start the development server: `python run.py` (embedded SQLite unless DATABASE_URL is set)."""

import os
import sys

from webapp import create_app
from webapp.db.schema import SchemaOutdated, check_schema
from webapp.extensions import db

if __name__ == "__main__":
    app = create_app()
    with app.app_context():
        try:
            check_schema(db.engine)
        except SchemaOutdated as error:
            sys.exit(str(error))
    dash_app = app.extensions["dash_app"]
    settings = app.extensions["settings"]
    dash_app.run(
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8050")),
        debug=settings.debug,
    )
