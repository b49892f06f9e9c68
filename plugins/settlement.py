"""A settled 年度 is locked (決算, 第27条2).

Once the 総会 has approved a 年度's settlement, ``connect-books close-year`` records it::

    plugin "connect_books.plugins.settlement"      ; the LAST plugin line of main.beancount

    2026-06-20 custom "settlement" 2025 "総会" 6543210 JPY
      audited: 2026-05-23
      fingerprint: "3b0c…"
      entries: "2025-06-28 0f3a1b2c3d4e5f60
    2025-06-28 9b1c…"

From then on every entry dated in 2025年度 must be exactly one of those recorded. Adding,
changing or deleting one is an error at that entry (or, for a deletion, at the settlement
naming the date); a correction goes into the next 年度 as an adjusting entry (過年度損益修正).
The books must still show the approved 次期繰越正味財産 (資産 − 負債 at 3/31), the approval
must come after the year end (and the audit between the two), and the ``entries`` list must
still match its ``fingerprint``. Entries elsewhere may move freely: line numbers are not part
of an entry's digest.

Beancount inserts ``pad`` transactions after every plugin has run; when a ``pad`` falls in
a settled 年度 this plugin runs Beancount's ``pad`` itself to compute the year-end figures.

Under ``connect-books`` the files that did not change since an earlier load are not
digested again (:mod:`connect_books.settledmemo`), so the check does not grow with each
settled year; ``bean-check`` digests every entry. The errors are the same either way.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from beancount.core import data

from connect_books.balances import totals_at
from connect_books.beancompat import padding_for
from connect_books.digest import YearRecord, year_records
from connect_books.errors import BooksError, options_source, reject_config
from connect_books.fiscal import FiscalYear
from connect_books.money import yen_text
from connect_books.settledmemo import OPTION as MEMO
from connect_books.settledmemo import Memo
from connect_books.settlement import Settlement, read_settlements

__plugins__ = ("check_settlements",)


class SettlementError(BooksError):
    """A change to a settled 年度, or a settlement that does not hold."""


class SettlementOverdue(SettlementError):
    """A 年度 whose settlement should have been recorded by now (第27条2).

    The message starts with the 年度's label (``2025年度``), which ``close-year`` reads to
    let the closing of that very year mend it.
    """


def check_settlements(
    entries: Sequence[data.Directive],
    options_map: dict[str, Any],
    config: str | None = None,
) -> tuple[Sequence[data.Directive], list[BooksError]]:
    """Check every settled 年度 against its recorded entries and approved figures.

    Args:
      entries: The directives, sorted.
      options_map: Beancount's options.
      config: Not used; this plugin takes no configuration.
    Returns:
      The entries unchanged, and the errors found.
    """
    # Settlements and pads are directives: look for them among the few non-transactions.
    directives = [e for e in entries if not isinstance(e, data.Transaction)]
    settled, read_errors = read_settlements(directives)
    errors: list[BooksError] = list(read_errors)
    errors.extend(reject_config("settlement", config, options_map, SettlementError))
    errors.extend(_overdue(entries, settled, options_map))
    if not settled:
        return entries, errors

    records = _records(entries, settled, options_map)
    ends = [year.end for year in settled]
    last_end = max(ends)
    totals = {year.end: record.totals for year, record in records.items()}
    padding = _padding(entries, directives, options_map, last_end)
    if padding:
        extra = totals_at(padding, options_map, ends, net_only=True)
        totals = {end: totals[end] + extra[end] for end in ends}

    for year, settlement in sorted(settled.items()):
        errors.extend(_check_dates(year, settlement))
        if settlement.sealed != settlement.fingerprint:
            errors.append(
                SettlementError(
                    settlement.meta,
                    f"{year.label}の決算の記録 (承認日・承認機関・監査日・次期繰越・理由・前年度の指紋・"
                    "entries のどれか) が fingerprint と合いません。書き換えられています。"
                    "connect-books close-year が書いたとおりに戻してください。",
                    settlement.entry,
                )
            )
        errors.extend(_check_chain(year, settlement, settled))
        errors.extend(_check_entries(year, settlement, records[year]))
        net = totals[year.end].net_assets
        if net != settlement.carry_forward:
            errors.append(
                SettlementError(
                    settlement.meta,
                    f"{year.label}末 ({year.end.isoformat()}) の正味財産 (資産−負債) は"
                    f" {yen_text(net)} ですが、{settlement.body}で承認された次期繰越正味財産は"
                    f" {yen_text(settlement.carry_forward)} です。{year.label}の記録を承認されたとおりに"
                    f"戻し、訂正は{year.next().label}の修正仕訳で行ってください。",
                    settlement.entry,
                )
            )
    return entries, errors


def _records(
    entries: Sequence[data.Directive],
    settled: dict[FiscalYear, Settlement],
    options_map: dict[str, Any],
) -> dict[FiscalYear, YearRecord]:
    """What each settled 年度 holds now: from the memo of the trusted load when it has one
    and every year matches its record (:mod:`connect_books.settledmemo`: only the files
    that changed are digested), else entry by entry."""
    memo = options_map.get(MEMO)
    if isinstance(memo, Memo):
        quick = memo.years(entries, settled, options_map)
        if quick is not None and all(
            "\n".join(quick[year][0]) == settlement.recorded_text
            for year, settlement in settled.items()
        ):
            return {
                year: YearRecord([], lines, totals)
                for year, (lines, totals) in quick.items()
            }
    return year_records(entries, settled, options_map, net_only=True)


def _padding(
    entries: Sequence[data.Directive],
    directives: Sequence[data.Directive],
    options_map: dict[str, Any],
    until: datetime.date,
) -> list[data.Transaction]:
    """The transactions Beancount's ``pad`` will insert for pads dated up to ``until``.

    ``pad`` runs after every plugin, so this plugin computes them itself, from only the
    entries that bear on the padded accounts (Beancount's own pad reports pad errors).
    ``directives`` are the entries other than transactions.
    """
    padded = {e.account for e in directives if type(e) is data.Pad and e.date <= until}
    if not padded:
        return []
    touches: dict[str, bool] = {}

    def bears(name: str) -> bool:
        found = touches.get(name)
        if found is None:
            found = touches[name] = any(
                name == account or name.startswith(account + ":") for account in padded
            )
        return found

    relevant = [
        e
        for e in entries
        if type(e) is data.Pad
        or (type(e) is data.Balance and bears(e.account))
        or (type(e) is data.Transaction and any(bears(p.account) for p in e.postings))
    ]
    return padding_for(relevant, options_map)


def _overdue(
    entries: Sequence[data.Directive],
    settled: dict[FiscalYear, Settlement],
    options_map: dict[str, Any],
) -> list[BooksError]:
    """年度 whose settlement is missing although the books have gone past its deadline.

    The 総会 approves a settlement within 3 months of the year end (第20条, 第27条2). A
    年度 is overdue when today is past that deadline and the books hold entries dated after
    it (they have moved on), or a later 年度 is settled. Deleting a settlement (and its
    ``include``) is caught this way.
    """
    if not entries:
        return []
    today = datetime.date.today()
    first = FiscalYear.of(entries[0].date)
    last_day = entries[-1].date
    latest_settled = max(settled, default=None)
    errors: list[BooksError] = []
    year = first
    while year.settlement_deadline < today:
        moved_on = last_day > year.settlement_deadline
        gap = latest_settled is not None and year < latest_settled
        if year not in settled and (moved_on or gap):
            errors.append(
                SettlementOverdue(
                    options_source(options_map),
                    f"{year.label}の決算が記録されていません。期末 ({year.end.isoformat()}) から"
                    f"3か月以内 ({year.settlement_deadline.isoformat()} まで) に監事の監査を経て総会で"
                    "承認し (第20条・第27条2)、connect-books close-year で記録してください。"
                    "記録を消したのなら、元に戻してください。",
                    None,
                )
            )
        year = year.next()
    return errors


def _check_chain(
    year: FiscalYear, settlement: Settlement, settled: dict[FiscalYear, Settlement]
) -> list[BooksError]:
    """The settlement names the previous 年度's fingerprint (none for the first 年度)."""
    previous = year.previous()
    expected = settled[previous].fingerprint if previous in settled else ""
    if previous is not None and previous not in settled:
        message = (
            f"{year.label}の決算の前に、前年度 ({previous.label}) の決算の記録が必要です。"
            "消した記録を元に戻してください。"
        )
    elif settlement.previous != expected:
        message = (
            f"{year.label}の決算の previous が前年度の決算の fingerprint と合いません。"
            "決算の記録が入れ替えられているか、書き換えられています。"
        )
    else:
        return []
    return [SettlementError(settlement.meta, message, settlement.entry)]


def _approval(settlement: Settlement) -> str:
    return f"確定済み ({settlement.date.isoformat()} {settlement.body}承認) の{settlement.year.label}"


def _check_dates(year: FiscalYear, settlement: Settlement) -> list[BooksError]:
    errors: list[BooksError] = []
    if settlement.date <= year.end:
        errors.append(
            SettlementError(
                settlement.meta,
                f"{year.label}の決算の承認日 {settlement.date.isoformat()} が期末"
                f" ({year.end.isoformat()}) 以前です。{settlement.body}で決算を承認した日"
                f" ({year.end_exclusive.isoformat()} 以降) を日付にしてください。",
                settlement.entry,
            )
        )
    if not settlement.reason.strip(" \u3000\t"):  # (a blank reason is none)
        departures = []
        if settlement.body != "総会":
            departures.append("総会以外の承認")
        if settlement.date > year.settlement_deadline:
            departures.append(
                f"期末から3か月より後 ({year.settlement_deadline.isoformat()} 以降) の承認"
            )
        if settlement.audited is None:
            departures.append("監事の監査日 (audited) がない")
        if departures:
            errors.append(
                SettlementError(
                    settlement.meta,
                    f"{year.label}の決算は定款どおりではありません ({'、'.join(departures)})。"
                    "第17条・第20条・第27条2 を満たさない決算には理由 (reason) が要ります。"
                    "connect-books close-year --reason で記録し直してください。",
                    settlement.entry,
                )
            )
    audited = settlement.audited
    if audited is not None and not year.end < audited <= settlement.date:
        errors.append(
            SettlementError(
                settlement.meta,
                f"{year.label}の監査日 (audited: {audited.isoformat()}) は期末"
                f" ({year.end.isoformat()}) より後で、承認日 ({settlement.date.isoformat()})"
                " 以前の日付にしてください (第27条2: 監事の監査を経て総会で承認)。",
                settlement.entry,
            )
        )
    return errors


def _check_entries(
    year: FiscalYear, settlement: Settlement, record: YearRecord
) -> list[BooksError]:
    """Match the year's entries against the recorded digests (as multisets)."""
    if "\n".join(sorted(record.lines)) == settlement.recorded_text:
        return []  # the usual case: nothing changed (the recorded list is not even parsed)
    entries = record.entries
    digests = [line.partition(" ")[2] for line in record.lines]
    recorded = Counter(digest for _, digest in settlement.digests)
    in_record = set(recorded)
    unrecorded: list[data.Directive] = []
    twins: dict[int, data.Directive] = {}  # an unrecorded copy -> a recorded one
    kept: dict[str, data.Directive] = {}
    for entry, digest in zip(entries, digests, strict=True):
        if recorded[digest] > 0:
            recorded[digest] -= 1
            kept.setdefault(digest, entry)
        else:
            unrecorded.append(entry)
            if digest in in_record and digest in kept:
                twins[id(entry)] = kept[digest]
    removed: dict[Any, int] = defaultdict(int)
    for day, digest in settlement.digests:
        if recorded[digest] > 0:
            recorded[digest] -= 1
            removed[day] += 1
    errors: list[BooksError] = []
    for entry in unrecorded:
        if removed.get(entry.date, 0) > 0:
            # a recorded entry of that day was changed into this one: one error, here
            removed[entry.date] -= 1
        twin = twins.get(id(entry))
        also = (
            f"同じ内容の記録が {_place(twin)} にもあり、確定したときより一件多くなっています。"
            "後から写した方を消してください。"
            if twin is not None
            else ""
        )
        errors.append(
            SettlementError(
                entry.meta,
                f"{_approval(settlement)}の記録が追加または変更されています。{also}"
                f"訂正は{year.next().label}の修正仕訳 (過年度損益修正) で行ってください。",
                entry,
            )
        )
    for day, count in sorted(removed.items()):
        if count > 0:
            errors.append(
                SettlementError(
                    settlement.meta,
                    f"{_approval(settlement)}の記録のうち {day.isoformat()} 付の{count}件が"
                    f"削除されています。元に戻し、訂正は{year.next().label}の修正仕訳"
                    " (過年度損益修正) で行ってください。",
                    settlement.entry,
                )
            )
    return errors


def _place(entry: data.Directive) -> str:
    """``2025.beancount:363``: where an entry is written."""
    meta = entry.meta or {}
    name = str(meta.get("filename", "?")).rsplit("/", 1)[-1]
    return f"{name}:{meta.get('lineno', '?')}"
