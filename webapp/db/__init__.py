"""The read path and the tables: every SQL statement of the app lives under this package."""
