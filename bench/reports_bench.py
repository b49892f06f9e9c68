"""Benchmark: every report for one 年度 of the generated books, against loading those books.

Each run is a fresh process, as with the CLI: load the books (Beancount's loader with all
our plugins, the pickle cache off, as Fava loads them), then build the one index and
produce every report of the registry for the 年度 from it. The
medians of both and their ratio are printed; the target is reports ≤ 30% of a load::

    python bench/reports_bench.py                 # 100,000 transactions, 2025年度, 3 runs
    python bench/reports_bench.py -n 10000 --repeat 5 --year 2026
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # when run as a script
    sys.path.insert(0, str(ROOT))

TARGET = 0.30


def child(path: Path, year: int) -> dict[str, float]:
    """One run: load, then every report. Returns the two durations in seconds."""
    from beancount import loader

    loader.initialize(use_cache=False)
    from connect_books.books import load
    from connect_books.fiscal import FiscalYear, Period
    from connect_books.reports import registry

    start = time.perf_counter()
    books = load(path)
    loaded = time.perf_counter()
    reports = registry.make_all(registry.index_of(books), Period.of(FiscalYear(year)))
    done = time.perf_counter()
    assert len(reports) == len(registry.REPORTS)
    return {
        "load": loaded - start,
        "reports": done - loaded,
        "entries": len(books.entries),
        "errors": len(books.errors),
    }


def books_path(n: int) -> Path:
    """The generated books with ``n`` transactions (generated when missing)."""
    from bench.generate import BOOKS, generate

    main = BOOKS / str(n) / "main.beancount"
    if not main.is_file():
        print(f"generating {n} transactions into {main.parent} …", file=sys.stderr)
        main = generate(n, BOOKS / str(n))
    return main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-n", type=int, default=100_000, help="transactions in the generated books"
    )
    parser.add_argument("--year", type=int, default=2025, help="the 年度 to report")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs (each a fresh process)"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.year)))
        return 0

    from connect_books.reports.registry import REPORTS

    path = books_path(args.n)
    runs = []
    for _ in range(args.repeat):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(path), "--year", str(args.year)],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(
            f"  load {runs[-1]['load']:.2f} s, reports {runs[-1]['reports']:.2f} s",
            file=sys.stderr,
        )
    load = statistics.median(r["load"] for r in runs)
    reports = statistics.median(r["reports"] for r in runs)
    ratio = reports / load
    print(f"books:   {path} ({runs[0]['entries']} entries, {runs[0]['errors']} errors)")
    print(
        f"load:    median {load:.2f} s over {len(runs)} runs (all plugins, no pickle cache)"
    )
    print(
        f"reports: median {reports:.2f} s (all {len(REPORTS)} reports, {args.year}年度)"
    )
    print(
        f"ratio:   {ratio:.1%} of a load (target ≤ {TARGET:.0%}) {'✓' if ratio <= TARGET else '✗'}"
    )
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
