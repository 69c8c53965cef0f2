"""The write path: PGN files and accounts → games, players and move statistics."""
