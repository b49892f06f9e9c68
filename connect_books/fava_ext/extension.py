"""The Fava extension: a thin class, one template, JSON and Excel endpoints.

``/extension/ConnectBooks/?page=activity&time=FY2025`` shows a page, ``…/report?…`` its
report as JSON (the same as ``connect-books report activity --year 2025``) and
``…/xlsx?…`` as an Excel workbook (the same as ``--format xlsx``). What a page shows is
made in :mod:`connect_books.fava_ext.view`, from :mod:`connect_books.fava_ext.pages`.
"""

from __future__ import annotations

import datetime
import tempfile
import threading
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from fava.application import url_for
from fava.ext import FavaExtensionBase, extension_endpoint
from flask import Response, abort, jsonify, request, send_file

from connect_books.fava_ext import view as page_view
from connect_books.fava_ext.pages import Statements, books_of
from connect_books.fiscal import Period
from connect_books.login import USER_KEY
from connect_books.reports.table import Report

if TYPE_CHECKING:
    from fava.core import FavaLedger


Endpoint = Callable[["ConnectBooks"], Response]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Seconds after a load before the reports are made in the background (Fava's own first
#: page, usually what asked for the load, comes first).
WARM_DELAY = 3.0


def endpoint(name: str) -> Callable[[Endpoint], Endpoint]:
    """Fava's ``@extension_endpoint(name)`` (GET), typed."""
    decorate: Any = extension_endpoint
    return cast(Callable[[Endpoint], Endpoint], decorate(name))


class ConnectBooks(FavaExtensionBase):
    """計算書・監査: the statements the 監事 sign, the checks and the fund flows."""

    report_title = "計算書・監査"

    def __init__(self, ledger: FavaLedger, config: str | None = None) -> None:
        super().__init__(ledger, config)
        self._statements: Statements | None = None

    def after_load_file(self) -> None:
        """Forget the reports of the previous load; make the new ones in the background,
        a few seconds later (the index, then every page for the 年度 a 監事 opens first)."""
        if self._statements is not None:
            self._statements.stop()
        self._statements = statements = Statements(books_of(self.ledger))
        fiscal_year_end = self.ledger.fava_options.fiscal_year_end

        def periods() -> list[Period]:
            return page_view.first_periods(
                statements, fiscal_year_end, datetime.date.today()
            )

        threading.Thread(
            target=statements.warm, args=(periods, WARM_DELAY), daemon=True
        ).start()

    def statements(self) -> Statements:
        """The reports of the books as Fava loaded them."""
        found = self._statements
        if found is None:
            found = self._statements = Statements(books_of(self.ledger))
        return found

    def href(self, endpoint: str = "", **values: str) -> str:
        """This extension's page, or its ``endpoint`` (``xlsx``), with ``values``."""
        page = url_for("extension_report", extension_name=self.name, **values)
        if not endpoint:
            return page
        path, _, query = page.partition("?")
        return f"{path}{endpoint}?{query}"

    def _resolved(self) -> page_view.Resolved:
        return page_view.resolve(
            self.statements(),
            request.args,
            self.ledger.fava_options.fiscal_year_end,
            datetime.date.today(),
        )

    def view(self) -> page_view.PageView:
        """The page the current request asks for (``page``, ``time``, ``p``)."""
        return page_view.build(
            self.statements(),
            self._resolved(),
            request.args,
            self.href,
            datetime.date.today(),
            request.environ.get(USER_KEY),
        )

    def _report(self) -> Report:
        report = self._resolved().report
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
            content = write(report, "xlsx", Path(folder) / "report.xlsx").read_bytes()
        return send_file(
            BytesIO(content),
            mimetype=XLSX,
            as_attachment=True,
            download_name=(
                f"{report.year.label}_{report.title}"
                + (f"_{report.as_of.isoformat()}現在" if report.as_of else "")
                + ".xlsx"
            ),
        )
