"""Few long requests at once per process, so the explorer's quick ones always find a thread.

A PGN export or a first leak search can take a second or more of Python (the GIL) and a
thread of the worker; 16 of them at once once held every thread of every worker and pushed
`/api/explorer` to 35.8 s. `heavy_slot()` lets at most `heavy_requests` (default 1) of them
run at once in a process; another waits HEAVY_WAIT_S for a slot, then is told the server is
busy (ServerBusy: a 503 with Retry-After), so it never holds a thread the quick requests
need. Measured with benchmarks/player_bench.py --concurrent 16 (2 workers x 4 threads):
waiting 2 s for one of 2 slots left /api/explorer a 6.3 s maximum; 0.1 s for 1 slot, 0.45 s.
Each client is also rate limited on the export (settings.export_rate_limit).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app

HEAVY_WAIT_S = 0.1


class ServerBusy(RuntimeError):
    """Every slot for long requests is taken; the message says what to do."""


def _slots() -> threading.BoundedSemaphore:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    slots = app.extensions.get("heavy_slots")
    if slots is None:
        with _CREATE:
            slots = app.extensions.setdefault(
                "heavy_slots", threading.BoundedSemaphore(app.extensions["settings"].heavy_requests)
            )
    return slots  # type: ignore[no-any-return]


_CREATE = threading.Lock()


@contextmanager
def heavy_slot(what: str) -> Iterator[None]:
    """Run the block in one of the process's slots for long work, or raise ServerBusy."""
    slots = _slots()
    if not slots.acquire(timeout=HEAVY_WAIT_S):
        raise ServerBusy(f"the server is busy with other long requests ({what}); try again in a few seconds")
    try:
        yield
    finally:
        slots.release()
