"""``connect-books receipt``: numbered 領収書 and yearly lists that match the ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from ledgertools import query_by, query_total
from openpyxl import load_workbook

from connect_books.books import load
from connect_books.cli import main
from connect_books.entry_supporters import SUPPORTERS_ENV

NAMES = (
    "ID,氏名,敬称,郵便番号,住所\n"
    "S0001,山田 花子,様,156-0051,東京都世田谷区宮坂1-2-3\n"
    "S0008,佐藤 一郎,,,\n"
    "S0009,鈴木 道子,様,,\n"
    "C0001,株式会社みらい商店,御中,,\n"
)


@pytest.fixture
def names(tmp_path: Path) -> Path:
    path = tmp_path / "private" / "supporters.csv"
    path.parent.mkdir()
    path.write_text(NAMES, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SUPPORTERS_ENV, raising=False)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def cells(path: Path) -> dict[str, object]:
    """Every non-empty cell of the workbook's sheet, by coordinate."""
    ws = load_workbook(path).active
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value}


def test_a_donation_receipt(sample_path: Path, names: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(
        "receipt", "issue", "S0001", str(sample_path), "--date", "2026-07-14",
        "--supporters", str(names), "-o", str(out), "--issued", "2026-11-30",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    path = out / "R-20260714-S0001_領収書.xlsx"
    values = cells(path)
    texts = [v for v in values.values() if isinstance(v, str)]
    assert values["A4"] == "領収書"
    assert "R-20260714-S0001" in texts
    assert "山田 花子 様" in texts
    assert "〒156-0051  東京都世田谷区宮坂1-2-3" in texts
    assert "ご寄付として" in texts
    amounts = [v for v in values.values() if isinstance(v, int)]
    books = load(sample_path)
    received = query_total(
        books,
        "SELECT sum(number) WHERE account ~ '^Assets' AND date = 2026-07-14"
        " AND entry_meta('supporter') = 'S0001'",
    )
    assert amounts == [received] == [30000]
    assert not any("寄附金受領証明書" in t for t in texts)


def test_a_dues_receipt_needs_no_names_file(sample_path: Path, tmp_path: Path) -> None:
    result = run(
        "receipt", "issue", "生活クラブ生活協同組合・東京", str(sample_path),
        "--year", "2026", "-o", str(tmp_path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    values = cells(tmp_path / "R-20260410-SCC-TOKYO_領収書.xlsx")
    assert "生活クラブ生活協同組合・東京 御中" in values.values()
    assert "2026年度会費として" in values.values()
    assert [v for v in values.values() if isinstance(v, int)] == [10000]


def test_designated_gift_and_advance_dues_say_what_they_are_for(
    sample_path: Path, names: Path, tmp_path: Path
) -> None:
    run(
        "receipt",
        "issue",
        "S0009",
        str(sample_path),
        "--supporters",
        str(names),
        "-o",
        str(tmp_path),
    )
    run(
        "receipt",
        "issue",
        "TAGAYASU",
        str(sample_path),
        "--date",
        "2026-03-25",
        "-o",
        str(tmp_path),
    )
    assert (
        "インクルファンドへのご寄付として"
        in cells(tmp_path / "R-20260624-S0009_領収書.xlsx").values()
    )
    assert (
        "2026年度会費 (前受け) として"
        in cells(tmp_path / "R-20260325-TAGAYASU_領収書.xlsx").values()
    )


def test_yearly_lists_match_the_ledger(
    sample_path: Path, names: Path, tmp_path: Path
) -> None:
    result = run(
        "receipt", "yearly", "--year", "2026", str(sample_path),
        "--supporters", str(names), "-o", str(tmp_path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    books = load(sample_path)
    given = query_by(
        books,
        "SELECT entry_meta('supporter') AS s, sum(number) WHERE account ~ '受取寄附金'"
        " AND date >= 2026-04-01 AND date <= 2027-03-31 AND entry_meta('supporter') IS NOT NULL"
        " GROUP BY s",
    )
    totals = {}
    for path in sorted(tmp_path.glob("RY2026-*_領収書_年間.xlsx")):
        values = cells(path)
        assert values["A4"] == "領収書 (年間明細)"
        total_row = next(k for k, v in values.items() if v == "合計")[1:]
        totals[path.name.split("_")[0].split("-", 1)[1]] = values[f"F{total_row}"]
    assert totals == {sid: -amount for sid, amount in given.items()}
    assert len(totals) == 4


def test_missing_names_file_is_refused_clearly(
    sample_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run(
        "receipt", "issue", "S0001", str(sample_path),
        "--supporters", str(tmp_path / "none.csv"), "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 1
    assert "サポーターの名簿ファイル" in result.output
    assert "ID,氏名,敬称,郵便番号,住所" in result.output
    assert not out.exists()
    yearly = run(
        "receipt", "yearly", "--year", "2026", str(sample_path), "-o", str(out)
    )
    assert yearly.exit_code == 1
    assert "private/supporters.csv" in yearly.output


def test_a_names_file_inside_the_books_is_refused(sample_path: Path) -> None:
    inside = sample_path.parent / "supporters.csv"
    result = run(
        "receipt", "issue", "S0001", str(sample_path), "--supporters", str(inside)
    )
    assert result.exit_code == 1
    assert "帳簿のフォルダの中" in result.output


def test_a_supporter_missing_from_the_file(sample_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("ID,氏名\nS0002,別の人\n", encoding="cp932")
    result = run(
        "receipt", "issue", "S0001", str(sample_path), "--supporters", str(path)
    )
    assert result.exit_code == 1
    assert "S0001 の氏名が名簿ファイルにありません" in result.output


def test_a_receipt_is_not_dated_before_the_money_came(
    sample_path: Path, names: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main,
        [
            "receipt", "issue", "S0001", str(sample_path), "--date", "2026-07-14",
            "--supporters", str(names), "-o", str(tmp_path), "--issued", "2020-01-01",
        ],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "発行日 2020-01-01 は入金日 2026-07-14 より前です" in result.output
    assert not list(tmp_path.glob("*.xlsx"))
