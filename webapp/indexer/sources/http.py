"""One polite HTTP session per site: a descriptive User-Agent, one request at a time,
backoff on 429 and bounded retries on network errors and 5xx.
"""

from __future__ import annotations

import errno
import http.client
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from webapp.indexer.sources.errors import FetchError, UserNotFound

log = logging.getLogger(__name__)

USER_AGENT = "opening-explorer/0.1 (account import; +https://github.com/opening-explorer)"
MAX_ATTEMPTS = 5  # per request, for 5xx and network errors
MAX_RATE_LIMITED = 8  # per request, for 429
BACKOFF_S = 0.5  # doubled after each failed attempt
MAX_WAIT_S = 60.0
RATE_LIMIT_WAIT_S = 60.0  # lichess asks for a full minute after a 429
TIMEOUT_S = (10.0, 60.0)  # connect, read


class SiteClient:
    """GETs against one site; raises UserNotFound on 404 and FetchError when it gives up."""

    def __init__(
        self,
        base_url: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        backoff_s: float = BACKOFF_S,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._sleep = sleep
        self._backoff_s = backoff_s
        self._max_attempts = max_attempts

    def close(self) -> None:
        self.session.close()

    def get(
        self,
        path: str,
        *,
        what: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> requests.Response:
        """GET base_url + path; `what` names the request in errors ("chess.com month 2020-05")."""
        url = self.base_url + path
        failures = 0
        rate_limited = 0
        while True:
            try:
                response = self.session.get(
                    url, params=params, headers=headers, stream=stream, timeout=TIMEOUT_S
                )
            except requests.RequestException as error:
                failures += 1
                if failures >= self._max_attempts:
                    raise FetchError(
                        f"{what}: network error after {failures} attempts: "
                        f"{describe_network_error(error, self.base_url)}"
                    ) from None
                self._wait(
                    self._backoff_s * 2 ** (failures - 1),
                    what,
                    f"network error ({describe_network_error(error, self.base_url)})",
                )
                continue
            status = response.status_code
            if status == 200:
                return response
            response.close()
            if status == 404:
                raise UserNotFound(f"{what}: no such user (404 from {self.base_url})")
            if status == 429:
                rate_limited += 1
                if rate_limited >= MAX_RATE_LIMITED:
                    raise FetchError(f"{what}: still rate limited (429) after {rate_limited} tries")
                asked = _retry_after(response)
                wait = RATE_LIMIT_WAIT_S if asked is None else asked
                wait = max(wait, self._backoff_s * 2 ** (rate_limited - 1))
                self._wait(min(wait, MAX_WAIT_S), what, "rate limited (429)")
                continue
            if status >= 500:
                failures += 1
                if failures >= self._max_attempts:
                    raise FetchError(f"{what}: server error {status} after {failures} attempts")
                self._wait(self._backoff_s * 2 ** (failures - 1), what, f"server error {status}")
                continue
            raise FetchError(f"{what}: unexpected HTTP status {status}")

    def _wait(self, seconds: float, what: str, why: str) -> None:
        log.warning("%s: %s; retrying in %.1f s", what, why, seconds)
        self._sleep(seconds)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and what caused it (requests wraps urllib3, which wraps the socket's error)."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for inner in (getattr(current, "reason", None), current.__cause__, current.__context__,
                      *getattr(current, "args", ())):  # fmt: skip
            if isinstance(inner, BaseException):
                pending.append(inner)


def describe_network_error(error: BaseException, url: str) -> str:
    """What failed, in words: not urllib3's `HTTPConnectionPool(...NewConnectionError(...))`."""
    host = urlsplit(url).hostname or url
    causes = list(_causes(error))

    def caused_by(*kinds: type[BaseException]) -> bool:
        return any(isinstance(cause, kinds) for cause in causes)

    if caused_by(socket.gaierror):
        return f"cannot find {host}: its name does not resolve (no network, or a wrong address?)"
    if caused_by(ConnectionRefusedError):
        return f"{host} refused the connection (nothing answers at that address and port)"
    if caused_by(requests.exceptions.SSLError, ssl.SSLError):
        return f"the secure connection to {host} failed (a certificate or TLS problem)"
    if caused_by(requests.exceptions.ConnectTimeout):
        return f"connecting to {host} timed out"
    if caused_by(requests.exceptions.ReadTimeout, socket.timeout, TimeoutError):
        return f"{host} stopped answering (timed out)"
    if caused_by(requests.exceptions.ChunkedEncodingError):
        return f"the download from {host} broke off"
    if caused_by(ConnectionResetError, ConnectionAbortedError, BrokenPipeError,
                 http.client.RemoteDisconnected):  # fmt: skip
        return f"{host} closed the connection"
    unreachable = (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN)
    if any(isinstance(cause, OSError) and cause.errno in unreachable for cause in causes):
        return f"no route to {host} (the network is unreachable)"
    if caused_by(requests.exceptions.TooManyRedirects):
        return f"{host} redirected too many times"
    if caused_by(requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                 requests.exceptions.InvalidSchema):  # fmt: skip
        return f"{url!r} is not a usable address"
    return f"could not talk to {host} ({type(error).__name__})"
