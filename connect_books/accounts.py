"""What kind of account a name is: the five roots, named by the books' options.

Beancount lets a ledger rename its roots (``option "name_income" …``); every test of
"is this an income account?" and every net-asset sum goes through :class:`Roots`, so no
module hard-codes ``"Income:"``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

N = TypeVar("N", int, Decimal)


class Kind(enum.Enum):
    """The five account types of double entry."""

    ASSETS = "name_assets"
    LIABILITIES = "name_liabilities"
    EQUITY = "name_equity"
    INCOME = "name_income"
    EXPENSES = "name_expenses"


_DEFAULT_NAMES = {
    Kind.ASSETS: "Assets",
    Kind.LIABILITIES: "Liabilities",
    Kind.EQUITY: "Equity",
    Kind.INCOME: "Income",
    Kind.EXPENSES: "Expenses",
}
#: The kinds whose sum is minus the net assets (正味財産 = 資産 − 負債).
NET_ASSET_KINDS = (Kind.EQUITY, Kind.INCOME, Kind.EXPENSES)
#: The kinds of the 活動計算書 (収益・費用).
FLOW_KINDS = (Kind.INCOME, Kind.EXPENSES)


@dataclass(frozen=True)
class Roots:
    """The root name of each account kind, as the books' options set them."""

    names: tuple[tuple[Kind, str], ...]

    @classmethod
    def of(cls, options_map: Mapping[str, Any] | None = None) -> Roots:
        """The roots named by ``options_map`` (Beancount's defaults without it)."""
        options = options_map or {}
        return cls(
            tuple(
                (kind, str(options.get(kind.value) or default))
                for kind, default in _DEFAULT_NAMES.items()
            )
        )

    def root(self, kind: Kind) -> str:
        """The root name of ``kind`` (``Income``)."""
        return dict(self.names)[kind]

    def kind(self, account: str) -> Kind | None:
        """The kind of ``account`` (None for a name under no root)."""
        head = account.partition(":")[0]
        for kind, name in self.names:
            if name == head:
                return kind
        return None

    def is_(self, account: str, *kinds: Kind) -> bool:
        """Whether ``account`` is of one of ``kinds``."""
        return self.kind(account) in kinds

    def net_assets(self, balances: Iterable[tuple[str, N]]) -> N | int:
        """正味財産: minus the sum of the equity, income and expense balances given.

        ``balances`` are (account, balance) pairs with Beancount's signs; the result
        equals assets − liabilities when the books balance.
        """
        return -sum(
            (
                value
                for account, value in balances
                if self.is_(account, *NET_ASSET_KINDS)
            ),
            0,
        )


#: Beancount's default roots (for code that has no options at hand, such as a test).
DEFAULT_ROOTS = Roots.of()
