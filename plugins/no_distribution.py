"""剰余金は次事業年度に繰り越す (定款第29条): net assets are never distributed.

Every account under the equity root (``Equity``, or what ``option "name_equity"`` names)
holds net assets (正味財産). A transaction may post to one only
as an opening balance taken over from the predecessors, dated on the establishment day
(2025-06-28)::

    plugin "connect_books.plugins.no_distribution"

    2025-06-28 * "コネクト推進機構" "引継: まちづくり積立金"
      opening: TRUE
      Assets:1140-定期預金-まちづくり積立金     1000000 JPY
      Equity:3320-まちづくり積立金             -1000000 JPY

or as a transfer between the organisation's own net-asset accounts on a recorded decision:
the Equity postings sum to zero, the other postings are on its own ``Assets:`` accounts
and sum to zero too::

    2026-03-14 custom "decision" "UI-2025-04" "運営委員会" "まちづくり積立金への繰入"
    2026-03-16 * "まちづくり積立金への繰入"
      decision: "UI-2025-04"
      Assets:1140-定期預金-まちづくり積立金      300000 JPY
      Assets:1120-普通預金-ろうきん             -300000 JPY
      Equity:3010-引継正味財産                   300000 JPY
      Equity:3320-まちづくり積立金              -300000 JPY

Anything else on an Equity account (paying a member out of 前期繰越正味財産, a "refund of
surplus", a hand-made closing entry, a ``pad`` from Equity after the opening day) is an
error. No closing entries are needed: Beancount moves earlier income and expenses into
the accounts named by ``account_previous_earnings``, ``account_current_earnings`` and
``account_previous_balances``; the plugin checks those are opened Equity accounts, so the
carry-forward lands in named accounts.
"""

from __future__ import annotations

from typing import Any

from beancount.core import data
from beancount.parser import options

from connect_books.accounts import Kind, Roots
from connect_books.errors import BooksError, options_source, reject_config
from connect_books.fiscal import ESTABLISHED
from connect_books.funds import FUND_TYPES, Funds
from connect_books.money import ZERO, posting_yen, yen_text

__plugins__ = ("no_distribution",)

ARTICLE = "定款第29条"
_NOT_DISTRIBUTED = (
    f"剰余金は次事業年度に繰り越すもので、分配・払戻しはできません ({ARTICLE})。"
)


class NoDistributionError(BooksError):
    """A movement of net assets that is neither an opening balance nor a decided transfer."""


def no_distribution(
    entries: list[data.Directive],
    options_map: dict[str, Any],
    config: str | None = None,
) -> tuple[list[data.Directive], list[BooksError]]:
    """Check every posting to an Equity account and the carry-forward accounts.

    Args:
      entries: The directives, sorted.
      options_map: Beancount's options.
      config: Must be empty: the plugin has no settings.
    Returns:
      The entries unchanged, and the errors found.
    """
    errors = reject_config("no_distribution", config, options_map, NoDistributionError)
    roots = Roots.of(options_map)
    opened: set[str] = set()
    # opened accounts outside Equity: a posting to one needs no prefix test
    outside: set[str] = set()
    decisions: list[data.Directive] = []
    suspects: list[data.Transaction] = []
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                account = posting.account
                if account not in outside and roots.is_(account, Kind.EQUITY):
                    suspects.append(entry)
                    break
        elif isinstance(entry, data.Open):
            opened.add(entry.account)
            if not roots.is_(entry.account, Kind.EQUITY):
                outside.add(entry.account)
        elif isinstance(entry, data.Custom):
            if entry.type in FUND_TYPES:
                decisions.append(entry)
        elif (
            isinstance(entry, data.Pad)
            and entry.date != ESTABLISHED
            and (
                roots.is_(entry.source_account, Kind.EQUITY)
                or roots.is_(entry.account, Kind.EQUITY)
            )
        ):
            errors.append(NoDistributionError(entry.meta, _pad_message(entry), entry))

    funds, _ = Funds.from_entries(decisions)  # its own errors are the funds plugin's
    for txn in suspects:
        problem = _problem(txn, funds, roots)
        if problem:
            errors.append(NoDistributionError(txn.meta, problem, txn))

    errors.extend(_option_account_errors(options_map, opened, roots))
    return entries, errors


def _problem(txn: data.Transaction, funds: Funds, roots: Roots) -> str | None:
    """Why ``txn`` may not post to Equity (None when it may)."""
    named = sorted(
        {p.account for p in txn.postings if roots.is_(p.account, Kind.EQUITY)}
    )
    head = f"正味財産の科目 ({', '.join(named)}) への記帳です。"
    if txn.meta.get("opening") is True:
        if txn.date == ESTABLISHED:
            return None
        return (
            f"{head}開始残高 (opening: TRUE) は設立日 {ESTABLISHED} 付でだけ記帳できます"
            f" (この取引は {txn.date} 付)。{_NOT_DISTRIBUTED}"
            "前身団体からの引継ぎなら日付を直し、そうでなければ収益・費用の科目で記帳してください。"
        )

    moved = ZERO
    outside: list[str] = []
    for posting in txn.postings:
        kind = roots.kind(posting.account)
        if kind is Kind.EQUITY:
            moved += posting_yen(posting)
        elif kind is not Kind.ASSETS and posting.account not in outside:
            outside.append(posting.account)
    if outside:
        return (
            f"{head}正味財産が機構自身の資産以外 ({', '.join(outside)}) に動いています"
            f" (剰余金の分配・払戻しや、手で書いた決算振替にあたります)。{_NOT_DISTRIBUTED}"
            "支払いは費用の科目で記帳してください。決算振替は要りません (繰越は Beancount が行います)。"
        )
    if moved != 0:
        change = "減って" if moved > 0 else "増えて"
        return (
            f"{head}正味財産の科目の合計が {yen_text(abs(moved))} {change}おり、正味財産が資産とともに"
            f"出入りしています (剰余金の分配・払戻しにあたります)。{_NOT_DISTRIBUTED}"
            "正味財産の科目どうしの振替なら、正味財産の科目の合計を 0 にしてください。"
        )

    decision = txn.meta.get("decision")
    if decision is None:
        return (
            f"{head}正味財産の科目どうしの振替には決定が要ります。"
            '取引に decision: "決定ID" を書き、その決定を custom "decision" で記録してください'
            f" ({ARTICLE})。"
        )
    decided = funds.decided_on(str(decision))
    if decided is None:
        return (
            f"{head}{funds.unknown_decision_message(str(decision))}"
            f"正味財産の振替は記録された決定に基づくものだけです ({ARTICLE})。"
        )
    if decided > txn.date:
        return (
            f"{head}決定 '{decision}' ({decided}) より前の日付の振替です。"
            "決定の後の日付で記帳するか、decision: を確かめてください。"
        )
    return None


def _option_account_errors(
    options_map: dict[str, Any], opened: set[str], roots: Roots
) -> list[BooksError]:
    """Errors for the period-closing accounts of the options that are not opened."""
    previous = options.get_previous_accounts(options_map)  # type: ignore[no-untyped-call]
    current = options.get_current_accounts(options_map)  # type: ignore[no-untyped-call]
    previous_earnings, previous_balances, current_earnings = (
        previous[0],
        previous[1],
        current[0],
    )
    errors: list[BooksError] = []
    for option, account in (
        ("account_previous_balances", previous_balances),
        ("account_previous_earnings", previous_earnings),
        ("account_current_earnings", current_earnings),
    ):
        if account not in opened:
            errors.append(
                NoDistributionError(
                    options_source(options_map),
                    f'option "{option}" の科目 {account} が open されていません。'
                    "期間で区切るとき前期までの剰余金はこの科目に繰り越されるので"
                    f" ({ARTICLE})、accounts.beancount で正味財産の科目として open するか、"
                    f" option を open 済みの正味財産の科目 ({roots.root(Kind.EQUITY)}: の下の名前) に直してください。",
                    None,
                )
            )
    return errors


def _pad_message(pad: data.Pad) -> str:
    return (
        f"pad で {pad.account} の残高を正味財産 ({pad.source_account}) から埋めています。"
        f"正味財産が差額の分だけ黙って増減します。pad は設立日 {ESTABLISHED} の開始残高にだけ使い、"
        f"差額は原因を調べて仕訳してください ({ARTICLE})。"
    )
