"""What a bank writes, made comparable: payee text, amounts and dates of a statement line.

Japanese banks write transfer names in half-width katakana (``ｾｲｶﾂｸﾗﾌﾞ``), full-width
digits and spaces (``料　金``, ``１０，０００``), and dates as ``20261005``, ``2026/10/05`` or
``令和8年10月5日``. :func:`clean` is the text kept (NFKC: ``セイカツクラブ``, ``料 金``);
:func:`fold` is the text rules compare (no spaces or brackets, small kana made large,
hiragana made katakana, long-vowel marks as ``-``, Latin letters upper-case), so
``ﾄｸﾋ)ﾀｶﾞﾔｽ``, ``トクヒ）タガヤス`` and ``とくひたがやす`` fold alike.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata

#: Small kana (after NFKC) and their full-size forms: bank transfer names use only the
#: large ones (``ｷﾖｳﾄﾞｳｸﾐｱｲ`` for きょうどうくみあい).
_SMALL = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
#: Characters that carry no meaning in a transfer name.
_DROP = re.compile(r"[\s()（）「」『』【】\[\]・､、。.,，:：;；/／'\"]")
#: Long-vowel marks and dashes, written ``ｰ``, ``ー``, ``-`` or ``‐`` by different banks.
_DASHES = re.compile("[ー－‐‑–—―−ｰ~〜～]")
#: Japanese eras used for dates (和暦).
_ERAS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988}
_WAREKI = re.compile(
    r"^(令和|平成|R|H)\s*(\d{1,2}|元)\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?$",
    re.IGNORECASE,
)
#: An amount: one optional sign, digits (with or without thousands commas), a fraction.
_AMOUNT = re.compile(r"([▲△+-]?)\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
#: The date format that means 和暦 in a bank layout.
WAREKI = "和暦"


def clean(text: str) -> str:
    """NFKC-normalised text with single spaces, no leading or trailing space."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def fold(text: str) -> str:
    """The form of a name that rules compare (see the module docstring)."""
    normal = unicodedata.normalize("NFKC", text).upper()
    normal = _DASHES.sub("-", normal)
    normal = _DROP.sub("", normal)
    katakana = "".join(
        chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in normal
    )
    return katakana.translate(_SMALL)


class AmountError(ValueError):
    """An amount cell that is not whole yen (the message is Japanese)."""


def parse_amount(cell: str) -> int | None:
    """Whole yen from a cell: ``10000``, ``10,000``, ``１０，０００円``, ``▲500``, ``-500``.

    Returns None for an empty cell.

    Raises:
      AmountError: the cell is not a number of whole yen.
    """
    text = unicodedata.normalize("NFKC", cell).strip().removesuffix("円").strip()
    if not text:
        return None
    match = _AMOUNT.fullmatch(text)
    if match is None:
        msg = f"金額 '{cell}' が読めません"
        raise AmountError(msg)
    sign, whole, fraction = match.groups()
    if fraction and fraction.strip("0"):
        msg = f"金額 '{cell}' に 1 円未満の端数があります"
        raise AmountError(msg)
    number = int(whole.replace(",", ""))
    return -number if sign in ("▲", "△", "-") else number


@functools.lru_cache(maxsize=4096)  # a statement repeats its dates
def parse_date(cell: str, formats: tuple[str, ...]) -> datetime.date | None:
    """The date in ``cell`` written in one of ``formats`` (``strptime`` or ``和暦``).

    Returns None when no format reads it.
    """
    text = unicodedata.normalize("NFKC", cell).strip()
    for form in formats:
        if form == WAREKI:
            day = _wareki(text)
            if day is not None:
                return day
            continue
        try:
            return datetime.datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def _wareki(text: str) -> datetime.date | None:
    match = _WAREKI.match(text)
    if match is None:
        return None
    era, year, month, day = match.groups()
    number = 1 if year == "元" else int(year)
    try:
        return datetime.date(_ERAS[era.upper()] + number, int(month), int(day))
    except ValueError:
        return None
