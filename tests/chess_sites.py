"""A local stand-in for the chess.com and lichess APIs, for importer and browser tests.

Serves hand-written fixtures in the sites' real formats on 127.0.0.1 (a free port), logs
every request, and can be scripted to answer a path with errors first (429, 500, a
truncated body, malformed JSON) to exercise the importers' retries and failure paths.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "accounts"


@dataclass
class Canned:
    """One scripted answer: status, body, headers; `truncate` cuts the body and drops the line."""

    status: int = 200
    body: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    truncate: int | None = None


class ChessSites:
    """chess.com (`/pub/...`) and lichess (`/api/...`) on one local server."""

    def __init__(self) -> None:
        self.chesscom: dict[str, dict[str, str]] = {}  # user → {"2021-01": body}
        self.lichess: dict[str, list[dict[str, Any]]] = {}  # user → games
        self.scripted: dict[str, deque[Canned]] = defaultdict(deque)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.user_agents: set[str] = set()
        self.delay_s = 0.0
        self.in_flight = 0
        self.most_in_flight = 0  # the most requests served at the same moment
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # fixtures -----------------------------------------------------------------
    def add_chesscom_fixture_months(self, user: str, *labels: str) -> None:
        for label in labels:
            path = FIXTURES / f"chesscom_{user.lower()}_{label}.json"
            self.chesscom.setdefault(user.lower(), {})[label] = path.read_text()

    def add_lichess_fixture(self, user: str) -> None:
        path = FIXTURES / f"lichess_{user.lower()}.ndjson"
        self.lichess[user.lower()] = [json.loads(line) for line in path.read_text().splitlines()]

    def script(self, path: str, *answers: Canned) -> None:
        self.scripted[path].extend(answers)

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    # server -------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> ChessSites:
        sites = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:  # noqa: N802
                sites._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that hung up (a cancelled import) is no error of the site

        self._server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self.lock:
            self.requests.append((parts.path, query))
            self.user_agents.add(handler.headers.get("User-Agent", ""))
            canned = self.scripted[parts.path].popleft() if self.scripted[parts.path] else None
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.delay_s:
                time.sleep(self.delay_s)
            if canned is None:
                canned = self._answer(parts.path, query, handler.headers.get("Accept", ""))
        finally:
            # no longer in flight once answered: the client may act on the last byte (and
            # ask again) before this thread would get to count the request done
            with self.lock:
                self.in_flight -= 1
        self._send(handler, canned)

    def _send(self, handler: BaseHTTPRequestHandler, canned: Canned) -> None:
        data = canned.body.encode()
        handler.send_response(canned.status)
        for name, value in canned.headers:
            handler.send_header(name, value)
        if canned.truncate is None:
            handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data if canned.truncate is None else data[: canned.truncate])
        handler.wfile.flush()

    def _answer(self, path: str, query: dict[str, str], accept: str) -> Canned:
        segments = path.strip("/").split("/")
        json_type = (("Content-Type", "application/json"),)
        if segments[:2] == ["pub", "player"] and len(segments) >= 4:
            user = segments[2].lower()
            months = self.chesscom.get(user)
            if months is None:
                body = json.dumps({"code": 0, "message": f'User "{user}" not found.'})
                return Canned(404, body, json_type)
            if segments[3:] == ["games", "archives"]:
                archives = [
                    f"https://api.chess.com/pub/player/{user}/games/{label.replace('-', '/')}"
                    for label in sorted(months)
                ]
                return Canned(200, json.dumps({"archives": archives}), json_type)
            if len(segments) == 6 and segments[3] == "games":
                label = f"{segments[4]}-{segments[5]}"
                if label in months:
                    return Canned(200, months[label], json_type)
                return Canned(200, json.dumps({"games": []}), json_type)
        if segments[:2] == ["api", "user"] and len(segments) == 3:
            games = self.lichess.get(segments[2].lower())
            if games is None:
                return Canned(404, json.dumps({"error": "Not found"}), json_type)
            body = {"id": segments[2].lower(), "username": segments[2], "count": {"all": len(games)}}
            return Canned(200, json.dumps(body), json_type)
        if segments[:3] == ["api", "games", "user"] and len(segments) == 4:
            games = self.lichess.get(segments[3].lower())
            if games is None:
                return Canned(404, json.dumps({"error": "Not found"}), json_type)
            return Canned(200, self.lichess_body(games, query), (("Content-Type", "application/x-ndjson"),))
        return Canned(404, json.dumps({"error": "Not found"}), json_type)

    @staticmethod
    def lichess_body(games: list[dict[str, Any]], query: dict[str, str]) -> str:
        """The NDJSON export as lichess filters it: since/until (ms, inclusive), sort, max."""
        since, until = int(query.get("since", 0)), int(query.get("until", 2**62))
        chosen = [g for g in games if since <= g["createdAt"] <= until]
        chosen.sort(key=lambda g: g["createdAt"], reverse=query.get("sort") != "dateAsc")
        if "max" in query:
            chosen = chosen[: int(query["max"])]
        return "".join(json.dumps(g, separators=(",", ":")) + "\n" for g in chosen)
