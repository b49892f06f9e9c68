"""Exactly once: a bank line is imported once, whatever files it arrives in.

The same file twice, an overlapping export, identical lines on one day, unmatched lines
assigned later (by a new rule, or by hand with their ``import-key``).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from ledgertools import query
from test_import_books import (
    DATA,
    ROUKIN,
    TO_ROUKIN,
    YUCHO,
    check_passes,
    make_repo,
    run_import,
    snapshot,
)

from connect_books.books import load
from connect_books.importers.keys import duplicate_keys


@pytest.fixture
def books(sample_path: Path, tmp_path: Path) -> Path:
    return make_repo(sample_path, tmp_path)


YUCHO_HEAD = [
    "お客さま口座情報,,,,,,",
    '現在高：,"42,836",円,,,,',
    "出力日時：令和 08 年 11 月 02 日 09 時 30 分,,,,,,",
    "お客さま口座番号：10190-00000000,,,,,,",
    "照会対象：期間指定,,,,,,",
]
HEADER = (
    "取引日,入出金明細ＩＤ,受入金額（円）,払出金額（円）,詳細１,詳細２,現在（貸付）高,"
)
ROWS = [
    ("20261001", 30000, 0, "振込", "ﾊﾅﾐｽﾞｷｼﾖｳﾃﾝ"),
    ("20261005", 10000, 0, "振込", "ｺﾐﾕﾆﾃｲｽｸ-ﾙﾏﾁﾃﾞｻﾞｲﾝ"),
    ("20261005", 0, 165, "料　金", ""),
    ("20261020", 3000, 0, "送金", "山田　花子"),
    ("20261031", 1, 0, "利子", ""),
]


def yucho_file(
    path: Path, rows: list[tuple[str, int, int, str, str]], period: str
) -> Path:
    """A ゆうちょ statement of ``rows`` (cp932), its balances running from 0."""
    lines = [*YUCHO_HEAD, f"日付指定：{period},,,,,,", f"明細件数：{len(rows)},,,,,,"]
    lines.append(HEADER)
    balance = 0
    for n, (day, into, out, kind, who) in enumerate(rows, start=1):
        balance += into - out
        cells = [day, f"{day}{n:07d}", str(into or ""), str(out or ""), kind, who]
        lines.append(",".join([*cells, str(balance), ""]))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))
    return path


OCTOBER = "令和 08 年 10 月 01 日 ～ 令和 08 年 10 月 31 日"


def imported_keys(main_file: Path, account: str) -> list[str]:
    rows = query(
        load(main_file),
        "SELECT entry_meta('import-key') WHERE account = %s"
        " AND entry_meta('import-key') IS NOT NULL ORDER BY date",
        account,
    )
    return [str(key) for (key,) in rows]


def test_a_second_import_of_the_same_file_adds_nothing(books: Path) -> None:
    first = run_import(str(DATA / "yucho-2026-10.csv"), str(books), "--yes")
    assert first.exit_code == 0, first.output
    before = snapshot(books)
    second = run_import(str(DATA / "yucho-2026-10.csv"), str(books), "--yes")
    assert second.exit_code == 0, second.output
    assert "新しく取り込む 0件" in second.output
    assert "取り込み済み 5件 (書き込みません)" in second.output
    assert "2026-11-01 付の残高確認は帳簿にあります" in second.output
    assert "書き込むものはありません (帳簿は変わっていません)" in second.output
    assert snapshot(books) == before


def test_an_overlapping_export_adds_only_its_new_lines(
    books: Path, tmp_path: Path
) -> None:
    early = yucho_file(
        tmp_path / "early.csv",
        ROWS[:3],
        "令和 08 年 10 月 01 日 ～ 令和 08 年 10 月 05 日",
    )
    result = run_import(str(early), str(books), "--yes")
    assert result.exit_code == 0, result.output
    assert "新しく取り込む 3件" in result.output
    # the statement stops on 10-05: its balance is asserted on 10-06, not at month end
    assert f"残高確認: 2026-10-06 balance {YUCHO} 39835 JPY" in result.output
    whole = yucho_file(tmp_path / "whole.csv", ROWS, OCTOBER)
    result = run_import(str(whole), str(books), "--yes")
    assert result.exit_code == 0, result.output
    assert "新しく取り込む 2件" in result.output
    assert "取り込み済み 3件" in result.output
    assert f"月末の残高確認: 2026-11-01 balance {YUCHO} 42836 JPY" in result.output
    check_passes(books)
    keys = imported_keys(books, YUCHO)
    assert len(keys) == len(set(keys)) == 5
    assert not duplicate_keys(load(books).entries)


def test_identical_lines_on_one_day_stay_two_entries(
    books: Path, tmp_path: Path
) -> None:
    rows = [*ROWS[:3], ROWS[2], *ROWS[3:]]  # the 165-yen charge twice on 10-05
    statement = yucho_file(tmp_path / "twice.csv", rows, OCTOBER)
    result = run_import(str(statement), str(books), "--yes")
    assert result.exit_code == 0, result.output
    assert "新しく取り込む 6件" in result.output
    check_passes(books)
    keys = imported_keys(books, YUCHO)
    assert len(keys) == 6
    assert all(
        re.fullmatch(r"yucho-\d{4}-\d{2}-\d{2}-[0-9a-f]{10}-[12]", k) for k in keys
    )
    day = [k for k in keys if k.startswith("yucho-2026-10-05-")]
    stems = Counter(k.rsplit("-", 1)[0] for k in day)
    assert sorted(stems.values()) == [1, 2]  # the dues once, the charge twice
    twice = next(stem for stem, n in stems.items() if n == 2)
    assert {f"{twice}-1", f"{twice}-2"} <= set(day)
    again = run_import(str(statement), str(books), "--yes")
    assert "取り込み済み 6件" in again.output and "新しく取り込む 0件" in again.output


def test_a_later_export_with_a_second_identical_line_adds_just_that_line(
    books: Path, tmp_path: Path
) -> None:
    once = yucho_file(
        tmp_path / "once.csv",
        ROWS[:3],
        "令和 08 年 10 月 01 日 ～ 令和 08 年 10 月 05 日",
    )
    result = run_import(str(once), str(books), "--yes", "--no-balance")
    assert result.exit_code == 0, result.output
    twice = yucho_file(tmp_path / "twice.csv", [*ROWS[:3], ROWS[2], *ROWS[3:]], OCTOBER)
    result = run_import(str(twice), str(books), "--yes")
    assert result.exit_code == 0, result.output
    assert "新しく取り込む 3件" in result.output  # the second charge, 10-20, 10-31
    assert "取り込み済み 3件" in result.output
    check_passes(books)
    assert len(imported_keys(books, YUCHO)) == 6


def _with_unknown_payee(tmp_path: Path) -> Path:
    raw = (DATA / "roukin-2026-10.csv").read_bytes().decode("cp932").splitlines()
    raw.insert(-1, "2026/10/29,ﾌﾘｺﾐ ﾐｼﾗﾇｶｲｼﾔ,5000,,56260")  # line 7
    raw[-1] = "2026/10/31,ﾘｿｸ,,12,56272"  # the balances after it move by 5000
    path = tmp_path / "roukin-unknown.csv"
    path.write_bytes(("\r\n".join(raw) + "\r\n").encode("cp932"))
    return path


def test_unmatched_lines_are_shown_not_written_and_a_new_rule_imports_them(
    books: Path, tmp_path: Path
) -> None:
    statement = _with_unknown_payee(tmp_path)
    result = run_import(str(statement), str(books), "--yes", *TO_ROUKIN)
    assert result.exit_code == 0, result.output
    assert "新しく取り込む 6件" in result.output
    assert "未割当 1件 (規則に当てはまらないため書き込みません)" in result.output
    assert "ﾐｼﾗﾇｶｲｼﾔ" not in result.output  # shown NFKC-normalised
    assert "7行目 2026-10-29" in result.output and "ミシラヌカイシヤ" in result.output
    assert "どの規則にも当てはまりません" in result.output
    assert "未割当の行があるため" in result.output
    journal = (books.parent / "2026.beancount").read_text(encoding="utf-8")
    assert (
        "ミシラヌ" not in journal
        and "balance Assets:1120" not in journal.split("銀行明細の取込")[-1]
    )
    check_passes(books)
    rules = books.parent.parent / "import" / "rules.toml"
    rules.write_text(
        rules.read_text(encoding="utf-8")
        + '\n[[rule]]\nname = "印刷"\nnames = ["ミシラヌカイシヤ"]\n'
        'direction = "withdrawal"\naccount = "Expenses:5130-広報:5131-印刷製本費"\n',
        encoding="utf-8",
    )
    result = run_import(str(statement), str(books), "--yes", *TO_ROUKIN)
    assert result.exit_code == 0, result.output
    assert "新しく取り込む 1件" in result.output and "取り込み済み 6件" in result.output
    assert f"月末の残高確認: 2026-11-01 balance {ROUKIN} 56272 JPY" in result.output
    check_passes(books)


def test_a_hand_entry_with_the_printed_key_counts_as_imported(
    books: Path, tmp_path: Path
) -> None:
    statement = _with_unknown_payee(tmp_path)
    result = run_import(str(statement), str(books), "--yes", *TO_ROUKIN)
    key = re.search(r"取込キー (roukin-\S+)", result.output)
    assert key is not None, result.output
    journal = books.parent / "2026.beancount"
    journal.write_text(
        journal.read_text(encoding="utf-8")
        + f'\n2026-10-29 * "みしらぬ会社" "チラシ印刷"\n  import-key: "{key.group(1)}"\n'
        "  Expenses:5130-広報:5131-印刷製本費                  5000 JPY\n"
        f"  {ROUKIN}                  -5000 JPY\n",
        encoding="utf-8",
    )
    check_passes(books)
    result = run_import(str(statement), str(books), "--yes", *TO_ROUKIN)
    assert result.exit_code == 0, result.output
    assert "取り込み済み 7件" in result.output and "新しく取り込む 0件" in result.output
    assert "月末の残高確認: 2026-11-01" in result.output
    check_passes(books)


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ("duplicate", "二度記帳されています"),
        ("settled", "確定済み"),
    ],
)
def test_the_one_load_write_still_applies_every_rule(
    books: Path, monkeypatch: pytest.MonkeyPatch, extra: str, reason: str
) -> None:
    """The import's write reuses its load (no second whole load), and still refuses."""
    import datetime

    from connect_books import writer
    from connect_books.importers.config import ImportData, choose_layout
    from connect_books.importers.plan import plan_import

    monkeypatch.setenv("CONNECT_BOOKS_CACHE", "off")
    loaded = load(books)
    data = ImportData.find(loaded)
    _, statement = choose_layout(data, "yucho", DATA / "yucho-2026-10.csv")
    plan = plan_import(
        loaded, statement, YUCHO, data.rules(loaded), datetime.date(2026, 11, 30)
    )
    text = plan.text()
    first = text.split("\n\n")[0].split("\n", 1)[1]  # the first entry, with its key
    if extra == "duplicate":
        text += "\n" + first
    else:
        text += "\n" + first.replace("2026-10-01", "2025-10-01")
    shortcuts: list[object] = []
    quick = writer.errors_after_append

    def spied(*args: object, **kwargs: object) -> object:
        result = quick(*args, **kwargs)  # type: ignore[arg-type]
        shortcuts.append(result)
        return result

    monkeypatch.setattr(writer, "errors_after_append", spied)
    before = snapshot(books)
    with pytest.raises(writer.WriteRefused, match=reason):
        writer.append(books, plan.target, text, message="import", loaded=loaded)
    assert shortcuts and shortcuts[0] is not None  # checked on the one load
    after = snapshot(books)
    after.pop(".connect-books.lock", None)  # (the lock's file stays, empty)
    assert after == before
