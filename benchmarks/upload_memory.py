"""Peak memory of the dashboard's upload path on a zstd bomb (generated).

    .venv/bin/python benchmarks/upload_memory.py [--unpacked-mib 512] [--games]
        [--database sqlite|postgresql://root@127.0.0.1:5432/test]

Writes a .pgn.zst that unpacks to --unpacked-mib MiB (blank lines after one game: about
16 KB for 512 MiB; with --games one game repeated, about 22 KB for 256 MiB), builds the
app on a fresh database with the default upload limits, and runs the function the upload
callback runs (webapp.dashboard.upload.import_upload) on its data URL, in this process.
Prints the bomb's size, the result lines, the time taken and this process's peak RSS
(ru_maxrss; the upload path uses no worker processes). Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import base64
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unpacked-mib", type=int, default=512)
    parser.add_argument("--games", action="store_true", help="one game repeated, not blank lines")
    parser.add_argument("--database", default="sqlite")
    args = parser.parse_args()

    import flask_migrate
    import psycopg

    from webapp import create_app
    from webapp.dashboard.upload import import_upload
    from webapp.settings import Settings

    folder = Path(tempfile.mkdtemp(prefix="upload-memory-"))
    bomb = folder / "bomb.pgn.zst"
    # written by a child process, so its compressor's memory is not counted here
    subprocess.run(
        [sys.executable, "-c", "import sys; from pathlib import Path; from tests.bombs import "
         "write_zstd_bomb; write_zstd_bomb(Path(sys.argv[1]), int(sys.argv[2]), games=sys.argv[3] == '1')",
         str(bomb), str(args.unpacked_mib << 20), "1" if args.games else "0"],
        check=True, cwd=ROOT,
    )
    url, dropped = f"sqlite:///{folder / 'explorer.sqlite3'}", None
    if args.database != "sqlite":
        dropped = f"oe_upload_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.database, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{dropped}"')
        url = args.database.rsplit("/", 1)[0] + "/" + dropped
    settings = Settings.from_env({"DATABASE_URL": url, "DATA_DIR": str(folder)})
    app = create_app(settings)
    with app.app_context():
        flask_migrate.upgrade()
    contents = "data:application/zstd;base64," + base64.b64encode(bomb.read_bytes()).decode()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.monotonic()
    lines, error = import_upload(app, contents, bomb.name, lambda *_: None)
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bomb: {bomb.stat().st_size:,} bytes -> {args.unpacked_mib} MiB unpacked "
          f"({'games' if args.games else 'blank lines'}); limits: upload "
          f"{settings.upload_max_bytes >> 20} MiB, unpacked {settings.upload_max_unpacked_bytes >> 20} MiB")
    print("result:", "error" if error else "ok", *lines, sep="\n  ")
    print(f"time: {seconds:.1f} s; peak RSS before the upload {before:.0f} MB, after {peak:.0f} MB")
    if dropped:
        with psycopg.connect(args.database, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{dropped}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
