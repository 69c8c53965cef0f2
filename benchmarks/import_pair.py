"""Import speed of two checkouts side by side: what a change costs the import, paired.

    .venv/bin/python benchmarks/import_pair.py BASE_CHECKOUT [--against .] [--rounds 7]
        [--copies 1] [--source FILE] [--server postgresql://root@127.0.0.1:5432/test]
        [--store DB] [--explore [--refresh]]

BASE_CHECKOUT is another checkout of this repository (`git worktree add /tmp/base REV`).
Each round imports the same file once with each checkout (the order alternating round by
round) into a fresh database made from a template migrated by that checkout's own
migrations, through `import_pgn_files` in a child process, no compaction. With --store
DB, both import into copies of DB instead (a large store, such as the million-game one
`explorer_bench.py --build-only` builds), each copy brought to that checkout's schema first, the input
under new ids (import_bench.TEMPLATE_FIRST_COPY on) so that none of its games is stored there. On a machine
others load, wall-clock rates wander by tens of percent from minute to minute; the ratio
of the two imports of one round, a few seconds apart, wanders far less, so the median of
the rounds' ratios is the figure to quote. Also prints each side's median games/s and the
CPU seconds of the import's processes (parse workers included) and of its PostgreSQL
server processes. With --explore, each checkout's `explorer_bench.py --runs 1 --no-compact
--no-player` then asks its copy, right after the import, and its figures are printed; with
--refresh too, compaction's first step then runs on the copy (`refresh_summaries`: its
seconds are printed) and the explorer asks again.
Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_bench import (  # noqa: E402
    DEFAULT_SOURCE,
    TEMPLATE_FIRST_COPY,
    repeated,
    sample_server_cpu,
    sample_tree_cpu,
)

_IMPORT = (
    "import json, sys\n"
    "from webapp import create_app\n"
    "from webapp.extensions import db\n"
    "from webapp.indexer.pgn import import_pgn_files\n"
    "app = create_app(dashboard=False)\n"
    "with app.app_context():\n"
    "    r = import_pgn_files(db.engine, [sys.argv[1]], index_plies=40)\n"
    "print(json.dumps({'imported': r.imported, 'seconds': r.seconds}))\n"
)
_REFRESH = (
    "import json\n"
    "from webapp import create_app\n"
    "from webapp.extensions import db\n"
    "from webapp.indexer.compact import refresh_summaries\n"
    "app = create_app(dashboard=False)\n"
    "with app.app_context():\n"
    "    r = refresh_summaries(db.engine)\n"
    "print(json.dumps({'seconds': r.seconds, 'positions': r.positions}))\n"
)


def _admin(server: str) -> psycopg.Connection:
    return psycopg.connect(server, autocommit=True)


def migrated_template(server: str, checkout: Path, store: str | None = None) -> str:
    """A database migrated by the checkout's migrations (a copy of `store`, when given,
    brought to the checkout's schema), to copy for each import."""
    name = f"oe_pair_template_{uuid.uuid4().hex[:8]}"
    with _admin(server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"' + ("" if store is None else f' TEMPLATE "{store}"'))
    env = {**os.environ, "PYTHONPATH": str(checkout), "DATABASE_URL": server.rsplit("/", 1)[0] + "/" + name}
    subprocess.run([sys.executable, "-m", "webapp", "db", "upgrade"], cwd=checkout, env=env, check=True, capture_output=True)
    return name


def explorer_figures(server: str, checkout: Path, database: str) -> list[str]:
    """The checkout's explorer_bench.py lines (uncached p50 / p95) for the database as it is."""
    done = subprocess.run(
        [sys.executable, "benchmarks/explorer_bench.py", "--server", server.rsplit("/", 1)[0], "--database", database,
         "--runs", "1", "--no-compact", "--no-player"],
        cwd=checkout, capture_output=True, text=True, check=True,
    )  # fmt: skip
    summary = done.stdout.split("median of", 1)[-1]
    return [line.strip() for line in summary.splitlines() if "uncached," in line]


def one_import(
    server: str, checkout: Path, template: str, path: Path, data_dir: str, explore: bool = False,
    refresh: bool = False,
) -> tuple[float, float, float, list[str]]:
    """(games/s, import process CPU s, server CPU s, the explorer's figures right after when
    `explore`, and after compaction's first step too when `refresh`) of one import into a
    copy of the template."""
    name = f"oe_pair_{uuid.uuid4().hex[:8]}"
    with _admin(server) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    env = {**os.environ, "PYTHONPATH": str(checkout), "DATA_DIR": data_dir}
    env["DATABASE_URL"] = server.rsplit("/", 1)[0] + "/" + name
    env.pop("REDIS_URL", None)
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", _IMPORT, str(path)], cwd=checkout, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        process = psutil.Process(child.pid)
        client: dict[int, float] = {}
        server_cpu: dict[int, float] = {}
        with _admin(server) as admin:
            while child.poll() is None:
                sample_tree_cpu(process, client)
                sample_server_cpu(admin, name, server_cpu)
                time.sleep(0.05)
        out, err = child.communicate()
        if child.returncode != 0:
            raise SystemExit(f"import with {checkout} failed: {err.decode()[-2000:]}")
        report = json.loads(out.decode().strip().splitlines()[-1])
        figures = [f"right after: {line}" for line in explorer_figures(server, checkout, name)] if explore else []
        if explore and refresh:
            done = subprocess.run(
                [sys.executable, "-c", _REFRESH], cwd=checkout, env=env, capture_output=True, text=True, check=True
            )
            step = json.loads(done.stdout.strip().splitlines()[-1])
            figures.append(f"first step: {step['seconds']:.2f} s, {step['positions']} positions")
            figures += [f"after the first step: {line}" for line in explorer_figures(server, checkout, name)]
        return report["imported"] / report["seconds"], sum(client.values()), sum(server_cpu.values()), figures
    finally:
        with _admin(server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", type=Path, help="the checkout to compare against")
    parser.add_argument("--against", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--server", default="postgresql://root@127.0.0.1:5432/test")
    parser.add_argument("--store", help="import into copies of this database (new game ids) instead of empty ones")
    parser.add_argument("--explore", action="store_true", help="run explorer_bench.py on each copy right after its import")
    parser.add_argument(
        "--refresh", action="store_true", help="with --explore: then compaction's first step, and the explorer again"
    )
    args = parser.parse_args()
    base, new = args.base.resolve(), args.against.resolve()
    first = 0 if args.store is None else TEMPLATE_FIRST_COPY
    data = repeated(args.source.read_bytes(), args.copies, first)
    templates: dict[Path, str] = {}
    results: dict[Path, list[tuple[float, float, float, list[str]]]] = {base: [], new: []}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.pgn"
        path.write_bytes(data)
        into = "empty stores" if args.store is None else f"copies of {args.store}, new game ids"
        print(f"{args.source.name} x{args.copies} into {into}; base {base}; new {new}; load {os.getloadavg()[0]:.1f}")
        try:
            for checkout in (base, new):
                templates[checkout] = migrated_template(args.server, checkout, args.store)
            for round_ in range(args.rounds):
                for checkout in (base, new) if round_ % 2 == 0 else (new, base):
                    results[checkout].append(
                        one_import(args.server, checkout, templates[checkout], path, tmp, args.explore, args.refresh)
                    )
                old, now = results[base][-1], results[new][-1]
                print(
                    f"round {round_ + 1}: base {old[0]:,.0f} games/s (CPU {old[1]:.2f} s, server {old[2]:.2f} s), "
                    f"new {now[0]:,.0f} games/s (CPU {now[1]:.2f} s, server {now[2]:.2f} s), ratio {now[0] / old[0]:.3f}",
                    flush=True,
                )
                for label, figures in (("base", old[3]), ("new", now[3])):
                    for line in figures:
                        print(f"  {label} {line}", flush=True)
        finally:
            with _admin(args.server) as admin:
                for template in templates.values():
                    admin.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
    pairs = list(zip(results[base], results[new], strict=True))
    print(f"median of the rounds' ratios, new / base games/s: {statistics.median(n[0] / o[0] for o, n in pairs):.3f}")
    for label, index in (("games/s", 0), ("import CPU s", 1), ("server CPU s", 2)):
        print(
            f"  {label}: base {statistics.median(o[index] for o, _ in pairs):,.2f}, "
            f"new {statistics.median(n[index] for _, n in pairs):,.2f}, "
            f"ratio {statistics.median(n[index] / o[index] for o, n in pairs if o[index]):.3f}"
        )


if __name__ == "__main__":
    main()
