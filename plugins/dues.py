"""会費 (定款第7条・附則2): dues are booked per member, at most the rate, in full at year end.

Every posting on an account whose ``open`` has ``role`` ``dues-income``, ``dues-receivable``
or ``dues-advance`` names a member of the roster (``member:`` on the posting, else on the
transaction)::

    plugin "connect_books.plugins.dues"

    2025-07-08 * "生活クラブ生協・東京" "2025年度会費"
      member: "SCC-TOKYO"
      Assets:1120-普通預金-ろうきん      10000 JPY
      Income:4110-受取会費              -10000 JPY

Per member and 年度 (the 年度 of the posting's date), the dues recognised (minus the sum of
the ``dues-income`` postings) may not exceed what the roster says is due
(:meth:`connect_books.roster.Roster.due`: dated rate, ``dues-adjust``, joining and
leaving); dues from an organisation not on the roll that year are an error. In a settled
year (``custom "settlement"``), every member on the roll must have its dues recognised in
full: what was not paid by 3/31 is booked as 未収会費 (role ``dues-receivable``)::

    2026-03-31 * "エコメッセ" "2025年度会費 未収計上"
      member: "ECOMESSE"
      Assets:1210-未収会費                10000 JPY
      Income:4110-受取会費              -10000 JPY

A member's 未収会費 never goes below zero. Every ``supporter:`` (transaction or posting)
names a supporter on the roster. Malformed roster directives are reported here too.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from beancount.core import data

from connect_books.chart import DUES_ROLES, Chart, Role
from connect_books.errors import BooksError, did_you_mean, reject_config
from connect_books.fiscal import FiscalYear
from connect_books.money import ZERO, posting_yen, yen_text
from connect_books.roster import ROSTER_TYPES, Member, Roster
from connect_books.settlement import SETTLEMENT, read_settlements

__plugins__ = ("dues",)

ARTICLE = "定款第7条・附則2"


class DuesError(BooksError):
    """Dues booked without a member, for an unknown member, or not matching the roll."""


def dues(
    entries: list[data.Directive],
    options_map: dict[str, Any],
    config: str | None = None,
) -> tuple[list[data.Directive], list[BooksError]]:
    """Check dues postings against the roster, and supporter IDs.

    Args:
      entries: The directives, sorted.
      options_map: Beancount's options.
      config: Must be empty: the plugin has no settings.
    Returns:
      The entries unchanged, and the errors found.
    """
    errors = reject_config("dues", config, options_map, DuesError)
    opens: list[data.Directive] = []
    customs: list[data.Directive] = []
    txns: list[data.Transaction] = []
    for entry in entries:
        if isinstance(entry, data.Transaction):
            txns.append(entry)
        elif isinstance(entry, data.Open):
            opens.append(entry)
        elif isinstance(entry, data.Custom) and (
            entry.type in ROSTER_TYPES or entry.type == SETTLEMENT
        ):
            customs.append(entry)

    roster, roster_errors = Roster.from_entries(customs)
    errors.extend(roster_errors)
    chart = Chart.from_entries(opens)
    roles = chart.roles(*DUES_ROLES)
    receivable_accounts = [a.name for a in chart.with_role(Role.DUES_RECEIVABLE)]
    check = _Checker(roster, roles, errors)
    for txn in txns:
        check.transaction(txn)

    settled, _ = read_settlements(
        customs
    )  # malformed settlements: the settlement reader's
    for year, settlement in sorted(settled.items()):
        for member in roster.active(year):
            due = roster.due(member.id, year)
            recognised = check.recognised.get((member.id, year), ZERO)
            if recognised < due:
                held = check.advance.get(member.id, ZERO)
                fix = (
                    f"前受会費に {member.name} の {yen_text(held)} が残っています。前年度に受け取った"
                    f"{year.label}会費なら、{year.start} 付で前受会費から受取会費へ振り替えてください"
                    f" (connect-books dues pay {member.id} --year {year.year} --account 前受会費)。"
                    "未収会費にはしないでください"
                    if held > 0
                    else "3月31日までに入金のない会費は未収会費です:"
                    f" {year.end} 付で {' / '.join(receivable_accounts) or '未収会費の科目'}"
                    f' を借方、受取会費を貸方にした修正仕訳 (member: "{member.id}") を入れてください'
                )
                errors.append(
                    DuesError(
                        settlement.meta,
                        f"{year.label}は決算済みですが、{member.name} ({member.id}) の{year.label}会費"
                        f" {yen_text(due)} のうち {yen_text(recognised)} しか計上されていません"
                        f" (不足 {yen_text(due - recognised)})。{fix} ({ARTICLE})。",
                        settlement.entry,
                    )
                )
    return entries, errors


class _Checker:
    """The running totals of one pass over the transactions."""

    def __init__(
        self, roster: Roster, roles: dict[str, Role], errors: list[BooksError]
    ) -> None:
        self.roster = roster
        self.roles = roles
        self.errors = errors
        self.recognised: dict[tuple[str, FiscalYear], Decimal] = defaultdict(Decimal)
        self.receivable: dict[str, Decimal] = defaultdict(Decimal)
        #: 前受会費 still held for each member (received ahead, not yet recognised).
        self.advance: dict[str, Decimal] = defaultdict(Decimal)

    def error(self, txn: data.Transaction, message: str) -> None:
        self.errors.append(DuesError(txn.meta, message, txn))

    def transaction(self, txn: data.Transaction) -> None:
        """Check one transaction and add its dues to the running totals."""
        meta = txn.meta
        txn_member = meta.get("member")
        txn_supporter = meta.get("supporter")
        roles = self.roles
        if txn_member is None and (
            txn_supporter is None or str(txn_supporter) in self.roster.supporters
        ):
            for account, _, _, _, _, pmeta in txn.postings:
                if account in roles or (
                    pmeta is not None and ("member" in pmeta or "supporter" in pmeta)
                ):
                    break
            else:
                # the common transaction: no dues account, no member, at most a known
                # supporter (nothing to report, nothing to add up)
                return
        reported: set[str] = set()
        if txn_member is not None or "supporter" in meta:
            self.known_ids(txn, meta, reported)
        dues_postings: list[data.Posting] = []
        for posting in txn.postings:
            pmeta = posting.meta
            if pmeta is not None and ("member" in pmeta or "supporter" in pmeta):
                self.known_ids(txn, pmeta, reported)
            if posting.account in roles:
                dues_postings.append(posting)
        if not dues_postings:
            return

        missing: list[str] = []
        income: dict[str, Decimal] = {}
        receivable: dict[str, Decimal] = {}
        for posting in dues_postings:
            member_id = (posting.meta or {}).get("member", txn_member)
            if member_id is None:
                if posting.account not in missing:
                    missing.append(posting.account)
                continue
            member_id = str(member_id)
            if member_id not in self.roster.members:
                continue  # reported by known_ids
            role = roles[posting.account]
            if role is Role.DUES_INCOME:
                income[member_id] = income.get(member_id, ZERO) - posting_yen(posting)
            elif role is Role.DUES_RECEIVABLE:
                receivable[member_id] = receivable.get(member_id, ZERO) + posting_yen(
                    posting
                )
            elif (
                role is Role.DUES_ADVANCE
            ):  # (credit: received ahead; debit: recognised)
                self.advance[member_id] -= posting_yen(posting)
        if missing:
            self.error(
                txn,
                f"会費の科目 ({', '.join(missing)}) への記帳に、どの会員の会費かが書かれていません。"
                '取引 (または その行) に member: "会員ID" を書いてください'
                ' (会員IDは members.beancount の custom "member")。',
            )
        year = FiscalYear.of(txn.date)
        for member_id, amount in income.items():
            self.income(txn, self.roster.members[member_id], year, amount)
        for member_id, amount in receivable.items():
            self.receivable[member_id] += amount
            if amount < 0 and self.receivable[member_id] < 0:
                member = self.roster.members[member_id]
                self.error(
                    txn,
                    f"{member.name} ({member_id}) の未収会費が {yen_text(-self.receivable[member_id])}"
                    " のマイナスになります。回収する前に、その会費を未収会費として計上してあるか"
                    " (年度末 3月31日付の未収計上) を確かめ、member: が正しいか見てください。",
                )

    def income(
        self, txn: data.Transaction, member: Member, year: FiscalYear, amount: Decimal
    ) -> None:
        key = (member.id, year)
        self.recognised[key] += amount
        if amount <= 0:
            return
        if not member.active_in(year):
            period = f"入会 {member.joined}" + (
                f"・退会 {member.left}" if member.left else ""
            )
            self.error(
                txn,
                f"{member.name} ({member.id}) は{year.label}の会員ではありません ({period})。"
                f"{year.label}の会費は計上できません。member: と日付を確かめてください ({ARTICLE})。",
            )
            return
        due = self.roster.due(member.id, year)
        total = self.recognised[key]
        if total > due:
            self.error(
                txn,
                f"{member.name} ({member.id}) の{year.label}会費は {yen_text(due)} ですが、この取引で計上額が"
                f" {yen_text(total)} になり {yen_text(total - due)} 超えています ({ARTICLE})。"
                "二重の計上でないか確かめ、翌年度分なら前受会費で受けてください。",
            )

    def known_ids(
        self, txn: data.Transaction, meta: dict[str, Any], reported: set[str]
    ) -> None:
        """Report unknown ``member:`` and ``supporter:`` IDs in ``meta`` (once per transaction)."""
        member_id = meta.get("member")
        if member_id is not None and str(member_id) not in self.roster.members:
            key = f"member:{member_id}"
            if key not in reported:
                reported.add(key)
                self.error(
                    txn,
                    f"{self.roster.unknown_member_message(str(member_id))}"
                    "member: を名簿の会員IDに直してください。",
                )
        supporter = meta.get("supporter")
        if supporter is not None and str(supporter) not in self.roster.supporters:
            key = f"supporter:{supporter}"
            if key not in reported:
                reported.add(key)
                tail = did_you_mean(str(supporter), self.roster.supporters)
                self.error(
                    txn,
                    f"サポーターID '{supporter}' は名簿 (members.beancount) にありません。{tail}"
                    'IDを直すか、名簿に custom "supporter" で登録してください (氏名は書きません)。',
                )
