"""Generated books of the organisation's shape, for benchmarks and tests at scale.

``generate(n, out_dir, seed)`` writes a complete, valid set of books with exactly ``n``
transactions, using the project's real chart of accounts, roster and funds (copied from
``ledger/``) and the plugin lines of ``ledger/main.beancount``::

    bench/books/<n>/
      main.beancount          options and plugin lines of ledger/main.beancount, includes
      main-plain.bean    the same without our plugins (plain Beancount)
      accounts.beancount      copied from ledger/
      members.beancount       copied from ledger/
      funds.beancount         copied from ledger/
      supporters.beancount    generated supporters (IDs only)
      opening.beancount       opening balances from the predecessors
      budgets.beancount       当初予算 (総会) for each 年度, a 補正予算 (運営委員会)
      2025.beancount …        one journal per 年度
      settlements.beancount   the settlement of each 年度 approved by END (2025年度)

The journals hold dues from every member each 年度 (``member:``), donations
(``supporter:``, a few anonymous), designated donations into the インクルファンド,
grant decisions and grant payments within them (``decision:``), a yearly transfer into
the まちづくり積立金, spending across the five activities and 管理費, business income,
grants received, cash withdrawals, and month-end balance assertions for every cash and
bank account. No cash, bank or fund balance ever goes negative. Every date lies between
2025-06-28 and :data:`END` (in the past), so the more transactions, the denser the days.

The output is a pure function of ``n`` and ``seed``. Run as a script::

    python bench/generate.py 100000            # -> bench/books/100000/main.beancount
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import random
import re
import shutil
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beancount.parser import parser

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # when run as a script
    sys.path.insert(0, str(ROOT))

from connect_books.chart import Chart  # noqa: E402
from connect_books.fiscal import ESTABLISHED, FiscalYear  # noqa: E402
from connect_books.funds import Funds  # noqa: E402
from connect_books.roster import Roster  # noqa: E402

LEDGER = ROOT / "ledger"
BOOKS = ROOT / "bench" / "books"
#: The last day with transactions: fixed (so the output never changes) and in the past.
END = datetime.date(2026, 10, 31)
START = ESTABLISHED
COPIED = ("accounts.beancount", "members.beancount", "funds.beancount")
OUR_PLUGIN = re.compile(r'^\s*plugin\s+"connect_books\.')

CASH = "Assets:1110-現金"
BANK = "Assets:1120-普通預金-ろうきん"
DUES = "Income:4110-受取会費"
DONATION = "Income:4210-受取寄附金"
DESIGNATED = "Income:4220-受取寄附金-インクルファンド"
GRANT_IN = "Income:4310-受取助成金"
BUSINESS = "Income:4410-事業収益"
INTEREST = "Income:4510-受取利息"
OPENING_EQUITY = "Equity:3010-引継正味財産"
RESERVE = "Expenses:5900-予備費"

PAYEES = {
    1: ("一般社団法人地域計画ラボ", "地域協議会訪問 交通費"),
    2: ("生活クラブ館", "講師 (研修)", "有限会社みやさか印刷"),
    3: (
        "有限会社みやさか印刷",
        "さくらネット株式会社",
        "合同会社まちのウェブ工房",
        "郵便局",
    ),
    4: ("寄付募集 チラシ印刷",),
    5: ("書店", "政策づくり懇談会"),
    0: ("郵便局", "世田谷区民会館", "株式会社オフィスみやさか", "振込手数料"),
}
GRANTEES = (
    "ワーカーズ・コレクティブ風のたより",
    "ワーカーズ・コレクティブはぐくみ",
    "労働者協同組合まちのたね",
    "子ども食堂あおぞら",
    "地域の茶の間ひだまり",
    "ワーカーズ・コレクティブ陽だまり",
    "障がい者就労支援ぐるーぷ虹",
    "フードバンクせたがや",
    "まちの縁側プロジェクト",
    "生活クラブ運動グループ世田谷地域協議会",
    "多摩まちづくり協議会",
    "高齢者サロンたまりば",
)


@dataclass
class _Txn:
    date: datetime.date
    order: int
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Model:
    """What the generator reads from the real books (through the project's readers)."""

    chart: Chart
    roster: Roster
    funds: Funds

    @classmethod
    def read(cls, ledger: Path) -> _Model:
        entries = []
        for name in COPIED:
            parsed, errors, _ = parser.parse_file(str(ledger / name))
            if errors:
                raise ValueError(f"{name}: {errors[0].message}")
            entries.extend(parsed)
        return cls(
            Chart.from_entries(entries),
            Roster.from_entries(entries)[0],
            Funds.from_entries(entries)[0],
        )


def _years() -> list[FiscalYear]:
    years, year = [], FiscalYear.of(START)
    while year.start <= END:
        years.append(year)
        year = year.next()
    return years


def _jpy(number: int) -> str:
    return f"{number} JPY"


class _Writer:
    """Renders transactions and tracks the balances they leave."""

    def __init__(self) -> None:
        self.balance: dict[str, int] = defaultdict(int)
        self.actual: dict[tuple[FiscalYear, str], int] = defaultdict(int)
        self.count = 0

    def txn(
        self,
        date: datetime.date,
        payee: str | None,
        narration: str,
        postings: list[tuple[str, int]],
        meta: dict[str, str] | None = None,
        flag: str = "*",
    ) -> str:
        assert sum(n for _, n in postings) == 0 and all(n for _, n in postings), (
            postings
        )
        self.count += 1
        head = (
            f'{date} {flag} "{payee}" "{narration}"'
            if payee
            else f'{date} {flag} "{narration}"'
        )
        lines = [head]
        for key, value in (meta or {}).items():
            lines.append(f'  {key}: "{value}"')
        year = FiscalYear.of(date)
        for account, number in postings:
            self.balance[account] += number
            if account.startswith(("Income:", "Expenses:")):
                self.actual[(year, account)] += number
            lines.append(f"  {account:<56} {number:>10} JPY")
        return "\n".join(lines) + "\n\n"


def generate(
    n_transactions: int, out_dir: Path, seed: int = 1, *, settle: bool = True
) -> Path:
    """Write generated books with exactly ``n_transactions`` transactions.

    Args:
        n_transactions: how many transactions the journals hold (at least a few hundred).
        out_dir: the folder to write (created; files in it are overwritten).
        seed: the random seed; the same ``n`` and ``seed`` give the same books.
        settle: record the settlement (``custom "settlement"``, as ``connect-books
            close-year`` writes it) of every 年度 approved by :data:`END`, so that the
            settlement lock is part of what is measured. Costs one load per year.

    Returns:
        The path of ``main.beancount`` (with the plugins); ``main-plain.bean``
        lies next to it.
    """
    rng = random.Random(seed)
    model = _Model.read(LEDGER)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "documents").mkdir(exist_ok=True)
    (out_dir / "settlements.beancount").unlink(missing_ok=True)
    for name in COPIED:
        shutil.copyfile(LEDGER / name, out_dir / name)
    years = _years()
    scale = max(1, n_transactions // 2000)

    # Supporters: the roster's own, plus generated ones (IDs only, never names).
    supporter_lines = ["; サポーター (生成データ: ID のみ)\n"]
    supporters = [(s.id, s.since) for s in model.roster.supporters.values()]
    days_total = (END - START).days
    for i in range(1, 20 * scale + 1):
        since = START + datetime.timedelta(days=rng.randrange(0, days_total // 2))
        sid, kind = (
            (f"G{i:05d}", "individual") if i % 10 else (f"H{i:05d}", "organisation")
        )
        supporter_lines.append(
            f'{since} custom "supporter" "{sid}"\n  kind: "{kind}"\n'
        )
        supporters.append((sid, since))
    roll = _Supporters(supporters)

    # Accounts by use, from the chart.
    spend: list[tuple[str, int]] = []
    for info in model.chart.in_section("事業費", "管理費"):
        if (
            info.role == "grant-expense"
            or info.kind == "人件費"
            or info.meta.get("withholding")
            or info.meta.get("depreciation")
        ):
            continue
        spend.append((info.name, info.activity or 0))
    inclufund = model.funds.funds["inclufund"]
    machizukuri = model.funds.funds["machizukuri"]
    grant_expense = {a.fund: a.name for a in model.chart.with_role("grant-expense")}

    plan: list[_Txn] = []
    opening_day = START

    # Fixed transactions: dues, interest, the yearly transfer, grant decisions and payments.
    for year in years:
        last = min(year.end, END)
        span = (last - year.start).days
        for member in model.roster.active(year):
            day = year.start + datetime.timedelta(
                days=rng.randrange(0, min(span, 90) + 1)
            )
            plan.append(_Txn(day, 1, "dues", {"member": member, "year": year}))
        for month in (9, 3):
            day = datetime.date(year.year + (month < 4), month, 20)
            if year.start <= day <= last:
                plan.append(_Txn(day, 1, "interest", {"account": BANK}))
                plan.append(_Txn(day, 1, "interest", {"account": inclufund.asset}))
        transfer_day = datetime.date(year.year + 1, 3, 16)
        if transfer_day <= last:
            plan.append(
                _Txn(
                    transfer_day - datetime.timedelta(days=2),
                    0,
                    "transfer-decision",
                    {"year": year},
                )
            )
            plan.append(
                _Txn(transfer_day, 1, "transfer", {"year": year, "amount": 300000})
            )
        for fund, count in ((inclufund, 3 * scale), (machizukuri, max(1, scale // 10))):
            prefix = "IF" if fund is inclufund else "MZ"
            for k in range(1, count + 1):
                day = year.start + datetime.timedelta(
                    days=rng.randrange(30, max(31, span - 20))
                )
                if day > last:
                    continue
                amount = (
                    rng.randrange(10, 51) * 10000
                    if fund is inclufund
                    else rng.randrange(5, 21) * 10000
                )
                decision_id = f"{prefix}-{year.year}-{k:03d}"
                parts = (
                    [amount]
                    if rng.random() < 0.6
                    else [amount // 2, amount - amount // 2]
                )
                grantee = rng.choice(GRANTEES)
                plan.append(
                    _Txn(
                        day,
                        0,
                        "grant-decision",
                        {
                            "id": decision_id,
                            "fund": fund,
                            "amount": amount,
                            "grantee": grantee,
                        },
                    )
                )
                pay_day = day
                for part_no, part in enumerate(parts, 1):
                    pay_day = pay_day + datetime.timedelta(days=rng.randrange(7, 45))
                    if pay_day > END:
                        break
                    plan.append(
                        _Txn(
                            pay_day,
                            2,
                            "grant-payment",
                            {
                                "id": decision_id,
                                "fund": fund,
                                "amount": part,
                                "part": part_no,
                                "of": len(parts),
                                "grantee": grantee,
                            },
                        )
                    )
    fixed = 3 + sum(
        1 for t in plan if t.kind not in ("grant-decision", "transfer-decision")
    )
    filler = n_transactions - fixed
    if filler < 0:
        raise ValueError(f"n_transactions must be at least {fixed}")
    kinds = (
        "expense-bank",
        "expense-cash",
        "withdrawal",
        "donation",
        "designated",
        "anonymous",
        "business",
        "grant-in",
    )
    weights = (30, 27, 5, 14, 9, 3, 10, 2)
    first_day = START + datetime.timedelta(days=1)
    filler_days = (END - first_day).days + 1
    for kind in rng.choices(kinds, weights, k=filler):
        plan.append(
            _Txn(
                first_day + datetime.timedelta(days=rng.randrange(filler_days)), 3, kind
            )
        )
    plan.sort(key=lambda t: (t.date, t.order))

    # Render in date order, with month-end balance assertions on the 1st.
    w = _Writer()
    journals: dict[FiscalYear, list[str]] = defaultdict(list)
    asserted = (CASH, BANK, inclufund.asset, machizukuri.asset)
    opening = [
        "; 開始残高: 前身団体からの引継ぎ (生成データ)。pad はこのファイルでだけ使えます。\n",
        w.txn(
            opening_day,
            "インクルーシブ事業連合",
            "引継: 地域たすけあい福祉基金(インクルファンド)",
            [(inclufund.asset, 4200000), (inclufund.equity, -4200000)],
            {"opening": "TRUE"},
        ),
        w.txn(
            opening_day,
            "コネクト推進機構",
            "引継: まちづくり積立金",
            [(machizukuri.asset, 1000000), (machizukuri.equity, -1000000)],
            {"opening": "TRUE"},
        ),
        w.txn(
            opening_day,
            "コネクト推進機構",
            "引継: 一般の資産・負債",
            [(BANK, 1850000), (CASH, 32000), (OPENING_EQUITY, -1882000)],
            {"opening": "TRUE"},
        ),
    ]
    opening = [line.replace('opening: "TRUE"', "opening: TRUE") for line in opening]
    committed: dict[str, int] = defaultdict(int)  # decided but unpaid, by fund asset
    granted: set[str] = set()
    next_month = datetime.date(2025, 7, 1)

    def assert_month_ends(upto: datetime.date) -> None:
        nonlocal next_month
        while next_month <= upto:
            prev = next_month - datetime.timedelta(days=1)
            out = journals[FiscalYear.of(prev)]
            out.append(f"; {prev.month}月末残高 (通帳・現金出納帳と照合)\n")
            for account in asserted:
                out.append(
                    f"{next_month} balance {account:<40} {w.balance[account]:>12} JPY\n"
                )
            out.append(f"\n;; ---- {next_month.year}年{next_month.month}月 ----\n\n")
            next_month = datetime.date(
                next_month.year + next_month.month // 12, next_month.month % 12 + 1, 1
            )

    for t in plan:
        assert_month_ends(t.date)
        out = journals[FiscalYear.of(t.date)]
        p = t.params
        kind = t.kind
        if kind == "dues":
            member = p["member"]
            out.append(
                w.txn(
                    t.date,
                    member.name,
                    f"{p['year'].label}会費",
                    [(BANK, 10000), (DUES, -10000)],
                    {"member": member.id},
                )
            )
            continue
        if kind == "interest":
            account = str(p["account"])
            out.append(
                w.txn(t.date, "中央労働金庫", "普通預金利息", _interest(account, rng))
            )
            continue
        if kind == "transfer-decision":
            year = p["year"]
            out.append(
                f'{t.date} custom "decision" "UI-{year.year}-T" "運営委員会" "まちづくり積立金への繰入 300,000円"\n'
            )
            continue
        if kind == "transfer":
            year = p["year"]
            amount = int(p["amount"])
            if w.balance[BANK] < amount:
                out.append(_donation(w, t.date, BANK, DONATION, amount, roll, rng))
                continue
            out.append(
                w.txn(
                    t.date,
                    None,
                    "まちづくり積立金への繰入 (運営委員会決定)",
                    [
                        (machizukuri.asset, amount),
                        (BANK, -amount),
                        (OPENING_EQUITY, amount),
                        (machizukuri.equity, -amount),
                    ],
                    {"decision": f"UI-{year.year}-T"},
                )
            )
            continue
        if kind == "grant-decision":
            fund = p["fund"]
            amount = int(p["amount"])
            available = w.balance[fund.asset] - committed[fund.asset]
            if available < amount:
                continue
            committed[fund.asset] += amount
            granted.add(str(p["id"]))
            out.append(
                f'{t.date} custom "grant-decision" "{p["id"]}" "{fund.id}" "{p["grantee"]}" {amount} JPY\n'
                f'  body: "{fund.body}"\n'
            )
            continue
        if kind == "grant-payment":
            fund = p["fund"]
            amount = int(p["amount"])
            if str(p["id"]) not in granted:
                # The decision was not taken (the fund could not cover it): a donation instead.
                out.append(
                    _donation(
                        w,
                        t.date,
                        fund.asset,
                        DESIGNATED if fund is inclufund else DONATION,
                        10000,
                        roll,
                        rng,
                    )
                )
                continue
            committed[fund.asset] -= amount
            note = f" ({p['part']}回目)" if int(p["of"]) > 1 else ""
            out.append(
                w.txn(
                    t.date,
                    p["grantee"],
                    f"{fund.name}助成金{note}",
                    [
                        (grant_expense[fund.id], amount),
                        (fund.asset, -amount),
                    ],
                    {"decision": str(p["id"])},
                )
            )
            continue
        out.append(_filler(w, t.date, kind, spend, roll, inclufund.asset, rng))
    assert_month_ends(END + datetime.timedelta(days=1))
    assert w.count == n_transactions, (w.count, n_transactions)

    (out_dir / "supporters.beancount").write_text(
        "\n".join(supporter_lines), encoding="utf-8"
    )
    (out_dir / "opening.beancount").write_text("".join(opening), encoding="utf-8")
    (out_dir / "budgets.beancount").write_text(
        _budgets(w, years, model), encoding="utf-8"
    )
    journal_names = []
    for year in years:
        name = f"{year.year}.beancount"
        journal_names.append(name)
        header = (
            f"; {year.label}の仕訳帳 (生成データ: {n_transactions}件, seed {seed})\n\n"
        )
        (out_dir / name).write_text(header + "".join(journals[year]), encoding="utf-8")
    includes = [
        "accounts.beancount",
        "members.beancount",
        "supporters.beancount",
        "funds.beancount",
        "opening.beancount",
        "budgets.beancount",
        *journal_names,
    ]
    main = _write_mains(out_dir, includes)
    if settle:
        for year in years:
            approved = datetime.date(year.year + 1, 6, 20)
            if approved <= END:
                _settle(main, year, approved)
                if "settlements.beancount" not in includes:
                    includes.append("settlements.beancount")
                    main = _write_mains(out_dir, includes)
    return main


def _write_mains(out_dir: Path, includes: list[str]) -> Path:
    """``main.beancount`` (the real main file's options and plugins) and ``main-plain``."""
    head = _main_head(LEDGER / "main.beancount")
    tail = "\n" + "".join(f'include "{name}"\n' for name in includes)
    main = out_dir / "main.beancount"
    main.write_text("".join(head) + tail, encoding="utf-8")
    plain = [line for line in head if not OUR_PLUGIN.match(line)]
    (out_dir / "main-plain.bean").write_text("".join(plain) + tail, encoding="utf-8")
    return main


def _settle(main: Path, year: FiscalYear, approved: datetime.date) -> None:
    """Record ``year``'s settlement as ``connect-books close-year`` would (audited a month before)."""
    from connect_books.beancompat import load_uncached
    from connect_books.closing import plan_closing

    entries, errors, options = load_uncached(main.resolve())
    closing = plan_closing(
        entries,
        errors,
        options,
        year,
        approved=approved,
        body="総会",
        audited=approved - datetime.timedelta(days=28),
        today=END,
    )
    target = main.with_name("settlements.beancount")
    previous = (
        target.read_text(encoding="utf-8")
        if target.exists()
        else "; 決算 (生成データ)\n"
    )
    target.write_text(previous + "\n" + closing.directive(), encoding="utf-8")


def _main_head(main: Path) -> list[str]:
    """Every line of the real main file but its includes (options, Fava options, plugins)."""
    lines = main.read_text(encoding="utf-8").splitlines(keepends=True)
    return [line for line in lines if not line.lstrip().startswith("include ")]


def _interest(account: str, rng: random.Random) -> list[tuple[str, int]]:
    number = rng.randrange(5, 60)
    return [(account, number), (INTEREST, -number)]


class _Supporters:
    """Supporter IDs sorted by registration date."""

    def __init__(self, supporters: list[tuple[str, datetime.date]]) -> None:
        ordered = sorted(supporters, key=lambda s: (s[1], s[0]))
        self.ids = [s for s, _ in ordered]
        self.since = [d for _, d in ordered]

    def pick(self, day: datetime.date, rng: random.Random) -> str | None:
        """A supporter registered by ``day`` (None if there is none yet)."""
        registered = bisect.bisect_right(self.since, day)
        return self.ids[rng.randrange(registered)] if registered else None


def _donation(
    w: _Writer,
    day: datetime.date,
    asset: str,
    income: str,
    amount: int,
    supporters: _Supporters,
    rng: random.Random,
) -> str:
    sid = supporters.pick(day, rng)
    if sid is None:
        return w.txn(day, None, "募金箱", [(asset, amount), (income, -amount)])
    narration = (
        "インクルファンドへのご寄付 (使途指定)" if income == DESIGNATED else "ご寄付"
    )
    return w.txn(
        day, sid, narration, [(asset, amount), (income, -amount)], {"supporter": sid}
    )


def _filler(
    w: _Writer,
    day: datetime.date,
    kind: str,
    spend: list[tuple[str, int]],
    supporters: _Supporters,
    fund_asset: str,
    rng: random.Random,
) -> str:
    if kind in ("expense-bank", "expense-cash"):
        account, activity = rng.choice(spend)
        amount = rng.randrange(3, 160) * 100 + rng.choice((0, 0, 0, 60, 80))
        source = BANK if kind == "expense-bank" else CASH
        if w.balance[source] < amount:
            if source == CASH and w.balance[BANK] >= 50000:
                return w.txn(
                    day, None, "小口現金の引出し", [(CASH, 50000), (BANK, -50000)]
                )
            return _donation(w, day, BANK, DONATION, 30000, supporters, rng)
        payee = rng.choice(PAYEES[activity])
        label = account.rsplit("-", 1)[-1]
        return w.txn(day, payee, label, [(account, amount), (source, -amount)])
    if kind == "withdrawal":
        if w.balance[BANK] < 40000:
            return _donation(w, day, BANK, DONATION, 30000, supporters, rng)
        return w.txn(day, None, "小口現金の引出し", [(CASH, 40000), (BANK, -40000)])
    if kind == "donation":
        amount = rng.choices(
            (1000, 3000, 5000, 10000, 30000, 50000, 100000), (10, 15, 25, 25, 15, 7, 3)
        )[0]
        return _donation(w, day, BANK, DONATION, amount, supporters, rng)
    if kind == "designated":
        amount = rng.choices((3000, 5000, 10000, 30000, 50000), (15, 25, 35, 20, 5))[0]
        return _donation(w, day, fund_asset, DESIGNATED, amount, supporters, rng)
    if kind == "anonymous":
        amount = rng.randrange(1, 60) * 100 + rng.randrange(0, 10) * 10
        return w.txn(
            day, None, "募金箱 (イベント会場)", [(CASH, amount), (DONATION, -amount)]
        )
    if kind == "business":
        amount = rng.randrange(5, 60) * 1000
        target = rng.choice((CASH, BANK))
        return w.txn(day, None, "研修 参加費", [(target, amount), (BUSINESS, -amount)])
    assert kind == "grant-in"
    amount = rng.randrange(10, 50) * 10000
    return w.txn(
        day,
        "公益財団法人みらい協同基金",
        "事業助成金",
        [(BANK, amount), (GRANT_IN, -amount)],
    )


def _budgets(w: _Writer, years: list[FiscalYear], model: _Model) -> str:
    """当初予算 for each 年度 from the actual figures (+10%, rounded up to 10,000 yen), and one 補正予算."""
    out = ["; 予算 (生成データ)。金額は収入・支出ともに正の数。\n"]
    accounts = sorted(
        a.name
        for a in model.chart.accounts.values()
        if a.section in ("経常収益", "事業費", "管理費")
    )
    for year in years:
        lines = {}
        for account in accounts:
            actual = abs(w.actual.get((year, account), 0))
            lines[account] = (actual * 11 + 99_999) // 100_000 * 10_000 if actual else 0
        lines = {a: n for a, n in lines.items() if n}
        lines[RESERVE] = 50000
        decided = year.start if year.is_short else datetime.date(year.year, 6, 20)
        out.append(
            f'\n;; {year.label} 当初予算\n{decided} custom "budget-decision" {year.year} "総会" "当初予算"\n'
            f'  decision: "{year.label}総会 第3号議案"\n'
        )
        out.extend(
            f'{decided} custom "budget-line" {year.year} {a:<56} {n:>10} JPY\n'
            for a, n in lines.items()
        )
        revised = datetime.date(year.year + 1, 1, 24)
        if revised <= END:
            grant = next((a for a in lines if "5141" in a), None)
            out.append(
                f'\n;; {year.label} 補正予算 (予備費の充用)\n{revised} custom "budget-decision" {year.year} "運営委員会" "補正予算"\n'
                f'  decision: "運営委員会 {revised.year}-01 第2号議案"\n'
            )
            if grant is not None:
                bumped = lines[grant] + 50000
                out.append(
                    f'{revised} custom "budget-line" {year.year} {grant:<56} {bumped:>10} JPY\n'
                )
            out.append(
                f'{revised} custom "budget-line" {year.year} {RESERVE:<56} {0:>10} JPY\n'
            )
    return "".join(out)


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python bench/generate.py N [--seed S] [--out DIR]``."""
    parser_ = argparse.ArgumentParser(description="ベンチマーク用の帳簿を生成する")
    parser_.add_argument("n", type=int, help="取引の件数")
    parser_.add_argument("--seed", type=int, default=1)
    parser_.add_argument(
        "--out", type=Path, default=None, help="出力先 (既定: bench/books/N)"
    )
    args = parser_.parse_args(argv)
    path = generate(args.n, args.out or BOOKS / str(args.n), args.seed)
    print(path)


if __name__ == "__main__":
    main()
