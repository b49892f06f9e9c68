"""Notes to the 活動計算書 read straight from the books: 重要な会計方針, 引継財産の内訳,
役員及び関連当事者との取引 and 助成決定済み未払額.
"""

from __future__ import annotations

from collections import defaultdict

from connect_books.accounts import Kind
from connect_books.fiscal import Period, jdate
from connect_books.money import posting_yen, yen
from connect_books.reports.index import Index
from connect_books.reports.labels import fund_short
from connect_books.reports.table import Cell, Column, Row, Table

POLICIES = "重要な会計方針"
INHERITED = "引継財産の内訳"
RELATED = "役員及び関連当事者との取引"
UNPAID = "助成決定済み未払額"
RESTRICTED_NOTE = "使途等が制約された寄付等の内訳"
STANDARD = (
    "「NPO法人会計基準」(2010年7月20日 2017年12月12日最終改正 NPO法人会計基準協議会) を"
    "任意団体として準用しています。"
)


def policies(idx: Index, p: Period) -> Table:
    """重要な会計方針: the bases the statements are drawn up on, from the books' set-up."""
    fixed = [
        info
        for info in idx.chart.in_section("固定資産")
        if idx.balance(info.name, p.end)
    ]
    restricted = [f for f in idx.funds.funds.values() if f.restricted]
    reserves = [f for f in idx.funds.funds.values() if not f.restricted]
    items: list[tuple[str, str]] = [
        ("計算書類の作成基準", STANDARD),
        (
            "固定資産の減価償却の方法",
            "有形固定資産は定額法により償却しています (固定資産台帳)。"
            if fixed
            else "償却の対象となる固定資産はありません。",
        ),
        ("引当金の計上基準", "退職給付引当金その他の引当金は計上していません。"),
        ("消費税等の会計処理", "税込経理方式によっています。"),
    ]
    names = "、".join(f.name for f in restricted) or "なし"
    items.append(
        (
            "使途等が制約された寄付等",
            f"寄付者・助成者が使途を制約した寄付等 ({names}、使途指定の寄付・助成金) は"
            "指定正味財産に計上し、使途に沿って支出したときに同額を指定正味財産から"
            "一般正味財産へ振り替えています。基金の口座に生じた受取利息は基金に帰属する"
            f"ものとして指定正味財産に含めています。内訳は注記「{RESTRICTED_NOTE}」のとおりです。",
        )
    )
    if reserves:
        items.append(
            (
                "特定資産 (積立金)",
                "、".join(
                    f"{f.name} ({f.body or '運営委員会'}の決定による積立)"
                    for f in reserves
                )
                + "は一般正味財産であり、貸借対照表では特定資産として内書きし、"
                "財産目録に使用目的を記載しています。",
            )
        )
    items.append(
        (
            "事業費と管理費の区分",
            "事業費は事業内容1〜5ごとの科目に直接計上しており、按分はしていません。"
            "収益は受け入れたときに指定した事業により事業別損益の状況に配分し、"
            "指定のない収益は管理部門に記載しています。",
        )
    )
    rows = tuple(
        Row(label, {"text": text}, "item", 0, f"方針:{n}")
        for n, (label, text) in enumerate(items, start=1)
    )
    return Table(POLICIES, (Column("text", "内容", "text"),), rows)


def inherited(idx: Index, p: Period) -> tuple[Table, ...]:
    """引継財産の内訳: what the predecessors brought in (only in the 年度 they did)."""
    moves = [t for t in idx.openings if p.start <= t.date <= p.end]
    if not moves:
        return ()
    restricted_assets = {f.asset for f in idx.funds.funds.values() if f.restricted}
    rows: list[Row] = []
    totals: dict[str, int] = defaultdict(int)
    for txn in moves:
        source = txn.payee or txn.narration or "前身団体"
        for posting in txn.postings:
            kind = idx.roots.kind(posting.account)
            if kind not in (Kind.ASSETS, Kind.LIABILITIES):
                continue
            amount = yen(posting_yen(posting))
            if (
                kind is Kind.LIABILITIES
            ):  # (shown as what is owed: positive, subtracted)
                amount = -amount
            restricted = posting.account in restricted_assets
            info = idx.info(posting.account)
            detail = info.detail or info.label
            if kind is Kind.LIABILITIES:
                payee = (posting.meta or {}).get("payee")
                detail = f"{payee}に対する{info.label}" if payee else info.label
            values: dict[str, Cell] = {
                "source": source,
                "detail": detail,
                "class": "指定" if restricted else "一般",
                "amount": amount,
            }
            rows.append(Row(info.label, values, "item", 1, f"引継:{posting.account}"))
            totals["assets" if kind is Kind.ASSETS else "liabilities"] += amount
            totals["restricted"] += amount if restricted else 0
    net = totals["assets"] - totals["liabilities"]
    rows += [
        Row("資産計", {"amount": totals["assets"]}, "subtotal", 0, "引継:資産計"),
        Row("負債計", {"amount": totals["liabilities"]}, "subtotal", 0, "引継:負債計"),
        Row("引継正味財産", {"amount": net}, "total", 0, "引継:正味財産"),
        Row(
            "うち指定正味財産", {"amount": totals["restricted"]}, "item", 1, "引継:指定"
        ),
        Row(
            "うち一般正味財産",
            {"amount": net - totals["restricted"]},
            "item",
            1,
            "引継:一般",
        ),
    ]
    columns = (
        Column("source", "引継元", "text"),
        Column("detail", "摘要", "text"),
        Column("class", "区分", "text"),
        Column("amount", "金額"),
    )
    return (Table(INHERITED, columns, tuple(rows)),)


def related_parties(idx: Index, p: Period) -> Table:
    """役員及び関連当事者との取引: each transaction with a party on the roster."""
    columns = (
        Column("relation", "関係", "text"),
        Column("date", "取引日", "date"),
        Column("what", "取引の内容", "text"),
        Column("income", "収益"),
        Column("costs", "費用"),
    )
    rows: list[Row] = []
    totals = {"income": 0, "costs": 0}
    for deal in idx.deals:
        if not p.start <= deal.date <= p.end:
            continue
        party = idx.related.parties.get(deal.party)
        name = party.name if party else deal.party
        relation = party.relation if party else "関連当事者の一覧にありません"
        values: dict[str, Cell] = {
            "relation": relation,
            "date": deal.date,
            "what": deal.narration,
            "income": deal.income,
            "costs": deal.costs,
        }
        totals["income"] += deal.income
        totals["costs"] += deal.costs
        rows.append(Row(name, values, "item", 0, f"関連:{deal.party}:{deal.date}"))
    if not rows:
        why = (
            "期間中の取引はありません。"
            if idx.related.parties
            else '関連当事者の一覧 (custom "related-party") がありません。'
        )
        rows.append(Row("該当なし", {"what": why}, "item", 0, "関連:なし"))
    else:
        rows.append(Row("合計", dict(totals), "total", 0, "関連:合計"))
    return Table(RELATED, columns, tuple(rows))


def grants_unpaid(idx: Index, p: Period) -> Table:
    """助成決定済み未払額: grants decided by the end of the period and not fully paid."""
    paid: dict[str, int] = defaultdict(int)
    for payment in idx.grants:
        if payment.date <= p.end:
            paid[payment.decision] += yen(payment.amount)
    rows: list[Row] = []
    total = {"amount": 0, "paid": 0, "left": 0}
    for decision in sorted(idx.funds.grants.values(), key=lambda d: (d.date, d.id)):
        amount = yen(decision.amount)
        left = amount - paid[decision.id]
        if decision.date > p.end or left <= 0:
            continue
        fund = idx.funds.funds.get(decision.fund)
        figures = {"amount": amount, "paid": paid[decision.id], "left": left}
        for key, value in figures.items():
            total[key] += value
        values: dict[str, Cell] = {
            "date": decision.date,
            "fund": fund_short(fund) if fund else decision.fund,
            "grantee": decision.grantee,
            **figures,
        }
        rows.append(Row(decision.id, values, "item", 0, f"未払:{decision.id}"))
    if not rows:
        rows.append(
            Row(
                "該当なし",
                {"grantee": f"{jdate(p.end)}現在の未払はありません"},
                "item",
                0,
                "未払:なし",
            )
        )
    else:
        rows.append(Row("合計", dict(total), "total", 0, "未払:合計"))
    columns = (
        Column("date", "決定日", "date"),
        Column("fund", "基金", "text"),
        Column("grantee", "助成先", "text"),
        Column("amount", "決定額"),
        Column("paid", "支払済額"),
        Column("left", "未払額"),
    )
    return Table(UNPAID, columns, tuple(rows))
