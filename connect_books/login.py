"""The login in front of Fava: every request passes :class:`Gate` first.

The gate is the first ``before_request`` of the app, so it runs before Fava's own
(which would reload the books or refuse a POST):

1. a request whose Host header is not trusted is answered 400 (Flask's
   ``TRUSTED_HOSTS``), before anything else;
2. ``/login`` and ``/logout`` are handled here (a small Japanese form; the session is a
   random token in an ``HttpOnly``, ``SameSite=Lax`` cookie, ``Secure`` behind TLS);
3. when a login is required, any other request without a live session is answered 401
   with the login form (pages, the API, the static files alike);
4. when no login is required (this machine only), a request that a proxy forwarded is
   answered 401: a server on 127.0.0.1 must not be published without one.

Failed logins are slowed by :class:`~connect_books.auth.Throttle`: per address and per
name, the wait doubles after each failure, and while waiting even the right password is
answered 429 with ``Retry-After``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlsplit

from flask import Flask, Response, redirect, request
from werkzeug.exceptions import SecurityError

from connect_books.auth import Sessions, Throttle, UsersFile, authenticate

LOGIN = "connect_books_login"
LOGOUT = "connect_books_logout"
#: Where the gate leaves the logged-in user's name for the pages (``request.environ``).
USER_KEY = "connect_books.user"
#: Headers a reverse proxy adds: their presence means the request came from elsewhere.
FORWARDED = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP")

_PAGE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ログイン - connect-books</title>
<style>
body {{ font-family: sans-serif; background: #f4f5f7; margin: 0; }}
main {{ max-width: 22rem; margin: 12vh auto; background: #fff; padding: 2rem;
  border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }}
h1 {{ font-size: 1.2rem; margin-top: 0; }}
label {{ display: block; margin: 1rem 0 .3rem; }}
input {{ width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; }}
button {{ margin-top: 1.5rem; width: 100%; padding: .6rem; font-size: 1rem; }}
.message {{ color: #b00020; }}
</style></head>
<body><main>
<h1>監事のログイン</h1>
<p>{title}</p>
{message}
<form method="post" action="/login">
<input type="hidden" name="next" value="{next}">
<label for="name">ユーザー名</label>
<input id="name" name="name" autocomplete="username" value="{name}" required autofocus>
<label for="password">パスワード</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">ログイン</button>
</form>
</main></body></html>
"""


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this server only (never another site)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if not target.isprintable():  # (a line break would end the Location header)
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith(("/login", "/logout")):
        return "/"
    return target


@dataclass
class Gate:
    """Authentication for one app (see the module docstring)."""

    #: The 監事's users (read again when the file changes: :class:`~connect_books.auth.UsersFile`).
    users: UsersFile
    required: bool
    title: str = "connect-books"
    secure: bool = False
    throttle: Throttle = field(default_factory=Throttle)
    sessions: Sessions = field(default_factory=Sessions)

    @property
    def cookie(self) -> str:
        """The session cookie's name (``__Host-`` behind TLS: this host, path /, Secure)."""
        return "__Host-connect-books" if self.secure else "connect-books-session"

    def install(self, app: Flask) -> None:
        """Put the gate in front of every request of ``app``."""
        app.add_url_rule("/login", LOGIN, self.login, methods=["GET", "POST"])
        app.add_url_rule("/logout", LOGOUT, self.logout, methods=["GET", "POST"])
        app.before_request_funcs.setdefault(None, []).insert(0, self.check)
        app.after_request(self.logout_bar)

    def logout_bar(self, response: Response) -> Response:
        """Every whole page a logged-in 監事 sees (Fava's own too) shows who is logged in
        and a logout button."""
        user = request.environ.get(USER_KEY)
        if (
            user
            and response.mimetype == "text/html"
            and not response.direct_passthrough
            and not response.is_streamed
        ):
            page = response.get_data(as_text=True)
            if "</body>" in page and 'action="/logout"' not in page:
                response.set_data(page.replace("</body>", _bar(user) + "</body>", 1))
        return response

    def user(self) -> str | None:
        """The logged-in user of the current request."""
        return self.sessions.user(request.cookies.get(self.cookie))

    def check(self) -> Response | None:
        """The gate itself: a response to send instead, or None to let the request on."""
        refused = request.routing_exception
        if isinstance(refused, SecurityError):
            raise refused  # an untrusted Host header: 400, before anything else
        if request.endpoint == LOGIN:
            return self.login()
        if request.endpoint == LOGOUT:
            return self.logout()
        if not self.required:
            if any(header in request.headers for header in FORWARDED):
                return Response(
                    "この Fava はこの機械の中だけのものです。プロキシを通して公開するときは "
                    "connect-books serve --auditor --public-url https://… で起動してください。\n",
                    401,
                    mimetype="text/plain",
                )
            return None
        user = self.user()
        if user is not None and user in self.users.current():
            request.environ[USER_KEY] = user
            return None
        return self.page(401, next_path=request.full_path.rstrip("?"))

    def page(
        self, status: int, *, next_path: str = "/", message: str = "", name: str = ""
    ) -> Response:
        """The login form."""
        shown = f'<p class="message">{escape(message)}</p>' if message else ""
        body = _PAGE.format(
            title=escape(self.title),
            message=shown,
            next=escape(safe_next(next_path)),
            name=escape(name),
        )
        response = Response(body, status, mimetype="text/html")
        response.headers["WWW-Authenticate"] = 'Cookie realm="connect-books"'
        return response

    def login(self) -> Response:
        """``GET /login``: the form; ``POST /login``: check the name and password."""
        if not self.required:
            return redirect("/")  # type: ignore[return-value]
        target = safe_next(request.values.get("next"))
        if request.method != "POST":
            return self.page(200, next_path=target)
        if not _same_site():
            return self.page(
                403, message="ほかのサイトからのログインは受け付けません。"
            )
        name = request.form.get("name", "")[:64]
        password = request.form.get("password", "")[:1024]
        keys = (f"addr:{request.remote_addr}", f"name:{name}")
        wait = self.throttle.attempt(*keys)  # (counted as failed until it succeeds)
        if wait > 0:
            seconds = math.ceil(wait)
            response = self.page(
                429,
                next_path=target,
                name=name,
                message=f"ログインの失敗が続いたため、{seconds}秒待ってからもう一度試してください。",
            )
            response.headers["Retry-After"] = str(seconds)
            return response
        if not authenticate(self.users.current(), name, password):
            return self.page(
                401,
                next_path=target,
                name=name,
                message="ユーザー名かパスワードが違います。",
            )
        self.throttle.succeeded(*keys)
        self.sessions.end(request.cookies.get(self.cookie))
        done: Response = redirect(target, 303)  # type: ignore[assignment]
        done.set_cookie(
            self.cookie,
            self.sessions.start(name),
            httponly=True,
            samesite="Lax",
            secure=self.secure,
            path="/",
        )
        return done

    def logout(self) -> Response:
        """``POST /logout``: end the session and show the login form (``GET`` only asks:
        a link from another site must not log anyone out)."""
        if request.method != "POST" or not _same_site():
            return Response(_LOGOUT_PAGE, 200, mimetype="text/html")
        self.sessions.end(request.cookies.get(self.cookie))
        response: Response = redirect("/login" if self.required else "/", 303)  # type: ignore[assignment]
        response.delete_cookie(
            self.cookie, path="/", secure=self.secure, httponly=True, samesite="Lax"
        )
        return response


_LOGOUT_PAGE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>ログアウト - connect-books</title></head>
<body><form method="post" action="/logout"><p>ログアウトしますか?</p>
<button type="submit">ログアウト</button> <a href="/">戻る</a></form></body></html>
"""


def _bar(user: str) -> str:
    return (
        '<form method="post" action="/logout" style="position:fixed;top:6px;right:10px;'
        'z-index:10000;font-size:12px;background:#fff;padding:2px 6px;border-radius:4px">'
        f'ログイン中: {escape(user)} <button type="submit">ログアウト</button></form>'
    )


def _same_site() -> bool:
    """Whether a form came from this site (a browser names the page's origin)."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host
