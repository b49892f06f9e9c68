"""``make bench``: connect-books against plain Beancount (and hledger) on the same books.

For each size, the books are generated (``bench/generate.py``, kept in ``bench/books/<n>``
and reused), then each of our commands runs paired with its plain counterpart, in fresh
processes, interleaved (A B A B …), as the user runs them::

    python bench/run.py                               # 1000, 10000, 100000; 5 pairs each
    python bench/run.py --sizes 1000,10000 --repeat 3

The pairs, each in the same cache state on both sides:

* ``check`` cold / ``bean-check`` cold (no cache of either: ours' is a fresh folder, so
  the command also starts its background cache write; Beancount's pickle removed, so it
  writes it on the user's time, as it does);
* ``check`` warm / ``bean-check`` warm (ours: the project's cache; Beancount: its pickle);
* ``check`` cold with the cache written before returning / ``check`` cold (what writing in
  the background saves);
* ``close-year`` / ``check``, cold and warm, on books whose 2025年度 is not settled yet
  (the settlement file is restored before each run);
* ``board-pack`` and ``audit-pack`` / ``check``, cold and warm; and, since a warm
  ``check`` reads only the errors while these read the whole books, ``close-year`` and
  ``board-pack`` warm / ``bean-check`` warm (which reads them whole too);
* ``hledger check`` on the books converted (``bench/hledger.py``), if ``hledger`` is
  installed (``apt-get install hledger``), against our ``check`` cold and warm.

Each pair gives the ratio ours / theirs of every repetition; the table shows the median
ratio of wall time with its range, the median ratio of CPU time (steadier on a busy
machine), the median wall times, and the peak memory (maximum resident set, from
``wait4``) of each side. Nothing outside the project is needed but ``hledger`` (optional).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # when run as a script
    sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
#: The limits of issue 13 (ours / theirs), by size and pair label.
TARGETS: dict[int, dict[str, float]] = {
    10000: {"check cold": 0.7, "check warm": 0.7},
    100000: {
        "check cold": 0.65,
        "check warm": 0.5,
        "close-year cold": 1.3,
        "close-year warm": 1.3,
        "board-pack cold": 1.3,
        "board-pack warm": 1.3,
        "audit-pack cold": 1.3,
        "audit-pack warm": 1.3,
    },
}
#: Peak memory limit of a cold check against bean-check's (issue 13, 100,000 件).
MEMORY_TARGET = 1.0


@dataclass(frozen=True)
class Run:
    """One process: wall and CPU seconds, peak resident memory (MiB), exit status."""

    wall: float
    cpu: float
    rss: float
    code: int


class Spawner:
    """The small process that runs every measured command (``bench/spawner.py``)."""

    process: subprocess.Popen[str] | None = None

    @classmethod
    def start(cls) -> None:
        """Start it; call before anything large is imported."""
        script = Path(__file__).resolve().with_name("spawner.py")
        cls.process = subprocess.Popen(
            [sys.executable, "-S", str(script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    @classmethod
    def ask(cls, request: dict[str, object]) -> dict[str, object]:
        process = cls.process
        assert process is not None and process.stdin and process.stdout
        process.stdin.write(json.dumps(request) + "\n")
        process.stdin.flush()
        answer: dict[str, object] = json.loads(process.stdout.readline())
        return answer


def run(command: Sequence[str], env: dict[str, str]) -> Run:
    """Run ``command`` to its end; its resources as ``wait4`` gives them (this child only).

    A command killed from outside (a busy machine) is run once more before giving up.
    """
    for attempt in (1, 2):
        answer = Spawner.ask({"command": list(command), "env": env, "cwd": str(ROOT)})
        code = int(answer["code"])  # type: ignore[call-overload]
        if code in (0, 1):
            break
        if attempt == 2 or code > 0:
            tail = str(answer["stderr"]).strip().splitlines()[-3:]
            raise RuntimeError(
                f"{' '.join(command)}: 終了コード {code} {' / '.join(tail)}"
            )
        print(f"… 終了コード {code} のため、もう一度実行します", file=sys.stderr)
    return Run(
        float(answer["wall"]),  # type: ignore[arg-type]
        float(answer["cpu"]),  # type: ignore[arg-type]
        float(answer["rss_kib"]) / 1024,  # type: ignore[arg-type]
        code,
    )


@dataclass
class Pair:
    """Repetitions of ours against theirs, in the same state."""

    size: int
    label: str
    against: str
    ours: list[Run] = field(default_factory=list)
    theirs: list[Run] = field(default_factory=list)

    def ratios(self, attribute: str) -> list[float]:
        return [
            getattr(a, attribute) / getattr(b, attribute)
            for a, b in zip(self.ours, self.theirs, strict=True)
            if getattr(b, attribute)
        ]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass
class Books:
    """The generated books of one size: settled, and a copy before its settlement."""

    size: int
    settled: Path
    open: Path
    settlements: bytes
    journal: Path | None
    cache: Path
    scratch: Path

    def env(self, cache: Path | None = None, **extra: str) -> dict[str, str]:
        env = {**os.environ, "CONNECT_BOOKS_CACHE": str(cache or self.cache), **extra}
        env.pop("CONNECT_BOOKS_CACHE_WRITE", None)
        env.update(extra)
        return env

    def restore(self) -> None:
        """Undo a ``close-year`` of the open books."""
        self.open.with_name("settlements.beancount").write_bytes(self.settlements)


def prepare(size: int, regenerate: bool, scratch: Path) -> Books:
    """Generate (or reuse) the books of ``size`` and their hledger journal."""
    from bench.generate import BOOKS, generate

    settled_dir, open_dir = BOOKS / str(size), BOOKS / f"{size}-open"
    settled = settled_dir / "main.beancount"
    if regenerate or not settled.exists():
        print(f"… {size:,}件の帳簿を作っています", file=sys.stderr)
        generate(size, settled_dir)
    opened = open_dir / "main.beancount"
    if regenerate or not opened.exists():
        generate(size, open_dir, settle=False)
        (open_dir / "settlements.beancount").write_text("; 決算 (生成データ)\n")
        for name in ("main.beancount", "main-plain.bean"):
            path = open_dir / name
            path.write_text(path.read_text() + 'include "settlements.beancount"\n')
    journal = None
    if shutil.which("hledger"):
        from bench.hledger import convert

        journal = settled_dir / "books.journal"
        if regenerate or not journal.exists():
            convert(settled.resolve(), journal)
    return Books(
        size,
        settled.resolve(),
        opened.resolve(),
        (open_dir / "settlements.beancount").read_bytes(),
        journal,
        scratch / f"cache-{size}",
        scratch,
    )


def measure(
    books: Books, repeat: int, skip: Sequence[str] = (), only: Sequence[str] = ()
) -> list[Pair]:
    """Every pair of the module docstring, for one size (but those ``skip`` names:
    ``audit-pack`` or ``audit-pack:100000`` leaves out that command, at that size; and,
    if ``only`` names pairs such as ``check cold``, just those)."""
    from connect_books import cache

    ours = str(BIN / "connect-books")
    main, opened = str(books.settled), str(books.open)
    plain = str(books.settled.with_name("main-plain.bean"))
    picklecache = books.settled.with_name(".main-plain.bean.picklecache")
    counter = iter(range(1_000_000))

    def cold(command: list[str], path: Path, **extra: str) -> Callable[[], Run]:
        def go() -> Run:
            folder = books.scratch / f"cold-{next(counter)}"
            result = run(command, books.env(folder, **extra))
            cache.wait(path, folder)  # the background write must not steal the next run
            shutil.rmtree(folder, ignore_errors=True)
            return result

        return go

    def warm(command: list[str], path: Path) -> Callable[[], Run]:
        def go() -> Run:
            result = run(command, books.env())
            cache.wait(path, books.cache)
            return result

        return go

    def plain_check(keep: bool) -> Callable[[], Run]:
        def go() -> Run:
            if not keep:
                picklecache.unlink(missing_ok=True)
            return run([str(BIN / "bean-check"), plain], books.env())

        return go

    def restored(step: Callable[[], Run]) -> Callable[[], Run]:
        def go() -> Run:
            books.restore()
            try:
                return step()
            finally:
                books.restore()

        return go

    check = [ours, "check", main]
    check_open = [ours, "check", opened]
    close = [ours, "close-year", "2025", opened, "--date", "2026-06-20"]
    close += ["--audited", "2026-05-23"]
    board = [ours, "board-pack", "--year", "2026", "--as-of", "2026-10-31"]
    board += ["-o", str(books.scratch / "board.xlsx"), main]
    audit = [ours, "audit-pack", "--year", "2025", "-o", str(books.scratch / "a.xlsx")]
    audit.append(main)
    settled, open_ = books.settled, books.open

    # Warm both caches (and the page cache) first.
    warm(check, settled)()
    warm(check_open, open_)()
    plain_check(keep=True)()
    plan: list[tuple[str, str, Callable[[], Run], Callable[[], Run]]] = [
        ("check cold", "bean-check cold", cold(check, settled), plain_check(False)),
        ("check warm", "bean-check warm", warm(check, settled), plain_check(True)),
        (
            "check cold, cache written inline",
            "check cold",
            cold(check, settled, CONNECT_BOOKS_CACHE_WRITE="inline"),
            cold(check, settled),
        ),
        (
            "close-year cold",
            "check cold",
            restored(cold(close, open_)),
            cold(check_open, open_),
        ),
        (
            "close-year warm",
            "check warm",
            restored(warm(close, open_)),
            warm(check_open, open_),
        ),
        ("board-pack cold", "check cold", cold(board, settled), cold(check, settled)),
        ("board-pack warm", "check warm", warm(board, settled), warm(check, settled)),
        ("audit-pack cold", "check cold", cold(audit, settled), cold(check, settled)),
        ("audit-pack warm", "check warm", warm(audit, settled), warm(check, settled)),
        # (a warm check reads only the errors; these need the whole books: against a
        # plain warm load, which reads them whole too)
        (
            "close-year warm",
            "bean-check warm",
            restored(warm(close, open_)),
            plain_check(True),
        ),
        ("board-pack warm", "bean-check warm", warm(board, settled), plain_check(True)),
    ]
    if books.journal is not None:
        hledger = [shutil.which("hledger") or "hledger", "-f", str(books.journal)]
        hledger.append("check")
        plan.append(
            ("check cold", "hledger check", cold(check, settled), _cmd(hledger))
        )
        plan.append(
            ("check warm", "hledger check", warm(check, settled), _cmd(hledger))
        )
    pairs = []
    for label, against, mine, theirs in plan:
        command = label.split()[0]
        if command in skip or f"{command}:{books.size}" in skip:
            continue
        if only and label not in only:
            continue
        pair = Pair(books.size, label, against)
        for _ in range(repeat):
            pair.ours.append(mine())
            pair.theirs.append(theirs())
        pairs.append(pair)
        print(
            f"… {books.size:,}件 {label} / {against}: {_ratio_text(pair)}",
            file=sys.stderr,
        )
    return pairs


def _cmd(command: list[str]) -> Callable[[], Run]:
    return lambda: run(command, dict(os.environ))


def _ratio_text(pair: Pair) -> str:
    ratios = pair.ratios("wall")
    return (
        f"{median(ratios):.2f} [{min(ratios):.2f}–{max(ratios):.2f}]" if ratios else "-"
    )


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from connect_books.cachekey import _beancount_version

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return {
        "nproc": str(os.cpu_count()),
        "CPU": cpu,
        "Python": platform.python_version(),
        "Beancount": _beancount_version(),
        "OS": platform.platform(),
        "load average": load,
    }


def render(pairs: Sequence[Pair], repeat: int) -> str:
    """One table for every size (markdown, so the README can show it as it is)."""
    head = (
        "| 件数 | connect-books | 相手 | 経過時間の比 中央値 [範囲] | CPU時間の比 | "
        "経過時間 (ours / 相手) | 最大メモリ MiB (ours / 相手) | 目標 |"
    )
    lines = [head, "|" + "---|" * 8]
    for pair in pairs:
        wall = pair.ratios("wall")
        cpu = pair.ratios("cpu")
        ours_rss = median([r.rss for r in pair.ours])
        theirs_rss = median([r.rss for r in pair.theirs])
        ratio = median(wall)
        target = TARGETS.get(pair.size, {}).get(pair.label)
        verdict = ""
        if target is not None and pair.against.startswith(("bean-check", "check")):
            verdict = f"≤ {target} {'✓' if ratio <= target else '✗'}"
        if (
            pair.size == 100000
            and pair.label == "check cold"
            and pair.against.startswith("bean-check")
        ):
            memory = ours_rss / theirs_rss
            mark = "✓" if memory <= MEMORY_TARGET else "✗"
            verdict += f"; メモリ ≤ {MEMORY_TARGET} {mark} ({memory:.2f})"
        lines.append(
            f"| {pair.size:,} | {pair.label} | {pair.against} "
            f"| {ratio:.2f} [{min(wall, default=0):.2f}–{max(wall, default=0):.2f}] "
            f"| {median(cpu):.2f} "
            f"| {median([r.wall for r in pair.ours]):.2f}s / "
            f"{median([r.wall for r in pair.theirs]):.2f}s "
            f"| {ours_rss:.0f} / {theirs_rss:.0f} | {verdict} |"
        )
    info = machine()
    lines.append("")
    lines.append(
        f"{repeat}回ずつ、交互に、毎回新しいプロセスで。"
        + "  ".join(f"{key}: {value}" for key, value in info.items())
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python bench/run.py [--sizes 1000,10000,100000] [--repeat 5] [--regenerate]``."""
    parser = argparse.ArgumentParser(
        description="connect-books と素の Beancount・hledger の比較 (同じ帳簿、交互に実行)"
    )
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument(
        "--skip",
        default="",
        help="測らないコマンド (カンマ区切り。audit-pack:100000 はその件数だけ)",
    )
    parser.add_argument(
        "--only",
        default="",
        help="この組だけを測る (カンマ区切り。例: 'check cold,board-pack cold')",
    )
    args = parser.parse_args(argv)
    skip = [name.strip() for name in args.skip.split(",") if name.strip()]
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    Spawner.start()  # (before the books' generator and Beancount are imported)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    pairs: list[Pair] = []
    with tempfile.TemporaryDirectory(prefix="connect-books-bench-") as scratch:
        for size in sizes:
            books = prepare(size, args.regenerate, Path(scratch))
            found = measure(books, args.repeat, skip, only)
            pairs.extend(found)
            print(render(found, args.repeat), file=sys.stderr)  # (each size as it ends)
    print(render(pairs, args.repeat))
    if skip:
        print(f"測らなかったもの: {', '.join(skip)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
