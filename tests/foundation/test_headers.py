"""Security headers on every response; pages that run under the policy; names that cannot
reorder the text around them."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from server import create_app
from tests.conftest import email_of
from tests.foundation.test_api import bearer

ROOT = Path(__file__).resolve().parents[2]


def _check(res) -> dict[str, str]:
    csp = res.headers.get("Content-Security-Policy", "")
    rules = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert rules["default-src"] == "'self'" and rules["script-src"] == "'self'", csp
    assert rules["frame-ancestors"] == "'none'" and rules["base-uri"] == "'self'" and rules["form-action"] == "'self'"
    assert rules["img-src"] == "'self' data:"
    assert "ws://iltizam.test" in rules["connect-src"] and "wss://iltizam.test" in rules["connect-src"]
    assert res.headers["X-Content-Type-Options"] == "nosniff"
    assert res.headers["Referrer-Policy"] == "same-origin"
    assert res.headers["X-Frame-Options"] == "DENY"
    return rules


def test_every_kind_of_response_carries_the_headers(client, auth, factory, app):
    admin = factory.user(admin=True)
    plan = factory.plan(admin)
    card = factory.card(plan, admin)
    h = bearer(app, admin)
    for url, headers in (("/login", {}), ("/", {}), ("/static/css/app.css", {}), ("/api/v1/me", {}),
                         ("/api/v1/me", h), ("/api/v1/cards/424242", h), ("/no-such-page", {})):
        with client.get(url, headers=headers) as res:
            _check(res)
            assert "Strict-Transport-Security" not in res.headers  # PUBLIC_URL is not https here
    auth.login(email_of(app, admin))
    for url in ("/", f"/plans/{plan}", f"/cards/{card}", f"/cards/{card}/roles", f"/plans/{plan}/roles"):
        _check(client.get(url))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_https_deployments_get_hsts(app):
    secure = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "x",
                         "SOCKETIO_ASYNC_MODE": "threading", "REDIS_URL": None,
                         "PUBLIC_URL": "https://iltizam.gov.ma"})
    try:
        res = secure.test_client().get("/login")
        assert res.headers["Strict-Transport-Security"].startswith("max-age=")
        assert "wss://iltizam.gov.ma" in res.headers["Content-Security-Policy"]
    finally:
        secure.extensions["iltizam.engine"].dispose()


def test_no_template_or_script_runs_inline_code():
    inline_handler = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
    found = []
    for path in sorted((ROOT / "server" / "templates").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {m.group(0)}" for m in inline_handler.finditer(text)]
        found += [f"{path.name}: {m.group(0)}" for m in inline_script.finditer(text)]
    for path in sorted((ROOT / "server" / "static" / "js").glob("*.js")):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {m}" for m in re.findall(r"\beval\(|new Function\(|setAttribute\(['\"]on", text)]
    assert found == []


def test_names_are_isolated_and_direction_overrides_refused(client, auth, factory, app):
    admin = factory.user(admin=True)
    plan = factory.plan(admin)
    card = factory.card(plan, admin)
    h = bearer(app, admin)
    for bad in ("Adala \u202eevil", "\u2066Adala\u2069", "Adala\u202a", "Ada\nla"):
        res = client.post("/api/v1/organisations", headers=h,
                          json={"kind": "civil_society", "name_ar": "جمعية", "name_fr": bad})
        assert res.status_code == 422 and res.json["field"] == "name_fr", repr(bad)
        assert "control characters" in res.json["message"]
    res = client.post("/api/v1/organisations", headers=h,
                      json={"kind": "civil_society", "name_ar": "جمعية\u200f عدالة", "name_fr": "Adala"})
    assert res.status_code == 201
    auth.login(email_of(app, admin))
    page = client.get(f"/cards/{card}/roles").get_data(as_text=True)
    name = email_of(app, admin).split("@")[0]
    assert f"<bdi translate=\"no\">{name}</bdi>" in page  # the signed-in person in the page header


def test_the_command_line_refuses_such_names_too(runner, app):
    with app.app_context():
        res = runner.invoke(args=["create-user", "--email", "n@example.org", "--name", "Nadia \u202e",
                                  "--password", "a long secret"])
    assert res.exit_code != 0 and "direction" in res.output
