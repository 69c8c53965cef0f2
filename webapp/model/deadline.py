"""A request's time budget, checked by Python loops that the statement timeout cannot stop.

PostgreSQL's statement_timeout bounds each SQL statement; a loop that replays games or
walks a move tree between statements needs its own bound. A Deadline is a point on the
monotonic clock; `check()` raises WorkTooLong once it has passed, so the request ends
with a clear answer (or, for an export, with what it has and a note saying why it stopped).

    >>> deadline = Deadline.after(10.0)
    >>> deadline.passed
    False
"""

from __future__ import annotations

import time
from dataclasses import dataclass


class WorkTooLong(TimeoutError):
    """A request's work went past its time budget; the message says what to narrow."""

    def __init__(self, seconds: float, what: str) -> None:
        super().__init__(
            f"{what} took longer than this server allows ({seconds:g} s); narrow the filters or try again later"
        )
        self.seconds = seconds
        self.what = what


@dataclass(frozen=True)
class Deadline:
    """When a request's work must end (time.monotonic()), and the budget it was given."""

    at: float
    seconds: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds, seconds)

    @classmethod
    def never(cls) -> Deadline:
        return cls(float("inf"), float("inf"))

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.at

    def check(self, what: str) -> None:
        """Raise WorkTooLong (naming `what`) once the deadline has passed."""
        if self.passed:
            raise WorkTooLong(self.seconds, what)
