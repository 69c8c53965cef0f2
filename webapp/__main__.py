"""Command line: `python -m webapp db upgrade`, `python -m webapp import FILE...`, ..."""

from webapp.cli import main

raise SystemExit(main())
