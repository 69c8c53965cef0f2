"""A stored game's public id and link: what the API and the dashboard call a game.

The games table's uid says where a game came from (webapp.indexer.games): `lichess:<8
chars>`, `chesscom:live/<number>` or `chesscom:daily/<number>`, `lichess-study:<study>/<chapter>`
(a broadcast or study chapter) and `pgn:<hash>`. Its public id is the part a person
would recognise: the lichess id, the chess.com number, `<study>-<chapter>`, the hash.
The ids of the kinds do not overlap in shape except a lichess id and a one-part study id
(both 8 characters); the lichess game wins.
"""

from __future__ import annotations

import re

_LICHESS_ID = re.compile(r"^[A-Za-z0-9]{8}$")
_STUDY_ID = re.compile(r"^[A-Za-z0-9]{8}-[A-Za-z0-9]{8}$")
_NUMBER = re.compile(r"^[0-9]{1,19}$")
_HASH = re.compile(r"^[0-9a-f]{32}$")  # webapp.indexer.headers.identity_of
_HTTP = re.compile(r"^https?://\S+$", re.IGNORECASE)
_CHESSCOM_SITE = re.compile(r"^https?://(?:www\.)?chess\.com/\S+$", re.IGNORECASE)
#: at most this many characters of a public id are read (the longest kind is a 32-char hash)
MAX_PUBLIC_ID = 64


def public_id(uid: str) -> str:
    """The public id of a stored uid: `lichess:abcdEFGH` → `abcdEFGH`, `chesscom:live/123` → `123`."""
    scheme, _, rest = uid.partition(":")
    if scheme == "chesscom":
        return rest.rpartition("/")[2]
    if scheme == "lichess-study":
        return rest.replace("/", "-")
    return rest or uid


def candidate_uids(public: str) -> tuple[str, ...]:
    """The uids a public id may stand for, most likely first (none for a malformed id)."""
    text = public.strip()
    if not text or len(text) > MAX_PUBLIC_ID:
        return ()
    out: list[str] = []
    if _LICHESS_ID.match(text):
        out += [f"lichess:{text}", f"lichess-study:{text}"]
    if _STUDY_ID.match(text):
        out.append(f"lichess-study:{text.replace('-', '/')}")
    if _NUMBER.match(text):
        out += [f"chesscom:live/{text}", f"chesscom:daily/{text}"]
    if _HASH.match(text):
        out.append(f"pgn:{text}")
    return tuple(dict.fromkeys(out))


def game_url(uid: str, site: str | None) -> str | None:
    """Where the game can be seen at its source, or None for a game from a file.

    lichess: its page; chess.com: the stored link, else its live/daily page; any other
    game: its Site when that is a web address.
    """
    scheme, _, rest = uid.partition(":")
    if scheme == "lichess":
        return f"https://lichess.org/{rest}"
    if scheme == "chesscom":
        if site and _CHESSCOM_SITE.match(site.strip()):
            return site.strip()
        kind, _, number = rest.rpartition("/")
        return f"https://www.chess.com/game/{kind or 'live'}/{number}"
    if site and _HTTP.match(site.strip()):
        return site.strip()
    return None
