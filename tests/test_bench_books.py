"""Generated books (bench/generate.py): valid under every plugin, deterministic, in sync."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from connect_books.fiscal import FiscalYear  # noqa: E402

BIN = Path(sys.executable).parent
PLUGIN_LINE = re.compile(r"^\s*plugin\s")


@pytest.fixture(scope="module")
def books_1000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(1000, tmp_path_factory.mktemp("bench") / "1000")


def test_generated_books_load_without_errors(books_1000: Path) -> None:
    entries, errors, _ = loader.load_file(str(books_1000))
    assert errors == [], [e.message for e in errors[:5]]
    assert sum(isinstance(e, data.Transaction) for e in entries) == 1000


def test_generated_books_pass_bean_check(books_1000: Path) -> None:
    result = subprocess.run(
        [str(BIN / "bean-check"), str(books_1000)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_plugin_lines_follow_the_real_books(books_1000: Path) -> None:
    real = [
        line
        for line in (ROOT / "ledger" / "main.beancount").read_text().splitlines()
        if PLUGIN_LINE.match(line)
    ]
    main = [
        line for line in books_1000.read_text().splitlines() if PLUGIN_LINE.match(line)
    ]
    plain = books_1000.with_name("main-plain.bean").read_text()
    assert main == real
    assert "connect_books" not in "".join(
        line for line in plain.splitlines() if PLUGIN_LINE.match(line)
    )


def test_same_seed_same_books(books_1000: Path, tmp_path: Path) -> None:
    again = generate(1000, tmp_path / "again")
    for path in sorted(books_1000.parent.glob("*.beancount")):
        assert (again.parent / path.name).read_bytes() == path.read_bytes(), path.name
    other = generate(1000, tmp_path / "other", seed=2)
    assert (other.parent / "2025.beancount").read_bytes() != (
        books_1000.parent / "2025.beancount"
    ).read_bytes()


def test_shape_of_the_organisation(books_1000: Path) -> None:
    entries, _, _ = loader.load_file(str(books_1000))
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    dues = defaultdict(set)
    for txn in txns:
        if "member" in txn.meta:
            dues[FiscalYear.of(txn.date)].add(txn.meta["member"])
    assert all(len(members) == 16 for members in dues.values()) and len(dues) == 2
    accounts = {p.account for t in txns for p in t.postings}
    for prefix in ("5110", "5120", "5130", "5140", "5150", "5210"):
        assert any(f":{prefix}-" in a for a in accounts), prefix
    assert any("supporter" in t.meta for t in txns)
    assert any("decision" in t.meta for t in txns)
    assert any(
        isinstance(e, data.Custom) and e.type == "grant-decision" for e in entries
    )
    assert max(e.date for e in entries) <= datetime.date.today()
    # Cash, bank and fund balances never go negative, day by day.
    running: dict[str, Decimal] = defaultdict(Decimal)
    for txn in txns:
        for posting in txn.postings:
            if posting.account.startswith("Assets:11"):
                running[posting.account] += posting.units.number
                assert running[posting.account] >= 0, (txn.date, posting.account)
    balances = [e for e in entries if isinstance(e, data.Balance)]
    assert len(balances) == 4 * 17  # four accounts, 2025-07-01 .. 2026-11-01


def test_completed_year_is_settled_and_locked(books_1000: Path, tmp_path: Path) -> None:
    entries, _, _ = loader.load_file(str(books_1000))
    settled = [
        e for e in entries if isinstance(e, data.Custom) and e.type == "settlement"
    ]
    assert [(e.date, e.values[0].value) for e in settled] == [
        (datetime.date(2026, 6, 20), Decimal(2025))
    ]
    # Change one narration dated in the settled year: the settlement plugin must object.
    copy = tmp_path / "books"
    shutil.copytree(books_1000.parent, copy)
    journal = copy / "2025.beancount"
    text = journal.read_text()
    changed = text.replace('"2025年度会費"', '"2025年度会費 (書き換え)"', 1)
    assert changed != text
    journal.write_text(changed)
    _, errors, _ = loader.load_file(str(copy / "main.beancount"))
    assert (
        len(errors) == 1
        and "確定済み (2026-06-20 総会承認) の2025年度の記録" in errors[0].message
    )
