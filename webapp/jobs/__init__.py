"""Background jobs: long imports run outside the request, with progress and cancel."""
