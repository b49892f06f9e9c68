"""Serving the books with Fava, safely.

* Fava loads the books the trusted way and imports only the project's extensions
  (:mod:`connect_books.fava_compat`);
* binds 127.0.0.1 unless told otherwise, and refuses a non-loopback address unless the
  server is read-only (``--auditor``) and the caller asked for it explicitly;
* answers 400 to any request whose Host header is not an address it serves (Flask's
  ``TRUSTED_HOSTS``), which defeats DNS rebinding;
* reachable from other computers (a non-loopback address, or behind a TLS reverse proxy
  with ``--public-url``), it requires a login (:mod:`connect_books.login`): 401 to every
  request but the login page until then;
* in auditor mode, Fava's read-only mode refuses every request that is not a GET (401),
  and the raw source files, the journal download, the importers and the editor are
  refused (403);
* in every mode, a document is served only from the books' ``documents/`` folder;
* in treasurer mode, Fava's import page uses the project's importers and an upload folder
  outside the books (:mod:`connect_books.fava_import`), never an importer script.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from connect_books import auth, fava_compat, policy
from connect_books.errors import Refused
from connect_books.login import Gate

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
#: The folder (next to the main file) that documents are served from.
DOCUMENTS = "documents"
#: Fava endpoints an auditor does not get: the raw files and whole-books download, the
#: importers, and the pages that exist only to change the books.
AUDITOR_REFUSED = frozenset(
    {
        "json_api.get_source",
        "json_api.get_imports",
        "json_api.get_extract",
        "download_journal",
    }
)
AUDITOR_REFUSED_PAGES = frozenset({"editor", "import"})
#: Fava draws its sidebar itself (the editor with its "+" and the import page are always
#: there): in auditor mode the pages answer 403, and this style hides their links.
AUDITOR_STYLE = (
    "<style>"
    + ", ".join(
        f'aside li:has(> a[href*="/{page}/"])' for page in sorted(AUDITOR_REFUSED_PAGES)
    )
    + " { display: none !important; }</style>"
)


class ServeRefused(Refused):
    """The requested way of serving is unsafe; the message says why, in Japanese."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_unspecified(host: str) -> bool:
    """Whether ``host`` means every address of the machine (``0.0.0.0``, ``::``, and
    the short forms the system also reads so, such as ``0``)."""
    text = host.strip("[]")
    try:
        return ipaddress.ip_address(text).is_unspecified
    except ValueError:
        pass
    try:  # (inet_aton reads "0", "0.0", "0x0" … as 0.0.0.0, as bind() does)
        return ipaddress.ip_address(
            socket.inet_ntoa(socket.inet_aton(text))
        ).is_unspecified
    except OSError:
        return False


def trusted_hosts(host: str) -> list[str]:
    """The Host header values to accept for a server bound to ``host``."""
    if is_loopback(host):
        return ["localhost", "127.0.0.1", "[::1]", "::1"]
    names = {host, socket.getfqdn(host)} if not is_unspecified(host) else set()
    if not names:
        raise ServeRefused(
            "すべてのアドレス (0.0.0.0) では公開できません。監事に見せるアドレスを --host に一つ指定してください。"
        )
    return sorted(names)


def _public_host(public_url: str) -> tuple[str, bool]:
    """The host name of ``--public-url`` and whether it is https."""
    parts = urlsplit(public_url)
    if parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/"):
        raise ServeRefused(
            f"--public-url {public_url} が正しくありません。TLS のリバースプロキシの公開 URL を "
            "https://kansa.example.org のように (パスなしで) 指定してください。"
        )
    return parts.hostname, True


def _check_address(
    host: str, *, auditor: bool, allow_remote: bool, public_url: str | None
) -> None:
    if public_url is not None and not auditor:
        raise ServeRefused(
            "--public-url は監事用 (--auditor) のときだけ使えます。書き込みのできる Fava は外に公開できません。"
        )
    if public_url is not None and not is_loopback(host):
        raise ServeRefused(
            f"--public-url のときは --host {host} を付けず、127.0.0.1 (既定) で待ち受けてください。"
            "プロキシの X-Forwarded-* を信じるので、この機械のプロキシだけが届くようにします。"
        )
    if is_loopback(host):
        return
    if not auditor:
        raise ServeRefused(
            f"{host} はこの機械の外から届くアドレスです。書き込みのできる Fava は外に公開できません。"
            "監事向けに公開するときは --auditor --allow-remote を付けてください。"
        )
    if not allow_remote:
        raise ServeRefused(
            f"{host} はこの機械の外から届くアドレスです。公開してよいときだけ --allow-remote を付けてください。"
        )


def _users_for_login(users_file: Path | None, ledger: Path) -> auth.UsersFile:
    path = users_file if users_file is not None else auth.default_users_file()
    auth.check_location(path, ledger.parent)
    users = auth.read_users(path)
    if not users:
        raise ServeRefused(
            f"監事のユーザーがいません ({path})。外から見られる Fava にはログインが必要です。"
            "connect-books auditor-user add 名前 でユーザーを作ってから、もう一度起動してください。"
        )
    return auth.UsersFile(path, users)


def make_app(
    ledger: Path,
    *,
    host: str,
    auditor: bool,
    allow_remote: bool = False,
    users_file: Path | None = None,
    public_url: str | None = None,
    gate: Gate | None = None,
) -> Flask:
    """Build the Fava application for ``ledger`` with our safeguards.

    Args:
      ledger: the main file of the books.
      host: the address the server binds.
      auditor: read-only, for the 監事.
      allow_remote: consent to a non-loopback ``host`` (auditor mode only).
      users_file: the 監事's users file (default :func:`auth.default_users_file`).
      public_url: the https URL of a TLS reverse proxy in front (auditor mode only).
      gate: the login gate to use (its throttle and sessions), for tests.

    Raises:
      ServeRefused: the way of serving is unsafe, or a login is needed and there is
        no user.
    """
    _check_address(
        host, auditor=auditor, allow_remote=allow_remote, public_url=public_url
    )
    secure = False
    if public_url is not None:
        public, secure = _public_host(public_url)
        hosts = [public]
    else:
        hosts = trusted_hosts(host)
    remote = not is_loopback(host) or public_url is not None
    users = _users_for_login(users_file, ledger) if remote else auth.UsersFile(None, {})
    fava_compat.install()
    from fava.application import create_app

    app = create_app([str(ledger)], read_only=auditor, load=True)
    for loaded in app.config["LEDGERS"].ledgers:
        fava_compat.hide_budgets(loaded)
    app.config["TRUSTED_HOSTS"] = hosts
    if public_url is not None:  # the proxy's X-Forwarded-* (one proxy) are believed
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=1, x_proto=1, x_host=1
        )
    if gate is None:
        gate = Gate(users, required=remote, secure=secure)
    else:
        gate.users, gate.required, gate.secure = users, remote, secure
    gate.title = str(app.config["LEDGERS"].ledgers[0].options["title"])
    gate.install(app)
    _serve_documents_from_folder(app, ledger.parent / DOCUMENTS)
    app.after_request(_security_headers)
    app.before_request(_jump_within_this_site)
    _japanese_errors(app, auditor=auditor)
    app.before_request(_refuse_file_queries)
    if auditor:
        app.before_request(_refuse_for_auditor)
        app.after_request(_hide_refused_links)
    else:  # the treasurer's Fava writes only through the project's writer
        from connect_books.fava_import import install_import
        from connect_books.fava_writes import install_write_guard

        install_write_guard(app, ledger)
        install_import(app, ledger)
    return app


#: What an error page says, by status (Werkzeug's own pages are in English).
_ERRORS = {
    401: "監事用の Fava は読み取り専用です。帳簿を書き換えることはできません。",
    404: "そのページやファイルはありません (証憑は帳簿の documents フォルダのものだけを開けます)。",
    405: "そのページは、この方法では使えません。",
    500: "サーバーの中でエラーが起きました。画面を読み込み直し、続くときは会計担当に知らせてください。",
}


def _japanese_errors(app: Flask, *, auditor: bool) -> None:
    """Werkzeug's English error pages (a write refused, a file not found) in Japanese."""
    for code, text in _ERRORS.items():
        if code == 401 and not auditor:
            continue

        def page(error: HTTPException, text: str = text) -> Response:
            return Response(
                f'<!doctype html><html lang="ja"><meta charset="utf-8">'
                f"<title>{error.code}</title><p>{escape(text)}</p>"
                '<p><a href="/">最初のページへ</a></p></html>\n',
                error.code or 500,
                mimetype="text/html",
            )

        app.register_error_handler(code, page)


def _refuse_file_queries() -> Response | None:
    if request.endpoint not in ("json_api.get_query", "download_query"):
        return None
    refusal = policy.refused_query(request.args.get("query_string", ""))
    if refusal is None:
        return None
    return Response(
        json.dumps({"error": refusal}, ensure_ascii=False),
        403,
        mimetype="application/json",
    )


def _refuse_for_auditor() -> None:
    if request.endpoint in AUDITOR_REFUSED or (
        request.endpoint == "report"
        and (request.view_args or {}).get("report_name") in AUDITOR_REFUSED_PAGES
    ):
        abort(
            Response(
                "監事用の Fava では、帳簿のファイルそのもの・仕訳帳のダウンロード・取込・編集は使えません。"
                "仕訳帳 (journal) やクエリ (query) のページで見てください。\n",
                403,
                mimetype="text/plain",
            )
        )


def _hide_refused_links(response: Response) -> Response:
    """A whole Fava page gets :data:`AUDITOR_STYLE` in its ``<head>``."""
    if (
        response.mimetype == "text/html"
        and not response.direct_passthrough
        and not response.is_streamed
    ):
        page = response.get_data(as_text=True)
        if "</head>" in page:
            response.set_data(page.replace("</head>", AUDITOR_STYLE + "</head>", 1))
    return response


def _jump_within_this_site() -> None:
    """Fava's ``/jump`` goes back to the page it came from: never to another site."""
    referrer = request.referrer
    if (
        request.endpoint == "jump"
        and referrer
        and urlsplit(referrer).netloc != request.host
    ):
        abort(400)


def _inside(folder: Path, filename: str) -> bool:
    """Whether ``filename`` is a file inside ``folder`` once every link is followed
    (``folder`` itself is not followed: a link to elsewhere does not count as inside)."""
    try:
        path = Path(filename).resolve()
    except (OSError, ValueError):
        return False
    return path.is_relative_to(folder.parent.resolve() / folder.name) and path.is_file()


def _serve_documents_from_folder(app: Flask, folder: Path) -> None:
    """Fava's document and statement downloads, for files in ``folder`` only."""
    document: Callable[..., Any] = app.view_functions["document"]
    statement: Callable[..., Any] = app.view_functions["statement"]

    def guarded_document(**kwargs: Any) -> Any:
        if not _inside(folder, request.args.get("filename", "")):
            abort(404)
        return document(**kwargs)

    def guarded_statement(**kwargs: Any) -> Any:
        try:
            path = g.ledger.statement_path(
                request.args.get("entry_hash", ""), request.args.get("key", "")
            )
        except Exception:  # Fava's own errors: no such entry or metadata
            abort(404)
        if not _inside(folder, path):
            abort(404)
        return statement(**kwargs)

    app.view_functions["document"] = guarded_document
    app.view_functions["statement"] = guarded_statement


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "static":
        headers.setdefault("Cache-Control", "no-store")
    return response


def run(app: Flask, host: str, port: int) -> None:
    """Serve ``app`` with cheroot, as Fava itself does, until Ctrl-C or ``SIGTERM``.

    Both stop the server the normal way, so that what it cleans up when it ends (the
    uploaded vouchers never confirmed: :mod:`connect_books.fava_ext.entry_page_uploads`)
    is cleaned up when a service manager or ``kill`` stops it too.
    """
    import signal

    from cheroot.wsgi import Server

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    server = Server((host, port), app)
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        server.start()
    except KeyboardInterrupt:
        server.stop()
    finally:
        signal.signal(signal.SIGTERM, previous)
