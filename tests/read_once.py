"""Reference readers that parse each PGN file once per test run.

python-chess takes seconds over the shared files, and tests in every worker read the same
ones. A reader's games are kept in the process and, where the run names a folder in
READ_ONCE_DIR (tests/conftest.py makes one for each run and removes it after), pickled
there for the other workers. The games are frozen dataclasses; each call gets a new list.
A file is known by its path, size and modification time, so a file a test writes anew is
read anew."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

Game = TypeVar("Game")
FOLDER_VARIABLE = "READ_ONCE_DIR"


def read_once(reader: Callable[..., list[Game]]) -> Callable[..., list[Game]]:
    """`reader(paths, **options)`, remembered by the files' identities and the options."""
    known: dict[str, tuple[Game, ...]] = {}

    @functools.wraps(reader)
    def read(paths: Iterable[Path], **options: Any) -> list[Game]:
        paths = [Path(p) for p in paths]
        identities = [(str(p.resolve()), os.stat(p).st_size, os.stat(p).st_mtime_ns) for p in paths]
        key = hashlib.sha256(repr((reader.__qualname__, identities, sorted(options.items()))).encode()).hexdigest()
        if key not in known:
            with _turn(key):  # a worker that comes second waits for the first one's games
                known[key] = _shared(key) or _share(key, tuple(reader(paths, **options)))
        return list(known[key])

    return read


@contextlib.contextmanager
def _turn(key: str) -> Iterator[None]:
    folder = os.environ.get(FOLDER_VARIABLE)
    if not folder or not Path(folder).is_dir():
        yield
        return
    with open(Path(folder) / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _shared(key: str) -> tuple[Any, ...] | None:
    folder = os.environ.get(FOLDER_VARIABLE)
    if not folder or not (Path(folder) / key).exists():
        return None
    return pickle.loads((Path(folder) / key).read_bytes())


def _share(key: str, games: tuple[Game, ...]) -> tuple[Game, ...]:
    folder = os.environ.get(FOLDER_VARIABLE)
    if folder and Path(folder).is_dir():
        with tempfile.NamedTemporaryFile(dir=folder, delete=False) as handle:
            pickle.dump(games, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, Path(folder) / key)  # whole or not at all for the other workers
    return games
