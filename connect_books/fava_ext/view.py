"""What a page shows, made from the request: the page, the 年度, the report, the tables.

:func:`resolve` finds the report a request asks for (``page``, ``time``), made by the
same rules as ``connect-books report`` (:func:`connect_books.reports.output.period_for`);
:func:`build` adds what the template draws: the tabs, the 年度 selector, the tables with
their links, the Sankey diagram, the pager and the download links.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fava.application import url_for
from fava.util.date import FiscalYearEnd

from connect_books.errors import Refused
from connect_books.fava_ext import flows, sankey
from connect_books.fava_ext.links import Linker
from connect_books.fava_ext.pages import Page, Statements, available, page_named
from connect_books.fava_ext.period import Choice, choose, fava_time, years_between
from connect_books.fava_ext.render import TableView, page_count, tables_view
from connect_books.fiscal import FiscalYear, Period, jdate
from connect_books.reports.output import period_for, unfinished_notice
from connect_books.reports.table import Report, Row

#: Builds a URL of the extension: ``href(endpoint, **values)`` ("" for the page itself).
Href = Callable[..., str]


@dataclass(frozen=True)
class Tab:
    """A link in one of the page's selectors."""

    label: str
    href: str
    current: bool


@dataclass(frozen=True)
class Resolved:
    """The report a request asks for (or why there is none)."""

    page: Page
    choice: Choice
    period: Period
    report: Report | None
    problem: str


@dataclass(frozen=True)
class PageView:
    """Everything the template shows."""

    resolved: Resolved
    tabs: tuple[Tab, ...]
    years: tuple[Tab, ...]
    notices: tuple[str, ...]
    tables: tuple[TableView, ...]
    diagram: sankey.Diagram | None
    xlsx_href: str
    json_href: str
    errors: int
    user: str | None
    pages: tuple[Tab, ...]

    @property
    def page(self) -> Page:
        """The page shown."""
        return self.resolved.page

    @property
    def period(self) -> Period:
        """The period its report covers."""
        return self.resolved.period

    @property
    def report(self) -> Report | None:
        """The report shown (None when there is a problem)."""
        return self.resolved.report

    @property
    def problem(self) -> str:
        """Why there is no report (empty when there is one)."""
        return self.resolved.problem


def resolve(
    statements: Statements,
    args: Mapping[str, str],
    fiscal_year_end: FiscalYearEnd | None,
    today: datetime.date,
) -> Resolved:
    """The report for the request's ``page`` and Fava ``time`` filter."""
    idx = statements.index
    page = page_named(args.get("page"))
    choice = choose(
        args.get("time"), fiscal_year_end, first=idx.first, last=idx.last, today=today
    )
    try:
        period = period_for(statements.books.entries, choice.year, choice.as_of, today)
        return Resolved(page, choice, period, statements.report(page.name, period), "")
    except Refused as refusal:
        return Resolved(
            page, choice, Period.of(choice.year, choice.as_of), None, str(refusal)
        )


def first_periods(
    statements: Statements, fiscal_year_end: FiscalYearEnd | None, today: datetime.date
) -> list[Period]:
    """The periods a 監事 opens first: the one shown without a time filter (the latest
    年度 that has ended), then the current 年度 (to today)."""
    found: list[Period] = []
    current = {"time": f"FY{FiscalYear.of(today).year}"}
    for args in ({}, current):
        resolved = resolve(statements, args, fiscal_year_end, today)
        if resolved.report is not None and resolved.period not in found:
            found.append(resolved.period)
    return found


def build(
    statements: Statements,
    resolved: Resolved,
    args: Mapping[str, str],
    href: Href,
    today: datetime.date,
    user: str | None,
) -> PageView:
    """The page for ``resolved`` (see the module docstring)."""
    idx = statements.index
    page, period, report = resolved.page, resolved.period, resolved.report
    unfinished = period.as_of is not None and today < period.year.end
    part = (
        period.as_of is not None
        and not unfinished
        and f"{period.year.label}の途中 ({jdate(period.end)}現在) までの数字です。"
        "年度全体の計算書は、上の年度を選んで開いてください。"
    )
    notices = tuple(
        n
        for n in (
            resolved.choice.notice,
            unfinished and unfinished_notice(period),
            part,
        )
        if n
    )
    time = fava_time(period)
    linker = Linker(idx, time)

    def row_href(row: Row) -> str | None:
        link = linker.of(row)
        return url_for(link.endpoint, **link.values) if link else None

    number = args.get("p", "1")
    tables = (
        tables_view(report, row_href, int(number) if number.isdigit() else 1)
        if report
        else ()
    )
    diagram = None
    if report is not None and report.name == flows.NAME:
        diagram = sankey.layout(flows.from_report(report))
    return PageView(
        resolved=resolved,
        tabs=tuple(
            Tab(p.label, href("", page=p.name, time=time), p == page)
            for p in available()
        ),
        years=tuple(
            Tab(y.label, href("", page=page.name, time=f"FY{y.year}"), y == period.year)
            for y in years_between(idx.first, idx.last)
        ),
        notices=notices,
        tables=tables,
        diagram=diagram,
        xlsx_href=href("xlsx", page=page.name, time=time),
        json_href=href("report", page=page.name, time=time),
        errors=len(statements.books.errors),
        user=user,
        pages=_pager(
            report,
            int(number) if number.isdigit() else 1,
            lambda n: href("", page=page.name, time=time, p=str(n)),
        ),
    )


def _pager(
    report: Report | None, current: int, href: Callable[[int], str]
) -> tuple[Tab, ...]:
    """Links to the pages of a long report (none when everything fits on one)."""
    count = page_count(report) if report is not None else 1
    if count == 1:
        return ()
    current = min(max(current, 1), count)
    return tuple(Tab(str(n), href(n), n == current) for n in range(1, count + 1))
