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
        stats = [(p, p.stat()) for p in paths]
        identities = [(str(p.resolve()), found.st_size, found.st_mtime_ns) for p, found in stats]
        key = hashlib.sha256(repr((reader.__qualname__, identities, sorted(options.items()))).encode()).hexdigest()
        if key not in known:
            folder = _folder()
            if folder is None:
                known[key] = tuple(reader(paths, **options))
            else:
                with _turn(folder / f"{key}.lock"):  # a worker that comes second waits for the first one's games
                    shared = _shared(folder / key)
                    known[key] = shared if shared is not None else _share(folder / key, tuple(reader(paths, **options)))
        return list(known[key])

    return read


def _folder() -> Path | None:
    """The run's shared folder, if it has one."""
    folder = os.environ.get(FOLDER_VARIABLE)
    return Path(folder) if folder and Path(folder).is_dir() else None


@contextlib.contextmanager
def _turn(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _shared(path: Path) -> tuple[Any, ...] | None:
    return pickle.loads(path.read_bytes()) if path.exists() else None


def _share(path: Path, games: tuple[Game, ...]) -> tuple[Game, ...]:
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
        pickle.dump(games, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(handle.name, path)  # whole or not at all for the other workers
    return games
