"""Finding what the treasurer means: accounts, members and supporters by code, ID or name.

* An account by its full name, its code (``1120``), or any part of its name
  (``ろうきん``); several words must all match (``管理費 会議費``). More than one match
  is refused with the candidates listed, none with the nearest names.
* A member by its ID (``SCC-TOKYO``, any case) or any part of its name in the roster
  (``エコメッセ``).
* A supporter by its ID, or by name when the supporters' file (outside the books,
  :mod:`connect_books.entry_supporters`) is at hand: names are never in the books.

Every refusal is a :class:`LookupRefused` in Japanese.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable, Iterable, Mapping

from connect_books.chart import AccountInfo, Chart
from connect_books.errors import Refused, did_you_mean
from connect_books.roster import Member, Roster, Supporter

#: How many candidates an ambiguous answer lists.
SHOWN = 8


class LookupRefused(Refused):
    """Nothing, or more than one thing, matches what was typed."""


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _listing(names: Iterable[str]) -> str:
    items = list(names)
    shown = "、".join(items[:SHOWN])
    return shown + (f" ほか{len(items) - SHOWN}件" if len(items) > SHOWN else "")


def find_account(
    chart: Chart,
    text: str,
    *,
    among: Callable[[AccountInfo], bool] | None = None,
    what: str = "科目",
) -> AccountInfo:
    """The one opened account ``text`` names (full name, code or part of the name).

    Args:
      chart: the chart of accounts.
      text: what was typed.
      among: only accounts for which this is true (for example the cash accounts).
      what: how the refusal names the thing looked for (``科目``, ``支払元``).
    Raises:
      LookupRefused: no account, or several, match.
    """
    wanted = text.strip()
    if not wanted:
        raise LookupRefused(f"{what}を指定してください (コードか名前の一部)。")
    accounts = [a for a in chart.accounts.values() if among is None or among(a)]
    exact = [a for a in accounts if a.name == wanted]
    if exact:
        return exact[0]
    if wanted.isascii() and wanted.isdigit():
        coded = [a for a in accounts if a.code == wanted]
        if len(coded) == 1:
            return coded[0]
    terms = [_norm(term) for term in wanted.split()]
    found = sorted(
        (a for a in accounts if all(term in _norm(a.name) for term in terms)),
        key=lambda a: a.name,
    )
    if len(found) > 1:
        labelled = [a for a in found if _norm(a.label) == _norm(wanted)]
        if len(labelled) == 1:
            return labelled[0]
        raise LookupRefused(
            f"{what} '{wanted}' に当てはまる科目が{len(found)}件あります。コードか、"
            f"もっと長い名前で指定してください: {_listing(a.name for a in found)}"
        )
    if found:
        return found[0]
    elsewhere = chart.accounts.get(wanted) if among is not None else None
    if elsewhere is not None:  # (open, but not for this)
        head = f"科目 {wanted} は{what}には使えません。"
    elif ":" in wanted and wanted.split(":", 1)[0].isascii():
        head = f"科目 {wanted} は科目表 (accounts.beancount) で open されていません。"
    else:
        head = f"{what} '{wanted}' に当てはまる科目がありません。"
    labels = {a.label: a.name for a in accounts}
    close = difflib.get_close_matches(wanted, list(labels), n=3, cutoff=0.3)
    hint = f"近い科目: {_listing(labels[c] for c in close)}。" if close else ""
    raise LookupRefused(head + hint)


def find_member(roster: Roster, text: str) -> Member:
    """The member ``text`` names (ID in any case, or part of the roster's name).

    Raises:
      LookupRefused: no member, or several, match (with the nearest IDs).
    """
    wanted = text.strip()
    if not wanted:
        raise LookupRefused("会員を指定してください (会員ID か団体名の一部)。")
    by_id = {member_id.casefold(): m for member_id, m in roster.members.items()}
    if wanted.casefold() in by_id:
        return by_id[wanted.casefold()]
    key = _norm(wanted)
    found = [m for m in roster.members.values() if key in _norm(m.name)]
    if len(found) == 1:
        return found[0]
    if found:
        raise LookupRefused(
            f"会員 '{wanted}' に当てはまる団体が{len(found)}件あります。会員ID か、もっと長い名前で"
            f"指定してください: {_listing(f'{m.id} ({m.name})' for m in found)}"
        )
    raise LookupRefused(roster.unknown_member_message(wanted))


def find_supporter(
    roster: Roster, text: str, names: Mapping[str, str] | None = None
) -> Supporter:
    """The supporter ``text`` names: an ID of the roster, or a name in ``names``.

    Args:
      roster: the roster (supporter IDs).
      text: what was typed.
      names: supporter ID → name, from the supporters' file (if at hand).
    Raises:
      LookupRefused: no supporter, or several, match (with the nearest IDs).
    """
    wanted = text.strip()
    if not wanted:
        raise LookupRefused("サポーターを指定してください (サポーターID)。")
    by_id = {sid.casefold(): s for sid, s in roster.supporters.items()}
    if wanted.casefold() in by_id:
        return by_id[wanted.casefold()]
    if names:
        key = _norm(wanted)
        found = [
            sid
            for sid, name in names.items()
            if key in _norm(name) and sid in roster.supporters
        ]
        if len(found) == 1:
            return roster.supporters[found[0]]
        if found:
            raise LookupRefused(
                f"サポーター '{wanted}' に当てはまる人が{len(found)}人います。サポーターID で"
                f"指定してください: {_listing(f'{sid} ({names[sid]})' for sid in found)}"
            )
    tail = did_you_mean(wanted, roster.supporters)
    hint = "" if names else " (氏名で探すにはサポーターの名簿ファイルが要ります)"
    raise LookupRefused(
        f"サポーター '{wanted}' は名簿 (members.beancount) にありません{hint}。{tail}"
    )
