"""Games on the wire: lichess's topGames/recentGames entry, and one whole game.

`game_json(summary, uci)` is the shape lichess's explorer gives each game in `topGames`
and `recentGames` (`id`, `winner`, `speed`, `mode`, `white`/`black` {name, rating},
`year`, `month`, the move `uci` it played), plus its `url` and `date` as precise as known.
`detail_json` is what `GET /api/games/<id>` answers (webapp.api.game_routes).
"""

from __future__ import annotations

from typing import Any

from webapp.db.game_summaries import GameDetail, GameSummary
from webapp.model.pgn_text import write_pgn


def game_json(summary: GameSummary, uci: str | None) -> dict[str, Any]:
    """A games-list entry as lichess writes it (with our `url` and `date` beside)."""
    return {
        "id": summary.public_id,
        "url": summary.url,
        "white": {"name": summary.white, "rating": summary.white_rating},
        "black": {"name": summary.black, "rating": summary.black_rating},
        "winner": summary.winner,
        "speed": summary.speed,
        "mode": "rated" if summary.rated else "casual",
        "date": summary.date,
        "year": summary.year,
        "month": summary.month,
        "uci": uci,
    }


def detail_json(detail: GameDetail) -> dict[str, Any]:
    """The whole game: the list entry's fields, every move, clocks, tags and the PGN."""
    return {
        **game_json(detail.summary, None),
        "moves": list(detail.moves),
        "san": list(detail.san),
        "clocks": list(detail.clocks),
        "termination": detail.termination,
        "event": detail.event,
        "site": detail.site,
        "eco": detail.eco,
        "timeControl": detail.time_control,
        "rated": detail.rated,
        "collection": detail.collection,
        "pgn": game_pgn(detail),
    }


def pgn_date(date: str | None) -> str:
    """A summary's date as a PGN Date tag: 2023.05.14, 2020.03.??, 1901.??.??, ????.??.??."""
    parts = date.split(".") if date else []
    year = parts[0] if parts else "????"
    month = parts[1] if len(parts) > 1 else "??"
    day = parts[2] if len(parts) > 2 else "??"
    return f"{year}.{month}.{day}"


def game_pgn(detail: GameDetail) -> str:
    """The game as PGN text, its tags escaped (webapp.model.pgn_text)."""
    summary = detail.summary
    tags: list[tuple[str, str]] = [
        ("Event", detail.event or "?"),
        ("Site", detail.site or summary.url or "?"),
        ("Date", pgn_date(summary.date)),
        ("Round", "?"),
        ("White", summary.white),
        ("Black", summary.black),
    ]
    if summary.white_rating is not None:
        tags.append(("WhiteElo", str(summary.white_rating)))
    if summary.black_rating is not None:
        tags.append(("BlackElo", str(summary.black_rating)))
    if detail.time_control:
        tags.append(("TimeControl", detail.time_control))
    if detail.eco:
        tags.append(("ECO", detail.eco))
    return write_pgn(tags, detail.moves, summary.result, detail.clocks)
