"""Error pages and the interface's own API errors in the reader's language; a script's in English."""
from __future__ import annotations

import pytest

from server.i18n import translate
from tests.conftest import email_of
from tests.foundation.test_api import bearer

WERKZEUG = ("The requested URL", "The method is not allowed", "The server encountered an internal error")


@pytest.fixture
def signed_in(app, client, auth, factory):
    def sign_in(lang: str) -> int:
        user = factory.user(admin=True, language=lang)
        auth.login(email_of(app, user))
        return user
    return sign_in


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_404_405_and_500_pages_speak_the_readers_language(app, client, signed_in, lang):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a real server's 500, not the test client's traceback

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    signed_in(lang)
    for path, method, status, key in (("/no/such/page", "GET", 404, "error.not_found"),
                                      ("/language", "GET", 405, "error.method_not_allowed"),
                                      ("/boom", "GET", 500, "error.internal")):
        res = client.open(path, method=method)
        page = res.get_data(as_text=True)
        assert res.status_code == status and f'<html lang="{lang}"' in page
        assert translate(key, lang).replace("'", "&#39;") in page, (path, lang)
        if lang != "en":
            assert not any(words in page for words in WERKZEUG), (path, lang)


def test_a_form_without_its_token_says_so_in_french(client, signed_in):
    signed_in("fr")
    res = client.post("/language", data={"lang": "ar"})
    assert res.status_code == 400
    assert translate("error.csrf", "fr").replace("'", "&#39;") in res.get_data(as_text=True)


@pytest.mark.parametrize("lang, expected", [("ar", "error.invalid"), ("fr", "error.invalid"), ("en", None)])
def test_a_service_refusal_without_words_of_its_own_reads_by_its_status(app, lang, expected):
    """Many service errors are precise English for scripts; a page shows them only to English readers."""
    from flask import g

    from server.services.errors import Invalid, keyed, message_for

    with app.test_request_context("/"):
        g.lang = lang
        plain = Invalid("parties[2].count must be a whole number")
        assert message_for(plain) == (translate(expected, lang) if expected else plain.message)
        assert message_for(keyed(Invalid, "roles.bad_email")) == translate("roles.bad_email", lang)


def _csrf(client) -> str:
    with client.session_transaction() as sess:
        return sess["csrf"]


def test_the_interfaces_own_api_calls_get_the_readers_words_and_scripts_english(app, client, signed_in, factory):
    user = signed_in("ar")
    plan = factory.plan(user)
    headers = {"X-CSRF-Token": _csrf(client)}
    res = client.post(f"/api/v1/plans/{plan}/import", headers=headers, data={})
    assert res.status_code == 422 and res.json["message"] == translate("import.error.no_file", "ar")
    missing = client.get("/api/v1/no-such-route")
    assert missing.status_code == 404 and missing.json["message"] == translate("error.not_found", "ar")

    script = app.test_client()
    token = bearer(app, user)
    res = script.post(f"/api/v1/plans/{plan}/import", headers=token, data={})
    assert res.status_code == 422 and res.json["message"] == "send the Word file as the multipart field 'file'"
    assert "requested URL" in script.get("/api/v1/no-such-route", headers=token).json["message"]
