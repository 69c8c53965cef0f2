"""Start the development server: `python run.py` (embedded SQLite unless DATABASE_URL is set).

Without SECRET_KEY it uses the data folder's own random key (DATA_DIR/secret_key, mode 0600).
"""

import os
import sys

from webapp import create_app
from webapp.db.schema import SchemaOutdated, check_schema
from webapp.extensions import db
from webapp.secret_key import MissingSecretKey, embedded_secret_key, require_secret_key
from webapp.settings import Settings


def embedded_settings() -> Settings:
    """Settings from the environment; the data folder's key unless SECRET_KEY is given."""
    settings = Settings.from_env()
    if settings.secret_key is None:
        return settings.with_(secret_key=embedded_secret_key(settings.data_dir))
    require_secret_key(settings.secret_key)
    return settings


if __name__ == "__main__":
    try:
        app = create_app(embedded_settings())
    except MissingSecretKey as error:
        sys.exit(str(error))
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
