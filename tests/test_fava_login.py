"""``serve --auditor`` on an address other computers reach: a login before anything.

Served through the app's own test client on a documentation address (192.0.2.10); the
same behaviour over a real network between two network namespaces is in
``test_fava_remote.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from favatools import STATEMENTS, slug_of, write_users
from flask import Flask
from flask.testing import FlaskClient

from connect_books.auth import Throttle, UsersFile
from connect_books.login import LOGIN, LOGOUT, Gate, safe_next
from connect_books.serve import make_app

REMOTE = {"Host": "192.0.2.10:5000"}
PASSWORD = "kansa-2025-secret"


class Clock:
    """A clock the test moves by hand (the throttle's waits, without sleeping)."""

    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(sample_path: Path, tmp_path: Path, clock: Clock) -> Flask:
    users = write_users(tmp_path / "auditors", {"yamada": PASSWORD, "suzuki": PASSWORD})
    gate = Gate(UsersFile(None, {}), required=False, throttle=Throttle(clock=clock))
    return make_app(
        sample_path,
        host="192.0.2.10",
        auditor=True,
        allow_remote=True,
        users_file=users,
        gate=gate,
    )


@pytest.fixture
def slug(sample_path: Path) -> str:
    app = make_app(sample_path, host="127.0.0.1", auditor=True)
    location = app.test_client().get("/", headers={"Host": "127.0.0.1"}).headers
    return slug_of(location["Location"])


def urls(slug: str) -> list[str]:
    """Every page and API a 監事 reads (all answer 200 once logged in)."""
    base = f"/{slug}"
    pages = [
        "income_statement/",
        "balance_sheet/",
        "trial_balance/",
        "journal/",
        "query/",
        "documents/",
        "events/",
        "statistics/",
        "options/",
        "errors/",
        "commodities/",
        "holdings/",
        "holdings/by_account/",
        "help/",
        "account/Assets:1110-現金/",
        *(f"extension/ConnectBooks/?page={name}&time=FY2025" for name in STATEMENTS),
        "extension/ConnectBooks/?page=fund-flow&time=FY2025",
        "extension/ConnectBooks/report?page=activity&time=FY2025",
        "extension/ConnectBooks/xlsx?page=budget&time=FY2025",
    ]
    apis = [
        "ledger_data",
        "errors",
        "changed",
        "income_statement?time=FY2025",
        "balance_sheet",
        "trial_balance",
        "journal",
        "query?query_string=SELECT%20sum(number)",
        "documents",
        "events",
        "commodities",
        "statistics",
        "options",
        "narrations",
        "payee_accounts?payee=x",
        "account_report?a=Assets:1110-現金&r=changes",
    ]
    return [
        "/",
        f"{base}/",
        *(f"{base}/{p}" for p in pages),
        *(f"{base}/api/{a}" for a in apis),
        f"{base}/download-query/query_result.csv?query_string=SELECT%20account",
        "/static/app.js",
    ]


def log_in(client: FlaskClient, name: str = "yamada", password: str = PASSWORD) -> int:
    response = client.post(
        "/login", data={"name": name, "password": password, "next": "/"}, headers=REMOTE
    )
    return response.status_code


def test_everything_answers_401_without_a_login_and_200_after(
    app: Flask, slug: str
) -> None:
    client = app.test_client()
    for url in urls(slug):
        response = client.get(url, headers=REMOTE)
        assert response.status_code == 401, url
        assert "監事のログイン" in response.get_data(as_text=True)
        assert b"7,037,000" not in response.data and b"Income" not in response.data
    assert client.get("/login", headers=REMOTE).status_code == 200
    assert log_in(client) == 303
    for url in urls(slug):
        response = client.get(url, headers=REMOTE, follow_redirects=True)
        assert response.status_code == 200, url


def test_every_route_of_fava_needs_the_login(app: Flask, slug: str) -> None:
    client = app.test_client()
    values = {
        "bfile": slug,
        "name": "Assets:1110-現金",
        "report_name": "income_statement",
        "extension_name": "ConnectBooks",
        "endpoint": "report",
        "aggregation_key": "account",
        "page_slug": "_index",
        "filename": "app.js",
        "result_format": "csv",
    }
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in (LOGIN, LOGOUT):  # the login page itself
            continue
        url = rule.rule
        for key in rule.arguments:
            url = url.replace(f"<{key}>", values[key])
        url = url.replace(
            "by_<any(account,currency,cost_currency):aggregation_key>", "by_account"
        )
        url = url.replace("<path:filename>", "app.js")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, headers=REMOTE)
            assert response.status_code == 401, (method, url)
            checked += 1
    assert checked > 50


def test_the_auditor_stays_read_only_once_logged_in(
    app: Flask, slug: str, sample_path: Path
) -> None:
    client = app.test_client()
    assert log_in(client) == 303
    before = sample_path.read_bytes()
    put = client.put(
        f"/{slug}/api/source",
        json={"file_path": str(sample_path), "source": "", "sha256sum": ""},
        headers=REMOTE,
    )
    assert put.status_code == 401
    assert client.get(f"/{slug}/api/source", headers=REMOTE).status_code == 403
    assert client.get(f"/{slug}/download-journal/", headers=REMOTE).status_code == 403
    assert sample_path.read_bytes() == before


def test_session_cookie_is_httponly_and_samesite(app: Flask) -> None:
    client = app.test_client()
    response = client.post(
        "/login",
        data={
            "name": "yamada",
            "password": PASSWORD,
            "next": "/x/journal/?time=FY2025",
        },
        headers=REMOTE,
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/x/journal/?time=FY2025"
    cookie = response.headers["Set-Cookie"]
    name, _, rest = cookie.partition("=")
    token = rest.split(";")[0]
    assert name == "connect-books-session"
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http: see --public-url for TLS
    assert len(token) >= 40 and "yamada" not in token


def test_wrong_passwords_and_logout(app: Flask, slug: str) -> None:
    client = app.test_client()
    for name, password in (("yamada", "wrong-password"), ("nobody", PASSWORD)):
        response = client.post(
            "/login", data={"name": name, "password": password}, headers=REMOTE
        )
        assert response.status_code == 401
        assert "ユーザー名かパスワードが違います。" in response.get_data(as_text=True)
        assert "Set-Cookie" not in response.headers
    forged = client.get(
        f"/{slug}/income_statement/",
        headers={**REMOTE, "Cookie": "connect-books-session=forged-token"},
    )
    assert forged.status_code == 401
    assert log_in(client) == 303
    assert client.get(f"/{slug}/journal/", headers=REMOTE).status_code == 200
    asked = client.get("/logout", headers=REMOTE)  # a link cannot log anyone out
    assert asked.status_code == 200 and "ログアウトしますか" in asked.get_data(
        as_text=True
    )
    journal = client.get(f"/{slug}/journal/", headers=REMOTE)
    assert journal.status_code == 200
    assert 'action="/logout"' in journal.get_data(as_text=True)  # on Fava's pages too
    foreign = {**REMOTE, "Origin": "https://evil.example"}
    assert client.post("/logout", headers=foreign).status_code == 200
    assert client.get(f"/{slug}/journal/", headers=REMOTE).status_code == 200
    assert client.post("/logout", headers=REMOTE).status_code == 303
    assert client.get(f"/{slug}/journal/", headers=REMOTE).status_code == 401
    stolen = client.post(
        "/login",
        data={"name": "yamada", "password": PASSWORD, "next": "/"},
        headers=foreign,
    )
    assert stolen.status_code == 403  # a login from another site's page


def test_ten_wrong_passwords_in_a_row_are_slowed(
    app: Flask, slug: str, clock: Clock
) -> None:
    client = app.test_client()
    checked = refused = 0
    waits: list[int] = []
    for _ in range(10):  # ten wrong passwords, each as soon as the server allows
        while True:
            response = client.post(
                "/login", data={"name": "yamada", "password": "guess"}, headers=REMOTE
            )
            if response.status_code != 429:
                break
            refused += 1
            wait = int(response.headers["Retry-After"])
            assert "秒待ってから" in response.get_data(as_text=True)
            # Even the right password is refused while waiting.
            assert log_in(client) == 429
            waits.append(wait)
            clock.now += wait
        assert response.status_code == 401
        checked += 1
    assert (checked, refused) == (10, 7)
    assert waits == [1, 2, 4, 8, 16, 32, 60]  # doubling, at most a minute
    assert sum(waits) >= 120  # ten guesses take two minutes instead of a second
    # Another address guessing the same name waits too (the name is slowed as well).
    other = client.post(
        "/login",
        data={"name": "yamada", "password": "guess"},
        headers=REMOTE,
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert other.status_code == 429
    # Another name from another address is not.
    assert (
        client.post(
            "/login",
            data={"name": "suzuki", "password": PASSWORD},
            headers=REMOTE,
            environ_base={"REMOTE_ADDR": "198.51.100.7"},
        ).status_code
        == 303
    )
    clock.now += 60
    assert log_in(client) == 303  # after the wait, the right password works
    assert client.get(f"/{slug}/journal/", headers=REMOTE).status_code == 200


def test_after_login_only_pages_of_this_site() -> None:
    assert safe_next("/abc/journal/\r\nSet-Cookie: x=1") == "/"
    assert safe_next("/abc/\n") == "/"
    assert safe_next("/abc/journal/?time=FY2025") == "/abc/journal/?time=FY2025"
    for target in ("//evil.example/", "https://evil.example/", "/\\evil", "", None):
        assert safe_next(target) == "/"
    assert safe_next("/login?next=/x") == "/"


def test_jump_goes_back_only_within_this_site(app: Flask) -> None:
    client = app.test_client()
    assert log_in(client) == 303
    away = client.get(
        "/jump?time=FY2025", headers={**REMOTE, "Referer": "https://evil.example/x"}
    )
    assert away.status_code == 400
    back = client.get(
        "/jump?time=FY2025",
        headers={**REMOTE, "Referer": "http://192.0.2.10:5000/a/journal/"},
    )
    assert back.status_code == 302
    assert back.headers["Location"].endswith("/a/journal/?time=FY2025")


def test_a_user_removed_or_a_password_changed_takes_effect_at_once(
    sample_path: Path, tmp_path: Path, slug: str
) -> None:
    """No restart: the users file is read again when it changes."""
    users = write_users(tmp_path / "auditors", {"yamada": PASSWORD, "suzuki": PASSWORD})
    app = make_app(
        sample_path,
        host="192.0.2.10",
        auditor=True,
        allow_remote=True,
        users_file=users,
    )
    yamada, suzuki = app.test_client(), app.test_client()
    assert log_in(yamada) == 303 and log_in(suzuki) == 303
    page = f"/{slug}/journal/"
    assert yamada.get(page, headers=REMOTE).status_code == 200
    write_users(users, {"suzuki": "a-new-password-2026"})  # yamada removed
    assert yamada.get(page, headers=REMOTE).status_code == 401  # the session is over
    assert log_in(app.test_client()) == 401
    assert log_in(app.test_client(), "suzuki") == 401  # the old password
    assert log_in(app.test_client(), "suzuki", "a-new-password-2026") == 303
    users.chmod(0o666)  # a file others may change lets nobody in
    assert log_in(app.test_client(), "suzuki", "a-new-password-2026") == 401


def test_guesses_sent_at_once_are_slowed_as_one_after_another(
    app: Flask, clock: Clock
) -> None:
    """Each login counts as failed before its password is looked at, so guesses that
    arrive together cannot all be checked before the first failure is counted."""
    import threading

    started = threading.Barrier(12)
    codes: list[int] = []

    def guess() -> None:
        client = app.test_client()
        started.wait()
        response = client.post(
            "/login", data={"name": "yamada", "password": "guess"}, headers=REMOTE
        )
        codes.append(response.status_code)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes.count(401) == 3 and codes.count(429) == 9  # (the free three)


def test_failures_long_ago_are_forgotten(app: Flask, clock: Clock) -> None:
    client = app.test_client()
    wrong = {"name": "yamada", "password": "typo"}
    for _ in range(4):  # one typo a day for four days
        assert client.post("/login", data=wrong, headers=REMOTE).status_code == 401
        clock.now += 24 * 3600
    assert client.post("/login", data=wrong, headers=REMOTE).status_code == 401
    assert log_in(client) == 303  # (not made to wait: the old typos are forgotten)
