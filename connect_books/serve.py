"""Serving the books with Fava, safely.

* binds 127.0.0.1 unless told otherwise, and refuses a non-loopback address unless the
  server is read-only (``--auditor``) and the caller asked for it explicitly;
* answers 400 to any request whose Host header is not an address it serves (Flask's
  ``TRUSTED_HOSTS``), which defeats DNS rebinding;
* in auditor mode, Fava's read-only mode refuses every request that is not a GET.
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

from flask import Flask

from connect_books.errors import Refused

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


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


def trusted_hosts(host: str) -> list[str]:
    """The Host header values to accept for a server bound to ``host``."""
    if is_loopback(host):
        return ["localhost", "127.0.0.1", "[::1]", "::1"]
    names = {host, socket.getfqdn(host)} if host not in ("0.0.0.0", "::") else set()
    if not names:
        raise ServeRefused(
            "すべてのアドレス (0.0.0.0) では公開できません。監事に見せるアドレスを --host に一つ指定してください。"
        )
    return sorted(names)


def make_app(
    ledger: Path, *, host: str, auditor: bool, allow_remote: bool = False
) -> Flask:
    """Build the Fava application for ``ledger`` with our safeguards."""
    if not is_loopback(host):
        if not auditor:
            raise ServeRefused(
                f"{host} はこの機械の外から届くアドレスです。書き込みのできる Fava は外に公開できません。"
                "監事向けに公開するときは --auditor --allow-remote を付けてください。"
            )
        if not allow_remote:
            raise ServeRefused(
                f"{host} はこの機械の外から届くアドレスです。公開してよいときだけ --allow-remote を付けてください。"
            )
    from fava.application import create_app

    app = create_app([str(ledger)], read_only=auditor)
    app.config["TRUSTED_HOSTS"] = trusted_hosts(host)
    if not auditor:  # the treasurer's Fava writes only through the project's writer
        from connect_books.fava_writes import install_write_guard

        install_write_guard(app, ledger)
    return app


def run(app: Flask, host: str, port: int) -> None:
    """Serve ``app`` with cheroot, as Fava itself does."""
    from cheroot.wsgi import Server

    server = Server((host, port), app)
    try:
        server.start()
    except KeyboardInterrupt:
        server.stop()
