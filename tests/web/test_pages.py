"""The Chinese-first pages: login with CSRF, language toggle, audit page, error pages."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.web import create_app
from tests.conftest import ADMIN_PASSWORD, PASSWORD, People


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "no CSRF token in the form"
    return match.group(1)


def log_in(client: TestClient, username: str, password: str, next_path: str = "/") -> None:
    form = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "next": next_path,
            "csrf_token": csrf_of(form.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == next_path


def test_login_page_is_chinese_by_default(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "用户名" in page.text and "密码" in page.text


def test_english_toggle_is_remembered(client: TestClient) -> None:
    response = client.get("/lang/en", params={"next": "/login"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    page = client.get("/login")
    assert '<html lang="en">' in page.text and "User name" in page.text
    client.get("/lang/zh-CN")
    assert "用户名" in client.get("/login").text


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_no_open_redirects(client: TestClient, target: str) -> None:
    response = client.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_login_sets_a_secure_http_only_cookie_and_shows_the_user(client: TestClient) -> None:
    log_in(client, "admin", ADMIN_PASSWORD)
    cookie = next(c for c in client.cookies.jar if c.name == "cityhub_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    home = client.get("/")
    assert "admin" in home.text and "平台管理员" in home.text


def test_login_over_https_marks_the_cookie_secure(settings, db) -> None:
    from cityhub.web import create_app

    with TestClient(create_app(settings, db), base_url="https://testserver") as client:
        form = client.get("/login")
        response = client.post(
            "/login",
            data={
                "username": "admin",
                "password": ADMIN_PASSWORD,
                "csrf_token": csrf_of(form.text),
            },
            follow_redirects=False,
        )
    set_cookie = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    session = next(v for v in set_cookie if v.startswith("cityhub_session="))
    assert "Secure" in session and "HttpOnly" in session and "SameSite=lax" in session


def test_wrong_password_shows_the_message_in_chinese(client: TestClient) -> None:
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"username": "admin", "password": "wrong-pass", "csrf_token": csrf_of(form.text)},
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text


@pytest.mark.parametrize("token", [None, "", "0" * 64])
def test_forms_without_a_valid_csrf_token_are_refused(
    client: TestClient, token: str | None
) -> None:
    client.get("/login")  # receives the CSRF cookie
    data = {"username": "admin", "password": ADMIN_PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "cityhub_session" not in client.cookies


def test_csrf_token_from_another_browser_is_refused(client: TestClient, settings, db) -> None:
    from cityhub.web import create_app

    with TestClient(create_app(settings, db)) as attacker:
        stolen = csrf_of(attacker.get("/login").text)
    client.get("/login")
    response = client.post(
        "/login", data={"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": stolen}
    )
    assert response.status_code == 403


def test_logout_needs_csrf_and_ends_the_session(client: TestClient) -> None:
    log_in(client, "admin", ADMIN_PASSWORD)
    assert client.post("/logout", follow_redirects=False).status_code == 403
    home = client.get("/")
    response = client.post(
        "/logout", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert client.get("/audit", follow_redirects=False).status_code == 303


def test_audit_page_is_for_admins(client: TestClient, people: People) -> None:
    assert client.get("/audit", follow_redirects=False).headers["location"] == "/login?next=/audit"
    log_in(client, people.analyst, PASSWORD)
    denied = client.get("/audit")
    assert denied.status_code == 403 and "出错了" in denied.text


def test_audit_page_lists_and_filters_events(client: TestClient, people: People) -> None:
    log_in(client, "admin", ADMIN_PASSWORD, next_path="/audit")
    page = client.get("/audit")
    assert page.status_code == 200 and "auth.login" in page.text
    only_failures = client.get("/audit", params={"outcome": "failure"})
    assert "auth.login" not in only_failures.text
    bad = client.get("/audit", params={"since": "27/11/2026"})
    assert bad.status_code == 400 and "since" in bad.text


def test_home_shows_figures(client: TestClient, people: People) -> None:
    page = client.get("/")
    assert 'id="fig-departments">37<' in page.text
    assert 'id="fig-users">4<' in page.text
    assert "/static/vendor/echarts/echarts.min.js" in page.text


@pytest.mark.parametrize("path", ["/", "/api/datasets", "/sta/v1.1", "/trace/log/checkpoint"])
def test_every_answer_carries_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp and headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in headers  # plain HTTP: browsers ignore HSTS there


def test_hsts_is_sent_over_https(settings: Settings, db: Database) -> None:
    with TestClient(create_app(settings, db), base_url="https://cityhub.example") as https:
        assert https.get("/").headers["strict-transport-security"].startswith("max-age=31536000")


def test_hsts_is_sent_behind_a_tls_proxy(settings: Settings, db: Database) -> None:
    behind_proxy = settings.model_copy(update={"cookie_secure": True})
    with TestClient(create_app(behind_proxy, db)) as client:
        assert (
            "includeSubDomains" in client.get("/api/datasets").headers["strict-transport-security"]
        )


def test_vendored_static_files_are_served(client: TestClient) -> None:
    for path in (
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/echarts/echarts.min.js",
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
    ):
        assert client.get(path).status_code == 200, path
