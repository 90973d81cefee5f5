"""Interface language: message catalogues (JSON, one per language) and the current choice.

Arabic is the default. A signed-in user's choice is kept on their account; before sign-in it
is kept in the session.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import g, session

from ..models import LANGUAGES

if TYPE_CHECKING:
    from flask import Flask

HERE = Path(__file__).parent
DEFAULT = "ar"
DIRECTION = {"ar": "rtl", "fr": "ltr", "en": "ltr"}
NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}


@cache
def catalogue(lang: str) -> dict[str, str]:
    with (HERE / f"{lang}.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def current_language() -> str:
    from ..auth.current import load_user

    user = load_user()
    if user is not None and user.language in LANGUAGES:
        return user.language
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT


def translate(key: str, lang: str | None = None, **params: Any) -> str:
    """The message `key` in `lang` (default: the current language), falling back to English.

    A missing key shows as the key itself so it is noticed, never as an empty label.
    """
    lang = lang or g.get("lang") or current_language()
    text = catalogue(lang).get(key) or catalogue("en").get(key) or key
    return text.format(**params) if params else text


def init_app(app: Flask) -> None:
    @app.before_request
    def _pick_language() -> None:
        g.lang = current_language()

    @app.context_processor
    def _inject() -> dict[str, Any]:
        lang = g.get("lang", DEFAULT)
        return {"t": translate, "lang": lang, "dir": DIRECTION[lang], "language_names": NAMES}
