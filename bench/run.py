"""Load-time benchmark: plain Beancount against Beancount with all our plugins.

For each size, generates the books (``bench/generate.py``), then loads ``main-plain.bean``
and ``main`` alternately, each load in a fresh Python process, uncached
(:func:`connect_books.beancompat.load_uncached`, as Fava does), and prints the median
wall times and their ratio::

    python bench/run.py                          # sizes 1000,10000,100000, 5 loads each
    python bench/run.py --sizes 1000 --repeat 3

The target is a ratio of at most 1.15 at 100,000 transactions.

The helpers are meant to be reused by other benchmarks (for example the reports)::

    from bench.run import Row, machine, median_seconds, render
    seconds = median_seconds(code, repeat=5)   # code: a Python snippet that sets `seconds`
    print(render([Row("報告書 100k", 100000, base, seconds)], machine()))
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # when run as a script
    sys.path.insert(0, str(ROOT))

from bench.generate import BOOKS, generate  # noqa: E402

TARGET = 1.15
PLUGIN_LINE = re.compile(r'^\s*plugin\s+"([^"]+)"', re.MULTILINE)

#: Runs in a fresh interpreter: import Beancount and the plugins first (as a long-running
#: Fava has), collect garbage, then time one uncached load.
LOAD_SNIPPET = """
import gc, importlib, time
from beancount.core import data
from connect_books.beancompat import load_uncached
for name in {modules!r}:
    importlib.import_module(name)
gc.collect()
timings = []
start, cpu = time.perf_counter(), time.process_time()
entries, errors, options = load_uncached({path!r}, timings.append)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
extra = {{"errors": len(errors), "transactions": sum(type(e) is data.Transaction for e in entries),
          "first_error": errors[0].message[:200] if errors else "", "cpu": cpu, "timings": timings}}
"""
TIMING_LINE = re.compile(r"Operation: '([^']+)'\s+Time:\s+(\d+) ms")


@dataclass(frozen=True)
class Row:
    """One line of results: a baseline and a measured time (median seconds)."""

    label: str
    transactions: int
    baseline: float
    measured: float

    @property
    def ratio(self) -> float:
        """``measured / baseline``."""
        return self.measured / self.baseline if self.baseline else float("nan")


def run_snippet(code: str) -> dict[str, object]:
    """Run ``code`` in a fresh Python; it must set ``seconds`` (and may set a dict ``extra``)."""
    wrapper = (
        code
        + "\nimport json as _j\nprint(_j.dumps({'seconds': seconds, **globals().get('extra', {})}))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(wrapper)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=env,
    )
    if result.returncode != 0:
        raise RuntimeError(
            result.stderr.strip().splitlines()[-1] if result.stderr else "failed"
        )
    out: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return out


def median_seconds(code: str, repeat: int = 5) -> float:
    """The median of ``repeat`` runs of :func:`run_snippet`."""
    return statistics.median(float(run_snippet(code)["seconds"]) for _ in range(repeat))  # type: ignore[arg-type]


def load_code(path: Path) -> str:
    """The snippet timing one uncached load of ``path`` (its plugins imported beforehand)."""
    modules = PLUGIN_LINE.findall(path.read_text(encoding="utf-8"))
    return LOAD_SNIPPET.format(modules=modules, path=str(path.resolve()))


@dataclass(frozen=True)
class Comparison:
    """Plain Beancount against all plugins, for one set of books."""

    wall: Row
    cpu: Row
    plugins_ms: dict[str, float]
    problems: list[str]


def compare_loads(main: Path, repeat: int = 5) -> Comparison:
    """Median uncached loads of ``main-plain.bean`` and ``main`` (alternating, fresh processes).

    Also the median time Beancount's loader logs for each plugin (our plugins and its own,
    each including the loader's re-sort of the entries after it), and any load errors.
    """
    plain = main.with_name("main-plain.bean")
    codes = {"plain": load_code(plain), "plugins": load_code(main)}
    wall: dict[str, list[float]] = {"plain": [], "plugins": []}
    cpu: dict[str, list[float]] = {"plain": [], "plugins": []}
    per_plugin: dict[str, list[float]] = {}
    problems: list[str] = []
    transactions = 0
    for _ in range(repeat):
        for name, code in codes.items():
            result = run_snippet(code)
            wall[name].append(float(result["seconds"]))  # type: ignore[arg-type]
            cpu[name].append(float(result["cpu"]))  # type: ignore[arg-type]
            transactions = int(result["transactions"])  # type: ignore[call-overload]
            if result["errors"]:
                problems.append(
                    f"{name}: エラー {result['errors']}件 ({result['first_error']})"
                )
            if name == "plugins":
                for line in result["timings"]:  # type: ignore[attr-defined]
                    match = TIMING_LINE.search(line)
                    if match and match.group(1).startswith(
                        ("connect_books.", "beancount.ops.")
                    ):
                        per_plugin.setdefault(match.group(1), []).append(
                            float(match.group(2))
                        )
    label = f"{transactions:,}件"
    return Comparison(
        Row(
            f"{label} 経過時間",
            transactions,
            statistics.median(wall["plain"]),
            statistics.median(wall["plugins"]),
        ),
        Row(
            f"{label} CPU時間",
            transactions,
            statistics.median(cpu["plain"]),
            statistics.median(cpu["plugins"]),
        ),
        {name: statistics.median(ms) for name, ms in per_plugin.items()},
        sorted(set(problems)),
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
    from beancount import __version__ as beancount_version

    return {
        "nproc": str(os.cpu_count()),
        "CPU": cpu,
        "Python": platform.python_version(),
        "Beancount": beancount_version,
        "OS": platform.platform(),
    }


def render(
    rows: Sequence[Row],
    info: dict[str, str],
    baseline: str = "Beancount のみ",
    measured: str = "全プラグイン",
) -> str:
    """A plain-text table of ``rows`` and the machine."""
    lines = [f"{'':<22} {'取引':>9} {baseline:>14} {measured:>12} {'比':>7}"]
    for row in rows:
        lines.append(
            f"{row.label:<22} {row.transactions:>9,} {row.baseline:>13.2f}s {row.measured:>11.2f}s {row.ratio:>7.3f}"
        )
    lines.append("")
    lines.append("  ".join(f"{key}: {value}" for key, value in info.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python bench/run.py [--sizes 1000,10000,100000] [--repeat 5]``."""
    parser = argparse.ArgumentParser(
        description="帳簿の読み込み時間: Beancount のみ と 全プラグイン の比較"
    )
    parser.add_argument(
        "--sizes", default="1000,10000,100000", help="取引の件数 (カンマ区切り)"
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="それぞれ何回読み込むか (中央値を取る)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    rows: list[Row] = []
    problems: list[str] = []
    comparison = None
    for size in sizes:
        main_path = generate(size, BOOKS / str(size), args.seed)
        comparison = compare_loads(main_path, args.repeat)
        rows.extend((comparison.wall, comparison.cpu))
        problems.extend(f"{size}: {p}" for p in comparison.problems)
        row = comparison.wall
        print(
            f"{row.label}: {row.baseline:.2f}s → {row.measured:.2f}s (比 {row.ratio:.3f})",
            file=sys.stderr,
        )
    print(f"帳簿の読み込み (キャッシュなし、{args.repeat}回の中央値)")
    print(render(rows, machine()))
    assert comparison is not None
    largest = comparison.wall
    verdict = "達成" if largest.ratio <= TARGET else "未達"
    print(
        f"\n目標: {largest.transactions:,}件で経過時間の比 {TARGET} 以下 → {verdict} ({largest.ratio:.3f})"
    )
    print(
        f"\nプラグインごとの時間 ({largest.transactions:,}件、ローダーの記録、並べ直しを含む、中央値):"
    )
    for name, ms in sorted(comparison.plugins_ms.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<40} {ms:>8.0f} ms")
    ours = sum(
        ms
        for name, ms in comparison.plugins_ms.items()
        if name.startswith("connect_books.")
    )
    share = (
        ours / 1000 / comparison.wall.baseline
        if comparison.wall.baseline
        else float("nan")
    )
    print(
        f"  {'機構のプラグイン 合計':<36} {ours:>8.0f} ms (Beancount のみの読み込みの {share:.1%})"
    )
    for problem in problems:
        print(f"注意: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
