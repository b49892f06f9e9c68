"""源泉徴収: a fee paid to an individual withholds the tax, and the tax reaches the tax office.

Mark the accounts on their ``open`` (syntax in :mod:`connect_books.withholding`)::

    plugin "connect_books.plugins.withholding"

    2025-06-28 open Expenses:5120-人材育成:5121-講師謝金 JPY
      withholding: TRUE                     ; 講師謝金・原稿料: withhold when paid
    2025-06-28 open Liabilities:2120-預り金 JPY
      withholding: TRUE                     ; where the withheld tax waits

    2025-11-15 * "L0001" "人材育成研修 講師謝金"
      Expenses:5120-人材育成:5121-講師謝金   50000 JPY
      Assets:1120-普通預金-ろうきん         -44895 JPY
      Liabilities:2120-預り金               -5105 JPY
    2025-12-10 * "世田谷税務署" "源泉所得税の納付 (2025年11月支払分)"
      Liabilities:2120-預り金                5105 JPY
      Assets:1120-普通預金-ろうきん          -5105 JPY

Each of these is an error at the payment's line:

* a fee (a posting to an expense account marked ``withholding: TRUE``) without the
  withholding leg, or withholding another amount than 10.21% of the payment (20.42% of
  the part over 1,000,000円; 1円未満切捨て), unless the payment says
  ``payee-kind: "corporation"`` or ``withholding-exempt: "理由"``;
* a ``payee-kind:`` other than ``"individual"`` / ``"corporation"``, an empty
  ``withholding-exempt:``;
* tax withheld and still held in the 預り金 after its due date (the 10th of the next
  month, a weekend moving it to Monday), counted as of today.

The plugin returns the entries unchanged.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from beancount.core import data

from connect_books.accounts import Roots
from connect_books.errors import BooksError, reject_config
from connect_books.money import yen_text
from connect_books.withholding import Withholdings

__plugins__ = ("withholding",)


class WithholdingError(BooksError):
    """A fee paid without its withholding, or withheld tax not paid on time."""


def withholding(
    entries: Sequence[data.Directive],
    options_map: dict[str, Any],
    config: str | None = None,
) -> tuple[list[data.Directive], list[BooksError]]:
    """Check every fee subject to withholding and every tax withheld.

    Args:
      entries: The directives, sorted.
      options_map: Beancount's options.
      config: Must be empty: the plugin has no settings.
    Returns:
      The entries unchanged, and the errors found.
    """
    errors = reject_config("withholding", config, options_map, WithholdingError)
    book = Withholdings.from_entries(entries, Roots.of(options_map))
    for problem in book.problems:
        errors.append(WithholdingError(problem.meta, problem.message, problem.entry))
    for payment in book.payments:
        if payment.exempt is not None or payment.withheld == payment.expected:
            continue
        fee = yen_text(payment.fee)
        tax = yen_text(payment.expected)
        if not book.deposits:
            where = "預り金の科目 (open に withholding: TRUE を書いた負債の科目)"
        else:
            where = f"{sorted(book.deposits)[0]}"
        if payment.withheld == 0:
            message = (
                f"{fee} の報酬の支払いに源泉徴収がありません。個人への講師謝金・原稿料は"
                f" 10.21% ({tax}) を源泉徴収して {where} に入れ、翌月10日までに税務署へ納付します。"
                f'支払先が法人なら payee-kind: "corporation"、源泉徴収しない理由があれば'
                ' withholding-exempt: "理由" を書いてください。'
            )
        else:
            message = (
                f"{fee} の報酬から源泉徴収した額が {yen_text(payment.withheld)} ですが、"
                f"源泉徴収税額は {tax} です (10.21%、100万円を超える部分は20.42%、1円未満切捨て)。"
                "預り金の行を直してください。"
            )
        errors.append(WithholdingError(payment.meta, message, None))
    today = datetime.date.today()
    for held in book.remittances():
        if held.left > 0 and held.payment.due < today:
            payment = held.payment
            errors.append(
                WithholdingError(
                    payment.meta,
                    f"{payment.date} の支払い ({payment.payee}) から源泉徴収した"
                    f" {yen_text(held.left)} が、納付期限 {payment.due} を過ぎても預り金に残っています。"
                    "税務署に納付し、預り金を減らす仕訳を書いてください (納付が遅れると不納付加算税・延滞税がかかります)。",
                    None,
                )
            )
    return list(entries), errors
