"""Public ids and source links of stored games (uids as webapp.indexer.games forms them)."""

from __future__ import annotations

import pytest

from webapp.model.game_ids import candidate_uids, game_url, public_id


@pytest.mark.parametrize(
    ("uid", "public"),
    [
        ("lichess:8dWrdE03", "8dWrdE03"),
        ("chesscom:live/4861239226", "4861239226"),
        ("chesscom:daily/123", "123"),
        ("lichess-study:AbCdEfGh/IjKlMnOp", "AbCdEfGh-IjKlMnOp"),
        ("pgn:e82e59a0914b44e113c1186d81030c71", "e82e59a0914b44e113c1186d81030c71"),
    ],
)
def test_a_public_id_leads_back_to_its_uid(uid: str, public: str) -> None:
    assert public_id(uid) == public
    assert uid in candidate_uids(public)


def test_candidates_most_likely_first_and_malformed_ids_have_none() -> None:
    assert candidate_uids("8dWrdE03") == ("lichess:8dWrdE03", "lichess-study:8dWrdE03")
    assert candidate_uids("12345678") == (  # eight digits: a lichess id or a chess.com number
        "lichess:12345678", "lichess-study:12345678", "chesscom:live/12345678",
        "chesscom:daily/12345678",
    )  # fmt: skip
    assert candidate_uids("4861239226") == ("chesscom:live/4861239226", "chesscom:daily/4861239226")
    for bad in ("", "  ", "not an id", "a/b", "x" * 65, "lichess:8dWrdE03", "deadbeef" * 3, "DEADBEEF" * 4):
        assert candidate_uids(bad) == ()


@pytest.mark.parametrize(
    ("uid", "site", "url"),
    [
        ("lichess:8dWrdE03", "https://lichess.org/8dWrdE03", "https://lichess.org/8dWrdE03"),
        ("lichess:8dWrdE03", None, "https://lichess.org/8dWrdE03"),
        ("chesscom:live/42", "https://www.chess.com/game/live/42", "https://www.chess.com/game/live/42"),
        ("chesscom:live/42", "Chess.com", "https://www.chess.com/game/live/42"),
        ("chesscom:daily/7", None, "https://www.chess.com/game/daily/7"),
        ("lichess-study:AbCdEfGh/IjKlMnOp", "https://lichess.org/study/AbCdEfGh/IjKlMnOp",
         "https://lichess.org/study/AbCdEfGh/IjKlMnOp"),
        ("pgn:abc", "Hastings ENG", None),
        ("pgn:abc", "http://example.org/game/1", "http://example.org/game/1"),
        ("pgn:abc", "javascript:alert(1)", None),
        ("pgn:abc", None, None),
    ],
)
def test_the_source_link(uid: str, site: str | None, url: str | None) -> None:
    assert game_url(uid, site) == url
