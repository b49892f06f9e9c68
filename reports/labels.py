"""How the statements name things: activities, the 活動計算書's lines, organisations, funds.

Amounts are printed with :func:`connect_books.money.yen_text`; this module holds the
other words and numbers the statements share.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from connect_books.accounts import Kind, Roots
from connect_books.chart import AccountInfo
from connect_books.funds import Fund

#: Activity labels (事業内容 1〜5).
ACTIVITIES: dict[int, str] = {
    1: "市民版まちづくり計画・新規事業",
    2: "人材の登場・育成",
    3: "広報",
    4: "事業活動・資金循環",
    5: "政策づくり",
}

#: The 活動計算書's groups and lines (NPO法人会計基準).
REVENUE_LINES = ("受取会費", "受取寄附金", "受取助成金等", "事業収益", "その他収益")
KINDS = ("人件費", "その他経費")
PROGRAM, ADMIN, ORDINARY_INCOME, EXTRA_INCOME, EXTRA_EXPENSE = (
    "事業費",
    "管理費",
    "経常収益",
    "経常外収益",
    "経常外費用",
)
TRANSFER_IN = "指定正味財産からの振替額"


def placement(info: AccountInfo, roots: Roots) -> tuple[str, str, str]:
    """Where an income or expense account goes: (group, kind, line)."""
    if roots.is_(info.name, Kind.INCOME):
        group = EXTRA_INCOME if info.section == EXTRA_INCOME else ORDINARY_INCOME
        return (
            group,
            "",
            info.line or ("その他収益" if group == ORDINARY_INCOME else info.label),
        )
    if info.section == PROGRAM:
        group = PROGRAM
    elif info.section == EXTRA_EXPENSE:
        group = EXTRA_EXPENSE
    else:  # 管理費, 予備費 (should stay unspent) and anything unplaced
        group = ADMIN
    kind = "人件費" if info.kind == "人件費" else "その他経費"
    return group, kind, info.line or info.label


_LEGAL_FORMS = (
    "認定特定非営利活動法人",
    "特定非営利活動法人",
    "社会福祉法人",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "株式会社",
    "有限会社",
    "合同会社",
    "NPO法人",
)
_PAREN_TAIL = re.compile(r"[（(]([^()（）]+)[)）]\s*$")


def ratio(part: int, whole: int | None) -> Decimal | None:
    """``part / whole`` to four places (None when there is nothing to divide by)."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def short_name(name: str) -> str:
    """An organisation's name without its legal form (``エコメッセ``)."""
    for form in _LEGAL_FORMS:
        if name.startswith(form):
            return name[len(form) :]
    return name


def fund_short(fund: Fund) -> str:
    """The everyday name of a fund: ``インクルファンド`` for ``…基金(インクルファンド)``."""
    match = _PAREN_TAIL.search(fund.name)
    return match.group(1) if match else fund.name


def fund_use(fund: Fund) -> str:
    """使用目的 of a fund for the 財産目録: its ``purpose:``, else what it is by kind."""
    purpose = str(fund.meta.get("purpose") or "").strip()
    if purpose:
        return purpose
    if fund.restricted:
        return "寄付者が使途を指定した基金 (助成事業に充てる)"
    return f"{fund.body or '運営委員会'}の決定による積立金 (助成事業に充てる)"
