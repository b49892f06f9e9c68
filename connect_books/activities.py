"""Which activity (事業内容 1〜5) a posting belongs to: the one reader of ``activity:``.

An account's ``open`` may carry its default activity; an income posting, or a 事業費
posting, may name another one, on the posting or on its transaction (the posting wins)::

    2025-06-28 open Income:4410-事業収益 JPY
      activity: 2                      ; default: revenue of 人材の登場・育成
    2025-09-05 * "公益財団法人みらい協同基金" "研修事業助成金"
      activity: 2                      ; this receipt belongs to activity 2
      Assets:1120-普通預金-ろうきん       300000 JPY
      Income:4310-受取助成金             -300000 JPY

The value is a number 1〜5, or ``"管理"`` (or 0) for 管理部門: revenue that belongs to no
activity. Revenue without any activity is 管理部門's; 管理費 stays 管理部門 whatever a
tag says (a cost is moved to an activity by booking it on that activity's account).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data

from connect_books.accounts import Kind, Roots
from connect_books.chart import Chart

#: The activities of the articles (事業内容 1〜5).
ACTIVITY_NUMBERS = (1, 2, 3, 4, 5)
#: 管理部門: revenue or cost that belongs to no activity.
ADMIN = 0
_ADMIN_WORDS = frozenset({"管理", "管理部門", "admin", "0"})


class BadActivity(ValueError):
    """An ``activity:`` value that names no activity; ``str()`` is the Japanese reason."""


def parse_activity(value: Any) -> int:
    """The activity a metadata value names: 1〜5, or :data:`ADMIN` (0).

    Raises:
      BadActivity: the value is not 1〜5 or 管理.
    """
    if isinstance(value, bool):
        raise BadActivity(_message(value))
    if isinstance(value, int | Decimal):
        number = Decimal(value)
        if number == number.to_integral_value() and (
            int(number) in ACTIVITY_NUMBERS or int(number) == ADMIN
        ):
            return int(number)
        raise BadActivity(_message(value))
    if isinstance(value, str):
        text = value.strip()
        if text in _ADMIN_WORDS:
            return ADMIN
        if text.isdigit() and int(text) in ACTIVITY_NUMBERS:
            return int(text)
    raise BadActivity(_message(value))


def _message(value: Any) -> str:
    return (
        f"activity: {value!r} は事業内容の番号ではありません。"
        '1〜5 (事業内容) か "管理" (管理部門) を書いてください。'
    )


def tagged_activity(
    posting_meta: Mapping[str, Any] | None, txn_meta: Mapping[str, Any]
) -> Any:
    """The raw ``activity:`` named on a posting or its transaction (None when neither)."""
    if posting_meta and "activity" in posting_meta:
        return posting_meta["activity"]
    return txn_meta.get("activity")


@dataclass(frozen=True)
class Problem:
    """Metadata the statements could not use, for the treasurer (file:line in meta)."""

    date: datetime.date
    meta: Mapping[str, Any]
    message: str


@dataclass(frozen=True)
class ActivityMove:
    """An income or 事業費 posting tagged with an activity other than its account's."""

    date: datetime.date
    account: str
    activity: int
    amount: Decimal


class ActivityTags:
    """The ``activity:`` tags that move an income or 事業費 posting to another activity."""

    def __init__(self, roots: Roots, chart: Chart) -> None:
        self.roots = roots
        self.chart = chart
        self.moves: list[ActivityMove] = []
        self.problems: list[Problem] = []

    def add(
        self, txn: data.Transaction, posting: data.Posting, tag: Any, number: Decimal
    ) -> None:
        """Record the tag of one posting (no-op for accounts a tag cannot move)."""
        account = posting.account
        info = self.chart.get(account)
        if self.roots.is_(account, Kind.INCOME):
            default = info.activity if info and info.activity else ADMIN
        elif (
            self.roots.is_(account, Kind.EXPENSES) and info and info.section == "事業費"
        ):
            default = info.activity or ADMIN
        else:
            return
        try:
            activity = parse_activity(tag)
        except BadActivity as exc:
            meta = (
                posting.meta
                if posting.meta and "activity" in posting.meta
                else txn.meta
            )
            self.problems.append(Problem(txn.date, meta, str(exc)))
            return
        if activity == ADMIN and default != ADMIN and info and info.section == "事業費":
            message = (
                "事業費の科目は管理部門にできません。管理費の科目で記帳してください。"
            )
            self.problems.append(Problem(txn.date, txn.meta, message))
            return
        if activity != default:
            self.moves.append(ActivityMove(txn.date, account, activity, number))
