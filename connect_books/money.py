"""Money: integer yen in ``Decimal``, read from postings and written the Japanese way.

The one place that knows the books' currency, how a posting's amount is read, how an
amount is rounded to whole yen and how it is printed (``1,234円``, ``▲1,234円``).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from beancount.core import data

#: The books' only currency.
JPY = "JPY"
ZERO = Decimal(0)


def yen(value: Decimal | int) -> int:
    """Integer yen (half-up, though the hygiene rules keep fractions out of the books)."""
    if isinstance(value, int):
        return value
    return int(value.to_integral_value(ROUND_HALF_UP))


def yen_or_zero(value: object) -> int:
    """An amount cell (``int``/``Decimal``) as integer yen; anything else (empty) is 0."""
    if isinstance(value, bool):
        return 0
    return yen(value) if isinstance(value, Decimal | int) else 0


def yen_text(value: Decimal | int) -> str:
    """``1,234円``; negatives as ``▲1,234円`` (Japanese convention)."""
    number = yen(value)
    return f"▲{-number:,}円" if number < 0 else f"{number:,}円"


def posting_yen(posting: data.Posting) -> Decimal:
    """A posting's units in yen (0 for another currency or a missing amount)."""
    units = posting.units
    if units is None or units.currency != JPY or units.number is None:
        return ZERO
    number: Decimal = units.number
    return number


#: A number as a person writes it for yen (digits, a sign, a decimal point to refuse).
_PLAIN_NUMBER = re.compile(r"[-+]?[0-9]+(?:\.[0-9]+)?")


def parse_yen(text: str) -> int:
    """Whole yen from what a person types: ``10000``, ``10,000``, ``10000円``, ``▲500``.

    Full-width digits are refused rather than guessed, as in the books.

    Raises:
      ValueError: the text is not a whole number of yen; the message says so in Japanese.
    """
    raw = text.strip()
    if unicodedata.normalize("NFKC", raw) != raw:
        msg = f"金額 '{text}' に全角の文字があります。半角の数字で書いてください (例: 10000)。"
        raise ValueError(msg)
    cleaned = raw.removesuffix("円").replace(",", "").replace("▲", "-")
    if not _PLAIN_NUMBER.fullmatch(cleaned):  # (no 1e3, Infinity, NaN, ¥)
        msg = f"金額 '{text}' が読めません。円の整数で書いてください (例: 10000)。"
        raise ValueError(msg)
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        msg = f"金額 '{text}' が読めません。円の整数で書いてください (例: 10000)。"
        raise ValueError(msg) from None
    if number != number.to_integral_value():
        msg = f"金額 '{text}' に 1 円未満の端数があります。円は整数で書いてください。"
        raise ValueError(msg)
    return int(number)
