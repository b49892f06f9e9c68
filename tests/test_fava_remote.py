"""``serve --auditor`` seen from another computer: a network namespace made by the test.

The server runs as a real process, bound to the host's end of a virtual ethernet pair
(10.213.N.1, not loopback); the client runs in its own network namespace at 10.213.N.2,
as a 監事's laptop on the LAN would. Needs root and ``ip netns`` (Linux); elsewhere the
same behaviour is tested through the app's own client (``test_fava_login.py``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from favatools import (
    SCREENSHOTS,
    browser,
    have_chromium,
    serving,
    wait_for,
    write_users,
)

PASSWORD = "kansa-2025-secret"


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def lan() -> Iterator[tuple[str, str]]:
    """(namespace, the server's address) on a virtual LAN; removed afterwards."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip(
            "network namespaces need root and iproute2 (test_fava_login covers it)"
        )
    number = os.getpid() % 200 + 20
    namespace, host_end, peer = f"cbtest{number}", f"cbh{number}", f"cbn{number}"
    server, client = f"10.213.{number}.1", f"10.213.{number}.2"
    if _ip("netns", "add", namespace).returncode != 0:
        pytest.skip("ip netns add is not permitted here (test_fava_login covers it)")
    try:
        steps = [
            ("link", "add", host_end, "type", "veth", "peer", "name", peer),
            ("link", "set", peer, "netns", namespace),
            ("addr", "add", f"{server}/24", "dev", host_end),
            ("link", "set", host_end, "up"),
            ("-n", namespace, "addr", "add", f"{client}/24", "dev", peer),
            ("-n", namespace, "link", "set", peer, "up"),
            ("-n", namespace, "link", "set", "lo", "up"),
        ]
        for step in steps:
            done = _ip(*step)
            assert done.returncode == 0, (step, done.stderr)
        yield namespace, server
    finally:
        _ip("link", "del", host_end)
        _ip("netns", "del", namespace)


#: The client, run inside the namespace: every URL without and with a login, then a run
#: of wrong passwords. Prints what it saw as JSON.
CLIENT = textwrap.dedent(
    """
    import http.cookiejar, json, sys, time, urllib.error, urllib.parse, urllib.request
    base, paths, password = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    def opener(jar):
        return urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), NoRedirect
        )

    def call(open_, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with open_.open(base + path, body, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    seen = {"anonymous": {}, "logged_in": {}, "guesses": [], "cookie": ""}
    stranger = opener(http.cookiejar.CookieJar())
    for path in paths:
        status, _, body = call(stranger, path)
        seen["anonymous"][path] = [status, "監事のログイン" in body.decode()]
    jar = http.cookiejar.CookieJar()
    auditor = opener(jar)
    status, headers, _ = call(auditor, "/login", {"name": "yamada", "password": password, "next": "/"})
    seen["login"] = status
    seen["cookie"] = headers.get("Set-Cookie", "")
    for path in paths:
        seen["logged_in"][path] = call(auditor, path)[0]
    guesser = opener(http.cookiejar.CookieJar())
    started = time.monotonic()
    for _ in range(10):
        status, headers, _ = call(guesser, "/login", {"name": "suzuki", "password": "guess"})
        seen["guesses"].append([status, headers.get("Retry-After")])
    seen["guess_seconds"] = time.monotonic() - started
    seen["right_while_waiting"] = call(guesser, "/login", {"name": "suzuki", "password": password})[0]
    print(json.dumps(seen))
    """
)


def test_a_laptop_on_the_lan_must_log_in(
    lan: tuple[str, str], sample_path: Path, tmp_path: Path
) -> None:
    namespace, address = lan
    users = write_users(tmp_path / "auditors", {"yamada": PASSWORD, "suzuki": PASSWORD})
    with serving(
        sample_path, "--auditor", "--allow-remote", "--users", str(users), host=address
    ) as base:
        location = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", f"{base}/"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert location.stdout == "401"  # from this machine too: the address is public
        slug = _slug(sample_path)
        paths = [
            "/",
            f"/{slug}/income_statement/",
            f"/{slug}/journal/",
            f"/{slug}/api/income_statement?time=FY2025",
            f"/{slug}/api/query?query_string=SELECT%20sum(number)",
            f"/{slug}/extension/ConnectBooks/?page=activity&time=FY2025",
            f"/{slug}/extension/ConnectBooks/?page=fund-flow&time=FY2025",
            f"/{slug}/extension/ConnectBooks/report?page=tie-out&time=FY2025",
            f"/{slug}/extension/ConnectBooks/xlsx?page=budget&time=FY2025",
            "/static/app.js",
        ]
        done = subprocess.run(
            [
                *("ip", "netns", "exec", namespace, sys.executable, "-c", CLIENT),
                *(base, json.dumps(paths), PASSWORD),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        seen: dict[str, Any] = json.loads(done.stdout)
    for path in paths:
        assert seen["anonymous"][path] == [401, True], path
        expected = 302 if path == "/" else 200
        assert seen["logged_in"][path] == expected, path
    assert seen["login"] == 303
    assert "HttpOnly" in seen["cookie"] and "SameSite=Lax" in seen["cookie"]
    statuses = [status for status, _ in seen["guesses"]]
    assert statuses[:3] == [401, 401, 401]
    assert (
        statuses[3:] == [429] * 7
    )  # from the fourth guess on, the server makes it wait
    assert all(int(wait) >= 1 for status, wait in seen["guesses"] if status == 429)
    assert seen["right_while_waiting"] == 429


def _slug(ledger: Path) -> str:
    from favatools import slug_of

    from connect_books.serve import make_app

    app = make_app(ledger, host="127.0.0.1", auditor=True)
    headers = app.test_client().get("/", headers={"Host": "127.0.0.1"}).headers
    return slug_of(headers["Location"])


@pytest.mark.skipif(not have_chromium(), reason="Debian's chromium is not installed")
def test_a_browser_logs_in(
    lan: tuple[str, str], sample_path: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    _, address = lan
    users = write_users(tmp_path / "auditors", {"yamada": PASSWORD})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with (
        serving(
            sample_path,
            "--auditor",
            "--allow-remote",
            "--users",
            str(users),
            host=address,
        ) as base,
        browser(tmp_path / "chromium") as driver,
    ):
        slug = _slug(sample_path)
        driver.get(f"{base}/{slug}/extension/ConnectBooks/?page=tie-out&time=FY2025")
        wait_for(driver, "h1", "監事のログイン")
        assert "7,037,000" not in driver.page_source
        driver.find_element(By.ID, "name").send_keys("yamada")
        driver.find_element(By.ID, "password").send_keys("wrong-password")
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_for(driver, ".message", "ユーザー名かパスワードが違います")
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.save_screenshot(str(SCREENSHOTS / "fava-login.png"))
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_for(driver, "h2.cb-title", "監事の照合")  # back where the 監事 asked to go
        assert "ログイン中: yamada" in driver.page_source
        cookies = {c["name"]: c for c in driver.get_cookies()}
        assert cookies["connect-books-session"]["httpOnly"] is True
        assert cookies["connect-books-session"]["sameSite"] == "Lax"
        buttons = driver.find_elements(By.CSS_SELECTOR, "button[form=cb-logout]")
        assert len(buttons) == 1  # (the page's own; no second bar)
        driver.save_screenshot(str(SCREENSHOTS / "fava-logged-in.png"))
        buttons[0].click()
        wait_for(driver, "h1", "監事のログイン")
        driver.get(f"{base}/{slug}/income_statement/?time=FY2025")
        wait_for(driver, "h1", "監事のログイン")  # logged out for Fava's pages too
