"""The 記帳 page's forms: what each asks, with its choices and defaults from the books.

Each form is a list of :class:`Field` (label, kind, choices, default, hint) that the
template draws; :mod:`connect_books.fava_ext.entry_page_build` turns what it posts into
the entry. Accounts are offered by their ``role``/``section``/``activity`` in the chart
(:mod:`connect_books.chart`), members from the roster, decisions from ``funds.beancount``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from connect_books import entry_forms
from connect_books.chart import CASH_ROLES, AccountInfo, Role
from connect_books.entry import Context, EntryRefused
from connect_books.entry_balance import month_end
from connect_books.fiscal import FiscalYear
from connect_books.money import yen_text
from connect_books.reports.labels import ACTIVITIES, fund_short, short_name


@dataclass(frozen=True)
class Choice:
    """One option of a select list (``group``: the heading it stands under)."""

    value: str
    label: str
    group: str = ""


@dataclass(frozen=True)
class Field:
    """One input of a form.

    ``kind`` is ``date``, ``text``, ``yen``, ``select``, ``check`` or ``file``.
    """

    name: str
    label: str
    kind: str
    choices: tuple[Choice, ...] = ()
    default: str = ""
    hint: str = ""
    required: bool = False

    def groups(self) -> list[tuple[str, list[Choice]]]:
        """The choices under their headings, in order (one group "" when none has one)."""
        found: list[tuple[str, list[Choice]]] = []
        for choice in self.choices:
            if not found or found[-1][0] != choice.group:
                found.append((choice.group, []))
            found[-1][1].append(choice)
        return found


@dataclass(frozen=True)
class Form:
    """One form of the page."""

    name: str
    title: str
    intro: str
    fields: tuple[Field, ...]


#: The forms, in the order of the page's tabs.
TITLES = {
    "dues": "会費の入金",
    "donation": "寄付の受入",
    "grant": "助成金の受入",
    "expense": "経費の支払い",
    "grant-payment": "基金からの助成の支払い",
    "transfer": "振替",
    "balance": "月末の残高確認",
}
UNPAID = entry_forms.UNPAID[0]


def _label(account: AccountInfo) -> str:
    return f"{account.code} {account.label}"


def _accounts(accounts: list[AccountInfo]) -> tuple[Choice, ...]:
    return tuple(Choice(a.name, _label(a)) for a in accounts)


def _default_bank(ctx: Context) -> str:
    banks = ctx.chart.with_role(Role.BANK)
    return banks[0].name if len(banks) == 1 else ""


def _date(today: datetime.date) -> Field:
    return Field(
        "date", "日付", "date", default=today.isoformat(), required=True,
        hint="通帳・領収書の日付 (2026-12-05)",
    )  # fmt: skip


def _amount(hint: str = "", default: str = "", *, required: bool = True) -> Field:
    return Field(
        "amount", "金額 (円)", "yen", default=default, hint=hint, required=required
    )


def _dues(ctx: Context) -> Form:
    today = ctx.today
    roster = ctx.books.roster
    members = sorted(
        (m for m in roster.members.values() if m.active_on(today)), key=lambda m: m.id
    )
    years = []
    for offset in (-1, 0, 1):
        try:
            year = FiscalYear(FiscalYear.of(today).year + offset)
        except ValueError:
            continue
        years.append(Choice(str(year.year), year.label))
    accounts = [
        *ctx.chart.with_role(Role.CASH, Role.BANK),
        *ctx.chart.with_role(Role.DUES_RECEIVABLE),
        *ctx.chart.with_role(Role.DUES_ADVANCE),
    ]
    rate = int(roster.rate_on(today))
    return Form(
        "dues", TITLES["dues"],
        "会員団体からの年会費 (第7条)。年度を空けると未納の最も古い年度の会費になります: 前年度分は"
        "未収会費の回収、今年度分は受取会費、納入済みなら翌年度の前受会費です。",
        (
            _date(today),
            Field("member", "会員団体", "select", tuple(
                Choice(m.id, f"{short_name(m.name)} ({m.id})") for m in members
            ), required=True),
            Field("year", "会費の年度", "select", (
                Choice("", "自動 (未納の最も古い年度)"), *years,
            )),
            _amount(f"年会費は {yen_text(rate)}。その年度の未納額を超える額は書けません。",
                    str(rate) if rate else ""),
            Field("account", "入金先", "select", _accounts(accounts),
                  default=_default_bank(ctx),
                  hint="3月31日の未収計上は 未収会費、4月1日の前受けの振替は 前受会費 を選びます。"),
        ),
    )  # fmt: skip


def _donation(ctx: Context) -> Form:
    supporters = sorted(ctx.books.roster.supporters)
    funds = ctx.funds.funds.values()
    return Form(
        "donation", TITLES["donation"],
        "サポーターからの寄付。使途を基金に指定された寄付は、その基金の口座と科目に入ります。",
        (
            _date(ctx.today),
            Field("supporter", "サポーター", "select", (
                Choice("", "匿名・名簿にない方"),
                *(Choice(s, s) for s in supporters),
            ), hint="帳簿にはサポーターID だけを書きます (氏名は書きません)。"),
            _amount(),
            Field("fund", "使途", "select", (
                Choice("", "一般の寄付 (使途の指定なし)"),
                *(Choice(f.id, f"{fund_short(f)} への指定寄付") for f in funds),
            )),
            Field("account", "入金先", "select",
                  _accounts(ctx.chart.with_role(Role.CASH, Role.BANK)),
                  default=_default_bank(ctx), hint="一般の寄付の入金先 (指定寄付は基金の口座)"),
            Field("narration", "摘要", "text", hint="空欄なら「ご寄付」"),
        ),
    )  # fmt: skip


def _grant(ctx: Context) -> Form:
    return Form(
        "grant", TITLES["grant"],
        "財団・自治体などからの助成金。使途に制約のある助成金は指定正味財産になります。",
        (
            _date(ctx.today),
            Field("payee", "助成元", "text", required=True),
            _amount(),
            Field("narration", "摘要", "text", default="助成金", required=True),
            Field("restricted", "使途の制約がある", "check"),
            Field("purpose", "使途", "text", hint="制約があるときは、その使途を書きます"),
            Field("account", "入金先", "select",
                  _accounts(ctx.chart.with_role(Role.CASH, Role.BANK)),
                  default=_default_bank(ctx)),
        ),
    )  # fmt: skip


def _expense_lines(ctx: Context) -> tuple[Choice, ...]:
    chart = ctx.chart
    found = []
    for number, name in ACTIVITIES.items():
        for a in chart.in_section(entry_forms.ACTIVITY_SECTION):
            if a.activity == number and a.role is not Role.GRANT_EXPENSE:
                found.append(Choice(a.name, _label(a), f"事業{number} {name}"))
    for a in chart.in_section(entry_forms.ADMIN_SECTION):
        found.append(Choice(a.name, _label(a), "管理費"))
    return tuple(found)


def _expense(ctx: Context) -> Form:
    paid = [
        *_accounts(ctx.chart.with_role(Role.CASH, Role.BANK)),
        Choice(UNPAID, "未払 (未払金に計上)"),
    ]
    cash = ctx.chart.with_role(Role.CASH)
    return Form(
        "expense", TITLES["expense"],
        "事業費 (事業内容 1〜5) と管理費の支払い。証憑 (領収書・請求書) を添えると ledger/documents/ に"
        "置かれ、仕訳に結び付きます。",
        (
            _date(ctx.today),
            Field("line", "科目", "select", _expense_lines(ctx), required=True,
                  hint="事業の番号と科目の名前で選びます"),
            _amount(),
            Field("paid_from", "支払元", "select", tuple(paid),
                  default=cash[0].name if cash else ""),
            Field("payee", "支払先", "text", required=True),
            Field("narration", "摘要", "text", required=True),
            Field("voucher", "証憑のファイル", "file", hint="PDF や画像 (20 MB まで)"),
        ),
    )  # fmt: skip


def _grant_payment(ctx: Context) -> Form:
    left = entry_forms.decisions_with_money_left(ctx)
    return Form(
        "grant-payment", TITLES["grant-payment"],
        "助成審査委員会・運営委員会の決定に基づく、基金からの助成金の支払い。基金の口座から払います。",
        (
            _date(ctx.today),
            Field("decision", "助成の決定", "select", tuple(
                Choice(d.id, f"{d.id} {d.grantee} (残り {yen_text(rest)})")
                for d, rest in left
            ), required=True, hint="まだ払い終えていない決定だけが出ます"),
            _amount("空欄なら残り全額", required=False),
            Field("narration", "摘要", "text", hint="空欄なら「(基金名)助成金」"),
        ),
    )  # fmt: skip


def _transfer(ctx: Context) -> Form:
    cash = _accounts(ctx.chart.with_role(*CASH_ROLES))
    decisions = sorted(ctx.funds.decisions.values(), key=lambda d: (d.date, d.id))
    return Form(
        "transfer", TITLES["transfer"],
        "現金・預金・基金の口座のあいだの振替。基金の口座への (からの) 振替には、その決定が要ります。",
        (
            _date(ctx.today),
            Field("source", "振替元", "select", cash, required=True),
            Field("destination", "振替先", "select", cash, required=True),
            _amount(),
            Field("decision", "決定", "select", (
                Choice("", "なし"),
                *(Choice(d.id, f"{d.id} {d.subject}") for d in decisions),
            ), hint="基金の口座が関わるときに選びます"),
            Field("narration", "摘要", "text", hint="空欄なら「振替 (振替元 → 振替先)」"),
        ),
    )  # fmt: skip


def ended_months(today: datetime.date, count: int = 12) -> list[datetime.date]:
    """The last days of the ``count`` latest months that have ended by ``today``."""
    found: list[datetime.date] = []
    end = month_end(today)
    if end > today:
        end = today.replace(day=1) - datetime.timedelta(days=1)
    while len(found) < count:
        found.append(end)
        end = end.replace(day=1) - datetime.timedelta(days=1)
    return found


def _balance(ctx: Context) -> Form:
    months = ended_months(ctx.today)
    return Form(
        "balance", TITLES["balance"],
        "通帳・現金出納帳の月末の残高を帳簿と照合し、翌月1日付の balance として書きます。"
        "差額があるときは書きません。",
        (
            Field("month", "月", "select", tuple(
                Choice(f"{m.year}-{m.month:02d}", f"{m.year}年{m.month}月末") for m in months
            ), default=f"{months[0].year}-{months[0].month:02d}", required=True),
            Field("account", "口座", "select",
                  _accounts(ctx.chart.with_role(*CASH_ROLES)), required=True),
            Field("passbook", "通帳の残高 (円)", "yen", required=True,
                  hint="月末の通帳 (現金は出納帳) の残高"),
        ),
    )  # fmt: skip


_FORMS: dict[str, Callable[[Context], Form]] = {
    "dues": _dues,
    "donation": _donation,
    "grant": _grant,
    "expense": _expense,
    "grant-payment": _grant_payment,
    "transfer": _transfer,
    "balance": _balance,
}


def form_named(ctx: Context, name: str) -> Form:
    """The form called ``name`` (refused when there is none such)."""
    make = _FORMS.get(name)
    if make is None:
        raise EntryRefused(f"「{name}」という記帳の種類はありません。")
    return make(ctx)
