"""Input hygiene: fractional yen, zero postings, future dates, pads, documents, code lines."""

from __future__ import annotations

import datetime
import os
import pkgutil
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.core import data
from beancount.ops.balance import BalanceError
from ledgertools import line_of, only, plugin_errors

import connect_books.plugins
from connect_books import policy
from connect_books.books import Books
from connect_books.chart import Role
from connect_books.errors import BooksError
from connect_books.plugins.hygiene import FUTURE_DAYS, HygieneError

HEADER = """\
plugin "connect_books.plugins.hygiene"
option "operating_currency" "JPY"

2025-06-28 open Assets:1110-現金 JPY
2025-06-28 open Assets:1120-普通預金-ろうきん JPY
2025-06-28 open Assets:1510-什器備品
2025-06-28 open Income:4210-受取寄附金 JPY
2025-06-28 open Expenses:5210-管理費:5214-事務用品費 JPY
2025-06-28 open Equity:3010-引継正味財産 JPY
"""


def load(body: str, header: str = HEADER) -> tuple[str, list[Any]]:
    """Load header + body; return the text and the hygiene errors (no other errors allowed)."""
    text = header + textwrap.dedent(body)
    return text, plugin_errors(text, (HygieneError, BooksError))


# ---- whole yen ---------------------------------------------------------------------


def test_whole_yen_passes() -> None:
    _, errors = load(
        """
        2025-07-01 * "S0001" "ご寄付"
          Assets:1120-普通預金-ろうきん   1000 JPY
          Income:4210-受取寄附金
        2025-07-02 balance Assets:1120-普通預金-ろうきん 1000 JPY
        2025-07-02 price USD 150 JPY
        2025-07-03 custom "budget-line" 2025 Income:4210-受取寄附金 150000 JPY
        """
    )
    assert errors == []


def test_fractional_posting_fails_on_its_line() -> None:
    text, errors = load(
        """
        2025-07-01 * "S0001" "ご寄付"
          Assets:1120-普通預金-ろうきん   1000.5 JPY
          Income:4210-受取寄附金
        """
    )
    error = only(errors)  # the interpolated posting is not blamed a second time
    assert (
        "Assets:1120-普通預金-ろうきん の金額 1000.5 JPY に 1 円未満の端数があります"
        in error.message
    )
    assert "円は整数で書いてください" in error.message
    assert error.source["lineno"] == line_of(text, "1000.5 JPY")


def test_an_amount_of_a_trillion_yen_or_more_fails_on_its_line() -> None:
    text, errors = load(
        """
        2025-07-01 * "S0001" "ご寄付"
          Assets:1120-普通預金-ろうきん   99999999999999999999 JPY
          Income:4210-受取寄附金
        2025-07-02 * "S0001" "ご寄付"
          Assets:1120-普通預金-ろうきん   999999999999 JPY
          Income:4210-受取寄附金
        2025-07-03 custom "budget-line" 2025 Income:4210-受取寄附金 1000000000000 JPY
        """
    )
    messages = {e.source["lineno"]: e.message for e in errors}
    assert set(messages) == {  # (not the amount left out, worked out from it)
        line_of(text, "99999999999999999999"),
        line_of(text, "budget-line"),
    }
    assert messages[line_of(text, "99999999999999999999")].startswith(
        "Assets:1120-普通預金-ろうきん の金額 99,999,999,999,999,999,999 JPY は大きすぎます (1兆円以上)。"
    )
    assert (
        'custom "budget-line" の金額 1,000,000,000,000 JPY は大きすぎます'
        in (messages[line_of(text, "budget-line")])
    )


def test_fractional_balance_price_and_cost_fail() -> None:
    text = HEADER + textwrap.dedent(
        """
        2025-07-01 balance Assets:1110-現金 0.5 JPY
        2025-07-01 price USD 150.25 JPY
        2025-07-02 * "株式会社オフィスみやさか" "複合機"
          Assets:1510-什器備品   1 COPIER {99999.9 JPY}
          Assets:1120-普通預金-ろうきん   -99999.9 JPY
        2025-07-03 * "両替"
          Assets:1110-現金   100 JPY @ 1.5 JPY
          Assets:1120-普通預金-ろうきん   -150 JPY
        """
    )
    found = plugin_errors(text, (HygieneError, BalanceError))
    errors = [e for e in found if isinstance(e, HygieneError)]
    assert len(found) == len(errors) + 1  # Beancount's own check of the 0.5 JPY balance
    messages = {e.source["lineno"]: e.message for e in errors}
    assert "残高 0.5 JPY に 1 円未満の端数" in messages[line_of(text, "balance")]
    assert "価格 150.25 JPY" in messages[line_of(text, "price USD")]
    assert "什器備品 の取得価額 99999.9 JPY" in messages[line_of(text, "COPIER")]
    assert "-99999.9 JPY に 1 円未満の端数" in messages[line_of(text, "-99999.9")]
    assert "現金 の単価 1.5 JPY" in messages[line_of(text, "@ 1.5")]
    assert len(errors) == 5


@pytest.mark.parametrize(
    "directive",
    [
        'custom "budget-line" 2025 Income:4210-受取寄附金 1500.5 JPY',
        'custom "grant-decision" "IF-2025-01" "inclufund" "風のたより" 300000.5 JPY',
        'custom "dues-rate" 10000.5 JPY',
    ],
)
def test_fractional_yen_in_custom_fails(directive: str) -> None:
    text, errors = load(f"2025-07-01 {directive}\n")
    error = only(errors)
    assert ".5 JPY に 1 円未満の端数があります" in error.message
    assert error.source["lineno"] == line_of(text, directive)


def test_other_currencies_may_have_decimals() -> None:
    _, errors = load("2025-07-01 price USD 150 JPY\n2025-07-01 price JPY 0.0067 USD\n")
    assert errors == []


# ---- zero amounts ------------------------------------------------------------------


def test_zero_posting_fails_on_its_line() -> None:
    text, errors = load(
        """
        2025-07-01 * "郵便局" "切手"
          Expenses:5210-管理費:5214-事務用品費   0 JPY
          Expenses:5210-管理費:5214-事務用品費   840 JPY
          Assets:1110-現金   -840 JPY
        """
    )
    error = only(errors)
    assert (
        error.message
        == "Expenses:5210-管理費:5214-事務用品費 の金額が 0 です。0 円の行は書かないでください。"
    )
    assert error.source["lineno"] == line_of(text, "   0 JPY")


def test_all_zero_transaction_fails_once() -> None:
    text, errors = load(
        """
        2025-07-01 * "郵便局" "切手"
          Expenses:5210-管理費:5214-事務用品費   0 JPY
          Assets:1110-現金   0 JPY
        """
    )
    error = only(errors)
    assert "金額がすべて 0 の取引です" in error.message
    assert error.source["lineno"] == line_of(text, '"切手"')


# ---- dates -------------------------------------------------------------------------


def test_entry_far_in_the_future_fails() -> None:
    soon = datetime.date.today() + datetime.timedelta(days=10)
    later = datetime.date.today() + datetime.timedelta(days=40)
    text, errors = load(
        f"""
        {soon} * "S0001" "ご寄付"
          Assets:1120-普通預金-ろうきん   1000 JPY
          Income:4210-受取寄附金
        {later} * "S0001" "ご寄付"
          Assets:1120-普通預金-ろうきん   1000 JPY
          Income:4210-受取寄附金
        """
    )
    error = only(errors)
    assert (
        error.message
        == f"日付 {later} は今日から 31 日より先です。日付の打ち間違いでないか確かめてください。"
    )
    assert error.source["lineno"] == line_of(text, str(later))


def test_future_days_is_the_codes_and_cannot_be_raised_from_the_books() -> None:
    assert FUTURE_DAYS == 31
    header = HEADER.replace(
        'plugin "connect_books.plugins.hygiene"',
        'plugin "connect_books.plugins.hygiene" "{\'future_days\': 100000}"',
    )
    later = datetime.date.today() + datetime.timedelta(days=40)
    text, errors = load(f'{later} custom "supporter" "S0001"\n', header)
    assert [e.source["lineno"] for e in errors] == [0, line_of(text, str(later))]
    assert "hygiene プラグインに設定はありません" in errors[0].message
    assert "今日から 31 日より先" in errors[1].message


# ---- files: pad, documents, plugin lines ---------------------------------------------


def write_books(
    tmp_path: Path,
    main_body: str,
    files: dict[str, str] | None = None,
    plugin_line: str = 'plugin "connect_books.plugins.hygiene"',
) -> Path:
    """Books in ``tmp_path/ledger`` with an ``opening.beancount`` and a ``documents/`` folder."""
    ledger = tmp_path / "ledger"
    (ledger / "documents").mkdir(parents=True)
    (ledger / "documents" / "receipt.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    main = ledger / "main.beancount"
    main.write_text(
        f"{plugin_line}\n"
        'include "opening.beancount"\n'
        "2025-06-28 open Assets:1110-現金 JPY\n"
        "2025-06-28 open Equity:3010-引継正味財産 JPY\n" + textwrap.dedent(main_body)
    )
    for name, text in (files or {"opening.beancount": ""}).items():
        (ledger / name).write_text(textwrap.dedent(text))
    return main


def load_file(main: Path) -> list[Any]:
    _, errors, _ = loader.load_file(str(main))
    ours = [e for e in errors if isinstance(e, HygieneError)]
    others = [e for e in errors if e not in ours]
    assert not others, [e.message for e in others]
    return ours


def test_pad_in_the_opening_file_passes(tmp_path: Path) -> None:
    opening = """\
        2025-06-28 pad Assets:1110-現金 Equity:3010-引継正味財産
        2025-06-29 balance Assets:1110-現金 32000 JPY
        """
    assert load_file(write_books(tmp_path, "", {"opening.beancount": opening})) == []


def test_pad_elsewhere_fails(tmp_path: Path) -> None:
    main = write_books(
        tmp_path,
        """\
        2025-07-28 pad Assets:1110-現金 Equity:3010-引継正味財産
        2025-07-29 balance Assets:1110-現金 32000 JPY
        """,
    )
    error = only(load_file(main))
    assert (
        "pad は開始残高のファイル (opening.beancount) でだけ使えます" in error.message
    )
    assert error.source["filename"] == str(main) and error.source["lineno"] == 5


def test_document_inside_the_documents_folder_passes(tmp_path: Path) -> None:
    main = write_books(
        tmp_path, '2025-07-01 document Assets:1110-現金 "documents/receipt.pdf"\n'
    )
    assert load_file(main) == []


def test_document_outside_the_repository_fails(tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("secret")
    main = write_books(
        tmp_path,
        """\
        2025-07-01 document Assets:1110-現金 "/etc/passwd"
        2025-07-02 document Assets:1110-現金 "../outside.txt"
        2025-07-03 document Assets:1110-現金 "documents/../../outside.txt"
        """,
    )
    errors = load_file(main)
    assert [e.source["lineno"] for e in errors] == [5, 6, 7]
    assert (
        "証憑のファイル /etc/passwd は証憑フォルダ (documents/) の外にあります"
        in errors[0].message
    )
    assert all("の外にあります" in e.message for e in errors)


def test_document_symlink_out_of_the_folder_fails(tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("secret")
    main = write_books(
        tmp_path, '2025-07-01 document Assets:1110-現金 "documents/link.txt"\n'
    )
    os.symlink(tmp_path / "outside.txt", main.parent / "documents" / "link.txt")
    error = only(load_file(main))
    assert "の外にあります" in error.message and error.source["lineno"] == 5


def test_documents_folder_linked_out_of_the_books_fails(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    main = write_books(
        tmp_path, '2025-07-01 document Assets:1110-現金 "documents/secret.txt"\n'
    )
    shutil.rmtree(main.parent / "documents")
    os.symlink(outside, main.parent / "documents")
    error = only(load_file(main))
    assert "証憑フォルダ (documents/) の外にあります" in error.message
    assert f"documents/ は {outside} へのシンボリックリンクです" in error.message
    assert error.source["lineno"] == 5


def test_plugin_not_allowed_fails_naming_it(tmp_path: Path) -> None:
    main = write_books(tmp_path, 'plugin "beancount.plugins.noduplicates"\n')
    error = only(load_file(main))
    assert error.message.startswith(
        'plugin "beancount.plugins.noduplicates" は使えません。'
    )
    assert "機構の規則のプラグインだけ" in error.message
    assert error.source == {"filename": str(main), "lineno": 0}


def test_only_the_rules_are_allowed_and_the_books_cannot_add_to_them(
    tmp_path: Path,
) -> None:
    main = write_books(
        tmp_path,
        'plugin "beancount.plugins.noduplicates"\n',
        plugin_line='plugin "connect_books.plugins.hygiene" "{\'allow_plugins\': '
        "['connect_books.plugins.hygiene', 'beancount.plugins.noduplicates']}\"",
    )
    _, errors, _ = loader.load_file(str(main))
    messages = [e.message for e in errors]
    assert any("hygiene プラグインに設定はありません" in m for m in messages)
    assert any('noduplicates" は使えません' in m for m in messages)


def test_builtin_plugins_are_not_on_the_plugin_lines(tmp_path: Path) -> None:
    # Beancount runs documents, pad and balance itself; only the user's lines are checked.
    _, _, options = loader.load_file(str(write_books(tmp_path, "")))
    assert [name for name, _ in options["plugin"]] == ["connect_books.plugins.hygiene"]


def test_fava_extension_import_config_and_balance_tolerance_fail() -> None:
    text, errors = load(
        """
        2025-06-28 custom "fava-extension" "evil_extension"
        2025-06-28 custom "fava-option" "import-config" "importers.py"
        2025-06-28 custom "fava-option" "language" "ja"
        2025-07-01 balance Assets:1110-現金  0 ~ 5000 JPY
        """
    )
    assert [e.source["lineno"] for e in errors] == [
        line_of(text, "evil_extension"),
        line_of(text, "importers.py"),
        line_of(text, "balance"),
    ]
    assert "Fava 拡張 evil_extension は使えません" in errors[0].message
    assert 'Fava の設定 "import-config" は使えません' in errors[1].message
    assert "誤差" in errors[2].message
    assert policy.EXTENSIONS == () or "evil_extension" not in policy.EXTENSIONS


def test_options_that_switch_checks_off_fail() -> None:
    _, errors = load(
        'option "plugin_processing_mode" "raw"\noption "insert_pythonpath" "TRUE"\n'
        'option "inferred_tolerance_default" "JPY:5000"\n'
    )
    assert len(errors) == 3
    assert 'option "insert_pythonpath" は使えません' in errors[0].message
    assert 'option "plugin_processing_mode" は使えません' in errors[1].message
    assert 'option "inferred_tolerance_default" は使えません' in errors[2].message


# ---- account roles -------------------------------------------------------------------


def test_open_with_an_unknown_role_fails_on_its_line() -> None:
    text, errors = load(
        """
        2025-06-28 open Assets:1130-普通預金-インクルファンド JPY
          role: "fund-assets"
        2025-06-28 open Income:4110-受取会費 JPY
          role: "dues-income"
        """
    )
    error = only(errors)
    assert error.source["lineno"] == line_of(text, "1130-普通預金-インクルファンド")
    assert error.message.startswith(
        'Assets:1130-普通預金-インクルファンド の role: "fund-assets" は使えません'
        " (使える role: cash, bank, fund-asset, "
    )
    assert all(role.value in error.message for role in Role)
    assert "綴りを直してください" in error.message


# ---- the sample books: one test for every plugin ----------------------------------------


def test_sample_books_load_without_errors_under_every_plugin(
    sample_books: Books,
) -> None:
    """The bundled books pass all our plugins, every one of them named on its plugin line."""
    assert [e.message for e in sample_books.errors] == []
    names = [name for name, _ in sample_books.options["plugin"]]
    ours = {
        f"connect_books.plugins.{module.name}"
        for module in pkgutil.iter_modules(connect_books.plugins.__path__)
    }
    assert set(names) == ours
    assert names[0] == "connect_books.plugins.hygiene"
    assert names[-1] == "connect_books.plugins.settlement"
    assert names == list(policy.RULES)
    assert all(config is None for _, config in sample_books.options["plugin"])
    documents = [
        e.filename for e in sample_books.entries if isinstance(e, data.Document)
    ]
    folder = str(sample_books.root / "documents") + os.sep
    assert documents and all(d.startswith(folder) for d in documents)


def test_a_bank_line_imported_twice_is_an_error_at_the_second() -> None:
    entry = (
        '2025-07-01 * "S0001" "ご寄付"\n'
        '  import-key: "yucho-2025-07-01-0123456789abcdef-1"\n'
        "  Assets:1120-普通預金-ろうきん   1000 JPY\n"
        "  Income:4210-受取寄附金\n"
    )
    text, errors = load(entry + "\n" + entry)
    error = only(errors)
    assert error.source["lineno"] == line_of(text, "ご寄付", nth=1)
    assert "二度記帳されています" in error.message
