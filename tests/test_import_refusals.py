"""Every refusal of ``connect-books import`` says why in Japanese and changes nothing.

Each case runs the command on the test books and compares every file of the ledger
folder, byte for byte, before and after.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from test_import_books import DATA, ROUKIN, TO_ROUKIN, make_repo, run_import, snapshot

ROUKIN_ROWS = (DATA / "roukin-2026-10.csv").read_bytes().decode("cp932").splitlines()
YUCHO_ROWS = (DATA / "yucho-2026-10.csv").read_bytes().decode("cp932").splitlines()


@pytest.fixture
def books(sample_path: Path, tmp_path: Path) -> Path:
    return make_repo(sample_path, tmp_path)


def refused(books: Path, statement: Path, *args: str) -> str:
    """Run the import; assert it failed with a Japanese error and left the books as they were."""
    before = snapshot(books)
    result = run_import(str(statement), str(books), "--yes", *args)
    assert result.exit_code == 1, result.output
    assert "エラー: " in result.output
    assert snapshot(books) == before
    return result.output


def write(path: Path, rows: list[str], encoding: str = "cp932") -> Path:
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode(encoding))
    return path


# ---- encodings ------------------------------------------------------------------------


def test_euc_jp_is_refused_by_name(books: Path, tmp_path: Path) -> None:
    rows = [row.replace("\uff5e", "\u301c") for row in YUCHO_ROWS]  # EUC-JP's 〜
    statement = write(tmp_path / "euc.csv", rows, "euc_jp")
    output = refused(books, statement, "--bank", "yucho")
    assert "EUC-JP" in output
    assert "cp932 (Shift_JIS) か UTF-8" in output


def test_utf16_is_refused_by_name(books: Path, tmp_path: Path) -> None:
    statement = tmp_path / "utf16.csv"
    statement.write_bytes(
        codecs.BOM_UTF16_LE + "\r\n".join(ROUKIN_ROWS).encode("utf-16-le")
    )
    output = refused(books, statement, *TO_ROUKIN)
    assert "文字コードが UTF-16 です" in output


def test_utf8_when_the_layout_allows_only_cp932_is_refused(
    books: Path, tmp_path: Path
) -> None:
    layout = books.parent.parent / "import" / "banks" / "roukin.toml"
    layout.write_text(
        layout.read_text(encoding="utf-8").replace(
            'encodings = ["cp932", "utf-8"]', 'encodings = ["cp932"]'
        ),
        encoding="utf-8",
    )
    statement = write(tmp_path / "utf8.csv", ROUKIN_ROWS, "utf-8")
    output = refused(books, statement, *TO_ROUKIN)
    assert "文字コードが UTF-8 です" in output


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_cp932_and_utf8_with_or_without_bom_are_read(
    books: Path, tmp_path: Path, encoding: str
) -> None:
    statement = write(tmp_path / "ok.csv", ROUKIN_ROWS, encoding)
    result = run_import(str(statement), str(books), "--yes", "--account", ROUKIN)
    assert result.exit_code == 0, result.output
    shown = "utf-8" if encoding == "utf-8-sig" else encoding
    assert f"(中央労働金庫 (ろうきん 入出金明細)、{shown}、6行" in result.output


# ---- headers and files that are no statement ---------------------------------------


def test_a_changed_header_is_refused_naming_the_columns(
    books: Path, tmp_path: Path
) -> None:
    rows = list(YUCHO_ROWS)
    header = rows.index(next(r for r in rows if r.startswith("取引日,")))
    rows[header] = rows[header].replace("詳細２,", "詳細２,詳細３,")
    rows[header + 1 :] = [
        r.replace(",30000,", ",,30000,", 1) for r in rows[header + 1 :]
    ]
    statement = write(tmp_path / "changed.csv", rows)
    output = refused(books, statement, "--bank", "yucho")
    assert (
        "8行目の見出しが ゆうちょ銀行 (ゆうちょダイレクト 入出金明細) の設定 (yucho.toml)と違います"
        in output
    )
    assert "増えた列: 詳細3" in output
    assert "header を確かめて直してください" in output


def test_a_renamed_column_is_refused(books: Path, tmp_path: Path) -> None:
    rows = [ROUKIN_ROWS[0].replace("お預り金額", "お預入金額"), *ROUKIN_ROWS[1:]]
    output = refused(books, write(tmp_path / "renamed.csv", rows), *TO_ROUKIN)
    assert "ない列: お預り金額" in output and "増えた列: お預入金額" in output


def test_an_unknown_bank_is_refused_listing_what_was_tried(
    books: Path, tmp_path: Path
) -> None:
    rows = [
        "日付,内容,出金金額(円),入金金額(円),残高(円),メモ",
        "2026/10/02,ﾌﾘｺﾐ,,1000,1000,",
    ]
    output = refused(books, write(tmp_path / "other-bank.csv", rows))
    assert "other-bank.csv を読める銀行の設定がありません" in output
    assert "ゆうちょ銀行 (ゆうちょダイレクト 入出金明細):" in output
    assert "--bank" in output


def test_an_unknown_preset_name_is_refused(books: Path) -> None:
    output = refused(books, DATA / "roukin-2026-10.csv", "--bank", "roukinn")
    assert "銀行の設定 'roukinn' は" in output and "近い名前: roukin" in output


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "Excel のブック (.xlsx)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "文字ではないデータ"),
    ],
)
def test_a_file_that_is_not_csv_is_refused(
    books: Path, tmp_path: Path, content: bytes, what: str
) -> None:
    statement = tmp_path / "statement.csv"
    statement.write_bytes(content)
    output = refused(books, statement, *TO_ROUKIN)
    assert f"CSV ではなく {what}" in output


def test_a_web_page_is_refused_as_not_csv(books: Path, tmp_path: Path) -> None:
    page = [
        "<!DOCTYPE html>",
        "<html><body>",
        "<p>ログインしてください</p>",
        "</body></html>",
    ]
    output = refused(books, write(tmp_path / "meisai.csv", page, "utf-8"), *TO_ROUKIN)
    assert "CSV (カンマ区切りの表) ではありません" in output


def test_an_empty_file_is_refused(books: Path, tmp_path: Path) -> None:
    statement = tmp_path / "empty.csv"
    statement.write_bytes(b"\r\n")
    assert "空のファイル" in refused(books, statement, *TO_ROUKIN)


# ---- rows the layout cannot read ----------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2026/13/40,ﾃｽｳﾘﾖｳ,440,,1662515", "3行目: 日付 '2026/13/40' が読めません"),
        ("2026/10/05,ﾃｽｳﾘﾖｳ,440,50000,1657515", "3行目: 入金と出金が両方です"),
        (
            "2026/10/05,ﾃｽｳﾘﾖｳ,440.5,,1607514",
            "3行目: 金額 '440.5' に 1 円未満の端数があります",
        ),
        ("2026/10/05,ﾃｽｳﾘﾖｳ,,,1607955", "3行目: 入金と出金がどちらも空欄か 0 円です"),
        ("2026/10/05,ﾃｽｳﾘﾖｳ,440,,1607955,x", "3行目は 6 列あり、見出しの 5 列より多く"),
        ("2026/10/05,ﾃｽｳﾘﾖｳ\u202e,440,,1607515", "3行目に制御文字 (U+202E)"),
    ],
)
def test_a_row_the_layout_cannot_read_is_refused_with_its_line(
    books: Path, tmp_path: Path, row: str, message: str
) -> None:
    rows = [ROUKIN_ROWS[0], ROUKIN_ROWS[1], row]
    output = refused(books, write(tmp_path / "bad.csv", rows, "utf-8"), *TO_ROUKIN)
    assert message in output


def test_swapped_deposit_and_withdrawal_columns_are_caught_by_the_balances(
    books: Path, tmp_path: Path
) -> None:
    layout = books.parent.parent / "import" / "banks" / "roukin.toml"
    text = layout.read_text(encoding="utf-8")
    text = text.replace('deposit = "お預り金額"', 'deposit = "X"')
    text = text.replace('withdrawal = "お支払金額"', 'withdrawal = "お預り金額"')
    layout.write_text(
        text.replace('deposit = "X"', 'deposit = "お支払金額"'), encoding="utf-8"
    )
    output = refused(books, DATA / "roukin-2026-10.csv", *TO_ROUKIN)
    assert (
        "3行目の残高 60,000円 が、前の行の残高 10,000円 に金額 ▲50,000円 を足したものと合いません"
        in output
    )
    assert "入金と出金の列の設定が逆です" in output


def test_rows_out_of_date_order_are_refused(books: Path, tmp_path: Path) -> None:
    rows = [ROUKIN_ROWS[0], ROUKIN_ROWS[2], ROUKIN_ROWS[1]]
    output = refused(books, write(tmp_path / "order.csv", rows), *TO_ROUKIN)
    assert "3行目 (2026-10-02) が前の行 (2026-10-05) より前の日付です" in output


# ---- dates and the open year --------------------------------------------------------


def test_a_date_in_the_settled_year_is_refused(books: Path, tmp_path: Path) -> None:
    rows = [ROUKIN_ROWS[0], "2026/03/30,ﾘｿｸ,,12,1597967"]
    output = refused(books, write(tmp_path / "march.csv", rows), *TO_ROUKIN)
    assert (
        "march.csv の2行目: 日付 2026-03-30 の2025年度は決算済み (2026年6月20日 総会承認)"
        in output
    )
    assert "過年度損益修正の仕訳" in output


def test_a_future_date_is_refused(books: Path, tmp_path: Path) -> None:
    rows = [ROUKIN_ROWS[0], "2099/10/02,ﾘｿｸ,,12,1597967"]
    output = refused(books, write(tmp_path / "future.csv", rows), *TO_ROUKIN)
    assert "2行目 (2099-10-02) は今日" in output and "より後の日付です" in output


def test_a_date_before_the_establishment_is_refused(
    books: Path, tmp_path: Path
) -> None:
    rows = [ROUKIN_ROWS[0], "2025/06/01,ﾘｿｸ,,12,1597967"]
    output = refused(books, write(tmp_path / "old.csv", rows), *TO_ROUKIN)
    assert (
        "old.csv の2行目: 日付 2025-06-01 は機構の設立 (2025年6月28日、附則3) より前です"
        in output
    )


def test_a_statement_across_two_open_years_is_refused(
    books: Path, tmp_path: Path
) -> None:
    # 2025年度 unsettled and still within its settlement deadline (the books end in May)
    main_text = books.read_text(encoding="utf-8")
    books.write_text(
        main_text.replace('include "settlements.beancount"\n', ""), encoding="utf-8"
    )
    (books.parent / "settlements.beancount").unlink()
    journal = books.parent / "2026.beancount"
    text = journal.read_text(encoding="utf-8")
    journal.write_text(text[: text.index(";; ---- 2026年6月 ----")], encoding="utf-8")
    rows = [ROUKIN_ROWS[0], "2026/03/30,ﾘｿｸ,,12,1597967", "2026/04/02,ﾘｿｸ,,12,1597979"]
    output = refused(books, write(tmp_path / "across.csv", rows), *TO_ROUKIN)
    assert "2025年度と2026年度にまたがっています (3行目 2026-04-02 から)" in output
    assert "2026-03-31 までと 2026-04-01 からに分けて" in output


# ---- the closing balance -------------------------------------------------------------


def test_a_closing_balance_the_books_do_not_reach_is_refused(
    books: Path, tmp_path: Path
) -> None:
    rows = [ROUKIN_ROWS[0]]
    for row in ROUKIN_ROWS[1:]:
        cells = row.split(",")
        cells[-1] = str(int(cells[-1]) + 1000)
        rows.append(",".join(cells))
    output = refused(books, write(tmp_path / "off.csv", rows), *TO_ROUKIN)
    assert "roukin-2026-10.csv" not in output
    assert (
        "off.csv の最終残高 (2026-10-31) 62,272円 と、取り込んだ後の帳簿の残高 61,272円 が合いません (差 1,000円)"
        in output
    )
    assert "何も書き込んでいません" in output


# ---- rules and layouts that cannot be used -------------------------------------------


@pytest.mark.parametrize(
    ("addition", "message"),
    [
        (
            '[[supporter]]\nid = "S0002"\nnames = ["スズキイチロウ"]\n',
            "S0002 は個人のサポーターです",
        ),
        ('[[member]]\nid = "TAGAYASUU"\nnames = ["タガヤス"]\n', "近いID: TAGAYASU"),
        (
            '[[rule]]\nname = "x"\nnames = ["ヨウシ"]\naccount = "Expenses:5210-管理費:5214-事務用品"\n',
            "科目 Expenses:5210-管理費:5214-事務用品 は open されていません",
        ),
        (
            '[[rule]]\nname = "x"\nnames = ["ヨ"]\naccount = "Income:4590-雑収益"\n',
            "短すぎます",
        ),
        ("[[rules]]\nname = 1\n", "キー 'rules' は使えません"),
    ],
)
def test_a_rule_that_cannot_be_used_is_refused(
    books: Path, addition: str, message: str
) -> None:
    rules = books.parent.parent / "import" / "rules.toml"
    rules.write_text(
        rules.read_text(encoding="utf-8") + "\n" + addition, encoding="utf-8"
    )
    output = refused(books, DATA / "roukin-2026-10.csv", *TO_ROUKIN)
    assert "取込の規則" in output and message in output


def test_a_layout_with_an_unknown_key_is_refused(books: Path, tmp_path: Path) -> None:
    layout = tmp_path / "mybank.toml"
    layout.write_text(
        (books.parent.parent / "import" / "banks" / "roukin.toml")
        .read_text(encoding="utf-8")
        .replace("header_within", "header_witin"),
        encoding="utf-8",
    )
    output = refused(books, DATA / "roukin-2026-10.csv", "--bank", str(layout))
    assert "キー 'header_witin' は使えません" in output


def test_an_account_that_is_not_a_bank_is_refused(books: Path) -> None:
    output = refused(
        books,
        DATA / "roukin-2026-10.csv",
        "--bank",
        "roukin",
        "--account",
        "Income:4110-受取会費",
    )
    assert "科目 Income:4110-受取会費 は取り込む預金の口座には使えません" in output
    cash = refused(books, DATA / "roukin-2026-10.csv", "--account", "Assets:1110-現金")
    assert "科目 Assets:1110-現金 は取り込む預金の口座には使えません" in cash


@pytest.mark.parametrize("named", ["1125", "ろうきん-事業", "ろうきん 事業"])
def test_the_account_may_be_named_by_code_or_part_of_its_name(
    books: Path, named: str
) -> None:
    result = run_import(
        str(DATA / "roukin-2026-10.csv"),
        str(books),
        "--bank",
        "roukin",
        "--account",
        named,
        "--yes",
    )
    assert result.exit_code == 0, result.output
    assert ROUKIN in result.output


def test_books_with_errors_are_not_imported_into(books: Path) -> None:
    journal = books.parent / "2026.beancount"
    journal.write_text(
        journal.read_text(encoding="utf-8")
        + '\n2026-09-30 * "x"\n  Assets:1110-現金  1 JPY\n',
        encoding="utf-8",
    )
    output = refused(books, DATA / "roukin-2026-10.csv", *TO_ROUKIN)
    assert "明細を取り込みません" in output


def test_two_accounts_at_the_bank_need_account(books: Path) -> None:
    output = refused(books, DATA / "roukin-2026-10.csv", "--bank", "roukin")
    assert "中央労働金庫 の口座が複数あります" in output
    assert "Assets:1120-普通預金-ろうきん" in output and ROUKIN in output
    assert "--account で指定してください" in output


# ---- a statement cut off ------------------------------------------------------------


@pytest.mark.parametrize("cut", ["0,,61260", "00,,61260", ",,61260", "61260"])
def test_a_roukin_statement_cut_in_its_last_row_is_refused(
    books: Path, tmp_path: Path, cut: str
) -> None:
    rows = ROUKIN_ROWS[
        : ROUKIN_ROWS.index(next(r for r in ROUKIN_ROWS if "3300" in r)) + 1
    ]
    assert rows[-1].endswith(",3300,,61260")
    rows[-1] = rows[-1].removesuffix(cut)
    statement = tmp_path / "cut.csv"
    statement.write_bytes("\r\n".join(rows).encode("cp932"))  # (no line end: cut off)
    output = refused(books, statement, *TO_ROUKIN)
    assert f"cut.csv の{len(rows)}行目" in output
    assert "途中で切れていないか" in output


@pytest.mark.parametrize("end", ["利子", "利子,,", "山田　花子", "山田　花子,"])
def test_a_yucho_statement_cut_before_the_balance_is_refused(
    books: Path, tmp_path: Path, end: str
) -> None:
    text = "\r\n".join(YUCHO_ROWS)
    statement = tmp_path / "cut.csv"
    statement.write_bytes(text[: text.index(end) + len(end)].encode("cp932"))
    output = refused(books, statement, "--bank", "yucho")
    assert "途中で切れていないか" in output


# ---- the statement file and the rules file --------------------------------------------


@pytest.mark.parametrize("name", ["none.csv", "."])
def test_a_statement_that_is_not_a_file_is_named(
    books: Path, tmp_path: Path, name: str
) -> None:
    output = refused(books, tmp_path / name, *TO_ROUKIN)
    what = "フォルダです" if name == "." else "見つかりません"
    assert f"明細のファイル {tmp_path / name if name != '.' else tmp_path}" in output
    assert what in output


def test_rules_of_their_own_use_the_books_bank_layouts(
    books: Path, tmp_path: Path
) -> None:
    rules = tmp_path / "elsewhere" / "myrules.toml"
    rules.parent.mkdir()
    rules.write_text(
        (books.parent.parent / "import" / "rules.toml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    result = run_import(
        str(DATA / "roukin-2026-10.csv"),
        str(books),
        *TO_ROUKIN,
        "--rules",
        str(rules),
        "--yes",
    )
    assert result.exit_code == 0, result.output
    rules.write_text("broken = [\n", encoding="utf-8")
    output = refused(
        books, DATA / "roukin-2026-10.csv", *TO_ROUKIN, "--rules", str(rules)
    )
    assert "取込の規則" in output and "読める銀行の設定" not in output
