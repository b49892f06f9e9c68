"""Benchmark: ``connect-books serve`` against plain ``fava`` on the same generated books.

Whole processes, as a person starts them, pairs interleaved (ours, plain, ours, …):

* **first page**: from starting the server to the first page answered (Fava's income
  statement: ``/`` and its data ``/api/income_statement``, as a browser asks for them).
  Ours starts warm: the project's cache was written by an earlier command (a ``check``,
  or a previous ``serve``); plain Fava has no cache and always loads the books whole.
* **reload**: with each server running, one line is added to a file of the books (a
  comment at the end of the year's file); Fava's ``/api/changed`` (which its pages ask
  every few seconds) is asked until it sees the change, which loads the books again, and
  the page is asked for: the time from that asking to the page. Ours loads cold then
  (the cache does not match the new text) and leaves the cache to be written.

::

    python bench/serve_bench.py                  # 100,000 transactions, 5 pairs
    python bench/serve_bench.py -n 10000 --repeat 3

The target (issue 13): first page warm ≤ 0.5× plain ``fava``; reload ≤ 1.0×.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # when run as a script
    sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
#: Seconds to wait for a server before giving up.
PATIENCE = 600.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def get(url: str) -> tuple[int, str]:
    """(status, final URL) of a GET that follows redirects."""
    with urllib.request.urlopen(url, timeout=PATIENCE) as response:
        response.read()
        return int(response.status), str(response.geturl())


def first_page(port: int) -> str:
    """Ask for the first page and its data; the ledger's slug."""
    status, where = get(f"http://127.0.0.1:{port}/")
    slug = where.split(f":{port}/", 1)[1].split("/", 1)[0]
    status2, _ = get(f"http://127.0.0.1:{port}/{slug}/api/income_statement")
    if status != 200 or status2 != 200:
        raise SystemExit(f"HTTP {status} / {status2}")
    return slug


class Server:
    """One server process, started and waited for until its first page answers."""

    def __init__(self, command: Sequence[str], port: int, env: dict[str, str]) -> None:
        self.port = port
        started = time.perf_counter()
        self.process = subprocess.Popen(
            list(command),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        while True:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"{' '.join(command)}: 終了コード {self.process.returncode}"
                )
            try:
                self.slug = first_page(port)
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.perf_counter() - started > PATIENCE:
                    raise
                time.sleep(0.05)
        self.start_seconds = time.perf_counter() - started

    def reload(self, changed: Path) -> float:
        """Seconds for the page once ``changed`` was changed: Fava's ``/api/changed`` (what
        its pages ask every few seconds) finds the change and loads the books again, then
        the page and its data are answered. Asked until the change is seen (Fava's
        watcher notices it on its own thread); only the asking that saw it is timed."""
        with changed.open("a", encoding="utf-8") as out:
            out.write("; 一行の変更 (ベンチマーク)\n")
        url = f"http://127.0.0.1:{self.port}/{self.slug}/api/changed"
        waited = time.perf_counter()
        while True:
            started = time.perf_counter()
            with urllib.request.urlopen(url, timeout=PATIENCE) as response:
                seen = json.loads(response.read())["data"]
            if seen:
                break
            if time.perf_counter() - waited > PATIENCE:
                raise SystemExit("the server never saw the change")
            time.sleep(0.2)
        first_page(self.port)
        return time.perf_counter() - started

    def stop(self) -> None:
        with_group = os.getpgid(self.process.pid)
        os.killpg(with_group, signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(with_group, signal.SIGKILL)
            self.process.wait()


def main(argv: list[str] | None = None) -> int:
    """Generate (or reuse) the books, measure the pairs, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="transactions")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from bench.run import prepare
    from connect_books import cache

    with tempfile.TemporaryDirectory(prefix="connect-books-serve-") as scratch:
        books = prepare(args.n, False, Path(scratch))
        folder = Path(scratch) / "books"
        shutil.copytree(books.settled.parent, folder)  # (the reload changes a file)
        main_file, plain = folder / "main.beancount", folder / "main-plain.bean"
        changed = folder / "2026.beancount"
        original = changed.read_bytes()
        env = {**os.environ, cache.FOLDER_ENV: str(Path(scratch) / "cache")}
        ours = [str(BIN / "connect-books"), "serve", str(main_file)]
        theirs = [str(BIN / "fava"), "-H", "127.0.0.1", str(plain)]

        def start(command: list[str], port: int) -> Server:
            flags = ["--port", str(port)] if command is ours else ["-p", str(port)]
            return Server([*command, *flags], port, env)

        def warm_cache() -> None:
            subprocess.run(
                [str(BIN / "connect-books"), "check", str(main_file)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            cache.wait(main_file.resolve(), Path(env[cache.FOLDER_ENV]))

        results: dict[str, list[float]] = {
            "ours start": [],
            "plain start": [],
            "ours reload": [],
            "plain reload": [],
        }
        for _ in range(args.repeat):
            warm_cache()
            for name, command in (("ours", ours), ("plain", theirs)):
                server = start(command, free_port())
                try:
                    results[f"{name} start"].append(server.start_seconds)
                    results[f"{name} reload"].append(server.reload(changed))
                finally:
                    server.stop()
                    changed.write_bytes(original)
                    cache.wait(main_file.resolve(), Path(env[cache.FOLDER_ENV]))
            print(
                "… " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in results.items() if v),
                file=sys.stderr,
            )
    print(render(args.n, args.repeat, results))
    return 0


def render(size: int, repeat: int, results: dict[str, list[float]]) -> str:
    """The table (markdown)."""
    lines = [
        "| 件数 | 測ったもの | connect-books serve | 素の fava | 比 中央値 [範囲] | 目標 |",
        "|---|---|---|---|---|---|",
    ]
    for what, label, target in (
        ("start", "最初のページ (起動から、ours は warm)", 0.5),
        ("reload", "一行の変更のあとのページ (読み直し)", 1.0),
    ):
        mine, plain = results[f"ours {what}"], results[f"plain {what}"]
        ratios = [a / b for a, b in zip(mine, plain, strict=True)]
        ratio = statistics.median(ratios)
        lines.append(
            f"| {size:,} | {label} | {statistics.median(mine):.2f}s "
            f"| {statistics.median(plain):.2f}s "
            f"| {ratio:.2f} [{min(ratios):.2f}–{max(ratios):.2f}] "
            f"| ≤ {target} {'✓' if ratio <= target else '✗'} |"
        )
    lines.append("")
    lines.append(f"{repeat}回ずつ、交互に、毎回新しいプロセスで。")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
