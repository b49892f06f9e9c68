"""Benchmark: the 監事's Fava pages against Fava's own income statement, on generated books.

One process serves the generated books the way ``connect-books serve --auditor`` does
(:func:`connect_books.serve.make_app`: the trusted load, the extension) and asks, through
Flask's test client (no network in the way), for:

* Fava's income statement for the 年度: the page (``/income_statement/``, a shell the
  browser fills) and its data (``/api/income_statement``), which together are what a
  person waits for;
* every page of the extension (``/extension/ConnectBooks/?page=…``) for the same 年度.

For each, the first request (cold: Fava builds its tree for the filter, the extension
makes the report from the index) and the median of ``--repeat`` more (warm). After a load
the extension makes, in the background, every page of the 年度 shown without a time
filter (the latest 年度 that has ended, the one the 監事 audit) and of the current 年度;
the benchmark waits for that, so for those 年度 "cold" is what a 監事 meets, and for any
other 年度 it is the first visit (``--years 2025,2026`` by default; add others). A last
table shows every page the first time after a load (the extension's state reset before
each page, so it finds only the index made) against Fava's first request. The target:
every extension page in at most the time of Fava's income statement (page + data)::

    python bench/fava_bench.py                  # 100,000 transactions, FY2025 and FY2026
    python bench/fava_bench.py -n 10000 --years 2026 --repeat 7
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # when run as a script
    sys.path.insert(0, str(ROOT))

HOST = {"Host": "127.0.0.1:5000"}


def timed(client: Any, url: str) -> float:
    """Seconds for one GET of ``url`` (which must answer 200)."""
    start = time.perf_counter()
    response = client.get(url, headers=HOST)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    return elapsed


def measure(client: Any, url: str, repeat: int) -> tuple[float, float]:
    """(cold, warm median) seconds for ``url``."""
    cold = timed(client, url)
    warm = statistics.median(timed(client, url) for _ in range(repeat))
    return cold, warm


def block(
    client: Any,
    slug: str,
    year: int,
    repeat: int,
    title: str,
    fresh: Callable[[], None] | None = None,
    fava_cold: tuple[float, float] | None = None,
) -> tuple[float, tuple[float, float]]:
    """Measure Fava's income statement and every extension page for FY``year``; print
    the table; return the largest ratio extension / Fava, and Fava's (page, api) times
    of its first request.

    ``fresh``, if given, is called before each extension page: every page is then made
    for the first time, with nothing made before it but the index. ``fava_cold``: Fava's
    (page, api) first-request times to compare with (its cache holds the filter by now).
    """
    from connect_books.fava_ext.pages import available

    time_filter = f"time=FY{year}"
    page = measure(client, f"/{slug}/income_statement/?{time_filter}", repeat)
    data = measure(client, f"/{slug}/api/income_statement?{time_filter}", repeat)
    if fava_cold is not None:
        page, data = (fava_cold[0], page[1]), (fava_cold[1], data[1])
    fava = (page[0] + data[0], page[1] + data[1])
    rows = [
        ("Fava 損益計算書 (page)", *page),
        ("Fava 損益計算書 (api)", *data),
        ("Fava 損益計算書 (page + api)", *fava),
    ]
    for each in available():
        url = f"/{slug}/extension/ConnectBooks/?page={each.name}&{time_filter}"
        if fresh is not None:
            fresh()
        rows.append((f"拡張 {each.label} ({each.name})", *measure(client, url, repeat)))
    print(f"\n{title}")
    print(f"{'page':<40} {'cold s':>8} {'warm s':>8}  vs Fava (cold / warm)")
    worst = 0.0
    for label, cold, warm in rows:
        ratio = ""
        if label.startswith("拡張"):
            ratio = f"  {cold / fava[0]:.2f} / {warm / fava[1]:.2f}"
            worst = max(worst, cold / fava[0], warm / fava[1])
        print(f"{label:<40} {cold:8.3f} {warm:8.3f}{ratio}")
    return worst, (page[0], data[0])


def main() -> None:
    """Generate (if needed) and serve the books, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="transactions")
    parser.add_argument("--years", default="2025,2026", help="年度 (comma-separated)")
    parser.add_argument("--repeat", type=int, default=5, help="warm runs")
    args = parser.parse_args()

    from bench.reports_bench import books_path
    from connect_books.fava_ext import ConnectBooks
    from connect_books.fava_ext.view import first_periods
    from connect_books.serve import make_app

    path = books_path(args.n)
    start = time.perf_counter()
    app = make_app(path, host="127.0.0.1", auditor=True)
    loaded = time.perf_counter() - start
    ledger = app.config["LEDGERS"].ledgers[0]
    extension = ledger.extensions.get_extension(ConnectBooks.__name__)
    assert isinstance(extension, ConnectBooks)
    statements = extension.statements()
    fye = ledger.fava_options.fiscal_year_end
    today = datetime.date.today()
    first = first_periods(statements, fye, today)
    statements.warm(lambda: first)  # as in the background after a load
    warmed = time.perf_counter() - start - loaded
    client = app.test_client()
    slug = client.get("/", headers=HOST).headers["Location"].strip("/").split("/")[0]

    print(f"books: {path} ({args.n:,} transactions)")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"load (make_app): {loaded:.2f} s; then, in the background, every page of")
    print(f"{'、'.join(p.label for p in first)}: {warmed:.2f} s")
    worst = 0.0
    fava_first: dict[int, tuple[float, float]] = {}
    for year in (int(y) for y in args.years.split(",")):
        ratio, fava_first[year] = block(client, slug, year, args.repeat, f"FY{year}")
        worst = max(worst, ratio)

    # Each page the first time: a request right after a load, before the background has
    # made anything but the index (each page on its own, in the state after a load).
    def fresh() -> None:
        extension.after_load_file()
        extension.statements().stop()
        extension.statements().warm(lambda: [])  # the index only

    year = first[0].year.year if first else 2025
    cold, _ = block(
        client,
        slug,
        year,
        args.repeat,
        f"FY{year}: each page the first time after a load, against Fava's first time",
        fresh,
        fava_first[year],
    )
    verdict = "OK" if worst <= 1 else "SLOWER THAN FAVA"
    print(f"\nslowest extension page / Fava income statement, years {args.years}: ")
    print(f"{worst:.2f} ({verdict})")
    verdict = "OK" if cold <= 1 else "SLOWER THAN FAVA"
    print(
        f"slowest page the first time after a load / Fava's first: {cold:.2f} ({verdict})"
    )


if __name__ == "__main__":
    main()
