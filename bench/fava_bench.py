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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # when run as a script
    sys.path.insert(0, str(ROOT))

HOST = {"Host": "127.0.0.1:5000"}
#: The clock (``--clock``): wall time, or the CPU time of the thread that answers (the
#: test client answers in the calling thread), steadier on a machine others share.
CLOCKS = {"wall": time.perf_counter, "cpu": time.thread_time}
clock = CLOCKS["wall"]


def timed(client: Any, url: str) -> float:
    """Seconds for one GET of ``url`` (which must answer 200)."""
    start = clock()
    response = client.get(url, headers=HOST)
    elapsed = clock() - start
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
) -> float:
    """Measure Fava's income statement and every extension page for FY``year``; print
    the table; return the largest ratio extension / Fava.
    """
    from connect_books.fava_ext.pages import available

    time_filter = f"time=FY{year}"
    page = measure(client, f"/{slug}/income_statement/?{time_filter}", repeat)
    data = measure(client, f"/{slug}/api/income_statement?{time_filter}", repeat)
    fava = (page[0] + data[0], page[1] + data[1])
    rows = [
        ("Fava 損益計算書 (page)", *page),
        ("Fava 損益計算書 (api)", *data),
        ("Fava 損益計算書 (page + api)", *fava),
    ]
    for each in available():
        url = f"/{slug}/extension/ConnectBooks/?page={each.name}&{time_filter}"
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
    return worst


def first_times(
    client: Any, ledger: Any, extension: Any, slug: str, year: int, repeat: int
) -> float:
    """Every page the first time after a load, against Fava's income statement the first
    time after the same load, in pairs (the order alternating), ``repeat`` loads per page.

    Each load is the server's own (``load_file``: warm from the cache); the extension's
    background work is stopped at once, so the page finds only the index made. Prints
    the table; returns the largest median ratio.
    """
    from connect_books.fava_ext.pages import available

    time_filter = f"time=FY{year}"

    def fava() -> float:
        page = timed(client, f"/{slug}/income_statement/?{time_filter}")
        return page + timed(client, f"/{slug}/api/income_statement?{time_filter}")

    print(
        f"\nFY{year}: each page the first time after a load, against Fava's first time"
    )
    print(f"({repeat} loads per page; medians)")
    print(f"{'page':<40} {'ours s':>8} {'Fava s':>8}  ratio [range]")
    worst = 0.0
    for each in available():
        url = f"/{slug}/extension/ConnectBooks/?page={each.name}&{time_filter}"
        ours: list[float] = []
        theirs: list[float] = []
        for turn in range(repeat):
            ledger.load_file()
            extension.statements().stop()
            extension.statements().warm(lambda: [])  # the index only
            if turn % 2:
                theirs.append(fava())
                ours.append(timed(client, url))
            else:
                ours.append(timed(client, url))
                theirs.append(fava())
        ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
        ratio = statistics.median(ratios)
        worst = max(worst, ratio)
        print(
            f"{'拡張 ' + each.label + ' (' + each.name + ')':<40} "
            f"{statistics.median(ours):8.3f} {statistics.median(theirs):8.3f}  "
            f"{ratio:.2f} [{min(ratios):.2f}–{max(ratios):.2f}]"
        )
    return worst


def main() -> None:
    """Generate (if needed) and serve the books, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="transactions")
    parser.add_argument("--years", default="2025,2026", help="年度 (comma-separated)")
    parser.add_argument("--repeat", type=int, default=5, help="warm runs")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    args = parser.parse_args()
    global clock
    clock = CLOCKS[args.clock]

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
    print(f"clock: {args.clock}")
    print(f"load (make_app): {loaded:.2f} s; then, in the background, every page of")
    print(f"{'、'.join(p.label for p in first)}: {warmed:.2f} s")
    worst = 0.0
    for year in (int(y) for y in args.years.split(",")):
        worst = max(worst, block(client, slug, year, args.repeat, f"FY{year}"))

    year = first[0].year.year if first else 2025
    cold = first_times(client, ledger, extension, slug, year, args.repeat)
    verdict = "OK" if worst <= 1 else "SLOWER THAN FAVA"
    print(f"\nslowest extension page / Fava income statement, years {args.years}: ")
    print(f"{worst:.2f} ({verdict})")
    verdict = "OK" if cold <= 1 else "SLOWER THAN FAVA"
    print(
        f"slowest page the first time after a load / Fava's first: {cold:.2f} ({verdict})"
    )


if __name__ == "__main__":
    main()
