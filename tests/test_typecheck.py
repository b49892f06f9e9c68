"""Type checking sees across the three packages: a wrong call from reports/ fails mypy.

``plugins/`` and ``reports/`` install as ``connect_books.plugins`` and
``connect_books.reports`` (setuptools ``package-dir``). ``tools/typecheck.sh`` gives mypy
that layout; this test builds the same layout with one deliberately wrong module in
``reports/`` and proves mypy rejects it, so a change that breaks a call across layers
cannot pass ``make test``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

ROOT = Path(__file__).resolve().parent.parent
CANARY = '''\
"""A report module that calls the model layer wrongly."""

from __future__ import annotations

from connect_books.fiscal import FiscalYear, Period
from connect_books.money import yen_text
from connect_books.reports.figures import figures_of


def wrong() -> str:
    period = Period.of("not a year")
    figures_of("not an index", 42, period)
    return yen_text(FiscalYear(2025))
'''


def layout(tree: Path) -> None:
    for source, target in (
        ("connect_books", "connect_books"),
        ("plugins", "connect_books/plugins"),
        ("reports", "connect_books/reports"),
    ):
        folder = tree / target
        folder.mkdir(parents=True, exist_ok=True)
        for module in (ROOT / source).glob("*.py"):
            (folder / module.name).symlink_to(module)


def test_a_wrong_call_from_reports_into_the_model_fails(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    layout(tree)
    (tree / "connect_books" / "reports" / "canary.py").write_text(CANARY)
    cwd = os.getcwd()
    os.chdir(tree)
    try:
        out, _, status = mypy_api.run(
            [
                "--config-file",
                str(ROOT / "pyproject.toml"),
                "--cache-dir",
                str(tmp_path / "cache"),
                "-m",
                "connect_books.reports.canary",
            ]
        )
    finally:
        os.chdir(cwd)
    assert status == 1, out
    problems = [line for line in out.splitlines() if "canary.py" in line]
    assert any('"of" of "Period"' in line for line in problems), out
    assert any('"figures_of"' in line for line in problems), out
    assert any('"yen_text"' in line for line in problems), out
