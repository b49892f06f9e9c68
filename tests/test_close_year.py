"""``connect-books close-year``: settle a 年度 on a copy of the sample books, then lock it."""

from __future__ import annotations

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from ledgertools import line_of, query_total

from connect_books.books import load
from connect_books.cli import main
from connect_books.closing import ClosingRefused, plan_closing
from connect_books.fiscal import FiscalYear
from connect_books.settlement import read_settlements

LOCKED = (
    "確定済み (2026-06-20 総会承認) の2025年度の記録が追加または変更されています。"
    "訂正は2026年度の修正仕訳 (過年度損益修正) で行ってください。"
)


@pytest.fixture
def settled_books(sample_path: Path, tmp_path: Path) -> Path:
    """A copy of the whole sample ``ledger/`` folder as shipped (2025年度 settled)."""
    folder = tmp_path / "ledger"
    shutil.copytree(
        sample_path.parent, folder, ignore=shutil.ignore_patterns("*.picklecache")
    )
    return folder / "main.beancount"


@pytest.fixture
def books(settled_books: Path) -> Path:
    """The same copy before its settlement: no settlements file, no include of it."""
    (settled_books.parent / "settlements.beancount").unlink()
    text = settled_books.read_text()
    assert 'include "settlements.beancount"\n' in text
    settled_books.write_text(text.replace('include "settlements.beancount"\n', ""))
    return settled_books


def test_sample_2025_is_settled_and_editing_it_fails(settled_books: Path) -> None:
    assert run("check", str(settled_books)).exit_code == 0
    settled, _ = read_settlements(load(settled_books).entries)
    assert set(settled) == {FiscalYear(2025)}
    assert settled[FiscalYear(2025)].date == datetime.date(2026, 6, 20)
    journal = settled_books.parent / "2025.beancount"
    journal.write_text(
        journal.read_text()
        .replace("-24860 JPY", "-24800 JPY")
        .replace(" 24860 JPY", " 24800 JPY")
    )
    result = run("check", str(settled_books))
    assert result.exit_code == 1
    line = line_of(journal.read_text(), '"株式会社オフィスみやさか" "事務用品')
    assert f"2025.beancount:{line}: {LOCKED}" in result.output
    assert "2025年度は決算済みです" in refusal(
        run("close-year", "2025", str(settled_books))
    )


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def refusal(result: Result) -> str:
    """The output of a refused command: ``エラー: …`` and exit status 1."""
    assert result.exit_code == 1, result.output
    assert result.output.startswith("エラー: "), result.output
    return result.output


def close_2025(main_file: Path, *extra: str) -> Result:
    if "--audited" not in extra:
        extra = ("--audited", "2026-05-23", *extra)
    return run("close-year", "2025", str(main_file), "--date", "2026-06-20", *extra)


def year_end_sum(main_file: Path, accounts: str) -> int:
    return query_total(
        load(main_file),
        "SELECT sum(number) WHERE account ~ %s AND date <= 2026-03-31 AND currency = 'JPY'",
        accounts,
    )


def test_close_2025_records_the_figures_and_check_passes(books: Path) -> None:
    assets = year_end_sum(books, "^Assets:")
    liabilities = -year_end_sum(books, "^Liabilities:")
    result = close_2025(books, "--audited", "2026-05-23")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "✓ 2025年度の決算を記録しました (settlements.beancount)。" in out
    assert "期間              自 2025年6月28日 至 2026年3月31日" in out
    assert "総会承認日        2026年6月20日" in out
    assert "監査日            2026年5月23日" in out
    assert f"資産合計          {assets:,}円" in out
    assert f"負債合計          {liabilities:,}円" in out
    assert f"次期繰越正味財産  {assets - liabilities:,}円" in out

    settlements = books.parent / "settlements.beancount"
    assert 'include "settlements.beancount"' in books.read_text()
    loaded = load(books)  # a later load sees the new file (the cache is invalidated)
    assert loaded.errors == []
    settled, _ = read_settlements(loaded.entries)
    record = settled[FiscalYear(2025)]
    assert record.carry_forward == assets - liabilities
    assert record.audited == datetime.date(2026, 5, 23)
    assert f"確定した記録      {len(record.digests)}件" in out
    assert f"fingerprint       {record.fingerprint}" in out
    assert len(record.digests) > 150
    assert settlements.read_text().count('custom "settlement"') == 1

    result = run("check", str(books))
    assert result.exit_code == 0, result.output


def test_after_closing_an_edit_fails_and_an_adjustment_passes(books: Path) -> None:
    assert close_2025(books).exit_code == 0
    journal = books.parent / "2025.beancount"
    original = journal.read_text()
    journal.write_text(
        original.replace(
            '"株式会社オフィスみやさか" "事務用品', '"オフィスみやさか" "事務用品'
        )
    )
    result = run("check", str(books))
    assert result.exit_code == 1
    line = line_of(journal.read_text(), '"オフィスみやさか" "事務用品')
    assert f"2025.beancount:{line}: {LOCKED}" in result.output

    journal.write_text(original)
    (books.parent / "2026.beancount").write_text(
        (books.parent / "2026.beancount").read_text()
        + '\n2026-11-20 * "過年度損益修正: 2025年度の事務用品費を通信運搬費に振替"\n'
        "  Expenses:5210-管理費:5213-通信運搬費    1000 JPY\n"
        "  Expenses:5210-管理費:5214-事務用品費   -1000 JPY\n"
    )
    result = run("check", str(books))
    assert result.exit_code == 0, result.output


def test_refuses_a_year_that_has_not_ended(books: Path) -> None:
    current = FiscalYear.of(datetime.date.today())
    result = run("close-year", str(current.year), str(books))
    assert (
        f"エラー: {current.label}はまだ終わっていません (期末 {current.end.isoformat()})。"
        "決算は年度が終わってから記録します。"
    ) in refusal(result)
    assert not (books.parent / "settlements.beancount").exists()


def test_refuses_a_missing_year_end_balance(books: Path) -> None:
    # both journals assert the 3/31 balance
    for name in ("2025.beancount", "2026.beancount"):
        journal = books.parent / name
        journal.write_text(
            "\n".join(
                line
                for line in journal.read_text().splitlines()
                if not line.startswith(
                    "2026-04-01 balance Assets:1140-普通預金-まちづくり積立金"
                )
            )
            + "\n"
        )
    before = books.read_bytes()
    result = close_2025(books)
    assert "エラー: 期末 (2026-03-31) の残高の確認がない口座があります。" in refusal(
        result
    )
    assert "2026-04-01 balance Assets:1140-普通預金-まちづくり積立金" in result.output
    assert "Assets:1120" not in result.output
    assert books.read_bytes() == before


def test_refuses_books_with_errors(books: Path) -> None:
    journal = books.parent / "2026.beancount"
    journal.write_text(
        journal.read_text()
        + '\n2026-11-02 * "郵便局" "郵送料"\n  Expenses:5210-管理費:5213-通信運搬費  100 JPY\n'
        "  Assets:1110-現金  -90 JPY\n"
    )
    result = close_2025(books)
    assert refusal(result).startswith("エラー: 帳簿にエラーが")
    assert "件あります。直してから決算してください:" in result.output
    line = line_of(journal.read_text(), "2026-11-02")
    assert (
        f"2026.beancount:{line}: 借方と貸方が一致しません (差額 10 JPY)"
        in result.output
    )
    assert not (books.parent / "settlements.beancount").exists()


def test_refuses_a_second_settlement(books: Path) -> None:
    assert close_2025(books).exit_code == 0
    settlements = (books.parent / "settlements.beancount").read_bytes()
    result = close_2025(books)
    assert (
        "エラー: 2025年度は決算済みです (2026-06-20 総会承認)。訂正は2026年度の修正仕訳で行ってください。"
        in refusal(result)
    )
    assert (books.parent / "settlements.beancount").read_bytes() == settlements


def test_refuses_when_the_previous_year_is_not_settled(books: Path) -> None:
    loaded = load(books)
    with pytest.raises(
        ClosingRefused, match="前年度 \\(2025年度\\) の決算がまだ記録されていません"
    ):
        plan_closing(
            loaded.entries,
            loaded.errors,
            loaded.options,
            FiscalYear(2026),
            approved=datetime.date(2027, 6, 19),
            audited=datetime.date(2027, 5, 22),
            today=datetime.date(2027, 7, 1),
        )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--date", "2026-03-31"],
            "総会承認日 2026-03-31 は期末 (2026-03-31) より後で",
        ),
        (
            ["--date", "2026-06-20", "--audited", "2026-06-21"],
            "監査日 2026-06-21 は期末 (2026-03-31) より後で",
        ),
        (["--date", "2026-06-20", "--body", '総"会'], "空白や"),
    ],
)
def test_refuses_bad_dates_and_names(
    books: Path, options: list[str], message: str
) -> None:
    result = run("close-year", "2025", str(books), *options)
    assert message in refusal(result)
    # a 年度 that cannot be read is a usage error, as for every command (exit status 2)
    result = run("close-year", "2025年", str(books))
    assert result.exit_code == 2
    assert result.output.startswith("エラー: ")
    assert "年度の指定 '2025年' が読めません" in result.output


def test_git_commits_the_settlement(books: Path) -> None:
    folder = books.parent
    git = [
        "git",
        "-C",
        str(folder),
        "-c",
        "user.name=会計担当",
        "-c",
        "user.email=t@example.org",
    ]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "Sample books"], check=True)
    env = {
        "GIT_AUTHOR_NAME": "会計担当",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "会計担当",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    result = CliRunner().invoke(
        main,
        [
            "close-year",
            "2025",
            str(books),
            "--date",
            "2026-06-20",
            "--audited",
            "2026-05-23",
            "--git",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    log = subprocess.run(
        [*git, "log", "--format=%s", "-1", "--name-only"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Close FY2025: settlement approved by 総会 on 2026-06-20" in log.stdout
    assert "settlements.beancount" in log.stdout and "main.beancount" in log.stdout
    status = subprocess.run(
        [*git, "status", "--porcelain"], capture_output=True, text=True, check=True
    )
    assert status.stdout.strip() in ("", "?? .connect-books.lock")


@pytest.mark.parametrize("cache", ["off", "warm"])
def test_opening_balances_filled_by_pad_close(
    books: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: str
) -> None:
    """Opening balances filled by ``pad`` on the founding day (``opening.beancount``, as
    the README allows) are counted once: in the closing's figures, and in the check of the
    settlement it writes (which computes Beancount's padding itself), from a cold load and
    from the cache."""
    cash = "Assets:1110-現金"
    before = load(books)
    at_29 = query_total(
        before,
        "SELECT sum(number) WHERE account = %s AND date < 2025-06-29",
        cash,
    )
    assets = year_end_sum(books, "^Assets:")
    liabilities = -year_end_sum(books, "^Liabilities:")
    opening = books.parent / "opening.beancount"
    text = opening.read_text()
    for old, new in (("32000 JPY", "27000 JPY"), ("-1837000 JPY", "-1832000 JPY")):
        assert text.count(old) == 1
        text = text.replace(old, new)
    text += (
        f"\n2025-06-28 pad {cash} Equity:3010-引継正味財産\n"
        f"2025-06-29 balance {cash}  {at_29} JPY\n"
    )
    opening.write_text(text)
    if cache == "off":
        monkeypatch.setenv("CONNECT_BOOKS_CACHE", "off")
    else:
        monkeypatch.setenv("CONNECT_BOOKS_CACHE", str(tmp_path / "cache"))
        monkeypatch.setenv("CONNECT_BOOKS_CACHE_WRITE", "inline")
    assert "2025年度の決算が記録されていません" in run("check", str(books)).output
    padded = load(books)
    assert any(e.flag == "P" for e in padded.entries if hasattr(e, "flag"))
    assert padded.cached is (cache == "warm")

    result = close_2025(books)
    assert result.exit_code == 0, result.output
    assert f"次期繰越正味財産  {assets - liabilities:,}円" in result.output
    checked = run("check", str(books))
    assert checked.exit_code == 0, checked.output


def test_a_postponed_general_assembly_does_not_stop_the_bookkeeping(
    sample_path: Path, tmp_path: Path
) -> None:
    """2025年度 not settled past its deadline: check says so, but the treasurer can
    still write the year's entries and make the 監査資料 the late audit needs."""
    import shutil

    from click.testing import CliRunner

    from connect_books.cli import main

    ledger = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, ledger)
    (ledger / "settlements.beancount").write_text("; 決算\n", encoding="utf-8")
    books = str(ledger / "main.beancount")
    checked = CliRunner().invoke(main, ["check", books])
    assert (
        checked.exit_code == 1
        and "2025年度の決算が記録されていません" in checked.output
    )
    added = CliRunner().invoke(
        main,
        [
            "add", books, "--date", "2026-11-25", "--payee", "郵便局",
            "--narration", "切手", "--posting", "管理費 通信 84",
            "--posting", "未払金", "--yes",
        ],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    pack = CliRunner().invoke(
        main, ["audit-pack", "--year", "2025", "-o", str(tmp_path / "a.xlsx"), books]
    )
    assert pack.exit_code == 0, pack.output
    assert (tmp_path / "a.xlsx").exists()


def test_an_overdue_settlement_appearing_does_not_refuse_a_write() -> None:
    """The first entry past the deadline makes the overdue reminder appear: not a
    reason to refuse that entry (the 総会 may be postponed)."""
    from beancount.core import data

    from connect_books.plugins.settlement import SettlementOverdue
    from connect_books.writer import _new_errors

    meta = data.new_metadata("main.beancount", 0)
    overdue = SettlementOverdue(meta, "2025年度の決算が記録されていません。", None)
    assert _new_errors([], [overdue]) == []
