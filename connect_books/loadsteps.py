"""The loader's steps one by one, as the trusted load runs them.

``loader.load_file`` parses, books, runs each plugin module (sorting all entries after
every one), then validates. :mod:`connect_books.trusted` runs the same steps itself:

* :func:`book`: Beancount's booking (a plain transaction, which it books by looking at
  nothing but itself, is completed here the same way when no transaction needs the
  running balances);
* :func:`run_plugins`: Beancount's documents step, then the rules as one transformation
  step with one sort after them (the rules keep their entries sorted);
* :func:`pad_and_balance`: Beancount's ``pad`` (given only the entries that bear on a
  padded account) and balance checks;
* :func:`validate`: Beancount's validation (the balance check of a transaction is
  skipped where it surely finds nothing);

and the safe writer checks appended directives with :func:`parse_appended`,
:func:`run_plugins` and :func:`validate_new`. Each step gives what the loader's own gives;
``tests/test_cache_load.py`` holds them to ``loader.load_file`` on the sample books and on
generated books. With :mod:`connect_books.beancompat`, this is the only module that
relies on the loader's internals.
"""

from __future__ import annotations

import collections
import importlib
import io
import traceback
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeAlias

from beancount import loader
from beancount.core import data
from beancount.core.amount import Amount
from beancount.core.interpolate import (
    AUTOMATIC_META,
    AUTOMATIC_RESIDUAL,
    AUTOMATIC_TOLERANCES,
    infer_tolerances,
)
from beancount.core.number import MISSING
from beancount.ops import balance, documents, pad, validation
from beancount.parser import booking, booking_full, parser

ZERO = Decimal(0)

#: A plugin function: ``(entries, options_map) -> (entries, errors)``.
PluginFunction: TypeAlias = Callable[
    [list[data.Directive], dict[str, Any]], tuple[Sequence[data.Directive], list[Any]]
]


def book(
    entries: list[data.Directive],
    options_map: dict[str, Any],
    *,
    local: bool | None = None,
) -> tuple[list[data.Directive], list[Any]]:
    """Beancount's booking of parsed, sorted ``entries`` (interpolation, lots).

    Beancount books a *plain* transaction (every posting a number and a currency, all in
    one currency, no cost, no price) by looking at nothing but itself, unless some other
    transaction needs the running balances (:func:`needs_balances`): it keeps its
    postings and gets its tolerances in its metadata. When no transaction of the books
    needs the balances, plain transactions are completed here in that same way, and every
    other one goes through Beancount's own booking; otherwise all of them do. Beancount's
    inference of the tolerances runs once for each shape of plain transaction (the
    currency and exponent of each amount): its result depends on nothing else.

    ``local``: whether no transaction needs the balances, if the caller knows it already.
    """
    if local is None:
        local = not needs_balances(entries)
    if not local:
        booked, found = booking.book(entries, options_map)  # type: ignore[no-untyped-call]
        return list(booked), list(found)
    methods: dict[str, Any] = collections.defaultdict(
        lambda: options_map["booking_method"]
    )
    for entry in entries:
        if isinstance(entry, data.Open) and entry.booking:
            methods[entry.account] = entry.booking
    result: list[data.Directive] = []
    errors: list[Any] = []
    tolerances: dict[tuple[object, ...], dict[str, Decimal]] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            result.append(entry)
        elif _plain(entry):
            meta = entry.meta.copy()
            postings = entry.postings
            shape = _shape(postings)
            inferred = tolerances.get(shape)
            if inferred is None:
                inferred = tolerances[shape] = infer_tolerances(  # type: ignore[no-untyped-call]
                    postings, options_map, mode="max"
                )
            meta[AUTOMATIC_TOLERANCES] = dict(inferred)
            result.append(
                data.Transaction(
                    meta,
                    entry.date,
                    entry.flag,
                    entry.payee,
                    entry.narration,
                    entry.tags,
                    entry.links,
                    list(postings),
                )
            )
        else:
            booked, found, _ = booking_full._book([entry], options_map, methods)  # type: ignore[no-untyped-call]
            result.extend(booked)
            errors.extend(found)
    errors.extend(booking.validate_missing_eliminated(result, options_map))  # type: ignore[no-untyped-call]
    return result, errors


def _shape(postings: Sequence[data.Posting]) -> tuple[object, ...]:
    """What Beancount's inference of the tolerances reads of a plain transaction (few
    shapes recur): each amount's currency and exponent, and whether it was filled in."""
    shape = []
    for posting in postings:
        units: Any = posting.units  # (an amount of a number: the transaction is plain)
        meta = posting.meta
        filled = meta is not None and AUTOMATIC_META in meta
        shape.append((units.currency, units.number.as_tuple().exponent, filled))
    return tuple(shape)


def _plain(entry: data.Transaction) -> bool:
    """Whether every posting is a number and a currency, all one, without cost or price."""
    currency = None
    for posting in entry.postings:
        units = posting.units
        if (
            posting.cost is not None
            or posting.price is not None
            or type(units) is not Amount
            or type(units.number) is not Decimal
            or type(units.currency) is not str
        ):
            return False
        if currency is None:
            currency = units.currency
        elif units.currency != currency:
            return False
    return currency is not None


def needs_balances(entries: Iterable[data.Directive]) -> bool:
    """Whether booking any of these parsed entries looks at the running balances.

    Beancount's booking consults the balances for a posting held at cost, and to infer a
    currency left out (of an amount, a cost or a price).
    """
    for entry in entries:
        if type(entry) is data.Transaction:
            for posting in entry.postings:
                units: Any = (
                    posting.units
                )  # (MISSING before booking, for an auto-posting)
                if posting.cost is not None or posting.price is not None:
                    return True
                if units is not MISSING and (
                    units is None or not isinstance(units.currency, str)
                ):
                    return True
    return False


def plugin_functions(modules: Iterable[str]) -> list[tuple[str, PluginFunction]]:
    """Each ``__plugins__`` function of the ``modules``, in order, with its module's name."""
    found: list[tuple[str, PluginFunction]] = []
    for name in modules:
        module = importlib.import_module(name)
        for function in getattr(module, "__plugins__", ()):
            found.append(
                (
                    name,
                    getattr(module, function)
                    if isinstance(function, str)
                    else function,
                )
            )
    return found


def run_plugins(
    entries: list[data.Directive],
    options_map: dict[str, Any],
    functions: Sequence[tuple[str, PluginFunction]],
) -> tuple[list[data.Directive], list[Any]]:
    """Beancount's documents step, then ``functions`` in order as one step, sorted once.

    What ``loader.run_transformations`` does up to the ``pad`` plugin, except that it sorts
    the entries after every module: the rules keep their entries sorted (they add only a
    few, in place), so sorting once after all of them gives the same list. A function
    that raises becomes Beancount's own ``LoadError`` and the entries go on unchanged.
    """
    errors: list[Any] = []
    if options_map.get("documents"):  # (with no folders it would only sort)
        entries, found = documents.process_documents(entries, options_map)  # type: ignore[no-untyped-call]
        errors.extend(found)
    entries, found = documents.verify_document_files_exist(entries, options_map)  # type: ignore[no-untyped-call]
    errors.extend(found)
    for module, function in functions:
        try:
            result, found = function(entries, options_map)
        except Exception:  # as the loader does: the error is reported, the load goes on
            trace = traceback.format_exc().replace("\n", "\n  ")
            message = f'Error applying plugin "{module}": {trace}'
            errors.append(loader.LoadError(data.new_metadata("<load>", 0), message))
            continue
        entries = result if type(result) is list else list(result)
        errors.extend(found)
    entries.sort(key=data.entry_sortkey)
    return entries, errors


def pad_and_balance(
    entries: list[data.Directive], options_map: dict[str, Any]
) -> tuple[list[data.Directive], list[Any]]:
    """Beancount's last plugins: ``pad`` inserts the padding, then balances are checked.

    ``pad`` looks only at the transactions that touch a padded account (or one below it):
    it is given those and every other directive, and its padding is put back into the
    whole list right after each ``pad``, as it puts it itself. Books without ``pad`` skip
    it (it would only copy the list).
    """
    pads = {e.account for e in entries if isinstance(e, data.Pad)}
    if pads:
        entries, pad_errors = _pad(entries, options_map, pads)
        entries.sort(key=data.entry_sortkey)
    else:
        pad_errors = []
    checked, balance_errors = balance.check(entries, options_map)  # type: ignore[no-untyped-call]
    return list(checked), [*pad_errors, *balance_errors]


def _pad(
    entries: list[data.Directive], options_map: dict[str, Any], padded: set[str]
) -> tuple[list[data.Directive], list[Any]]:
    """``pad.pad(entries)``, computed from the entries that bear on the ``padded`` accounts."""
    bears: dict[str, bool] = {}

    def touches(name: str) -> bool:
        found = bears.get(name)
        if found is None:
            found = bears[name] = any(
                name == account or name.startswith(account + ":") for account in padded
            )
        return found

    subset = [
        e
        for e in entries
        if not isinstance(e, data.Transaction)
        or any(touches(posting.account) for posting in e.postings)
    ]
    result, errors = pad.pad(subset, options_map)  # type: ignore[no-untyped-call]
    inserted: dict[int, list[data.Directive]] = {}
    at, after = 0, None
    for entry in result:
        if at < len(subset) and entry is subset[at]:
            at += 1
            after = entry
        else:  # a padding transaction, right after its pad (or an earlier padding)
            inserted.setdefault(id(after), []).append(entry)
    whole: list[data.Directive] = []
    for entry in entries:
        whole.append(entry)
        extra = inserted.get(id(entry))
        if extra:
            whole.extend(extra)
    return whole, list(errors)


def validate(entries: list[data.Directive], options_map: dict[str, Any]) -> list[Any]:
    """Beancount's validation of the transformed entries.

    Each of ``validation.VALIDATIONS`` runs in order, as ``validation.validate`` runs them.
    The check that every transaction balances judges each transaction alone and finds
    nothing in one whose postings are all plain amounts of one currency summing to
    exactly zero (the residual is then empty): it is given only the others.
    """
    errors: list[Any] = []
    for function in validation.VALIDATIONS:
        if function is validation.validate_check_transaction_balances:
            doubtful = [
                e
                for e in entries
                if isinstance(e, data.Transaction) and not _plainly_balanced(e)
            ]
            errors.extend(function(doubtful, options_map))  # type: ignore[no-untyped-call]
        else:
            errors.extend(function(entries, options_map))  # type: ignore[no-untyped-call]
    return errors


def _plainly_balanced(entry: data.Transaction) -> bool:
    """Whether ``entry``'s postings are plain amounts of one currency summing to zero."""
    currency = None
    total = ZERO
    for posting in entry.postings:
        units = posting.units
        if (
            posting.cost is not None
            or posting.price is not None
            or units is None
            or type(units.number) is not Decimal
            or (posting.meta and AUTOMATIC_RESIDUAL in posting.meta)
        ):
            return False
        if currency is None:
            currency = units.currency
        elif units.currency != currency:
            return False
        total += units.number
    return currency is not None and total == ZERO


def validate_new(
    books: Iterable[data.Directive],
    new: Sequence[data.Directive],
    options_map: dict[str, Any],
) -> list[Any]:
    """What :func:`validate` adds for ``new`` Custom, Event, Query or Note entries.

    Of Beancount's validations only the one of the accounts in use looks at such entries,
    and it judges each entry alone against the ``open`` and ``close`` directives before
    it. So the validation of the books plus ``new`` is the books' own errors plus these.
    """
    assert all(type(entry) in INERT for entry in new)
    frame: list[data.Directive] = [
        e for e in books if type(e) is data.Open or type(e) is data.Close
    ]
    frame.extend(new)
    frame.sort(key=data.entry_sortkey)
    return list(validation.validate_active_accounts(frame, options_map))  # type: ignore[no-untyped-call]


#: Directives that Beancount's booking, ``documents``, ``pad`` and balance checks pass over.
INERT = (data.Custom, data.Event, data.Query, data.Note)


def parse_appended(
    text: str, *, filename: Path, first_line: int
) -> tuple[list[data.Directive], list[Any]]:
    """Parse ``text`` as if written at ``filename:first_line`` (entries sorted)."""
    entries, errors, _ = parser.parse_file(
        io.BytesIO(text.encode("utf-8")),
        report_filename=str(filename),
        report_firstline=first_line,
    )
    entries.sort(key=data.entry_sortkey)
    return list(entries), list(errors)
