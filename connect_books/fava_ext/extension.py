"""The Fava extension: a thin class, one template, JSON and Excel endpoints.

``/extension/ConnectBooks/?page=activity&time=FY2025`` shows a page, ``…/report?…`` its
report as JSON (the same as ``connect-books report activity --year 2025``) and
``…/xlsx?…`` as an Excel workbook (the same as ``--format xlsx``).
"""

from __future__ import annotations

import datetime
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from fava.application import url_for
from fava.ext import FavaExtensionBase, extension_endpoint
from flask import Response, abort, jsonify, request, send_file

from connect_books.errors import Refused
from connect_books.fava_ext import flows, sankey
from connect_books.fava_ext.links import Linker
from connect_books.fava_ext.pages import (
    Page,
    Statements,
    available,
    books_of,
    page_named,
)
from connect_books.fava_ext.period import Choice, choose, fava_time, years_between
from connect_books.fava_ext.render import PER_PAGE, TableView, tables_view
from connect_books.fiscal import Period
from connect_books.login import USER_KEY
from connect_books.reports.output import period_for, unfinished_notice
from connect_books.reports.table import Report, Row

if TYPE_CHECKING:
    from fava.core import FavaLedger


Endpoint = Callable[["ConnectBooks"], Response]


def endpoint(name: str) -> Callable[[Endpoint], Endpoint]:
    """Fava's ``@extension_endpoint(name)`` (GET), typed."""
    decorate: Any = extension_endpoint
    return cast(Callable[[Endpoint], Endpoint], decorate(name))


@dataclass(frozen=True)
class Tab:
    """A link in one of the page's selectors."""

    label: str
    href: str
    current: bool


@dataclass(frozen=True)
class PageView:
    """Everything the template shows."""

    page: Page
    tabs: tuple[Tab, ...]
    years: tuple[Tab, ...]
    choice: Choice
    period: Period
    notices: tuple[str, ...]
    report: Report | None
    problem: str
    tables: tuple[TableView, ...]
    diagram: sankey.Diagram | None
    xlsx_href: str
    json_href: str
    errors: int
    user: str | None
    pages: tuple[Tab, ...]


class ConnectBooks(FavaExtensionBase):
    """計算書・監査: the statements the 監事 sign, the checks and the fund flows."""

    report_title = "計算書・監査"

    def __init__(self, ledger: FavaLedger, config: str | None = None) -> None:
        super().__init__(ledger, config)
        self._statements: Statements | None = None

    def after_load_file(self) -> None:
        """Forget the reports of the previous load; make the new index in the background."""
        self._statements = statements = Statements(books_of(self.ledger))
        threading.Thread(target=statements.warm, daemon=True).start()

    def statements(self) -> Statements:
        """The reports of the books as Fava loaded them."""
        found = self._statements
        if found is None:
            found = self._statements = Statements(books_of(self.ledger))
        return found

    def _href(self, endpoint: str = "", **values: str) -> str:
        """This extension's page, or its ``endpoint`` (``xlsx``), with ``values``."""
        page = url_for("extension_report", extension_name=self.name, **values)
        if not endpoint:
            return page
        path, _, query = page.partition("?")
        return f"{path}{endpoint}?{query}"

    def view(self) -> PageView:
        """The page the current request asks for (``page``, ``time``, ``p``)."""
        statements = self.statements()
        idx = statements.index
        page = page_named(request.args.get("page"))
        today = datetime.date.today()
        choice = choose(
            request.args.get("time"),
            self.ledger.fava_options.fiscal_year_end,
            first=idx.first,
            last=idx.last,
            today=today,
        )
        report: Report | None = None
        problem = ""
        try:
            period = period_for(
                statements.books.entries, choice.year, choice.as_of, today
            )
            report = statements.report(page.name, period)
        except Refused as refusal:
            problem = str(refusal)
            period = Period.of(choice.year, choice.as_of)
        unfinished = period.as_of is not None and today < period.year.end
        notices = tuple(
            n for n in (choice.notice, unfinished and unfinished_notice(period)) if n
        )
        time = fava_time(period)
        linker = Linker(idx, time)

        def href(row: Row) -> str | None:
            link = linker.of(row)
            return url_for(link.endpoint, **link.values) if link else None

        number = request.args.get("p", "1")
        tables = (
            tables_view(report, href, int(number) if number.isdigit() else 1)
            if report
            else ()
        )
        diagram = None
        if report is not None and report.name == flows.NAME:
            diagram = sankey.layout(flows.from_report(report))
        years = years_between(idx.first, idx.last)
        return PageView(
            page=page,
            tabs=tuple(
                Tab(p.label, self._href(page=p.name, time=time), p == page)
                for p in available()
            ),
            years=tuple(
                Tab(
                    y.label,
                    self._href(page=page.name, time=f"FY{y.year}"),
                    y == period.year,
                )
                for y in years
            ),
            choice=choice,
            period=period,
            notices=notices,
            report=report,
            problem=problem,
            tables=tables,
            diagram=diagram,
            xlsx_href=self._href("xlsx", page=page.name, time=time),
            json_href=self._href("report", page=page.name, time=time),
            errors=len(statements.books.errors),
            user=request.environ.get(USER_KEY),
            pages=_pager(
                tables, lambda n: self._href(page=page.name, time=time, p=str(n))
            ),
        )

    def _report(self) -> Report:
        report = self.view().report
        if report is None:
            abort(404)
        return report

    @endpoint("report")
    def report_json(self) -> Response:
        """The page's report as JSON (as ``connect-books report … --format json``)."""
        return jsonify(self._report().to_json())

    @endpoint("xlsx")
    def xlsx(self) -> Response:
        """The page's report as an Excel workbook (as ``--format xlsx``)."""
        from connect_books.reports.output import write

        report = self._report()
        with tempfile.TemporaryDirectory() as folder:
            path = write(report, "xlsx", Path(folder) / "report.xlsx")
            content = path.read_bytes()
        return send_file(
            BytesIO(content),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            as_attachment=True,
            download_name=f"{report.year.label}_{report.title}.xlsx",
        )


def _pager(
    tables: tuple[TableView, ...], href: Callable[[int], str]
) -> tuple[Tab, ...]:
    """Links to the pages of a long table (none when everything fits)."""
    longest = max(tables, key=lambda t: t.total, default=None)
    if longest is None or not longest.paged:
        return ()
    count = -(-longest.total // PER_PAGE)
    current = (longest.first - 1) // PER_PAGE + 1
    return tuple(Tab(str(n), href(n), n == current) for n in range(1, count + 1))
