"""A stored game's summary formatting, the games-list entry (lichess's shape) and its PGN."""

from __future__ import annotations

import io
from datetime import date

import chess.pgn
import pytest

from webapp.api.game_json import game_json, pgn_date
from webapp.db.game_summaries import GameSummary, date_text, winner_of
from webapp.model.pgn_text import write_pgn


def _summary(**changes) -> GameSummary:  # type: ignore[no-untyped-def]
    values = dict(
        db_id=7, public_id="8dWrdE03", url="https://lichess.org/8dWrdE03", white="bob-knight",
        white_rating=2027, black="frank", black_rating=2354, winner="black", speed="ultraBullet",
        date="2021.03.22",
    )  # fmt: skip
    values.update(changes)
    return GameSummary(**values)


@pytest.mark.parametrize(
    ("played_on", "month", "text", "year", "month_text", "tag"),
    [
        (date(2023, 5, 14), 202305, "2023.05.14", 2023, "2023-05", "2023.05.14"),
        (None, 202003, "2020.03", 2020, "2020-03", "2020.03.??"),  # the month known, not the day
        (None, 190100, "1901", 1901, None, "1901.??.??"),  # a year-only game (month yyyy00)
        (None, 0, None, None, None, "????.??.??"),
    ],
)
def test_a_date_as_precise_as_known(played_on, month, text, year, month_text, tag) -> None:  # type: ignore[no-untyped-def]
    assert date_text(played_on, month) == text
    summary = _summary(date=text)
    assert (summary.year, summary.month) == (year, month_text)
    assert pgn_date(text) == tag


@pytest.mark.parametrize(("result", "winner"), [("1-0", "white"), ("0-1", "black"), ("1/2-1/2", None)])
def test_the_winner_and_back(result: str, winner: str | None) -> None:
    assert winner_of(result) == winner
    assert _summary(winner=winner).result == result


def test_game_json_is_lichess_entry_shape() -> None:
    assert game_json(_summary(), "e2e4") == {
        "id": "8dWrdE03",
        "url": "https://lichess.org/8dWrdE03",
        "white": {"name": "bob-knight", "rating": 2027},
        "black": {"name": "frank", "rating": 2354},
        "winner": "black",
        "speed": "ultraBullet",
        "mode": "rated",
        "date": "2021.03.22",
        "year": 2021,
        "month": "2021-03",
        "uci": "e2e4",
    }
    casual = game_json(_summary(rated=False, white_rating=None, winner=None, date="1901", url=None), None)
    assert (casual["mode"], casual["white"], casual["winner"]) == ("casual", {"name": "bob-knight", "rating": None}, None)
    assert (casual["date"], casual["year"], casual["month"], casual["url"], casual["uci"]) == ("1901", 1901, None, None, None)


def test_write_pgn_escapes_tags_and_keeps_clocks() -> None:
    text = write_pgn(
        [("Event", 'The "Immortal" \\ game'), ("White", "Anderssen]\n[Black \"x"), ("Black", "Kieseritzky")],
        ["e2e4", "e7e5", "f2f4"],
        "1-0",
        [179.9, None, 3725.0],
    )
    game = chess.pgn.read_game(io.StringIO(text))
    assert game is not None and not game.errors
    # PGN 8.1.1: quote and backslash escaped (python-chess reads values as written)
    assert text.splitlines()[:4] == [
        '[Event "The \\"Immortal\\" \\\\ game"]',
        '[White "Anderssen] [Black \\"x"]',  # the line break became a space: no tag injected
        '[Black "Kieseritzky"]',
        '[Result "1-0"]',
    ]
    assert game.headers["Black"] == "Kieseritzky" and game.headers["Result"] == "1-0"
    assert [m.uci() for m in game.mainline_moves()] == ["e2e4", "e7e5", "f2f4"]
    assert [n.clock() for n in game.mainline()] == [179.9, None, 3725.0]
    assert "[%clk 1:02:05]" in text
