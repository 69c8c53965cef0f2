"""Account-import network failures are told in words, against real sockets on this machine:
nothing listening, a name that does not resolve, a server that hangs up, one that stalls."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from webapp.indexer.sources import http
from webapp.indexer.sources.errors import FetchError
from webapp.indexer.sources.http import SiteClient

RAW_TEXT = ("HTTPConnectionPool", "urllib3", "object at 0x", "Max retries", "Errno")


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A port bound but not listening: connecting is refused, and nobody else can take it."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield bound.getsockname()[1]


@pytest.fixture
def hanging_up_port() -> Iterator[int]:
    """A server that reads the request and closes the connection without an answer."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(10)

        def serve() -> None:
            for _ in range(3):
                try:
                    connection, _address = server.accept()
                except OSError:
                    return
                connection.recv(1000)
                connection.close()

        threading.Thread(target=serve, daemon=True).start()
        yield server.getsockname()[1]


@pytest.fixture
def stalling_port(monkeypatch) -> Iterator[int]:  # type: ignore[no-untyped-def]
    """A server that accepts and never answers; the client's read timeout shortened."""
    monkeypatch.setattr(http, "TIMEOUT_S", (2.0, 0.5))
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def _failure(url: str) -> str:
    client = SiteClient(url, sleep=lambda _seconds: None, max_attempts=2)
    try:
        with pytest.raises(FetchError) as raised:
            client.get("/api/user/alice", what="lichess games of 'alice'")
    finally:
        client.close()
    return str(raised.value)


def _assert_words(message: str, *words: str) -> None:
    assert message.startswith("lichess games of 'alice': network error after 2 attempts: ")
    for word in words:
        assert word in message, message
    for raw in RAW_TEXT:
        assert raw not in message, message


def test_nothing_listening(refusing_port: int) -> None:
    _assert_words(_failure(f"http://127.0.0.1:{refusing_port}"), "127.0.0.1 refused the connection")


def test_a_name_that_does_not_resolve() -> None:
    _assert_words(_failure("http://no-such-host.invalid"), "cannot find no-such-host.invalid")


def test_a_server_that_hangs_up(hanging_up_port: int) -> None:
    _assert_words(_failure(f"http://127.0.0.1:{hanging_up_port}"), "127.0.0.1 closed the connection")


def test_a_server_that_stalls(stalling_port: int) -> None:
    _assert_words(_failure(f"http://127.0.0.1:{stalling_port}"), "127.0.0.1 stopped answering (timed out)")
