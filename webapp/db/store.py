"""Which database this is: the random id in store_info, read once per engine URL.

Migration 0005 draws the id; a database whose row is missing (emptied by hand, or by a
test) gets a new one on first read, so the id is always there and always its own.
"""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from webapp.db.tables import store_info

STORE_ID = "store_id"
_known: dict[str, str] = {}  # engine URL -> its store id; names databases, holds no user data
_lock = threading.Lock()


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def read_store_id(engine: Engine) -> str:
    """The database's store id, from the database (created when it has none)."""
    query = select(store_info.c.value).where(store_info.c.key == STORE_ID)
    with engine.connect() as connection:
        value = connection.execute(query).scalar()
    if value is not None:
        return str(value)
    try:
        with engine.begin() as connection:
            connection.execute(store_info.insert().values(key=STORE_ID, value=uuid.uuid4().hex))
    except IntegrityError:
        pass  # another process created it first: theirs counts
    with engine.connect() as connection:
        return str(connection.execute(query).scalar_one())


def store_id(engine: Engine) -> str:
    """The database's store id, read once per engine URL in this process."""
    url = _url(engine)
    found = _known.get(url)
    if found is None:
        with _lock:
            found = _known.get(url) or read_store_id(engine)
            _known[url] = found
    return found


def forget_store_ids() -> None:
    """Read the ids afresh next time (tests that recreate a database at the same URL)."""
    _known.clear()
