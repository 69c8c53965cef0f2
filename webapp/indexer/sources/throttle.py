"""One import at a time per site (lichess asks for one request at a time; chess.com for
serial requests): an exclusive lock file per site under the jobs directory.

A lock file, not a lock in a table or in Redis, because the operating system frees it the
moment its holder dies: a cancelled (killed) import never leaves a site locked. Every
import on one machine shares it; the compose deployment runs imports in its worker.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

POLL_S = 0.2


@contextmanager
def site_slot(
    jobs_dir: str, source: str, *, waiting: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the site's slot for the block; `waiting()` is called once if another holds it."""
    fd = _open_lock(Path(jobs_dir), f"site-{source}.lock")
    try:
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told and waiting is not None:
                    waiting()
                    told = True
                time.sleep(POLL_S)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _open_lock(directory: Path, name: str) -> int:
    """The lock file's descriptor; in the temporary directory if `directory` is not writable."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        return os.open(str(directory / name), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return os.open(str(Path(tempfile.gettempdir()) / f"opening-explorer-{name}"),
                       os.O_RDWR | os.O_CREAT, 0o644)
