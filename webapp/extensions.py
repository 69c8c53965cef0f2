"""Flask extensions, created unbound and bound to an app in create_app()."""

from flask_caching import Cache
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from webapp.db.tables import metadata
from webapp.security import client_address

db = SQLAlchemy(metadata=metadata)
cache = Cache()
migrate = Migrate()
limiter = Limiter(key_func=client_address)
