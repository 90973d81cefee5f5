"""Browser sessions end when they should: at sign-out (everywhere), on a new password, and a
fixed time after sign-in; the cookie carries nothing derived from the password."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from server import db
from server.auth.current import session_valid
from server.extensions import socketio
from server.migrate import upgrade
from server.models import User
from tests.conftest import _HASH, PASSWORD, PG_ADMIN, _pg
from tests.foundation.test_api import bearer


def _cookie(client) -> str:
    return client.get_cookie("session", domain="iltizam.test").value


def _put_back(client, value: str) -> None:
    client.set_cookie("session", value, domain="iltizam.test")


def _session_data(app, client) -> dict:
    return dict(app.session_interface.get_signing_serializer(app).loads(_cookie(client)))


def _signed_in(client) -> bool:
    return client.get("/api/v1/me").status_code == 200


def _socket_accepted(app, client) -> bool:
    sock = socketio.test_client(app, namespace="/collab", flask_test_client=client)
    try:
        return sock.is_connected("/collab")
    finally:
        if sock.is_connected("/collab"):
            sock.disconnect(namespace="/collab")


def test_a_cookie_kept_from_before_sign_out_no_longer_works(client, auth, factory, app, live):
    uid = factory.user(email="amina@example.org")
    auth.login("amina@example.org")
    assert _signed_in(client) and _socket_accepted(app, client)
    old = _cookie(client)
    client.post("/logout", data={"csrf_token": auth.headers()["X-CSRF-Token"]})
    assert ("credentials", uid) in live.calls
    _put_back(client, old)
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/").status_code == 302
    _put_back(client, old)
    assert not _socket_accepted(app, client)


def test_signing_out_ends_the_accounts_other_sessions(app, factory):
    factory.user(email="karim@example.org")
    from tests.conftest import Auth

    phone, laptop = app.test_client(), app.test_client()
    Auth(phone).login("karim@example.org")
    Auth(laptop).login("karim@example.org")
    assert _signed_in(phone) and _signed_in(laptop)
    laptop.post("/logout", data={"csrf_token": Auth(laptop).headers()["X-CSRF-Token"]})
    assert not _signed_in(phone)
    Auth(phone).login("karim@example.org")  # signing in again works
    assert _signed_in(phone)


def test_the_cookie_holds_nothing_of_the_password_hash(client, auth, factory, app):
    uid = factory.user(email="salma@example.org")
    auth.login("salma@example.org")
    data = _session_data(app, client)
    with app.app_context():
        user = db.session().get(User, uid)
        password_hash, version = user.password_hash, user.session_version
    assert "epoch" not in data and data["sv"] == version and len(version) == 32
    cookie = _cookie(client)
    pieces = {password_hash[i:i + 8] for i in range(len(password_hash) - 8)}
    assert not [p for p in pieces if p in cookie or p in str(data)]


def test_a_session_ends_a_fixed_time_after_sign_in_whatever_the_activity(client, auth, factory, app):
    factory.user(email="nadia@example.org")
    auth.login("nadia@example.org")
    signed_in_at = _session_data(app, client)["login_at"]
    assert _signed_in(client)
    assert _session_data(app, client)["login_at"] == signed_in_at  # activity does not renew it
    with client.session_transaction() as sess:
        sess["login_at"] = time.time() - app.config["SESSION_ABSOLUTE_SECONDS"] + 120
    assert _signed_in(client)
    with client.session_transaction() as sess:
        sess["login_at"] = time.time() - app.config["SESSION_ABSOLUTE_SECONDS"] - 1
    assert client.get("/api/v1/me").status_code == 401
    assert not _signed_in(client)


def test_session_valid_is_what_the_engine_rechecks_a_socket_with(client, auth, factory, app):
    uid = factory.user(email="omar@example.org")
    auth.login("omar@example.org")
    data = _session_data(app, client)
    with app.app_context():
        user = db.session().get(User, uid)
        assert session_valid(user, data)
        assert not session_valid(user, {**data, "sv": "0" * 32})
        assert not session_valid(user, {**data, "user_id": uid + 1})
        assert not session_valid(user, {k: v for k, v in data.items() if k != "login_at"})
        assert not session_valid(user, {**data, "login_at": time.time() + 3600})
        assert not session_valid(user, {**data, "login_at": time.time() - 13 * 3600})
        user.session_version = ""
        assert not session_valid(user, {**data, "sv": ""})


def test_a_new_password_ends_every_session_but_the_one_that_set_it(app, factory, live):
    uid = factory.user(email="leila@example.org")
    from tests.conftest import Auth

    here, elsewhere = app.test_client(), app.test_client()
    Auth(here).login("leila@example.org")
    Auth(elsewhere).login("leila@example.org")
    res = here.post("/api/v1/me/password", headers=Auth(here).headers(),
                    json={"current_password": "wrong", "new_password": "a brand new secret"})
    assert res.status_code == 403 and res.json["field"] == "current_password"
    res = here.post("/api/v1/me/password", headers=Auth(here).headers(),
                    json={"current_password": PASSWORD, "new_password": "a brand new secret"})
    assert res.status_code == 204
    assert _signed_in(here) and not _signed_in(elsewhere)
    assert ("credentials", uid) in live.calls
    assert Auth(elsewhere).login("leila@example.org", "a brand new secret").status_code == 302


def test_an_admin_reset_ends_every_session(app, factory, runner, live):
    uid = factory.user(email="hamid@example.org")
    from tests.conftest import Auth

    browser = app.test_client()
    Auth(browser).login("hamid@example.org")
    with app.app_context():  # as `iltizam` runs its commands
        res = runner.invoke(args=["reset-password", "hamid@example.org", "--password", "reset by the admin"])
    assert res.exit_code == 0, res.output
    assert not _signed_in(browser)
    assert ("credentials", uid) in live.calls
    assert Auth(browser).login("hamid@example.org", "reset by the admin").status_code == 302


def test_revoking_a_token_tells_the_live_engine(client, factory, app, live):
    uid = factory.user()
    h = bearer(app, uid)
    made = client.post("/api/v1/tokens", headers=h, json={"name": "ci"}).json
    assert client.delete(f"/api/v1/tokens/{made['id']}", headers=h).status_code == 204
    assert live.calls == [("credentials", uid)]


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_migration_0002_gives_existing_accounts_distinct_versions(engine, tmp_path):
    if engine == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'old.db'}", None
    else:
        name = f"iltizam_m_{int(time.time() * 1000) % 10**9}"
        admin = sa.create_engine(_pg(PG_ADMIN), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url, drop = PG_ADMIN.rsplit("/", 1)[0] + "/" + name, (admin, name)
    try:
        upgrade(url, "0001")
        eng = sa.create_engine(_pg(url))
        with eng.begin() as conn:
            for email in ("a@example.org", "b@example.org"):
                conn.execute(sa.text("INSERT INTO users (email, name, language, is_admin, created_at) "
                                     "VALUES (:e, 'x', 'ar', false, CURRENT_TIMESTAMP)"), {"e": email})
        upgrade(url)
        with eng.connect() as conn:
            versions = conn.execute(sa.text("SELECT session_version FROM users")).scalars().all()
        eng.dispose()
        assert len(set(versions)) == 2 and all(len(v) == 32 and int(v, 16) >= 0 for v in versions)
    finally:
        if drop:
            with drop[0].connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{drop[1]}"'))
            drop[0].dispose()


def test_an_account_inserted_without_a_version_still_signs_in(client, auth, app):
    with app.app_context():
        db.session().execute(sa.text(
            "INSERT INTO users (email, name, password_hash, language, is_admin, created_at) "
            "VALUES ('raw@example.org', 'raw', :h, 'ar', false, CURRENT_TIMESTAMP)"),
            {"h": _HASH})
        db.session().commit()
    assert auth.login("raw@example.org").status_code == 302
    assert _signed_in(client)
