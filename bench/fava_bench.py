"""Benchmark: the 監事's Fava pages against Fava's own income statement, on generated books.

One process serves the generated books the way ``connect-books serve --auditor`` does
(:func:`connect_books.serve.make_app`: the trusted load, the extension) and asks, through
Flask's test client (no network in the way), for:

* Fava's income statement for the 年度: the page (``/income_statement/``, a shell the
  browser fills) and its data (``/api/income_statement``), which together are what a
  person waits for;
* every page of the extension (``/extension/ConnectBooks/?page=…``) for the same 年度.

For each, the first request (cold: Fava builds its tree for the filter, the extension
makes the report from the index made at load) and the median of ``--repeat`` more
(warm). The target: every extension page, cold and warm, in at most the time of Fava's
income statement (page + data)::

    python bench/fava_bench.py                  # 100,000 transactions, FY2025
    python bench/fava_bench.py -n 10000 --year 2026 --repeat 7
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    """Generate (if needed) and serve the books, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="transactions")
    parser.add_argument("--year", type=int, default=2025, help="年度")
    parser.add_argument("--repeat", type=int, default=5, help="warm runs")
    args = parser.parse_args()

    from bench.reports_bench import books_path
    from connect_books.fava_ext import ConnectBooks
    from connect_books.fava_ext.pages import available
    from connect_books.serve import make_app

    path = books_path(args.n)
    start = time.perf_counter()
    app = make_app(path, host="127.0.0.1", auditor=True)
    ledger = app.config["LEDGERS"].ledgers[0]
    extension = ledger.extensions.get_extension(ConnectBooks.__name__)
    assert isinstance(extension, ConnectBooks)
    extension.statements().warm()  # the index, made in the background after a load
    loaded = time.perf_counter() - start
    client = app.test_client()
    slug = client.get("/", headers=HOST).headers["Location"].strip("/").split("/")[0]
    time_filter = f"time=FY{args.year}"

    page = measure(client, f"/{slug}/income_statement/?{time_filter}", args.repeat)
    data = measure(client, f"/{slug}/api/income_statement?{time_filter}", args.repeat)
    fava = (page[0] + data[0], page[1] + data[1])
    rows = [
        ("Fava 損益計算書 (page)", *page),
        ("Fava 損益計算書 (api)", *data),
        ("Fava 損益計算書 (page + api)", *fava),
    ]
    for each in available():
        url = f"/{slug}/extension/ConnectBooks/?page={each.name}&{time_filter}"
        rows.append(
            (f"拡張 {each.label} ({each.name})", *measure(client, url, args.repeat))
        )

    print(f"books: {path} ({args.n:,} transactions), FY{args.year}")
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(f"load with the index (make_app + warm): {loaded:.2f} s\n")
    print(f"{'page':<40} {'cold s':>8} {'warm s':>8}  vs Fava (cold / warm)")
    worst = 0.0
    for label, cold, warm in rows:
        ratio = ""
        if label.startswith("拡張"):
            ratio = f"  {cold / fava[0]:.2f} / {warm / fava[1]:.2f}"
            worst = max(worst, cold / fava[0], warm / fava[1])
        print(f"{label:<40} {cold:8.3f} {warm:8.3f}{ratio}")
    verdict = "OK" if worst <= 1 else "SLOWER THAN FAVA"
    print(f"\nslowest extension page / Fava income statement: {worst:.2f} ({verdict})")


if __name__ == "__main__":
    main()
