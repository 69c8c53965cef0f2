"""Account sources: games imported by username from lichess and chess.com."""
