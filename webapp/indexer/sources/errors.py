"""Every way an account import can fail, each with a message that says what failed."""

from __future__ import annotations

from typing import Any


class AccountImportError(RuntimeError):
    """An account import stopped; the message names the account and the month or page.

    `report` holds the counts of what landed before the failure (whole games only).
    """

    def __init__(self, message: str, report: Any = None) -> None:
        super().__init__(message)
        self.report = report


class UserNotFound(AccountImportError):
    """The site has no such user (HTTP 404)."""


class ImportAlreadyRunning(AccountImportError):
    """Another import of the same account holds its lock."""


class FetchError(AccountImportError):
    """A request failed for good: retries used up, an unexpected status, or a bad body."""
