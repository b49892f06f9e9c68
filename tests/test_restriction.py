"""一般/指定正味財産, revenue by activity and related parties, on ledgers written for each case."""

from __future__ import annotations

import datetime
import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from beancount import loader
from click.testing import CliRunner
from ledgertools import query_total
from test_reports_ledgers import HEADER

from connect_books.books import load
from connect_books.cli import main
from connect_books.fiscal import FiscalYear, Period
from connect_books.reports import activity, balance_sheet, inventory, tieout
from connect_books.reports.index import Index, build_index
from connect_books.reports.registry import index_of
from connect_books.restriction import Restrictions

D = datetime.date
Y25 = FiscalYear(2025)
P = Period.of

ACCOUNTS = """
2025-06-28 open Income:4310-受取助成金 JPY
  section: "経常収益"
  line: "受取助成金等"
2025-06-28 open Income:4330-受取助成金-使途指定 JPY
  section: "経常収益"
  line: "受取助成金等"
  restricted: TRUE
  purpose: "ひろば運営助成"
2025-06-28 open Income:4410-事業収益 JPY
  section: "経常収益"
  line: "事業収益"
2025-06-28 open Income:4420-事業収益-研修 JPY
  section: "経常収益"
  line: "事業収益"
  activity: 2
2025-06-28 open Income:4510-受取利息 JPY
  section: "経常収益"
  line: "その他収益"
2025-06-28 open Expenses:5120-人材育成:5121-講師謝金 JPY
  section: "事業費"
  line: "講師謝金"
  kind: "その他経費"
  activity: 2
"""

RESTRICTED_GRANT = """
2025-09-05 * "公益財団法人みらい協同基金" "研修事業助成金 (使途指定)"
  restricted: "みらい 研修2025"
  activity: 2
  Assets:1120-普通預金-ろうきん 300000 JPY
  Income:4310-受取助成金 -300000 JPY
2025-11-15 * "講師" "研修 講師謝金"
  restricted: "みらい 研修2025"
  Expenses:5120-人材育成:5121-講師謝金 120000 JPY
  Assets:1120-普通預金-ろうきん -120000 JPY
2026-02-20 * "中央労働金庫" "普通預金利息 (インクルファンド口座)"
  Assets:1130-普通預金-インクルファンド 7 JPY
  Income:4510-受取利息 -7 JPY
2026-02-20 * "中央労働金庫" "普通預金利息"
  Assets:1120-普通預金-ろうきん 3 JPY
  Income:4510-受取利息 -3 JPY
"""


def loaded(text: str) -> tuple[Index, SimpleNamespace]:
    """The index of ``HEADER + ACCOUNTS + text`` and the loaded books (for bean-query)."""
    entries, errors, options = loader.load_string(HEADER + ACCOUNTS + text)
    assert errors == [], errors
    books = SimpleNamespace(entries=entries, errors=errors, options=options)
    return build_index(entries, options), books


def test_a_restricted_grant_outside_a_fund_is_restricted_until_spent() -> None:
    idx, books = loaded(RESTRICTED_GRANT)
    act = activity.report(idx, P(Y25))
    fig = act.figure
    assert fig("指定:受取助成金等", "amount") == 300000
    assert fig("経常収益:受取助成金等", "amount") == 0  # not in Ⅰ
    assert fig("指定:その他収益", "amount") == 7  # the fund's interest is the fund's
    assert fig("経常収益:その他収益", "amount") == 3
    assert fig("一般:振替", "amount") == 120000 == -fig("指定:振替", "amount")
    assert fig("指定:期首", "amount") == 500000  # the fund brought in
    assert fig("指定:期末", "amount") == 500000 + 7 + 300000 - 120000
    net = query_total(
        books,
        "SELECT sum(number) WHERE account ~ '^(Assets|Liabilities):'",
    )
    assert fig("一般:期末", "amount") + fig("指定:期末", "amount") == net
    note = act.note("使途等が制約された寄付等の内訳")
    assert note is not None
    gift = note.by_key("指定:gift:みらい 研修2025")
    assert (gift.get("opening"), gift.get("increase"), gift.get("decrease")) == (
        0,
        300000,
        120000,
    )
    assert gift.get("closing") == 180000
    assert "受取助成金の受入 300,000円" in str(gift.get("note"))
    assert "講師謝金に充当 120,000円" in str(gift.get("note"))
    by_activity = act.note("事業別損益の状況")
    assert by_activity is not None
    assert by_activity.figure("事業別:振替", "a2") == 120000  # spent on activity 2
    # received for activity 2: shown for reference, outside Ⅰ's totals
    assert by_activity.figure("事業別:指定:受取助成金等", "a2") == 300000
    assert by_activity.figure("事業別:経常収益計", "total") == fig(
        "経常収益計", "amount"
    )
    bs = balance_sheet.report(idx, P(Y25))
    assert bs.figure("指定正味財産", "current") == 680007
    assert bs.figure("指定:gift:みらい 研修2025", "current") == 180000
    assert inventory.report(idx, P(Y25)).figure("指定正味財産", "amount") == 680007
    checks = tieout.report(idx, P(Y25))
    for key in (
        "一致:一般+指定:貸借対照表",
        "一致:一般+指定:活動計算書",
        "一致:一般+指定:財産目録",
        "一致:指定:活動計算書",
        "一致:指定:財産目録",
        "一致:指定:注記",
    ):
        assert checks.main.by_key(key).get("result") == "✓", key


def test_the_one_reader_gives_the_same_figures_without_the_index() -> None:
    idx, books = loaded(RESTRICTED_GRANT)
    alone = Restrictions.from_entries(books.entries, books.options)
    assert alone.balance(D(2026, 3, 31)) == idx.restrictions.balance(D(2026, 3, 31))
    assert alone.balance(D(2026, 3, 31)) == 680007
    assert alone.balance(D(2025, 10, 1), "gift:みらい 研修2025") == 300000


def test_an_income_account_can_be_restricted_as_a_whole() -> None:
    idx, _ = loaded("""
2025-08-01 * "みどり財団" "ひろば運営助成"
  Assets:1120-普通預金-ろうきん 80000 JPY
  Income:4330-受取助成金-使途指定 -80000 JPY
""")
    act = activity.report(idx, P(Y25))
    assert act.figure("指定:受取助成金等", "amount") == 80000
    note = act.note("使途等が制約された寄付等の内訳")
    assert (
        note is not None and note.figure("指定:gift:ひろば運営助成", "closing") == 80000
    )


def test_spending_more_than_is_left_or_an_unknown_restriction_is_said() -> None:
    idx, _ = loaded(
        RESTRICTED_GRANT
        + """
2026-01-10 * "講師" "研修 講師謝金 (2)"
  restricted: "みらい 研修2025"
  Expenses:5120-人材育成:5121-講師謝金 200000 JPY
  Assets:1120-普通預金-ろうきん -200000 JPY
2026-01-11 * "講師" "研修 講師謝金 (3)"
  restricted: "みらい研修"
  Expenses:5120-人材育成:5121-講師謝金 1000 JPY
  Assets:1120-普通預金-ろうきん -1000 JPY
"""
    )
    act = activity.report(idx, P(Y25))
    assert act.figure("一般:振替", "amount") == 300000  # never beyond what was given
    assert act.figure("指定:gift:みらい 研修2025", "amount") is None
    remarks = "\n".join(act.remarks)
    assert (
        "の残高 180,000円 を超える支出です。超えた 20,000円 は一般正味財産" in remarks
    )
    assert "2026年1月11日の記録: 使途指定「みらい研修」の受入" in remarks
    over = tieout.report(idx, P(Y25)).main.by_key("指定:超過")
    assert (over.get("a"), over.get("result")) == (20000, "—")
    assert "みらい 研修2025 20,000円 (2026年1月10日)" in str(over.get("note"))
    assert "<string>" not in remarks and "restricted" not in remarks  # (for the 監事)


ACTIVITY_TAGS = """
2025-09-05 * "公益財団法人みらい協同基金" "研修事業助成金"
  activity: 2
  Assets:1120-普通預金-ろうきん 300000 JPY
  Income:4310-受取助成金 -300000 JPY
2025-11-15 * "人材育成研修 参加費"
  Assets:1110-現金 30000 JPY
  Income:4410-事業収益 -30000 JPY
    activity: 2
2025-11-16 * "研修テキスト販売"
  Assets:1110-現金 5000 JPY
  Income:4420-事業収益-研修 -5000 JPY
2025-12-01 * "政策づくり 講演料"
  activity: 5
  Assets:1110-現金 8000 JPY
  Income:4420-事業収益-研修 -8000 JPY
2025-12-02 * "広報 講師謝金"
  activity: 3
  Expenses:5120-人材育成:5121-講師謝金 4000 JPY
  Assets:1110-現金 -4000 JPY
2025-12-03 * "参加費 (どれか)"
  activity: 9
  Assets:1110-現金 1000 JPY
  Income:4410-事業収益 -1000 JPY
"""


def test_revenue_tagged_with_an_activity_is_in_its_column() -> None:
    idx, _ = loaded(ACTIVITY_TAGS)
    act = activity.report(idx, P(Y25))
    table = act.note("事業別損益の状況")
    assert table is not None
    grants = table.by_key("事業別:収益:受取助成金等")
    assert (grants.get("a2"), grants.get("admin")) == (300000, 0)
    sales = table.by_key("事業別:収益:事業収益")
    # 30,000 tagged on the posting, 5,000 by the account's default; 8,000 moved to 5;
    # 1,000 with a tag that names no activity stays with 管理部門
    assert (sales.get("a2"), sales.get("a5"), sales.get("admin")) == (35000, 8000, 1000)
    fee = table.by_key("事業別:その他経費:講師謝金")
    assert (fee.get("a2"), fee.get("a3")) == (0, 4000)
    assert table.figure("事業別:経常収益計", "total") == act.figure(
        "経常収益計", "amount"
    )
    assert table.figure("事業別:経常費用計", "total") == act.figure(
        "経常費用計", "amount"
    )
    assert any(
        "activity: Decimal('9') は事業内容の番号ではありません" in x
        for x in act.remarks
    )


def test_a_program_cost_cannot_be_tagged_to_administration() -> None:
    idx, _ = loaded("""
2025-12-02 * "講師謝金"
  activity: "管理"
  Expenses:5120-人材育成:5121-講師謝金 4000 JPY
  Assets:1110-現金 -4000 JPY
""")
    act = activity.report(idx, P(Y25))
    table = act.note("事業別損益の状況")
    assert (
        table is not None and table.figure("事業別:その他経費:講師謝金", "a2") == 4000
    )
    assert any("事業費の科目は管理部門にできません" in x for x in act.remarks)


RELATED = """
2025-06-28 custom "related-party" "SETAGAYA" "生活クラブ運動グループ世田谷地域協議会"
  relation: "会員団体 (生活クラブ生活協同組合・東京) の地域協議会"
2025-06-28 custom "related-party" "REP" "代表 (個人)"
  relation: "役員 (代表)"
2025-10-25 custom "grant-decision" "IF-2025-09" "inclufund" "生活クラブ運動グループ世田谷地域協議会" 150000 JPY
  body: "助成審査委員会"
2025-11-05 * "生活クラブ運動グループ世田谷地域協議会" "インクルファンド助成金"
  decision: "IF-2025-09"
  Expenses:5140-資金循環:5141-支払助成金-インクルファンド 100000 JPY
  Assets:1130-普通預金-インクルファンド -100000 JPY
2025-12-01 * "講師" "研修 講師謝金"
  related: "REP"
  Expenses:5120-人材育成:5121-講師謝金 20000 JPY
  Assets:1110-現金 -20000 JPY
"""


def test_transactions_with_related_parties_are_in_the_note() -> None:
    idx, _ = loaded(RELATED)
    act = activity.report(idx, P(Y25))
    note = act.note("役員及び関連当事者との取引")
    assert note is not None
    rows = [r for r in note.rows if r.style == "item"]
    assert [(r.label, r.get("costs")) for r in rows] == [
        ("生活クラブ運動グループ世田谷地域協議会", 100000),
        ("代表 (個人)", 20000),
    ]
    assert (
        rows[0].get("relation")
        == "会員団体 (生活クラブ生活協同組合・東京) の地域協議会"
    )
    assert note.figure("関連:合計", "costs") == 120000
    unpaid = act.note("助成決定済み未払額")
    assert unpaid is not None and unpaid.figure("未払:IF-2025-09", "left") == 50000
    nothing = activity.report(loaded("")[0], P(Y25)).note("役員及び関連当事者との取引")
    assert nothing is not None and nothing.rows[0].label == "該当なし"


SAMPLE_ADDITIONS = """
2026-11-20 * "公益財団法人みらい協同基金" "人材育成研修 参加費補助 (使途指定)"
  restricted: "みらい協同基金 研修2026"
  activity: 2
  Assets:1120-普通預金-ろうきん                 60000 JPY
  Income:4310-受取助成金                       -60000 JPY
2026-11-21 * "人材育成研修 参加費 (12名)"
  activity: 2
  Assets:1110-現金                              12000 JPY
  Income:4410-事業収益                         -12000 JPY
"""


def activity_json(main_file: Path) -> dict[str, Any]:
    """``connect-books report activity`` for 2026年度 to 2026-11-30, as JSON."""
    result = CliRunner().invoke(
        main,
        [
            "report",
            "activity",
            "--year",
            "2026",
            "--as-of",
            "2026-11-30",
            str(main_file),
        ],
    )
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def keyed(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["key"]: r for r in rows if "key" in r}


def test_on_a_copy_of_the_sample_books(tmp_path: Path, sample_path: Path) -> None:
    """The sample books with a restricted grant, tagged revenue and a related party."""
    before = activity_json(sample_path)
    shutil.copytree(sample_path.parent, tmp_path / "ledger")
    journal = tmp_path / "ledger" / "2026.beancount"
    text = journal.read_text(encoding="utf-8")
    for account, added in (
        ("Assets:1110-現金", 12000),
        ("Assets:1120-普通預金-ろうきん", 60000),
    ):  # the passbook and the cash count at 11月末 include the additions
        text = re.sub(
            rf"(2026-12-01 balance {account}\s+)(\d+) JPY",
            lambda m, added=added: f"{m.group(1)}{int(m.group(2)) + added} JPY",
            text,
        )
    journal.write_text(text + SAMPLE_ADDITIONS, encoding="utf-8")
    main_file = tmp_path / "ledger" / "main.beancount"
    books = load(main_file)
    assert books.errors == []
    after = activity_json(main_file)
    was, now = keyed(before["rows"]), keyed(after["rows"])
    assert (
        now["指定:受取助成金等"]["amount"] == was["指定:受取助成金等"]["amount"] + 60000
    )
    assert now["指定:期末"]["amount"] == was["指定:期末"]["amount"] + 60000
    assert now["一般:期末"]["amount"] == was["一般:期末"]["amount"] + 12000
    held = query_total(
        books,
        "SELECT sum(number) WHERE account = 'Assets:1130-普通預金-インクルファンド'"
        " AND date <= 2026-11-30",
    ) - query_total(
        books,
        "SELECT sum(number) WHERE account ~ '^(Income|Expenses):'"
        " AND ANY_META('restricted') IS NOT NULL AND date <= 2026-11-30",
    )
    assert now["指定:期末"]["amount"] == held
    notes = {t["title"]: t for t in after["tables"]}
    old_notes = {t["title"]: t for t in before["tables"]}
    by_key = keyed(notes["事業別損益の状況"]["rows"])
    old = keyed(old_notes["事業別損益の状況"]["rows"])
    sales = "事業別:収益:事業収益"
    assert by_key[sales]["a2"] == old[sales]["a2"] + 12000  # tagged: activity 2
    assert by_key[sales]["admin"] == old[sales]["admin"]
    assert (
        by_key["事業別:指定:受取助成金等"]["a2"]
        == old.get("事業別:指定:受取助成金等", {}).get("a2", 0) + 60000
    )
    gift = notes["使途等が制約された寄付等の内訳"]["rows"]
    assert any(
        r["label"] == "みらい協同基金 研修2026" and r["closing"] == 60000 for r in gift
    )
    related = notes["役員及び関連当事者との取引"]["rows"]
    setagaya = [
        r for r in related if r["label"] == "生活クラブ運動グループ世田谷地域協議会"
    ]
    assert [r["costs"] for r in setagaya] == [150000]  # MZ-2026-01, paid 2026-11-05
    assert setagaya[0]["relation"].startswith("会員団体")
    checks = tieout.report(index_of(books), P(FiscalYear(2026), D(2026, 11, 30)))
    for key in ("一致:一般+指定:貸借対照表", "一致:指定:注記", "基金:inclufund:指定"):
        assert checks.main.by_key(key).get("result") == "✓", key


def test_a_party_named_later_does_not_change_an_earlier_year() -> None:
    """The payee matches a party only from the party's directive on (a related-party
    written in 2026 leaves the settled 2025 note as it was); ``related:`` always does."""
    later = RELATED.replace(
        '2025-06-28 custom "related-party" "SETAGAYA"',
        '2026-04-10 custom "related-party" "SETAGAYA"',
    )
    idx, _ = loaded(later)
    note = activity.report(idx, P(Y25)).note("役員及び関連当事者との取引")
    assert note is not None
    rows = [r for r in note.rows if r.style == "item"]
    assert [r.label for r in rows] == ["代表 (個人)"]


def test_a_related_party_twice_or_an_unknown_id_is_an_error() -> None:
    from connect_books.related import RelatedParties

    twice = (
        RELATED
        + '2026-04-10 custom "related-party" "SETAGAYA" "さくらネット株式会社"\n'
    )
    parties, errors = RelatedParties.from_entries(loader.load_string(twice)[0])
    assert parties.parties["SETAGAYA"].name == "生活クラブ運動グループ世田谷地域協議会"
    assert [e.message for e in errors] == [
        "関連当事者の ID SETAGAYA は 2025-06-28 に登録されています"
        " (生活クラブ運動グループ世田谷地域協議会)。一つの ID は一度だけ登録してください。"
    ]
