"""The 記帳 page: the treasurer's everyday entries as Japanese forms, in Fava.

``/extension/Kicho/?form=expense`` shows a form (:mod:`connect_books.fava_ext.entry_page_forms`);
submitting it posts to ``…/preview``, which shows the exact Beancount text that would be
written (for a month-end balance, the passbook against the books and the difference);
confirming posts the same values to ``…/write``, which builds the entry again from them
(the posted form values, never posted Beancount text) and writes it with
:func:`connect_books.entry.write` (or :func:`~connect_books.entry_balance.write_balance`):
the lock, every rule on the whole books, the 年度's journal file. A refusal is shown in
Japanese beside the form, with the values as typed, and nothing is written. After a write,
Fava loads the books again and the page shows the entry as Fava now has it.

Treasurer mode only: the page exists only in the Fava that writes through the project's
writer (``connect-books serve``, :mod:`connect_books.fava_writes`). In ``--auditor`` mode it
is not in the sidebar and each of its URLs answers 403. Every POST must carry the page's
token and come from the page's own origin: another web site cannot make the browser write.
"""

from __future__ import annotations

import datetime
import hmac
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from fava.application import url_for
from fava.ext import FavaExtensionBase, extension_endpoint
from flask import Response, abort, g, make_response, redirect, render_template, request
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from connect_books.entry import Context, write
from connect_books.entry_balance import BalanceCheck, write_balance
from connect_books.errors import Refused
from connect_books.fava_ext import entry_page_build as build
from connect_books.fava_ext import entry_page_forms as page_forms
from connect_books.fava_ext.entry_page_landed import Landed, landed
from connect_books.fava_ext.entry_page_uploads import Uploads
from connect_books.fava_ext.pages import books_of
from connect_books.writer import CommitFailed, Written

if TYPE_CHECKING:
    from fava.core import FavaLedger

TITLE = "記帳"
#: The command named in ``--commit`` messages.
COMMAND = "Fava 記帳"
AUDITOR_REFUSED = (
    "監事用の Fava (読み取り専用) では記帳のページは使えません。"
    "記帳は会計担当の connect-books serve で行います。\n"
)
_ENDPOINTS = ("extension_report", "extension_endpoint", "extension_js_module")
Endpoint = Callable[["Kicho"], BaseResponse]


def endpoint(
    name: str, methods: list[str] | None = None
) -> Callable[[Endpoint], Endpoint]:
    """Fava's ``@extension_endpoint(name, methods)``, typed."""
    decorate: Any = extension_endpoint
    return cast(Callable[[Endpoint], Endpoint], decorate(name, methods))


def today() -> datetime.date:
    """Today (tests set another day)."""
    return datetime.date.today()


def treasurer_mode(ledger: FavaLedger) -> bool:
    """Whether Fava writes this ledger through the project's writer (``serve`` without
    ``--auditor``): only then does the 記帳 page exist."""
    from connect_books.fava_writes import GuardedFileModule

    return isinstance(ledger.file, GuardedFileModule)


@dataclass
class PageView:
    """Everything the template shows."""

    forms: tuple[tuple[str, str, str], ...]
    form: page_forms.Form
    values: dict[str, str]
    token: str
    preview_href: str
    write_href: str
    error: str = ""
    error_field: str = ""
    preview: build.Preview | None = None
    landed: Landed | None = None
    voucher: str = ""
    voucher_name: str = ""
    commit: bool = False
    notices: list[str] = field(default_factory=list)

    def value(self, item: page_forms.Field) -> str:
        """What the field shows: what was typed, else its default."""
        if item.name in self.values:
            return self.values[item.name]
        return "1" if item.kind == "check" and item.default == "1" else item.default


class Kicho(FavaExtensionBase):
    """記帳: the everyday entries as forms (treasurer mode only)."""

    def __init__(self, ledger: FavaLedger, config: str | None = None) -> None:
        super().__init__(ledger, config)
        self._token = secrets.token_urlsafe(32)
        self._writing = threading.Lock()
        self._uploads = Uploads()
        self._in_git: bool | None = None

    @property
    def report_title(self) -> str | None:
        """記帳 in the sidebar, in treasurer mode only."""
        return TITLE if treasurer_mode(self.ledger) else None

    @report_title.setter
    def report_title(self, value: str | None) -> None:
        """Fava never sets it; the title follows the mode."""

    def before_request(self) -> None:
        """Refuse every URL of this page when Fava does not write (auditor mode)."""
        args = request.view_args or {}
        if request.endpoint in _ENDPOINTS and args.get("extension_name") == self.name:
            self._require_treasurer()

    def _require_treasurer(self) -> None:
        if not treasurer_mode(self.ledger):
            abort(Response(AUDITOR_REFUSED, 403, mimetype="text/plain"))

    # --- the page ---------------------------------------------------------------------

    def context(self) -> Context:
        """The books as Fava has them loaded."""
        return Context(books_of(self.ledger), today=today())

    def page_view(self) -> PageView:
        """The page a GET asks for: ``form``, and ``written`` after a write."""
        self._require_treasurer()
        ctx = self.context()
        view = self._view(ctx, request.args.get("form", "dues"), {})
        written = request.args.get("written", "")
        if written:
            view.landed = landed(self.ledger, written)
        if request.args.get("uncommitted"):
            view.notices.append(
                "書き込みましたが、git commit に失敗しました。端末で git status を確かめてください。"
            )
        return view

    def _view(self, ctx: Context, name: str, values: dict[str, str]) -> PageView:
        try:
            form = page_forms.form_named(ctx, name)
        except Refused:
            form = page_forms.form_named(ctx, "dues")
        return PageView(
            forms=tuple(
                (
                    key,
                    title,
                    url_for("extension_report", extension_name=self.name, form=key),
                )
                for key, title in page_forms.TITLES.items()
            ),
            form=form,
            values=values,
            token=self._token,
            preview_href=self._href("preview"),
            write_href=self._href("write"),
            commit=self._books_in_git(ctx) if "commit" not in values else False,
        )

    def _href(self, name: str) -> str:
        page = url_for("extension_report", extension_name=self.name)
        return page.partition("?")[0] + name

    def _books_in_git(self, ctx: Context) -> bool:
        if self._in_git is None:
            from connect_books.entry_voucher import require_repository

            try:
                require_repository(ctx.books.root)
                self._in_git = True
            except Refused:
                self._in_git = False
        return self._in_git

    def _render(self, view: PageView) -> Response:
        template = self.jinja_env.get_template(f"{self.name}.html")
        content = Markup(  # the template escapes
            template.render(ledger=g.ledger, extension=self, view=view)
        )
        html = render_template("_layout.html", content=content, page_title=TITLE)
        return make_response(html)

    # --- posts ------------------------------------------------------------------------

    def _posted(self) -> tuple[str, dict[str, str]]:
        """The form name and values of a POST from this page (else 403)."""
        self._require_treasurer()
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc != request.host:
            abort(Response("ほかのサイトからの書き込みは受け付けません。\n", 403))
        if request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
            abort(Response("ほかのサイトからの書き込みは受け付けません。\n", 403))
        if (request.content_length or 0) > self._uploads.max_request:
            abort(Response("送られたファイルが大きすぎます (20 MB まで)。\n", 413))
        posted = request.form.get("token", "")
        if not hmac.compare_digest(posted.encode(), self._token.encode()):
            abort(
                Response(
                    "このページは古くなっています。記帳のページを開き直してください。\n",
                    403,
                    mimetype="text/plain",
                )
            )
        values = {k: v for k, v in request.form.items() if k != "token"}
        return values.pop("form", ""), values

    def _refused(
        self, ctx: Context, name: str, values: dict[str, str], refused: Refused
    ) -> Response:
        view = self._view(ctx, name, values)
        view.error = str(refused)
        view.error_field = getattr(refused, "field", "")
        self._keep_voucher(view, values)
        return self._render(view)

    def _keep_voucher(self, view: PageView, values: dict[str, str]) -> None:
        view.voucher = values.get("voucher", "")
        view.voucher_name = self._uploads.name_of(view.voucher)
        view.commit = values.get("commit") == "1"

    @endpoint("preview", ["POST"])
    def preview_post(self) -> Response:
        """Show what the form writes (nothing is written)."""
        name, values = self._posted()
        ctx = self.context()
        try:
            upload = request.files.get("voucher_file")
            if upload is not None and upload.filename:
                values["voucher"] = self._uploads.keep(upload.filename, upload.stream)
            voucher = self._uploads.path_of(values.get("voucher", ""))
            shown = build.preview(ctx, build.build(ctx, name, values, voucher))
        except Refused as refused:
            return self._refused(ctx, name, values, refused)
        view = self._view(ctx, name, values)
        view.preview = shown
        self._keep_voucher(view, values)
        return self._render(view)

    @endpoint("write", ["POST"])
    def write_post(self) -> BaseResponse:
        """Build the entry again from the values, write it, and show it as Fava has it."""
        name, values = self._posted()
        uncommitted = False
        with self._writing:
            ctx = self.context()
            try:
                voucher = self._uploads.path_of(values.get("voucher", ""))
                made = build.build(ctx, name, values, voucher)
                commit = values.get("commit") == "1"
                try:
                    written = self._write(ctx, made, commit)
                except CommitFailed:
                    written, uncommitted = None, True
            except Refused as refused:
                return self._refused(ctx, name, values, refused)
            main = Path(self.ledger.beancount_file_path)
            self._reload(written.target if written is not None else main)
        self._uploads.forget(values.get("voucher", ""))
        args = {"form": name}
        if written is not None:
            args["written"] = f"{written.target.name}:{written.first_line}"
        if uncommitted:
            args["uncommitted"] = "1"
        target = url_for("extension_report", extension_name=self.name, **args)
        return redirect(target, code=303)

    def _write(self, ctx: Context, made: Any, commit: bool) -> Written:
        if isinstance(made, BalanceCheck):
            return write_balance(ctx, made, command=COMMAND, git_commit=commit)
        return write(ctx, made, command=COMMAND, git_commit=commit)

    def _reload(self, path: Path) -> None:
        """Fava loads the books again now (the next page shows the new entry)."""
        self.ledger.watcher.notify(path)
        if not self.ledger.changed():
            self.ledger.load_file()

    @endpoint("preview")
    def preview_get(self) -> BaseResponse:
        """A preview reloaded or bookmarked: back to the form."""
        return redirect(url_for("extension_report", extension_name=self.name))

    @endpoint("write")
    def write_get(self) -> BaseResponse:
        """A write reloaded or bookmarked: back to the form (nothing is written)."""
        return redirect(url_for("extension_report", extension_name=self.name))
