"""``connect-books import``: the two bank presets land the expected entries, once.

The books are a copy of the sample ``ledger/`` with two accounts opened for the tests
(a ゆうちょ振替口座 and a second ろうきん account, both empty until the statements of
October 2026 come in), and a copy of the repository's
``import/`` folder (rules and bank layouts) beside it, plus a test-only
``private/import-supporters.toml`` (individual supporters' transfer names). The statements in ``tests/data/import/`` are cp932 files made
to the documented layouts; the expected ``.beancount`` files are beangulp's regression
format (``beangulp.testing``). Other import test modules use the fixtures here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from beancount.core import data
from beangulp import extract  # type: ignore[import-untyped]
from beangulp.testing import compare_expected  # type: ignore[import-untyped]
from click.testing import CliRunner, Result
from ledgertools import query, query_total

from connect_books.books import load
from connect_books.cli import main
from connect_books.importers.config import ImportData
from connect_books.importers.importer import BankImporter

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "import"
YUCHO = "Assets:1150-振替口座-ゆうちょ"
ROUKIN = "Assets:1125-普通預金-ろうきん-事業"
#: The books have two ろうきん bank accounts: a ろうきん statement names its account.
TO_ROUKIN = ("--bank", "roukin", "--account", ROUKIN)
PRESETS = [
    ("yucho-2026-10.csv", "yucho", YUCHO, 42836, 5),
    ("roukin-2026-10.csv", "roukin", ROUKIN, 61272, 6),
]


def make_repo(sample: Path, tmp_path: Path) -> Path:
    """The test repository (see the module docstring); returns its main file."""
    repo = tmp_path / "repo"
    ledger = repo / "ledger"
    shutil.copytree(
        sample.parent, ledger, ignore=shutil.ignore_patterns("*.picklecache")
    )
    shutil.copytree(
        ROOT / "import",
        repo / "import",
    )
    (repo / "private").mkdir()
    shutil.copyfile(
        DATA / "import-supporters.toml", repo / "private" / "import-supporters.toml"
    )
    accounts = ledger / "accounts.beancount"
    accounts.write_text(
        accounts.read_text(encoding="utf-8")
        + (DATA / "import-accounts.beancount").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    return ledger / "main.beancount"


@pytest.fixture
def books(sample_path: Path, tmp_path: Path) -> Path:
    """A fresh test repository's main file."""
    return make_repo(sample_path, tmp_path)


def run_import(*args: str, input: str | None = None) -> Result:
    """``connect-books import ARGS`` through click's runner."""
    return CliRunner().invoke(main, ["import", *args], input=input)


def snapshot(main_file: Path) -> dict[str, bytes]:
    """Every file of the ledger folder, byte for byte."""
    return {
        str(p.relative_to(main_file.parent)): p.read_bytes()
        for p in sorted(main_file.parent.rglob("*"))
        if p.is_file()
    }


def check_passes(main_file: Path) -> None:
    """``connect-books check`` reports no error."""
    result = CliRunner().invoke(main, ["check", str(main_file)])
    assert result.exit_code == 0, result.output
    assert "エラーはありません" in result.output


@pytest.mark.parametrize(("name", "bank", "account", "closing", "count"), PRESETS)
def test_preset_sample_extracts_the_expected_entries(
    books: Path, name: str, bank: str, account: str, closing: int, count: int
) -> None:
    loaded = load(books)
    data = ImportData.find(loaded)
    importer = BankImporter(data.layouts()[bank], account, data.rules(loaded))
    document = str(DATA / name)
    assert importer.identify(document)
    entries = extract.extract_from_file(importer, document, loaded.entries)
    assert len(entries) == count
    diff = compare_expected(
        str(DATA / f"{name}.beancount"),
        importer.account(document),
        importer.date(document),
        importer.filename(document),
        entries,
    )
    assert not diff, "".join(diff)


def test_each_preset_identifies_only_its_own_file(books: Path) -> None:
    loaded = load(books)
    data = ImportData.find(loaded)
    rules = data.rules(loaded)
    yucho = BankImporter(data.layouts()["yucho"], YUCHO, rules)
    roukin = BankImporter(data.layouts()["roukin"], ROUKIN, rules)
    assert yucho.identify(str(DATA / "yucho-2026-10.csv"))
    assert not yucho.identify(str(DATA / "roukin-2026-10.csv"))
    assert roukin.identify(str(DATA / "roukin-2026-10.csv"))
    assert not roukin.identify(str(DATA / "yucho-2026-10.csv"))
    assert yucho.name != roukin.name


@pytest.mark.parametrize(("name", "bank", "account", "closing", "count"), PRESETS)
def test_import_lands_the_entries_and_the_books_check(
    books: Path, name: str, bank: str, account: str, closing: int, count: int
) -> None:
    result = run_import(
        str(DATA / name), str(books), "--bank", bank, "--account", account, "--yes"
    )
    assert result.exit_code == 0, result.output
    assert f"新しく取り込む {count}件" in result.output
    assert f"✓ {count}件 と残高確認を 2026.beancount" in result.output
    check_passes(books)
    after = load(books)
    assert (
        query_total(after, "SELECT sum(number) WHERE account = %s", account) == closing
    )
    keys = query(
        after,
        "SELECT count(*) WHERE account = %s AND entry_meta('import-key') IS NOT NULL",
        account,
    )
    assert keys[0][0] == count
    balances = [
        int(e.amount.number)
        for e in after.entries
        if isinstance(e, data.Balance)
        and e.account == account
        and e.diff_amount is None
        and str(e.date) == "2026-11-01"
    ]
    assert balances == [closing]  # and the load found it true: check passed
    journal = (books.parent / "2026.beancount").read_text(encoding="utf-8")
    assert f"2026-11-01 balance {account}" in journal
    assert "; 銀行明細の取込: " + name in journal


def test_the_entries_carry_member_and_supporter_ids_never_names(books: Path) -> None:
    result = run_import(str(DATA / "yucho-2026-10.csv"), str(books), "--yes")
    assert result.exit_code == 0, result.output
    after = load(books)
    dues = query_total(
        after,
        "SELECT sum(number) WHERE account ~ '受取会費' AND entry_meta('member') = %s"
        " AND date >= 2026-04-01",
        "CS-MACHIDESIGN",
    )
    assert dues == -10000
    donors = query(
        after,
        "SELECT entry_meta('supporter'), payee, sum(number) WHERE account ~ '受取寄附金'"
        " AND date >= 2026-10-01 GROUP BY 1, 2 ORDER BY 1",
    )
    assert [(s, p, int(n)) for s, p, n in donors] == [
        ("C0002", "C0002", -30000),
        ("S0001", "S0001", -3000),
    ]
    journal = (books.parent / "2026.beancount").read_text(encoding="utf-8")
    assert "山田" not in journal and "ﾔﾏﾀﾞ" not in journal and "ヤマダ" not in journal
    assert (
        "ﾊﾅﾐｽﾞｷ" not in journal
    )  # the organisation's transfer name is not copied either


def test_the_treasurer_can_decline_and_nothing_is_written(books: Path) -> None:
    before = snapshot(books)
    result = run_import(str(DATA / "yucho-2026-10.csv"), str(books), input="y\nn\n")
    assert result.exit_code == 0, result.output
    assert "残高確認 (balance) も書きますか? [Y/n]" in result.output
    assert "2026.beancount に書き込みますか? [y/N]" in result.output
    assert "書き込みませんでした (帳簿は変わっていません)" in result.output
    assert snapshot(books) == before


def test_the_treasurer_can_write_the_entries_without_the_balance(books: Path) -> None:
    result = run_import(str(DATA / "yucho-2026-10.csv"), str(books), input="n\ny\n")
    assert result.exit_code == 0, result.output
    assert "✓ 5件を 2026.beancount" in result.output
    journal = (books.parent / "2026.beancount").read_text(encoding="utf-8")
    assert journal.count("import-key:") == 5
    assert f"balance {YUCHO}" not in journal
    check_passes(books)
