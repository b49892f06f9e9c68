"""Benchmark: ``connect-books add`` with every option, on a copy of the sample books.

Each run is the whole command as the treasurer runs it, in a fresh process: start-up,
load, look-ups, the voucher copied into ``documents/``, the safe writer (lock, the whole
books validated with every rule, atomic write) and ``git commit``. The copy is a git
repository, so ``--commit`` commits each entry and its voucher. The target is ≤ 1 s::

    python bench/add_bench.py                 # 10 runs
    python bench/add_bench.py --repeat 20

``dues pay`` (member look-up and the dues roll) is timed the same way.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "ledger"
CLI = str(Path(sys.executable).parent / "connect-books")
TARGET = 1.0


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


def _books(work: Path) -> Path:
    folder = work / "ledger"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns(".*"))
    _git(folder, "init", "-q")
    _git(folder, "config", "user.name", "bench")
    _git(folder, "config", "user.email", "bench@example.org")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-qm", "sample books")
    return folder / "main.beancount"


def _time(command: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stdout}{result.stderr}")
    return elapsed


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    day = max(datetime.date(2026, 12, 1), datetime.date.today())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        books = _books(work)
        voucher = work / "receipt.pdf"
        names = work / "supporters.csv"
        names.write_text("ID,氏名\nS0001,山田 花子\n", encoding="utf-8")
        adds, gifts, pays = [], [], []
        _time([CLI, "check", str(books)])  # warm-up: the OS file cache, bytecode
        for n in range(args.repeat):
            voucher.write_bytes(f"%PDF-1.4 voucher {n}\n".encode())
            adds.append(
                _time(
                    [
                        CLI, "add", str(books), "--date", day.isoformat(),
                        "--payee", "有限会社みやさか印刷", "--narration", f"チラシ印刷 {n}",
                        "--posting", f"広報 印刷 {1000 + n}", "--posting", "ろうきん",
                        "--document", str(voucher), "--yes", "--commit",
                    ]
                )
            )  # fmt: skip
            gifts.append(
                _time(
                    [
                        CLI, "add", str(books), "--date", day.isoformat(),
                        "--payee", "S0001", "--narration", f"ご寄付 {n}",
                        "--posting", f"ろうきん {3000 + n}", "--posting", "4210",
                        "--supporter", "山田", "--supporters", str(names),
                        "--yes", "--commit",
                    ]
                )
            )  # fmt: skip
        for member in ("SCC-TOKYO", "SCC-23S", "ACT", "YUYU", "TWCO")[: args.repeat]:
            pays.append(
                _time(
                    [
                        CLI, "dues", "pay", member, str(books), "--year", "2027",
                        "--date", day.isoformat(), "--commit",
                    ]
                )
            )  # fmt: skip
        check = _time([CLI, "check", str(books)])
    bytecode = "off" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "on"
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.2f}, "
        f"bytecode cache {bytecode}"
    )
    print(
        f"add (all options, --document, --commit): median {statistics.median(adds):.3f} s, "
        f"min {min(adds):.3f}, max {max(adds):.3f} ({len(adds)} runs)"
    )
    print(
        f"add (donation, supporter by name):      median {statistics.median(gifts):.3f} s, "
        f"min {min(gifts):.3f}, max {max(gifts):.3f} ({len(gifts)} runs)"
    )
    print(
        f"dues pay (--commit):                     median {statistics.median(pays):.3f} s, "
        f"min {min(pays):.3f}, max {max(pays):.3f} ({len(pays)} runs)"
    )
    print(f"check (for comparison):                  {check:.3f} s")
    worst = max(statistics.median(adds), statistics.median(gifts))
    verdict = "OK" if worst <= TARGET else "OVER"
    print(f"target add ≤ {TARGET:.1f} s: {verdict}")


if __name__ == "__main__":
    main()
