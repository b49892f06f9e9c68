"""Benchmark: importing a 5,000-line bank CSV, against one ``connect-books check``.

Generates the benchmark books (``bench/generate.py``, 10,000 transactions, 2025年度
settled), writes a ろうきん statement CSV (cp932) of 5,000 lines dated after the books'
last month-end balance of ``Assets:1120-普通預金-ろうきん`` (donations from organisation
and individual supporters, bank charges, server fees, interest, and a few lines no rule
matches), then times, each in a fresh process as the treasurer runs them, interleaved (check,
import, check, import …), each on a fresh copy of the books with an empty cache folder
of its own (cold: neither finds anything cached):

* ``connect-books check`` of the books;
* ``connect-books import … --yes`` into the books.

It prints the medians, the median of the pairs' ratios import / check (the target is
at most 2×) and their range, the import of books checked just before (the project's cache warm, as
when the treasurer has looked at the books first), how many lines the import wrote, and
checks that a second import of the same file writes nothing::

    python bench/import_bench.py                    # 10,000 transactions, 5,000 lines
    python bench/import_bench.py -n 10000 --lines 5000 --repeat 5
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # when run as a script
    sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402

TARGET = 2.0
ACCOUNT = "Assets:1120-普通預金-ろうきん"
HEADER = "取引日,摘要,お支払金額,お預り金額,残高"
FIRST_DAY = datetime.date(2026, 11, 1)  # the generated books' last balance is 11-01
#: Individual supporters of the generated books given a (fictional) transfer name.
INDIVIDUALS = 20
KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"


def statement(lines: int, opening: int, last_day: datetime.date, seed: int) -> str:
    """The CSV text of a statement of ``lines`` rows from ``FIRST_DAY`` to ``last_day``."""
    rng = random.Random(seed)
    days = (last_day - FIRST_DAY).days + 1
    rows = [HEADER]
    balance = opening
    for i in range(lines):
        day = FIRST_DAY + datetime.timedelta(days=i * days // lines)
        kind = rng.random()
        if kind < 0.45:
            text, amount = "ﾌﾘｺﾐ ﾐﾄﾞﾘﾉﾓﾘｷﾖｳﾄﾞｳｸﾐｱｲ", rng.choice((1000, 3000, 5000, 10000))
        elif kind < 0.75:
            who = rng.randrange(INDIVIDUALS)
            text, amount = f"ﾌﾘｺﾐ {_name(who)}", rng.choice((1000, 2000, 3000))
        elif kind < 0.90:
            text, amount = "ﾃｽｳﾘﾖｳ", -rng.choice((110, 220, 440))
        elif kind < 0.97:
            text, amount = "ｻｸﾗﾈﾂﾄ(ｶ", -3300
        elif kind < 0.99:
            text, amount = "ﾘｿｸ", rng.randrange(1, 50)
        else:
            text, amount = f"ﾌﾘｺﾐ ﾐｼﾗﾇｶｲｼﾔ{i}", -rng.randrange(1000, 9000)
        balance += amount
        out, into = (str(-amount), "") if amount < 0 else ("", str(amount))
        rows.append(f"{day:%Y/%m/%d},{text},{out},{into},{balance}")
    return "\r\n".join(rows) + "\r\n"


def _name(index: int) -> str:
    """A fictional half-width transfer name for individual supporter ``index``."""
    import unicodedata

    full = KANA[index % len(KANA)] + KANA[(index * 7) % len(KANA)] + "ﾀﾛｳ"
    return unicodedata.normalize("NFKC", full).translate(_HALF)


_HALF = str.maketrans(
    dict(
        zip(
            "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ",
            "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜ",
            strict=True,
        )
    )
)


def prepare(n: int, lines: int, work: Path, seed: int) -> tuple[Path, Path, Path]:
    """Books, import data and the CSV in ``work``: (main file, rules file, CSV)."""
    from connect_books.books import load
    from connect_books.importers.plan import _balance

    main = generate(n, work / "books", seed)
    books = load(main)
    assert not books.errors, books.errors[:3]
    opening = _balance(books.entries, ACCOUNT, FIRST_DAY - datetime.timedelta(days=1))
    supporters = sorted(
        s.id for s in books.roster.supporters.values() if s.kind == "individual"
    )[:INDIVIDUALS]
    data = work / "import"
    shutil.copytree(ROOT / "import", data)
    local = [
        f'[[supporter]]\nid = "{sid}"\nnames = ["{_name(i)}"]\n'
        for i, sid in enumerate(supporters)
    ]
    private = work / "private"
    private.mkdir()
    (private / "import-supporters.toml").write_text("\n".join(local), encoding="utf-8")
    last_day = min(datetime.date.today(), datetime.date(2026, 11, 28))
    csv = work / "roukin-bench.csv"
    csv.write_bytes(statement(lines, opening, last_day, seed).encode("cp932"))
    return main, data / "rules.toml", csv


def run(command: list[str], cache: Path, **extra: str) -> tuple[float, str]:
    """Wall time of ``command`` in a fresh process with the cache in ``cache``; its output."""
    env = {**os.environ, "CONNECT_BOOKS_CACHE": str(cache)}
    env.pop("CONNECT_BOOKS_CACHE_WRITE", None)
    env.update(extra)
    start = time.perf_counter()
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, env=env
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return elapsed, result.stdout


def main(argv: list[str] | None = None) -> None:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description="銀行明細の取込の速さを測る")
    parser.add_argument("-n", type=int, default=10000, help="帳簿の取引の件数")
    parser.add_argument("--lines", type=int, default=5000, help="明細の行数")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    cli = str(Path(sys.executable).parent / "connect-books")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        main_file, rules, csv = prepare(args.n, args.lines, work, args.seed)

        def fresh(name: str) -> tuple[Path, Path]:
            """A copy of the books and an empty cache folder of its own (cold)."""
            copy = work / name
            shutil.copytree(main_file.parent, copy)
            cache = work / f"{name}-cache"
            cache.mkdir(mode=0o700)
            return copy / "main.beancount", cache

        def importing(books: Path) -> list[str]:
            options = ["--bank", "roukin", "--rules", str(rules), "--yes"]
            return [cli, "import", str(csv), str(books), *options]

        checks, imports, warm_imports = [], [], []
        for i in range(args.repeat):  # interleaved: check, import, check, import …
            books, cache = fresh(f"check{i}")
            checks.append(run([cli, "check", str(books)], cache)[0])
            books, cache = fresh(f"import{i}")
            elapsed, output = run(importing(books), cache)
            imports.append(elapsed)
            books, cache = fresh(f"warm{i}")  # checked before, as the treasurer does
            run([cli, "check", str(books)], cache, CONNECT_BOOKS_CACHE_WRITE="inline")
            warm_imports.append(run(importing(books), cache)[0])
        after = [run([cli, "check", str(books)], cache)[0] for _ in checks]
        again = run(importing(books), cache)[1]
        assert "書き込むものはありません" in again, again[-400:]
        written = [line for line in output.splitlines() if line.startswith("✓")]
    check, imported = statistics.median(checks), statistics.median(imports)
    ratios = sorted(i / c for i, c in zip(imports, checks, strict=True))
    ratio = statistics.median(ratios)  # each pair ran side by side: the same load
    print(
        f"machine: {platform.machine()}, {platform.python_version()}, "
        f"{len(os.sched_getaffinity(0))} cores"
    )
    print(f"books: {args.n} transactions; statement: {args.lines} lines (cp932)")
    print(f"check:  median {check:.2f} s  ({', '.join(f'{t:.2f}' for t in checks)})")
    print(
        f"import: median {imported:.2f} s  ({', '.join(f'{t:.2f}' for t in imports)})"
    )
    print(
        f"ratio:  import / check, median of the pairs {ratio:.2f}×"
        f" (range {ratios[0]:.2f}–{ratios[-1]:.2f}×; target ≤ {TARGET:.1f}×)"
        f" {'✓' if ratio <= TARGET else '✗'}"
    )
    warm = statistics.median(warm_imports)
    print(
        f"import of books checked before (cache warm): median {warm:.2f} s"
        f" ({warm / check:.2f}× the check)"
    )
    grown = statistics.median(after)
    print(f"check of the books after the import (cache warm): median {grown:.2f} s")
    print(f"wrote:  {written[-1] if written else '?'}; second import: nothing new ✓")


if __name__ == "__main__":
    main()
